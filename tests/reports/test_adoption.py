"""The adoption rate against hand computations (the data set is drawn in conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from registry.errors import Forbidden, ValidationError
from registry.extensions import db as _db
from registry.reports import adoption
from registry.reports.adoption import adoption_report, figures_for
from registry.reports.definitions import ADOPTION_V1
from registry.reports.drilldown import adoption_products
from registry.reports.facts import enterprise_years, set_enterprise_year
from registry.reports.scoping import Scope
from tests.reports.conftest import ReportWorld

SX, SZ, XC, ZJ = "330600", "330683", "330624", "330681"


def fig(region: str, year: int, industry: str | None = None) -> dict[str, Any]:
    return figures_for(Scope(region, year, industry)).as_dict()


class TestHandComputation:
    def test_2023_city(self, rw: ReportWorld) -> None:
        # counted: P1 (IDT, 100), P2 (NEQ, 50), P4 (MOD, 80; withdrawn only in 2024),
        # P6 first edition (MOD, 60); E2 not above-scale (P5), E4 without records (P9)
        f = fig(SX, 2023)
        assert (f["products"], f["adopting"]) == (4, 3)
        assert f["rate"] == 0.75
        assert (f["valued"], f["output"], f["output_adopting"]) == (4, 290.0, 240.0)
        assert f["output_rate"] == round(240 / 290, 6)
        assert (f["enterprises"], f["excluded_products"], f["not_above"], f["no_record"]) == \
            (2, 2, 1, 1)

    def test_2024_amendment_withdrawal_new_above_scale_missing_value(
            self, rw: ReportWorld) -> None:
        # P4 withdrawn; P5 counts now (adopting, no value); P6's amendment (in force at the
        # year's end) drops MOD; P7 made directly to ISO 6336-1 published 31 Dec 10:00 Beijing
        f = fig(SX, 2024)
        assert (f["products"], f["adopting"], f["rate"]) == (5, 3, 0.6)
        assert (f["valued"], f["unvalued"]) == (4, 1)
        assert (f["output"], f["output_adopting"], f["output_rate"]) == (240.0, 120.0, 0.5)
        assert (f["enterprises"], f["excluded_products"], f["not_above"], f["no_record"]) == \
            (3, 1, 0, 1)

    def test_2025_year_end_is_beijing_midnight(self, rw: ReportWorld) -> None:
        # P8 was published 2025-12-31 17:00 UTC = 2026-01-01 01:00 Beijing: not in 2025
        assert fig(SX, 2025) == fig(SX, 2024)

    def test_counties_and_a_county_without_products(self, rw: ReportWorld) -> None:
        sz, xc, zj = fig(SZ, 2023), fig(XC, 2023), fig(ZJ, 2023)
        assert (sz["products"], sz["adopting"], sz["output"], sz["output_adopting"]) == \
            (3, 2, 230.0, 180.0)
        assert (xc["products"], xc["adopting"], xc["output"], xc["no_record"]) == \
            (1, 1, 60.0, 1)
        assert zj["products"] == 0 and zj["rate"] is None and zj["output_rate"] is None

    def test_industry_filter(self, rw: ReportWorld) -> None:
        assert (fig(SX, 2023, "38")["products"], fig(SX, 2023, "38")["adopting"]) == (3, 2)
        assert (fig(SX, 2023, "34")["products"], fig(SX, 2023, "34")["excluded_products"]) == \
            (1, 1)
        assert fig(SX, 2023, "C") == fig(SX, 2023)
        assert fig(SX, 2023, "A")["products"] == 0

    def test_province_includes_everything(self, rw: ReportWorld) -> None:
        f = fig("330000", 2024)  # 绍兴's five plus P10 of 杭州 (E5)
        assert (f["products"], f["adopting"], f["output"]) == (6, 4, 740.0)


class TestReport:
    def test_breakdowns_add_up_and_list_empty_counties(self, rw: ReportWorld) -> None:
        rep = adoption_report(rw.users["officer_sx"], Scope(SX, 2023, "C"))
        assert rep.access == "full"
        by_region = {c.region: c.figures for c in rep.by_region}
        assert by_region[ZJ].products == 0  # 诸暨 listed with nothing
        assert (by_region[SZ].products, by_region[SZ].adopting) == (3, 2)
        assert (by_region[XC].products, by_region[XC].adopting) == (1, 1)
        by_ind = {c.industry: c.figures for c in rep.by_industry}
        assert set(by_ind) == {"34", "38"}
        assert (by_ind["38"].products, by_ind["38"].adopting, by_ind["38"].no_record) == (3, 2, 1)
        assert (by_ind["34"].products, by_ind["34"].not_above) == (1, 1)
        cells = {(c.region, c.industry): c.figures for c in rep.matrix}
        assert (cells[(SZ, "38")].products, cells[(SZ, "38")].output) == (3, 230.0)
        assert (cells[(SZ, "34")].products, cells[(SZ, "34")].excluded_products) == (0, 1)
        assert (cells[(XC, "34")].products, cells[(XC, "34")].adopting) == (1, 1)
        assert cells[(XC, "38")].no_record == 1
        assert rep.total.as_dict() == fig(SX, 2023, "C")

    def test_trend(self, rw: ReportWorld) -> None:
        rep = adoption_report(None, Scope(SX, 2025))
        rates = {c.year: c.figures.rate for c in rep.trend}  # type: ignore[attr-defined]
        assert rates == {2021: None, 2022: None, 2023: 0.75, 2024: 0.6, 2025: 0.6}

    def test_province_breaks_down_by_city_and_section(self, rw: ReportWorld) -> None:
        rep = adoption_report(None, Scope("330000", 2024))
        regions = {c.region: c.figures.products for c in rep.by_region}
        assert regions["330600"] == 5 and regions["330100"] == 1 and regions["330200"] == 0
        assert [c.industry for c in rep.by_industry] == ["C"]

    def test_one_query_per_figure_no_n_plus_one(self, rw: ReportWorld) -> None:
        counts = []
        _db.session.flush()
        for scope in (Scope(SX, 2023), Scope("330000", 2024, "C")):
            with count_queries() as n:
                adoption_report(None, scope)
            counts.append(n[0])
        assert counts == [1 + adoption.TREND_YEARS] * 2

    def test_weight_checked(self, rw: ReportWorld) -> None:
        with pytest.raises(ValidationError):
            adoption_report(None, Scope(SX, 2023), weight="money")


class TestScope:
    def test_public_sees_no_output_values(self, rw: ReportWorld) -> None:
        rep = adoption_report(None, Scope(SX, 2024))
        assert rep.access == "public"
        d = rep.total.as_dict()
        assert d["output"] is None and d["output_adopting"] is None
        assert d["output_rate"] == 0.5  # three enterprises share it
        assert (d["products"], d["adopting"]) == (5, 3)
        for cell in rep.by_region + rep.matrix:
            assert cell.figures.output is None
            # no county has three enterprises: no output-weighted rate of one enterprise
            assert cell.figures.output_rate is None

    def test_public_total_of_two_enterprises_hides_output_rate(self, rw: ReportWorld) -> None:
        assert adoption_report(None, Scope(SX, 2023)).total.output_rate is None

    @pytest.mark.parametrize("role,access", [("officer_sx", "full"), ("admin", "full"),
                                             ("officer_hz", "public"), ("member_e1", "public")])
    def test_access(self, rw: ReportWorld, role: str, access: str) -> None:
        rep = adoption_report(rw.users[role], Scope(SZ, 2023))
        assert rep.access == access
        assert (rep.total.output is None) == (access == "public")

    def test_drill_down_values_only_for_those_who_may_see(self, rw: ReportWorld) -> None:
        def values(role: str | None) -> dict[str, Any]:
            user = rw.users[role] if role else None
            page = adoption_products(user, Scope(SX, 2023), status="all")
            return {r.product_name: r.output_value for r in page.items}

        full = {"电饭锅": 100, "电机": 50, "风机": 80, "水泵": None, "阀门": 60, "开关": 10}
        assert values("officer_sx") == full
        assert values("admin") == full
        assert values(None) == dict.fromkeys(full)
        assert values("officer_hz") == dict.fromkeys(full)
        assert values("member_e1") == {**dict.fromkeys(full), "电饭锅": 100, "电机": 50,
                                       "风机": 80}


class TestDrillDown:
    def test_reasons(self, rw: ReportWorld) -> None:
        page = adoption_products(None, Scope(SX, 2024), status="all")
        got = {r.product_name: (r.counted, r.adopting, r.reason) for r in page.items}
        assert got == {
            "电饭锅": (True, True, "IDT"), "电机": (True, False, "neq_only"),
            "水泵": (True, True, "IDT"), "阀门": (True, False, "no_adoption"),
            "齿轮": (True, True, "intl_direct"), "开关": (False, True, "no_year_record")}
        assert page.total == 6
        row = next(r for r in page.items if r.product_name == "电饭锅")
        assert [s["number"] for s in row.standards] == ["GB/T 19001-2016", "JB/T 10001-2019"]
        assert row.standards[0]["adoptions"] == [
            {"number": "ISO 9001:2015", "degree": "IDT", "counts": True}]

    def test_not_above_scale_reason_and_amended_edition(self, rw: ReportWorld) -> None:
        rows = {r.product_name: r for r in adoption_products(
            None, Scope(SX, 2023), status="excluded").items}
        assert rows["水泵"].reason == "not_above_scale"
        assert set(rows) == {"水泵", "开关"}
        valve = adoption_products(None, Scope(XC, 2023)).items[0]
        assert (valve.edition_number, valve.reason) == (1, "MOD")
        valve = adoption_products(None, Scope(XC, 2024), status="not_adopting").items[0]
        assert (valve.edition_number, valve.reason) == (2, "no_adoption")

    @pytest.mark.parametrize("status,n", [("counted", 5), ("adopting", 3), ("not_adopting", 2),
                                          ("excluded", 1), ("all", 6)])
    def test_statuses_match_the_figures(self, rw: ReportWorld, status: str, n: int) -> None:
        assert adoption_products(None, Scope(SX, 2024), status=status).total == n

    def test_cell_and_paging_with_constant_queries(self, rw: ReportWorld) -> None:
        _db.session.flush()
        with count_queries() as n:
            page = adoption_products(rw.users["admin"], Scope(SX, 2024, "38"), per_page=1)
        assert (page.total, len(page.items), page.pages) == (2, 1, 2)
        with count_queries() as m:
            adoption_products(rw.users["admin"], Scope("330000", 2024), status="all",
                              per_page=50)
        assert n[0] == m[0] <= 7  # count, rows, editions, 3 levels of standards, enterprises

    def test_enterprise_filter(self, rw: ReportWorld) -> None:
        page = adoption_products(rw.users["member_e1"], Scope(SZ, 2025), status="all",
                                 enterprise=rw.ents["E1"])
        assert {r.product_name: r.output_value for r in page.items} == {"电饭锅": 100, "电机": 50}


class TestYearFacts:
    def test_who_may_set(self, rw: ReportWorld) -> None:
        e1 = rw.ents["E1"]
        set_enterprise_year(e1, 2026, True, 10.0, rw.users["member_e1"])
        set_enterprise_year(e1, 2026, False, None, rw.users["officer_sx"])
        for role in ("member_e2", "officer_hz"):
            with pytest.raises(Forbidden):
                set_enterprise_year(e1, 2026, True, None, rw.users[role])
        with pytest.raises(ValidationError):
            set_enterprise_year(e1, 2026, True, -1.0, rw.users["admin"])
        facts = enterprise_years(e1, rw.users["officer_sx"])
        assert (facts[0].year, facts[0].above_scale, facts[0].output_value) == (2026, False, None)
        assert enterprise_years(e1, None)[1].output_value is None
        assert enterprise_years(e1, rw.users["member_e1"])[1].output_value == 5000.0

    def test_audited(self, rw: ReportWorld) -> None:
        from sqlalchemy import select

        from registry.audit import AuditEntry

        set_enterprise_year(rw.ents["E1"], 2026, True, 1.0, rw.users["member_e1"])
        entry = _db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "enterprise.year_facts").order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.detail["year"] == 2026


def test_definition_is_named_and_bilingual() -> None:
    d = ADOPTION_V1.as_dict()
    assert d["id"] == "adoption-rate/v1"
    assert all(r["zh"] and r["en"] for r in d["rules"])
    assert {r["key"] for r in d["rules"]} >= {"enterprises", "products", "adopting", "as_of",
                                             "count_weighted", "output_weighted"}


class count_queries:  # noqa: N801  (used as a context manager)
    """Counts the statements the session's connection executes."""

    def __enter__(self) -> list[int]:
        self.n = [0]
        self.conn = _db.session.connection()
        event.listen(self.conn, "before_cursor_execute", self._count)
        return self.n

    def _count(self, *args: Any) -> None:
        self.n[0] += 1

    def __exit__(self, *exc: Any) -> None:
        event.remove(self.conn, "before_cursor_execute", self._count)
