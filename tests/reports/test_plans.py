"""Plan indicators: every computation against a hand count on the report world (conftest),
the "on track" rule at several dates, and the plan's faces (API, page, export) with their
scope rules."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from registry import labels
from registry.extensions import db
from registry.reports import plans, spotchecks
from registry.reports.computations import COMPUTATIONS
from registry.reports.demo_plans import DEMO_PLANS, load_demo_plans
from registry.reports.models import Plan, PlanIndicator
from tests.reports.conftest import ReportWorld
from tests.reports.test_faces import login

D = dt.date
SX = "330600"
START, END = D(2023, 1, 1), D(2025, 12, 31)


def make_plan(rw: ReportWorld, *, published: bool = True, region: str = SX,
              start: D = START, end: D = END) -> Plan:
    return plans.create_plan({"name": "绍兴市标准化规划（测试）", "region_code": region,
                              "period_start": start, "period_end": end,
                              "source_document": "测试", "published": published,
                              "indicators": []}, rw.users["admin"])


def value(plan: Plan, key: str, on: D, **params: Any) -> float | None:
    return COMPUTATIONS[key].fn(plan, params, on).value


class TestComputations:
    def test_zzb_standards_attributed_by_drafting_organisation(self, pw: ReportWorld) -> None:
        plan = make_plan(pw)
        # 0101 (E1, 2023) and 0104 (E3 + E1, 2025, once); 0102 is 杭州's, 0103 before the period
        assert value(plan, "zzb_standards", D(2026, 3, 1)) == 2
        assert value(plan, "zzb_standards", D(2024, 12, 31)) == 1  # 0104 not issued yet
        assert value(plan, "zzb_standards", D(2022, 6, 1)) == 0  # before the period
        hz = make_plan(pw, region="330100")
        assert value(hz, "zzb_standards", D(2026, 3, 1)) == 1  # 0102

    def test_drafted_standards_by_level(self, pw: ReportWorld) -> None:
        plan = make_plan(pw)
        # GB/T 99001 ("新昌 丙机械" matches 新昌丙机械); GB/T 99002 ("丙机械") does not
        assert value(plan, "drafted_standards", D(2026, 1, 1), levels=["national"]) == 1
        assert value(plan, "drafted_standards", D(2026, 1, 1),
                     levels=["international", "national", "industry"]) == 1
        assert value(plan, "drafted_standards", D(2026, 1, 1)) == 3  # + the two T/ZZB

    def test_certified_enterprises(self, pw: ReportWorld) -> None:
        plan = make_plan(pw)
        assert value(plan, "certified_enterprises", D(2023, 6, 1)) == 2  # E1, E3 (still valid)
        assert value(plan, "certified_enterprises", D(2025, 6, 1)) == 1  # E3's expired
        assert value(make_plan(pw, region="330000"), "certified_enterprises", D(2025, 6, 1)) == 2

    def test_declaring_enterprises(self, pw: ReportWorld) -> None:
        plan = make_plan(pw)
        assert value(plan, "declaring_enterprises", D(2025, 6, 1)) == 4  # E1–E4
        assert value(plan, "declaring_enterprises", D(2025, 6, 1), industry="34") == 2  # E2, E3

    def test_declarations_published_in_the_period(self, pw: ReportWorld) -> None:
        plan = make_plan(pw)
        # P4 (withdrawn since, still counted), P5, P7; P8 is 1 Jan 2026 in Beijing
        assert value(plan, "declarations_published", D(2026, 6, 1)) == 3
        assert value(plan, "declarations_published", D(2024, 6, 30)) == 2  # P4, P5

    def test_adoption_rate(self, pw: ReportWorld) -> None:
        plan = make_plan(pw)
        # the last complete year before 2025-06-01 is 2024: 3 of 5 (tests/reports/test_faces)
        assert value(plan, "adoption_rate", D(2025, 6, 1)) == 60.0
        # a park of E1 only: P1 adopts, P2 NEQ-only, P4 withdrawn mid-2024 → 1 of 2
        park = [pw.ents["E1"].credit_code]
        assert value(plan, "adoption_rate", D(2025, 6, 1), enterprises=park) == 50.0
        # industry 34: E2's P5 (IDT) and E3's P6 (amended to no adoption) and P7 (ISO direct)
        assert value(plan, "adoption_rate", D(2025, 6, 1), industry="34") == round(2 / 3 * 100, 2)

    def test_spotcheck_conformity_counts_unweighted_draws(self, pw: ReportWorld) -> None:
        plan = make_plan(pw, end=D(2030, 12, 31))
        officer = pw.users["officer_sx"]
        draw = spotchecks.draw(officer, "330683", 3, seed=1)
        results = ["conforming", "nonconforming", "conforming"]
        for item, result in zip(draw.items, results, strict=True):
            spotchecks.record_result(item, officer, result,
                                     ["other"] if result == "nonconforming" else [], None)
        weighted = spotchecks.draw(officer, SX, 2, seed=1, weighted=True)
        for item in weighted.items:
            spotchecks.record_result(item, officer, "nonconforming", ["cites_withdrawn"], None)
        today = plans.today()
        assert value(plan, "spotcheck_conformity", today) == round(2 / 3 * 100, 2)
        assert spotchecks.draw_conformity(weighted.id).rate == 0.0

    def test_new_leaders_is_not_available_and_falls_back_to_the_hand_value(
            self, pw: ReportWorld) -> None:
        plan = make_plan(pw)
        ind = plans.add_indicator(plan, {"name": "新增企业标准“领跑者”", "target": 2,
                                         "computation": "new_leaders", "manual_value": 1,
                                         "evidence": "市局公告", "value_date": D(2024, 11, 1)},
                                  pw.users["admin"])
        p = plans.progress(ind, D(2024, 12, 1))
        assert (p.value, p.origin) == (1, "manual")


def _ind(comparison: str = "ge", target: float = 10, baseline: float | None = None,
         deadline: D | None = None) -> PlanIndicator:
    plan = Plan(name="p", region_code=SX, period_start=D(2021, 1, 1), period_end=D(2025, 12, 31))
    return PlanIndicator(plan=plan, name="i", target=target, comparison=comparison,
                         baseline=baseline, deadline=deadline, params={})


class TestOnTrack:
    # the period 2021-01-01 … 2025-12-31 has 1825 days; 2023-07-02 is day 912 (elapsed 0.4997)
    @pytest.mark.parametrize(("on", "val", "status"), [
        (D(2023, 7, 2), 5, "on_track"),  # expected 4.997
        (D(2023, 7, 2), 4, "behind"),
        (D(2023, 7, 2), 10, "met"),
        (D(2020, 6, 1), 0, "on_track"),  # before the period: expected = baseline 0
        (D(2025, 12, 31), 9.99, "behind"),  # elapsed 1: expected = target
        (D(2026, 1, 1), 9, "behind"),  # deadline passed
        (D(2026, 1, 1), 10, "met"),
        (D(2023, 7, 2), None, "no_value"),
    ])
    def test_a_count_without_baseline(self, on: D, val: float | None, status: str) -> None:
        assert plans.assess(_ind(), val, on)[3] == status

    def test_a_rate_from_its_baseline(self) -> None:
        ind = _ind(target=85, baseline=79.8)
        ratio, elapsed, expected, status = plans.assess(ind, 82.5, D(2023, 7, 2))
        assert round(expected or 0, 2) == round(79.8 + 5.2 * 912 / 1825, 2) == 82.40
        assert status == "on_track" and round(ratio or 0, 4) == round(82.5 / 85, 4)
        assert plans.assess(ind, 82.3, D(2023, 7, 2))[3] == "behind"

    def test_an_indicator_deadline_before_the_plan_end(self) -> None:
        ind = _ind(deadline=D(2022, 12, 31))  # 729 days
        assert plans.assess(ind, 5, D(2022, 1, 1))[3] == "behind"  # expected 5.007
        assert plans.assess(ind, 6, D(2022, 1, 1))[3] == "on_track"
        assert plans.assess(ind, 9, D(2023, 1, 1))[3] == "behind"

    def test_at_most_targets(self) -> None:
        down = _ind(comparison="le", target=5, baseline=10)
        assert plans.assess(down, 7, D(2023, 7, 2))[3] == "on_track"  # expected 7.50
        assert plans.assess(down, 8, D(2023, 7, 2))[3] == "behind"
        assert plans.assess(down, 5, D(2023, 7, 2))[3] == "met"
        assert plans.assess(_ind(comparison="le", target=5), 6, D(2023, 7, 2))[3] == "behind"
        assert plans.assess(_ind(comparison="lt", target=5), 5, D(2021, 2, 1))[3] == "behind"
        assert plans.assess(_ind(comparison="gt", target=5), 5.5, D(2021, 2, 1))[3] == "met"


# -- faces and scope ------------------------------------------------------------------------------

def _api_plan(rw: ReportWorld, role: str = "officer_sx", **changes: Any) -> dict[str, Any]:
    body = {"name": "嵊州市“十四五”标准化规划", "region_code": "330683",
            "period_start": "2021-01-01", "period_end": "2025-12-31", "published": False,
            "indicators": [{"name": "新增“浙江制造”标准", "unit": "项", "target": 10,
                            "kind": "expected", "computation": "zzb_standards"}]}
    body.update(changes)
    return body


class TestFaces:
    def test_api_create_read_and_scope(self, client: Any, pw: ReportWorld) -> None:
        resp = client.post("/api/v1/plans", json=_api_plan(pw), headers=pw.headers("officer_sx"))
        assert resp.status_code == 201, resp.get_json()
        plan = resp.get_json()
        assert plan["indicators"][0]["computation"] == "zzb_standards"
        assert plan["indicators"][0]["status"] in plans.STATUSES
        pid = plan["id"]
        # unpublished: the officers of 绍兴 (and admins) see it, nobody else
        for role, status in (("officer_sx", 200), ("admin", 200), ("officer_hz", 404),
                             ("member_e1", 404), ("anonymous", 404)):
            assert client.get(f"/api/v1/plans/{pid}", headers=pw.headers(role)).status_code \
                == status, role
        listed = client.get("/api/v1/plans", headers=pw.headers("anonymous")).get_json()
        assert pid not in [p["id"] for p in listed["items"]]
        resp = client.patch(f"/api/v1/plans/{pid}", json={"published": True},
                            headers=pw.headers("officer_sx"))
        assert resp.status_code == 200
        body = client.get(f"/api/v1/plans/{pid}").get_json()
        assert body["published"] and body["indicators"][0]["value"] is not None
        assert client.patch(f"/api/v1/plans/{pid}", json={"name": "x"},
                            headers=pw.headers("officer_hz")).status_code == 403
        assert client.post(f"/api/v1/plans/{pid}/indicators", json={"name": "x", "target": 1},
                           headers=pw.headers("member_e1")).status_code == 403

    @pytest.mark.parametrize("role", ["officer_hz", "member_e1"])
    def test_create_outside_the_region_is_refused_on_both_faces(
            self, client: Any, pw: ReportWorld, role: str) -> None:
        assert client.post("/api/v1/plans", json=_api_plan(pw),
                           headers=pw.headers(role)).status_code == 403
        login(client, pw, role)
        resp = client.post("/reports/plans/new", data={
            "name": "x", "region_code": "330683", "period_start": "2021-01-01",
            "period_end": "2025-12-31"})
        assert resp.status_code == 403

    @pytest.mark.parametrize(("change", "field", "message"), [
        ({"period_end": "2020-12-31"}, "period_end", "结束日期不能早于开始日期"),
        ({"region_code": "339999"}, "region_code", None),
        ({"period_start": "2021-13-01"}, "period_start", "日期无效，应为 YYYY-MM-DD"),
    ])
    def test_one_rule_per_question_plan(self, client: Any, pw: ReportWorld, change: dict[str, str],
                                        field: str, message: str | None) -> None:
        body = {k: v for k, v in _api_plan(pw, **change).items() if k != "indicators"}
        api = client.post("/api/v1/plans", json=body, headers=pw.headers("officer_sx"))
        assert api.status_code == 422
        api_msgs = api.get_json()["errors"][field]
        login(client, pw, "officer_sx")
        page = client.post("/reports/plans/new", data={k: str(v) for k, v in body.items()
                                                       if k != "published"})
        assert page.status_code == 422
        html = page.get_data(as_text=True)
        for m in api_msgs:
            assert m.split("] ")[-1] in html
        if message:
            assert message in api_msgs

    def test_one_rule_per_question_hand_value(self, client: Any, pw: ReportWorld) -> None:
        plan = make_plan(pw)
        db.session.commit()
        bad = {"name": "新参与制修订国际、国家、行业标准", "target": "20", "manual_value": "3"}
        api = client.post(f"/api/v1/plans/{plan.id}/indicators", json=bad,
                          headers=pw.headers("officer_sx"))
        assert api.status_code == 422
        errors = api.get_json()["errors"]
        assert errors["evidence"] == ["手工填报的数值需写明依据"]
        login(client, pw, "officer_sx")
        page = client.post(f"/reports/plans/{plan.id}/indicators/new", data=bad)
        assert page.status_code == 422
        html = page.get_data(as_text=True)
        assert "手工填报的数值需写明依据" in html and "手工填报的数值需写明日期" in html

    def test_page_and_export_show_the_api_numbers(self, client: Any, pw: ReportWorld) -> None:
        plan = make_plan(pw)
        plans.add_indicator(plan, {"name": "已公开声明的企业", "target": 10, "unit": "家",
                                   "computation": "declaring_enterprises"}, pw.users["admin"])
        plans.add_indicator(plan, {"name": "新增企业标准“领跑者”", "target": 2,
                                   "manual_value": 1, "evidence": "县局公告",
                                   "value_date": D(2024, 11, 1)}, pw.users["admin"])
        db.session.commit()
        api = client.get(f"/api/v1/plans/{plan.id}").get_json()
        assert [i["value"] for i in api["indicators"]] == [4, 1]
        assert api["indicators"][1]["evidence"] == "县局公告"
        html = client.get(f"/reports/plans/{plan.id}").get_data(as_text=True)
        assert "已公开声明的企业" in html and "<progress" in html and "县局公告" in html
        assert 'id="plan-chart"' in html and "<svg" in html
        wb = load_workbook(io.BytesIO(client.get(f"/reports/plans/{plan.id}/export.xlsx").data))
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        assert [r[8] for r in rows[1:]] == [4, 1]
        assert [r[13] for r in rows[1:]] == [labels_status(i["status"]) for i in api["indicators"]]
        meta = [r[0] for r in wb.worksheets[1].iter_rows(values_only=True)]
        assert "提取时间 extracted at (UTC)" in meta and "on_track" in meta
        csv = client.get(f"/reports/plans/{plan.id}/export.csv").get_data(as_text=True)
        assert "plan-progress/v1" in csv and "已公开声明的企业" in csv

    def test_public_list_and_page(self, client: Any, pw: ReportWorld) -> None:
        pub, draft = make_plan(pw), make_plan(pw, published=False)
        db.session.commit()
        html = client.get("/reports/plans").get_data(as_text=True)
        assert f"/reports/plans/{pub.id}\"" in html and f"/reports/plans/{draft.id}\"" not in html
        assert client.get(f"/reports/plans/{draft.id}").status_code == 404
        assert client.get(f"/reports/plans/{draft.id}/export.csv").status_code == 404
        login(client, pw, "officer_sx")
        assert client.get(f"/reports/plans/{draft.id}").status_code == 200



def labels_status(status: str) -> str:
    return labels.text(labels.PLAN_STATUS, status)


def test_demo_plans_are_examples_and_load_once(client: Any, db: Any) -> None:

    assert load_demo_plans() == len(DEMO_PLANS)
    assert load_demo_plans() == 0
    listed = client.get("/api/v1/plans").get_json()["items"]
    county = next(p for p in listed if p["region_code"] == "330683")
    assert county["example"] and county["published"]
    body = client.get(f"/api/v1/plans/{county['id']}").get_json()
    names = {i["name"]: i for i in body["indicators"]}
    assert names["新增“浙江制造”标准"]["target"] == 10
    assert names["新参与制修订国际、国家、行业标准"]["target"] == 20
    assert names["新增企业标准“领跑者”"]["status"] == "no_value"
    assert "示例" in client.get(f"/reports/plans/{county['id']}").get_data(as_text=True)


def test_pages_in_english(client: Any, pw: ReportWorld) -> None:
    plan = make_plan(pw)
    plans.add_indicator(plan, {"name": "已公开声明的企业", "target": 10,
                               "computation": "declaring_enterprises"}, pw.users["admin"])
    db.session.commit()
    html = client.get(f"/reports/plans/{plan.id}?lang=en").get_data(as_text=True)
    assert "Baseline" in html and "Enterprises with published declarations" in html
    assert "Behind" in html or "On track" in html
    login(client, pw, "officer_sx")
    html = client.get("/reports/spot-checks?lang=en").get_data(as_text=True)
    assert "Sample size" in html and "Weight factor" in html
