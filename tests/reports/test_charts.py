"""The charts' SVG: well-formed XML, one mark per value, the numbers in the accessible text,
hostile names escaped, empty data drawn as a message; and the adoption page's charts agree
with its tables (the hand-built data set of ``conftest.py``)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from registry.reports import plans
from registry.reports.charts import (
    Datum,
    Label,
    Progress,
    Series,
    bar_chart,
    heat_class,
    heat_map,
    line_chart,
    progress_chart,
)
from registry.reports.models import Plan, PlanIndicator
from registry.reports.report_charts import plan_chart
from registry.reports.svg import clip, number, text_width
from tests.reports.conftest import ReportWorld

NS = {"s": "http://www.w3.org/2000/svg"}
HOSTILE = '<script>alert("x")</script>&"\'区'


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on anything that is not well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img" and root.get("width") == "100%"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox") or "")
    assert root.get("aria-label") == root.findtext("s:title", namespaces=NS)
    assert root.get("aria-describedby") == f"{root.get('id')}-desc"
    assert "WenQuanYi Micro Hei" in (root.get("font-family") or "")
    assert "style" not in svg.lower().replace("stylesheet", "")  # the CSP forbids style=
    assert "<script" not in svg.lower()
    return root


def desc(root: ET.Element) -> str:
    return root.findtext("s:desc", namespaces=NS) or ""


def all_of(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{{{NS['s']}}}{tag}") if cls in (e.get("class") or "").split()]


class TestBars:
    def test_one_bar_per_value_target_and_accessible_numbers(self) -> None:
        data = [Datum("嵊州市", 2 / 3, "2/3", "/r/330683"), Datum("新昌县", 0.5, "1/2"),
                Datum("诸暨市", None)]
        root = parse(bar_chart(data, chart_id="c1", title="各地区采标率", target=0.7))
        assert len(all_of(root, "rect", "chart-bar")) == 2  # None: no bar, a dash
        assert len(all_of(root, "line", "chart-target")) == 1
        text = desc(root)
        assert "嵊州市 66.7%（2/3）" in text and "新昌县 50.0%（1/2）" in text
        assert "诸暨市 —" in text and "目标 70.0%" in text
        links = [a.get("href") for a in root.iter(f"{{{NS['s']}}}a")]
        assert links == ["/r/330683"]
        widths = [float(r.get("width") or 0) for r in all_of(root, "rect", "chart-bar")]
        assert widths[0] > widths[1] > 0

    def test_values_beyond_the_scale_are_clamped(self) -> None:
        root = parse(bar_chart([Datum("a", 1.5), Datum("b", -0.2)], chart_id="c", title="t"))
        bars = all_of(root, "rect", "chart-bar")
        view_w = float((root.get("viewBox") or "").split()[2])
        assert all(0 <= float(b.get("width") or 0) < view_w for b in bars)

    def test_without_target_no_line(self) -> None:
        root = parse(bar_chart([Datum("a", 0.1)], chart_id="c", title="t"))
        assert not all_of(root, "line", "chart-target")


class TestLine:
    def test_points_gaps_and_two_series(self) -> None:
        years = [Datum("2021", None), Datum("2022", 0.4, "2/5", "/y/2022"),
                 Datum("2023", 0.5, "3/6"), Datum("2024", 0.6, "3/5")]
        output = [Datum("2021", None), Datum("2022", None), Datum("2023", 0.3),
                  Datum("2024", 0.5)]
        root = parse(line_chart([Series("按产品数", years), Series("按产值", output)],
                                chart_id="t", title="趋势", target=0.7))
        assert len(all_of(root, "circle", "chart-point")) == 5
        assert len(all_of(root, "circle", "series-0")) == 3
        assert len(all_of(root, "polyline", "chart-line")) == 2
        assert len(all_of(root, "line", "chart-target")) == 1
        text = desc(root)
        assert "按产品数：2021 —；2022 40.0%（2/5）；2023 50.0%（3/6）；2024 60.0%（3/5）" in text
        assert "按产值：" in text and "2024 50.0%" in text
        assert len(all_of(root, "text", "chart-legend")) == 2

    def test_a_gap_splits_the_line(self) -> None:
        pts = [Datum("1", 0.1), Datum("2", 0.2), Datum("3", None), Datum("4", 0.3),
               Datum("5", 0.4)]
        root = parse(line_chart([Series("s", pts)], chart_id="t", title="t"))
        assert len(all_of(root, "polyline", "chart-line")) == 2

    def test_a_single_point(self) -> None:
        root = parse(line_chart([Series("s", [Datum("2024", 0.25)])], chart_id="t", title="t"))
        assert len(all_of(root, "circle", "chart-point")) == 1
        assert not all_of(root, "polyline", "chart-line")


class TestHeatMap:
    def test_cells_classes_and_text(self) -> None:
        rows = [Label("嵊州市", href="/r/1"), Label("新昌县")]
        cols = [Label("38", "电气机械和器材制造业"), Label("34", "通用设备制造业")]
        cells = [[Datum("", 0.5, "1/2", "/c/1"), Datum("", 1.0, "1/1")],
                 [None, Datum("", 0.05, "1/20")]]
        root = parse(heat_map(rows, cols, cells, chart_id="m", title="地区 × 行业"))
        data_cells = all_of(root, "g", "chart-cell")
        assert len(data_cells) == 4
        classes = [next(iter(all_of(g, "rect", "heat-cell"))).get("class") for g in data_cells]
        assert classes == ["heat-cell heat-2", "heat-cell heat-4", "heat-cell heat-none",
                           "heat-cell heat-0"]
        text = desc(root)
        assert "嵊州市 × 电气机械和器材制造业：50.0%（1/2）" in text
        assert "新昌县 × 通用设备制造业：5.0%（1/20）" in text
        assert "/c/1" in [a.get("href") for a in root.iter(f"{{{NS['s']}}}a")]
        assert len(all_of(root, "rect", "heat-cell")) == 4 + 6  # cells + legend

    @pytest.mark.parametrize("value,cls", [(None, "heat-none"), (0.0, "heat-0"),
                                           (0.2, "heat-1"), (0.7999, "heat-3"),
                                           (0.8, "heat-4"), (1.0, "heat-4"), (7.0, "heat-4")])
    def test_heat_class(self, value: float | None, cls: str) -> None:
        assert heat_class(value) == cls

    def test_many_columns_get_a_minimum_width(self) -> None:
        cols = [Label(chr(65 + k)) for k in range(15)]
        root = parse(heat_map([Label("浙江")], cols, [[Datum("", 0.3)] * 15],
                              chart_id="m", title="t"))
        assert "chart-min-l" in (root.get("class") or "")


class TestProgress:
    def test_bullets_with_status_target_and_baseline(self) -> None:
        items = [Progress("规模以上企业主导产品采标率", 82.0, 70.0, "≥", 79.8, "%", "met", "/p/1"),
                 Progress("新参与制修订国际、国家、行业标准", 6, 20, "≥", None, "项", "behind"),
                 Progress("新增企业标准领跑者", None, 2, "≥", unit="家")]
        root = parse(progress_chart(items, chart_id="p", title="计划指标进度"))
        assert len(all_of(root, "rect", "progress-bar")) == 2
        assert len(all_of(root, "rect", "progress-met")) == 1
        assert len(all_of(root, "rect", "progress-behind")) == 1
        assert len(all_of(root, "line", "progress-target")) == 3
        assert len(all_of(root, "line", "progress-baseline")) == 1
        text = desc(root)
        assert "规模以上企业主导产品采标率：82%，目标 ≥ 70%，基线 79.8%，已达标" in text
        assert "新参与制修订国际、国家、行业标准：6 项，目标 ≥ 20 项，滞后" in text
        assert "新增企业标准领跑者：—，目标 ≥ 2 家，未计算" in text

    def test_a_plans_progress_rows(self) -> None:
        plan = Plan(name="嵊州市十四五<标准化>规划", region_code="330683")
        ind = [PlanIndicator(name="采标率", unit="%", baseline=79.8, target=85.0,
                             comparison="ge"),
               PlanIndicator(name="新增浙江制造标准", unit="项", target=10.0, comparison="ge")]
        on = dt.date(2024, 6, 30)
        rows = [plans.Progress(ind[0], 82.0, "computed", {}, 82 / 85, 0.5, 82.4, "behind", on),
                plans.Progress(ind[1], None, "none", {}, None, 0.5, 5.0, "no_value", on)]
        svg = plan_chart(plan, rows, href=lambda r: f"/i/{r.indicator.name}")
        root = parse(svg)
        assert root.get("aria-label") == "嵊州市十四五<标准化>规划：指标进度"
        assert "&lt;标准化&gt;" in svg
        assert len(all_of(root, "rect", "progress-behind")) == 1
        text = desc(root)
        assert "采标率：82%，目标 ≥ 85%，基线 79.8%，滞后" in text
        assert "新增浙江制造标准：—，目标 ≥ 10 项，暂无数值" in text

    def test_zero_target_and_value(self) -> None:
        root = parse(progress_chart([Progress("x", 0.0, 0.0)], chart_id="p", title="t"))
        assert all_of(root, "line", "progress-target")


class TestEscapingAndEmpty:
    def test_hostile_names_are_escaped(self) -> None:
        svgs = [
            bar_chart([Datum(HOSTILE, 0.5, HOSTILE, '/x?a=1&b="2"')], chart_id=HOSTILE,
                      title=HOSTILE),
            line_chart([Series(HOSTILE, [Datum(HOSTILE, 0.5, href="javascript:x")])],
                       chart_id="l", title=HOSTILE),
            heat_map([Label(HOSTILE, HOSTILE, HOSTILE)], [Label(HOSTILE, HOSTILE)],
                     [[Datum(HOSTILE, 0.5, HOSTILE, HOSTILE)]], chart_id="h", title=HOSTILE),
            progress_chart([Progress(HOSTILE, 1, 2, unit=HOSTILE, href=HOSTILE)],
                           chart_id="p", title=HOSTILE),
        ]
        for svg in svgs:
            root = parse(svg)
            assert "<script>" not in svg
            assert root.get("aria-label") == HOSTILE
            assert HOSTILE in desc(root) or svg is svgs[1]
            # exactly one element: nothing the names carried became markup
            assert not list(root.iter("script")) and not list(root.iter(f"{{{NS['s']}}}script"))

    @pytest.mark.parametrize("svg", [
        bar_chart([], chart_id="e", title="空"),
        bar_chart([Datum("a", None), Datum("b", None)], chart_id="e", title="空"),
        line_chart([], chart_id="e", title="空"),
        line_chart([Series("s", [Datum("2024", None)])], chart_id="e", title="空"),
        heat_map([], [], [], chart_id="e", title="空"),
        heat_map([Label("a")], [Label("b")], [[None]], chart_id="e", title="空"),
        progress_chart([], chart_id="e", title="空"),
    ])
    def test_empty_data_gives_a_message(self, svg: str) -> None:
        root = parse(svg)
        assert "chart-is-empty" in (root.get("class") or "")
        assert desc(root) in ("暂无数据", "没有指标")
        assert [t.text for t in all_of(root, "text", "chart-empty")] == [desc(root)]

    def test_zero_scale_is_not_a_division_by_zero(self) -> None:
        parse(bar_chart([Datum("a", 0.0)], chart_id="z", title="t", max_value=0))
        parse(line_chart([Series("s", [Datum("1", 0.0)])], chart_id="z", title="t",
                         max_value=0))
        parse(heat_map([Label("a")], [Label("b")], [[Datum("", 0.0)]], chart_id="z",
                       title="t", max_value=0))


def test_text_helpers() -> None:
    assert text_width("嵊州") == 26 and text_width("ab") == pytest.approx(15.6)
    assert clip("电气机械和器材制造业", 50) == "电气机…"
    assert clip("short", 200) == "short"
    assert number(79.8, "%") == "79.8%" and number(20.0, "项") == "20 项" and number(None) == "—"


class TestAdoptionPage:
    Q = {"region": "330600", "year": 2024}

    def svgs(self, html: str) -> dict[str, ET.Element]:
        found = re.findall(r"<svg .*?</svg>", html, flags=re.S)
        roots = [parse(s) for s in found]
        return {r.get("id") or "": r for r in roots}

    def test_charts_match_the_hand_computation(self, client: Any, rw: ReportWorld) -> None:
        html = client.get("/reports/adoption", query_string={**self.Q, "industry": "C",
                                                             "target": "70"}) \
            .get_data(as_text=True)
        charts = self.svgs(html)
        assert set(charts) == {"chart-regions", "chart-industries", "chart-matrix", "chart-trend"}
        regions = desc(charts["chart-regions"])
        assert "嵊州市 66.7%（2/3）" in regions and "新昌县 50.0%（1/2）" in regions
        assert "诸暨市 —" in regions and "目标 70.0%" in regions
        assert len(all_of(charts["chart-regions"], "rect", "chart-bar")) == 2
        assert len(all_of(charts["chart-regions"], "line", "chart-target")) == 1
        matrix = desc(charts["chart-matrix"])
        assert "嵊州市 × 电气机械和器材制造业：50.0%（1/2）" in matrix
        assert "新昌县 × 通用设备制造业：50.0%（1/2）" in matrix
        industries = desc(charts["chart-industries"])
        assert "通用设备制造业 66.7%（2/3）" in industries
        assert "电气机械和器材制造业 50.0%（1/2）" in industries
        cells = [g for g in all_of(charts["chart-matrix"], "g", "chart-cell")
                 if "heat-none" not in ET.tostring(g, encoding="unicode")]
        assert len(cells) == 3
        trend = charts["chart-trend"]
        assert "2024 60.0%（3/5）" in desc(trend)
        assert "/reports/adoption/products?region=330683&amp;industry=38&amp;year=2024" in html
        # chart and table point at each other
        for name in ("matrix", "regions", "industries", "trend"):
            assert f'href="#table-{name}"' in html and f'id="table-{name}"' in html
            assert f'href="#figure-{name}"' in html and f'id="figure-{name}"' in html

    def test_empty_region_and_bad_target(self, client: Any, rw: ReportWorld) -> None:
        html = client.get("/reports/adoption", query_string={"region": "330681", "year": 2024}) \
            .get_data(as_text=True)
        assert html.count("chart-is-empty") == 3 and "暂无数据" in html  # no matrix: a sentence
        resp = client.get("/reports/adoption", query_string={**self.Q, "target": "150"})
        assert resp.status_code == 422
        assert client.get("/reports/adoption",
                          query_string={**self.Q, "target": "nan"}).status_code == 422

    def test_output_weight_charts_the_output_rate(self, client: Any, rw: ReportWorld) -> None:
        client.post("/login", data={"email": rw.users["officer_sx"].email,
                                    "password": "correct horse"})
        html = client.get("/reports/adoption", query_string={**self.Q, "weight": "output"}) \
            .get_data(as_text=True)
        trend = desc(self.svgs(html)["chart-trend"])
        assert "按产值：" in trend and "按产品数" not in trend
        assert "2024 50.0%" in trend
