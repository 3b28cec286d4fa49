"""The demo's yearly enterprise facts: marked as demo, reproducible, idempotent, and enough
for the adoption report to show figures."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from registry.demo.declarations import load_demo_declarations
from registry.demo.years import load_demo_years, year_rows
from registry.reports.adoption import figures_for
from registry.reports.models import EnterpriseYear
from registry.reports.scoping import Scope
from tests.declarations.conftest import make_catalogue


def test_rows_are_reproducible_and_grow_into_above_scale() -> None:
    a = year_rows(1, "91330683MA2BCDE01X", True, 2017, 2025)
    assert a == year_rows(1, "91330683MA2BCDE01X", True, 2017, 2025)
    assert a[-1]["above_scale"] is True
    flags = [r["above_scale"] for r in a]
    assert flags == sorted(flags)  # once above-scale, stays so
    assert not any(r["above_scale"] for r in year_rows(2, "X", False, 2017, 2025))


def test_load_is_idempotent_and_feeds_the_report(db: Any) -> None:
    from registry.demo import demo_reference
    from registry.demo.cli import load_demo

    load_demo(count=300, seed=1)
    make_catalogue()
    load_demo_declarations(40, 600, seed=1)
    added = load_demo_years()
    assert added > 0 and load_demo_years() == 0
    assert db.session.scalar(select(func.count()).select_from(EnterpriseYear).where(
        EnterpriseYear.source != "demo")) == 0
    year = demo_reference().year - 1
    assert figures_for(Scope("330000", year)).products > 0
