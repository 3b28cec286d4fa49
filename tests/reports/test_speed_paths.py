"""The fast path (the summary ``adoption_facts``, kept by the writers' flushes) gives the same
figures as the straightforward computation over the live products — on the hand-built data
set and on a randomized one written through the services (publish, amend, withdraw) — and
the summary's upkeep, staleness and rebuild keep that so."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from sqlalchemy import func, select

from registry.extensions import db as _db
from registry.identifiers import make_credit_code
from registry.reports import adoption, summary
from registry.reports.adoption import adoption_report
from registry.reports.facts import set_enterprise_year
from registry.reports.scoping import Scope
from registry.standards.services import upsert_standard
from tests.declarations.conftest import make_enterprise
from tests.reports.conftest import S_IDT, S_MOD, S_NEQ, S_PLAIN, ReportWorld, _amend, _file

T = dt.datetime
SCOPES = [("330000", None), ("330600", None), ("330683", None), ("330624", "34"),
          ("330000", "C"), ("330000", "38"), ("330681", None), ("330102", None)]


def _same(scope: Scope) -> None:
    """Every figure of the report — cells, breakdowns, total, trend — fast = live."""
    fast = adoption_report(None, scope, trusted=True).as_dict()
    live = adoption_report(None, scope, trusted=True, use_summary=False).as_dict()
    for d in (fast, live):
        d.pop("extracted_at")
    assert fast == live, scope


def _all_same(years: range) -> None:
    for region, industry in SCOPES:
        for year in years:
            _same(Scope(region, year, industry))


def _facts() -> int:
    return _db.session.scalar(select(func.count()).select_from(summary.AdoptionFact)) or 0


def test_summary_is_used_and_agrees_on_the_hand_built_set(rw: ReportWorld) -> None:
    _db.session.flush()
    assert summary.usable_for(2025) and _facts() > 0
    assert summary.check() == []
    _all_same(range(2021, 2027))
    # a park's list (plan indicators) and a single figure
    ids = frozenset({rw.ents["E1"].id, rw.ents["E3"].id})
    scope = Scope("330600", 2024, enterprise_ids=ids)
    assert adoption.figures_for(scope) == adoption.figures_for(scope, use_summary=False)


def test_rebuild_gives_the_rows_the_writers_kept(rw: ReportWorld) -> None:
    _db.session.flush()
    kept = sorted(tuple(r) for r in _db.session.execute(select(summary.AdoptionFact.__table__)))
    summary.rebuild()
    rebuilt = sorted(tuple(r) for r in _db.session.execute(select(summary.AdoptionFact.__table__)))
    assert kept == rebuilt and summary.check() == []


def test_later_writes_are_followed(rw: ReportWorld) -> None:
    m1, m3 = rw.users["member_e1"], rw.users["member_e3"]
    # an amendment that drops the adopting standard, one that stops being a main product,
    # a withdrawal, a new product of an enterprise without records
    _amend(rw.decls["P1"], m1, T(2025, 3, 1), standards=[S_PLAIN])
    _amend(rw.decls["P7"], m3, T(2025, 5, 1), is_main_product=False)
    from registry.declarations import services  # noqa: PLC0415  (only this test withdraws)

    services.withdraw_declaration(rw.decls["P2"], "停产", m1)
    rw.decls["P2"].withdrawn_at = T(2025, 2, 1)
    _file(rw.ents["E4"], rw.users["member_e4"], "插座", [S_MOD], value=7, at=T(2024, 4, 1))
    set_enterprise_year(rw.ents["E4"], 2024, True, 100.0, rw.users["admin"])
    _db.session.flush()
    assert summary.check() == []
    _all_same(range(2023, 2027))


def test_catalogue_change_recomputes_the_citing_enterprises(rw: ReportWorld) -> None:
    # S_PLAIN gains an IDT adoption: P1, P6 (amended), P7 now adopt through it
    upsert_standard({"number": S_PLAIN, "title_zh": "通用机械 示例",
                     "issued_on": dt.date(2019, 1, 1), "effective_on": dt.date(2019, 7, 1),
                     "adoptions": [{"number": "ISO 4413:2010", "degree": "IDT",
                                    "title": None}]}, source="test")
    _db.session.flush()
    assert summary.usable_for(2025) and summary.check() == []
    _all_same(range(2023, 2026))


def test_a_large_catalogue_change_marks_stale_and_rebuild_recovers(
        rw: ReportWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary, "MAX_REFRESH", 0)
    upsert_standard({"number": S_NEQ, "title_zh": "叉车属具 软包夹",
                     "issued_on": dt.date(2018, 4, 30), "effective_on": dt.date(2018, 12, 1),
                     "adoptions": [{"number": "ISO 2328:2011", "degree": "MOD",
                                    "title": None}]}, source="test")
    _db.session.flush()
    assert not summary.usable_for(2025)
    assert summary.check() != []  # E1's P2 now adopts; the summary does not know yet
    _all_same(range(2024, 2026))  # stale: the report computes live
    summary.rebuild()
    assert summary.usable_for(2025) and summary.check() == []
    _all_same(range(2024, 2026))


def test_years_after_the_horizon_are_computed_live(rw: ReportWorld) -> None:
    st = summary.state()
    assert st is not None
    st.horizon = 2024
    _db.session.flush()
    assert not summary.usable_for(2025) and summary.usable_for(2024)
    _same(Scope("330600", 2025))


def test_randomized_world_written_through_the_services(db: Any) -> None:
    rng = random.Random(20261202)
    from registry.accounts.services import create_user  # noqa: PLC0415  (this test only)

    for row in ({"number": S_IDT, "title_zh": "质量管理体系 要求",
                 "adoptions": [{"number": "ISO 9001:2015", "degree": "IDT", "title": None}]},
                {"number": S_MOD, "title_zh": "家用电器安全",
                 "adoptions": [{"number": "IEC 60335-1:2004", "degree": "MOD", "title": None}]},
                {"number": S_NEQ, "title_zh": "叉车属具",
                 "adoptions": [{"number": "ISO 2328:2011", "degree": "NEQ", "title": None}]},
                {"number": S_PLAIN, "title_zh": "通用机械"}):
        upsert_standard({"issued_on": dt.date(2016, 1, 1), "effective_on": dt.date(2016, 6, 1),
                         **row}, source="test")
    admin = create_user("radmin@example.com", "管理员", "correct horse battery", role="admin")
    regions = ["330683", "330624", "330681", "330106", "330212"]
    industries = ["38", "34", "3411", "17", "C"]
    standards = [S_IDT, S_MOD, S_NEQ, S_PLAIN]
    decls = []
    for i in range(12):
        ent = make_enterprise(make_credit_code("9", "1", rng.choice(regions), f"MA2RND{i:03d}"),
                              f"随机企业{i}", rng.choice(industries))
        member = create_user(f"r{i}@example.com", f"企业{i}", "correct horse battery",
                             enterprise=ent)
        for year in range(2021, 2026):
            if rng.random() < 0.8:
                set_enterprise_year(ent, year, rng.random() < 0.6,
                                    rng.choice([None, 1000.0]), admin)
        for k in range(rng.randrange(1, 6)):
            at = T(2021, 1, 1) + dt.timedelta(days=rng.randrange(0, 5 * 365),
                                              hours=rng.randrange(24))
            d = _file(ent, member, f"产品{i}-{k}", rng.sample(standards, rng.randrange(1, 3)),
                      main=rng.random() < 0.75,
                      value=rng.choice([None, round(rng.uniform(1, 500), 1)]),
                      intl=rng.choice([None] * 9 + ["ISO 6336-1:2019"]), at=at)
            decls.append((d, member, at))
    from registry.declarations import services  # noqa: PLC0415  (this test only)

    for d, member, at in rng.sample(decls, len(decls) // 3):
        when = at + dt.timedelta(days=rng.randrange(1, 500), hours=rng.randrange(24))
        if rng.random() < 0.7:
            _amend(d, member, when, standards=rng.sample(standards, 1),
                   is_main_product=rng.random() < 0.8,
                   annual_output_value=rng.choice([None, 42.5]))
        else:
            services.withdraw_declaration(d, "停产", member)
            d.withdrawn_at = when
    _db.session.flush()
    assert summary.usable_for(2026) and summary.check() == []
    for region in ("330000", "330600", "330683", "330100", "330200"):
        for industry in (None, "C", "38", "34"):
            for year in range(2021, 2027):
                _same(Scope(region, year, industry))


def _pages_same(viewer: Any, scope: Scope, status: str, per_page: int,
                enterprise: Any = None) -> None:
    """Every page of the drill-down: the summary's window = the live count and OFFSET."""
    from registry.reports import drilldown  # noqa: PLC0415  (only the paging tests)

    def rows(page: int, fast: bool) -> tuple[int, list[Any]]:
        if not fast:
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(drilldown, "_summary_window", lambda *a: None)
                got = drilldown.adoption_products(viewer, scope, status=status, page=page,
                                                  per_page=per_page, enterprise=enterprise)
        else:
            got = drilldown.adoption_products(viewer, scope, status=status, page=page,
                                              per_page=per_page, enterprise=enterprise)
        return got.total, [r.as_dict() for r in got.items]

    total, _ = rows(1, False)
    for page in range(1, total // per_page + 3):
        assert rows(page, True) == rows(page, False), (scope, status, page)


def test_drilldown_pages_agree_on_the_hand_built_set(rw: ReportWorld) -> None:
    _db.session.flush()
    for status in ("counted", "adopting", "not_adopting", "excluded", "all"):
        for region, industry in SCOPES:
            _pages_same(rw.users["admin"], Scope(region, 2024, industry), status, 1)
        _pages_same(None, Scope("330000", 2025), status, 2)
        _pages_same(None, Scope("330600", 2025), status, 3, enterprise=rw.ents["E1"])


def test_drilldown_pages_agree_with_namesakes(rw: ReportWorld) -> None:
    # two enterprises of one county with the same name: the page order interleaves their
    # products by declaration, so the window takes both
    twin = make_enterprise(make_credit_code("9", "1", "330683", "MA2RPT009"), "嵊州甲电器", "38")
    from registry.accounts.services import create_user  # noqa: PLC0415  (this test only)

    member = create_user("twin@example.com", "同名企业", "correct horse battery", enterprise=twin)
    set_enterprise_year(twin, 2024, True, 10.0, rw.users["admin"])
    for k in range(3):
        _file(twin, member, f"同名产品{k}", [S_IDT], value=5, at=T(2022, 7, 1 + k))
    _file(rw.ents["E1"], rw.users["member_e1"], "后来产品", [S_MOD], value=9, at=T(2023, 1, 5))
    _db.session.flush()
    for status in ("counted", "all", "adopting"):
        for per_page in (1, 2, 3):
            _pages_same(rw.users["admin"], Scope("330683", 2024), status, per_page)


def test_bulk_statements_through_the_session_mark_stale(rw: ReportWorld) -> None:
    # the demo's yearly facts are written with one INSERT … VALUES for many rows
    from sqlalchemy import insert  # noqa: PLC0415  (this test only)

    from registry.reports.models import EnterpriseYear  # noqa: PLC0415  (this test only)

    _db.session.flush()
    assert summary.usable_for(2024)
    _db.session.execute(insert(EnterpriseYear), [
        {"enterprise_id": rw.ents["E4"].id, "year": 2024, "above_scale": True,
         "output_value": None, "source": "demo"}])
    assert not summary.usable_for(2024)
    _same(Scope("330600", 2024))  # computed live: E4 now counts
