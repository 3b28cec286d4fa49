"""Browser: a city's adoption report (绍兴, the hand-built data set of tests/reports/conftest.py
committed to a live server) — its SVG charts render, styled by reports.css, with no
Content-Security-Policy violation; a click on a county's bar and on a heat-map cell drills
down; the XLSX downloaded from the page holds the same numbers as the page's table."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook

from registry import create_app
from registry.extensions import db as _db
from tests.browser.conftest import assert_no_csp_violation, serving, watched_page
from tests.conftest import make_config
from tests.declarations.conftest import PASSWORD, reuse_password_hashes
from tests.reports.conftest import make_report_world

pytestmark = pytest.mark.browser

CITY = "/reports/adoption?region=330600&year=2024&industry=C&target=70"
OFFICER = "sx@example.com"  # 绍兴市局: sees the city in full

PLAN: dict[str, int] = {}  # the example plan's id, once the server holds it


@pytest.fixture(scope="module")
def report_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live registry (CSRF on, own SQLite database) holding the report data set and a
    plan of 绍兴 with three indicators (two computed, one entered by hand)."""
    import datetime as dt

    from registry.database import upgrade_database
    from registry.reports import plans

    tmp = tmp_path_factory.mktemp("reports-browser")
    app = create_app(make_config(tmp, WTF_CSRF_ENABLED=True,
                                 DATABASE_URL=f"sqlite:///{tmp / 'reports.sqlite3'}"))
    with app.app_context(), pytest.MonkeyPatch.context() as mp:
        upgrade_database()
        reuse_password_hashes(mp)
        world = make_report_world()
        plan = plans.create_plan(
            {"name": "绍兴市标准化规划（浏览器测试）", "region_code": "330600",
             "period_start": dt.date(2021, 1, 1), "period_end": dt.date(2025, 12, 31),
             "source_document": "测试", "published": True, "indicators": []},
            world.users["admin"])
        for indicator in (
                {"name": "规上企业主导产品采标率", "target": 70, "unit": "%",
                 "computation": "adoption_rate"},
                {"name": "已公开声明的企业", "target": 10, "unit": "家",
                 "computation": "declaring_enterprises"},
                {"name": "新增企业标准“领跑者”", "target": 2, "unit": "家",
                 "computation": "new_leaders", "manual_value": 1}):
            plans.add_indicator(plan, indicator, world.users["admin"])
        _db.session.commit()
        PLAN["id"] = plan.id
        _db.session.remove()
    with serving(app) as url:
        yield url


@pytest.fixture
def page(browser: Any, report_server: str) -> Iterator[Any]:
    """A phone-wide page would hide the side-by-side layout; a laptop screen, zh-CN."""
    with watched_page(browser, report_server, accept_downloads=True) as pg:
        yield pg


_no_violation = assert_no_csp_violation


def _sign_in(page: Any) -> None:
    page.goto("/login")
    page.fill("#f-email", OFFICER)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="登录").last.click()
    page.wait_for_url("**/dashboard")


def _table(page: Any, table_id: str) -> dict[str, list[str]]:
    """A figure table of the page: first cell (region, industry, year) -> the other cells."""
    rows = page.eval_on_selector_all(
        f"#{table_id} tbody tr",
        "rs => rs.map(r => Array.from(r.children).map(c => c.innerText.trim()))")
    return {r[0]: r[1:] for r in rows}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def test_city_report_charts_drill_down_and_xlsx(page: Any) -> None:
    _sign_in(page)
    resp = page.goto(CITY)
    assert resp is not None and resp.status == 200
    page.wait_for_load_state("load")
    _no_violation(page, CITY)

    # the four charts are there, drawn (not zero-sized) and styled by reports.css
    ids = page.eval_on_selector_all("svg.chart", "ss => ss.map(s => s.id)")
    assert ids == ["chart-matrix", "chart-regions", "chart-industries", "chart-trend"]
    for chart_id in ids:
        box = page.locator(f"#{chart_id}").bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 50, chart_id
        assert page.get_attribute(f"#{chart_id}", "role") == "img"
        assert page.get_attribute(f"#{chart_id}", "aria-label")
    assert page.locator("#chart-regions rect.chart-bar").count() == 2
    assert page.locator("#chart-regions line.chart-target").count() == 1
    assert page.locator("#chart-matrix g.chart-cell").count() >= 3
    assert page.locator("#chart-trend circle.chart-point").count() >= 1
    bar = page.locator("#chart-regions rect.chart-bar").first
    assert bar.evaluate("e => getComputedStyle(e).fill") == "rgb(37, 99, 235)"
    assert "WenQuanYi Micro Hei" in page.locator("#chart-regions text").first.evaluate(
        "e => getComputedStyle(e).fontFamily")
    # the chart's accessible text and its table carry the same numbers
    regions = _table(page, "table-regions")
    assert regions["嵊州市"][:3] == ["3", "2", "66.7%"]
    assert regions["新昌县"][:3] == ["2", "1", "50.0%"]
    desc = page.text_content("#chart-regions desc") or ""
    assert "嵊州市 66.7%（2/3）" in desc and "新昌县 50.0%（1/2）" in desc

    # the XLSX downloaded from the page: the same numbers as the page
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Excel").first.click()
    path = info.value.path()
    assert path is not None
    with open(path, "rb") as fh:
        wb = load_workbook(io.BytesIO(fh.read()))
    sheet = list(wb.worksheets[0].iter_rows(values_only=True))
    by_region = {row[2]: row for row in sheet[1:] if row[0] == "地区 region"}
    assert set(by_region) >= {"嵊州市", "新昌县", "诸暨市"}
    for name, cells in regions.items():
        row = by_region[name]
        assert [str(row[5]), str(row[6]), _pct(row[7])] == cells[:3], name
    total = next(row for row in sheet[1:] if row[0] == "合计 total")
    assert (total[5], total[6], _pct(total[7])) == (5, 3, "60.0%")
    assert page.text_content(".report-figures .figure-value") == "60.0%"

    # drill into a county: a click on its bar
    page.locator("#chart-regions a", has_text="嵊州市").click()
    page.wait_for_url("**region=330683**")
    page.wait_for_load_state("load")
    _no_violation(page, "嵊州市")
    assert "嵊州市" in (page.text_content("p.lead") or "")
    assert page.text_content(".report-figures .figure-value") == "66.7%"
    assert page.locator("#chart-regions line.chart-target").count() == 1  # target kept

    # and into a cell of its heat map: 嵊州市 × 38 电气机械
    page.locator("#chart-matrix g.chart-cell", has_text="1/2").click()
    page.wait_for_url("**/reports/adoption/products**")
    page.wait_for_load_state("load")
    _no_violation(page, "cell")
    assert "industry=38" in page.url and "region=330683" in page.url
    rows = page.locator("table.std-table tbody tr")
    assert rows.count() == 2
    text = page.text_content("table.std-table tbody") or ""
    assert "电饭锅" in text and "电机" in text and "水泵" not in text


def test_charts_on_a_phone(browser: Any, report_server: str) -> None:
    """On a phone the charts fit the screen's width (the wide heat map scrolls sideways in
    its own box), and the page itself does not scroll sideways."""
    context = browser.new_context(base_url=report_server, locale="zh-CN",
                                  viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        pg = context.new_page()
        pg.goto(CITY)
        pg.wait_for_load_state("load")
        for chart_id in ("chart-regions", "chart-industries", "chart-trend"):
            box = pg.locator(f"#{chart_id}").bounding_box()
            assert box is not None and 300 <= box["width"] <= 375, chart_id
        assert pg.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    finally:
        context.close()


def test_a_plan_with_its_progress_chart(page: Any) -> None:
    url = f"/reports/plans/{PLAN['id']}"
    resp = page.goto(url)
    assert resp is not None and resp.status == 200
    page.wait_for_load_state("load")
    _no_violation(page, url)
    chart = page.locator("#plan-chart svg")
    assert chart.count() == 1
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 50
    assert chart.get_attribute("role") == "img"
    desc = page.text_content("#plan-chart svg desc") or ""
    for name in ("规上企业主导产品采标率", "已公开声明的企业", "新增企业标准“领跑者”"):
        assert name in desc, (name, desc)
    # every indicator is also a row of the page's table, with its progress bar
    assert page.locator("progress").count() >= 3
