"""Demo enterprises and declarations: spread over Zhejiang, valid, idempotent, service-equal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from registry import identifiers
from registry.accounts.services import create_user
from registry.audit import AuditEntry
from registry.declarations import services
from registry.declarations.checks import check_declaration, errors_of
from registry.declarations.models import (
    Declaration,
    DeclarationEdition,
    EditionStandard,
    WatchFlag,
)
from registry.demo import cli as demo_cli
from registry.demo import declarations as demo
from registry.demo.cli import load_demo
from registry.enterprises.models import Enterprise
from registry.search.models import ChangeFeed
from registry.standards.models import Standard


def count(db: Any, model: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)))


@pytest.fixture
def catalogue(db: Any) -> None:
    """The demo catalogue (generated + curated), as ``registry demo`` loads it first."""
    load_demo(400, seed=0, curated=True)


class TestGenerateEnterprises:
    def test_every_county_of_zhejiang_is_covered(self) -> None:
        counties = demo.zhejiang_counties()
        assert len(counties) >= 85 and "330683" in counties and "331083" not in counties
        assert all(c.startswith("33") and c[4:] != "00" for c in counties)
        ents = demo.generate_enterprises(len(counties))
        assert {e.region_code for e in ents} == set(counties)

    def test_the_first_eleven_cover_every_city(self) -> None:
        cities = {e.region_code[:4] for e in demo.generate_enterprises(11)}
        assert cities == {f"33{n:02d}" for n in range(1, 12)}

    def test_valid_codes_names_marked_and_deterministic(self) -> None:
        ents = demo.generate_enterprises(300, seed=1)
        assert len({e.credit_code for e in ents}) == 300
        for e in ents:
            parsed = identifiers.parse_credit_code(e.credit_code)
            assert parsed.region == e.region_code and parsed.authority == "9"
            assert e.name.endswith(demo.NAME_MARK)
            assert identifiers.industry_section(e.industry_code) == "C"
        assert [e.name for e in demo.generate_enterprises(50, seed=1)] == [e.name for e in ents[:50]]
        assert demo.generate_enterprises(5, seed=2)[0].name != ents[0].name

    def test_industries_and_clusters(self) -> None:
        ents = demo.generate_enterprises(1500)
        divisions = {e.industry_code for e in ents}
        assert {"18", "26", "27", "33", "34", "38", "39"} <= divisions
        above = sum(e.above_scale for e in ents) / len(ents)
        assert 0.33 < above < 0.47
        shengzhou = [e.profile.key for e in ents if e.region_code == "330683"]
        assert shengzhou.count("kitchen") + shengzhou.count("garment") > len(shengzhou) / 2

    def test_allocate(self) -> None:
        assert demo.allocate([1, 1, 2], 8) == [2, 2, 4]
        assert sum(demo.allocate([0.3, 5, 1, 2.2], 1001)) == 1001
        assert min(demo.allocate([0.01, 100], 10)) == 1
        assert demo.allocate([1, 1], 0) == [0, 0]


class TestLoadDemoDeclarations:
    def test_small_run(self, db: Any, catalogue: None) -> None:
        out = demo.load_demo_declarations(30, 200, seed=0)
        assert out["enterprises"] == 30 and out["declarations"] == 200
        ents = db.session.scalars(select(Enterprise).where(Enterprise.source == "demo")).all()
        assert len(ents) == 30
        assert len({e.region_code[:4] for e in ents}) == 11  # every city of Zhejiang
        for e in ents:
            assert identifiers.parse_credit_code(e.credit_code).region == e.region_code
            assert e.region_code in demo.zhejiang_counties()
        assert any(e.above_scale for e in ents) and not all(e.above_scale for e in ents)

        decls = db.session.scalars(select(Declaration).where(Declaration.source == "demo")).all()
        assert len(decls) == 200
        states = {d.state for d in decls}
        assert "published" in states
        published = [d for d in decls if d.state == "published"]
        assert len(published) > 150
        for d in published:
            ed = d.current_edition
            assert ed is not None and ed.published_at is not None
            assert ed.standards or ed.ent_std_number
            assert ed.indicators
            for s in ed.standards:  # cited by number from the catalogue, in force when published
                assert s.standard.number == s.number
                assert s.standard.status_on(ed.published_at.date()) == "current"
            if ed.ent_std_number:
                assert ed.ent_std_number.startswith("Q/")
        assert any(ed.is_main_product for d in published for ed in [d.current_edition])
        # audit entries and change feed as the services write them
        ids = [d.id for d in decls]
        assert count(db, AuditEntry, AuditEntry.action == "declaration.create",
                     AuditEntry.entity_id.in_(ids)) == 200
        fed = set(db.session.scalars(select(ChangeFeed.entity_id).where(
            ChangeFeed.entity == "declaration")))
        assert set(ids) <= fed
        assert {e.id for e in ents} <= set(db.session.scalars(
            select(ChangeFeed.entity_id).where(ChangeFeed.entity == "enterprise")))

    def test_idempotent(self, db: Any, catalogue: None) -> None:
        demo.load_demo_declarations(20, 120, seed=0)
        before = (count(db, Enterprise), count(db, Declaration), count(db, AuditEntry))
        again = demo.load_demo_declarations(20, 120, seed=0)
        assert again["enterprises"] == 0 and again["enterprises skipped"] == 20
        assert (count(db, Enterprise), count(db, Declaration), count(db, AuditEntry)) == before
        # a larger run adds only the enterprises that are new
        more = demo.load_demo_declarations(25, 150, seed=0)
        assert more["enterprises"] == 5 and count(db, Enterprise) == before[0] + 5

    def test_lifecycle_variety_and_watch_flags(self, db: Any, catalogue: None) -> None:
        out = demo.load_demo_declarations(60, 1200, seed=0)
        assert out["state:withdrawn"] > 0 and out["state:draft"] > 0
        kinds = dict(db.session.execute(select(DeclarationEdition.kind, func.count())
                                        .group_by(DeclarationEdition.kind)).all())
        assert kinds.get("amendment", 0) > 0 and kinds.get("revision", 0) > 0
        assert count(db, WatchFlag) > 0
        assert db.session.scalar(select(func.count()).select_from(DeclarationEdition).where(
            DeclarationEdition.ent_std_number.is_not(None))) > 0
        # some main products execute a standard that adopts ISO/IEC (adoption rates)
        from registry.standards.models import Adoption

        adopting = db.session.scalar(
            select(func.count(func.distinct(EditionStandard.edition_id)))
            .join(Adoption, Adoption.standard_id == EditionStandard.standard_id))
        assert adopting > 0


def _service_today(spec: demo.DeclarationSpec) -> bool:
    today = dt.date.today()
    return all(not errors_of(check_declaration(
        demo._validated(ed.data, ed.at.date(), "x"), today=today)) for ed in spec.editions)


class TestSameRowsAsTheServices:
    def test_rows_and_audit_equal_the_service_path(self, db: Any, catalogue: None) -> None:
        ents, specs = demo.plan_demo(40, 400, seed=3)
        # the services check against today: compare the filings still valid today
        wanted: dict[str, demo.DeclarationSpec] = {}
        for spec in specs:
            key = ("withdrawn" if spec.state == "withdrawn" else "draft" if spec.state == "draft"
                   else spec.editions[-1].kind)
            own = "own" if spec.editions[0].data.get("enterprise_standard") else ""
            if key + own not in wanted and _service_today(spec):
                wanted[key + own] = spec
        assert {"initial", "amendment", "withdrawn", "draft"} <= set(wanted)
        chosen = list(wanted.values())
        indexes = list(dict.fromkeys(s.enterprise for s in chosen))
        rows = dict(zip(indexes, demo._enterprise_rows([ents[i] for i in indexes]), strict=True))
        db.session.add_all(rows.values())
        db.session.flush()
        ent_rows = [rows[s.enterprise] for s in chosen]
        held = demo.held_standards(chosen)
        with demo.catalogue_in_memory(held):
            demo.write_declarations(list(zip(ent_rows, chosen, strict=True)), held)
        db.session.flush()
        fast = db.session.scalars(select(Declaration).where(Declaration.source == "demo")
                                  .order_by(Declaration.id)).all()

        admin = create_user("admin@example.com", "管理员", "correct horse", role="admin")
        slow = []
        for ent, spec in zip(ent_rows, chosen, strict=True):
            first, *rest = spec.editions
            decl, _ = services.create_declaration(ent, first.data, admin,
                                                  publish=first.published, source="web")
            for ed in rest:
                services.amend_declaration(decl, ed.data, admin, kind=ed.kind)
            if spec.state == "withdrawn":
                services.withdraw_declaration(decl, spec.withdrawn_reason or "", admin)
            slow.append(decl)
        db.session.flush()
        db.session.expire_all()

        def audit_of(decl_id: int) -> list[tuple[str, str, dict[str, Any], int | None]]:
            return [(a.action, a.entity, a.detail, a.enterprise_id) for a in db.session.scalars(
                select(AuditEntry).where(AuditEntry.entity_id == decl_id,
                                         AuditEntry.entity == "declaration")
                .order_by(AuditEntry.id))]

        for a, b in zip(fast, slow, strict=True):
            assert (a.state, a.withdrawn_reason, a.enterprise_id) == \
                (b.state, b.withdrawn_reason, b.enterprise_id)
            assert [(e.number, e.kind, e.change_note, e.published_at is None, e.snapshot())
                    for e in a.editions] == \
                [(e.number, e.kind, e.change_note, e.published_at is None, e.snapshot())
                 for e in b.editions]
            assert (a.current_edition.number if a.current_edition else None) == \
                (b.current_edition.number if b.current_edition else None)
            assert (a.first_published_at is None) == (b.first_published_at is None)
            assert audit_of(a.id) == audit_of(b.id)
            assert {(c.entity, c.op) for c in db.session.scalars(select(ChangeFeed).where(
                ChangeFeed.entity_id == a.id, ChangeFeed.entity == "declaration"))} == \
                {("declaration", "upsert")}
        assert {a.actor for d in fast for a in db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == d.id))} == {demo.ACTOR}


class TestDemoCommand:
    def test_declarations_are_loaded_before_the_search_index_is_built(self) -> None:
        from registry.demo.years import demo_years_step
        from registry.reports.demo_plans import demo_plans_step
        from registry.search.cli import index_after_demo

        assert demo_cli.demo_steps() == [demo.demo_hook, demo_years_step, demo_plans_step,
                                         demo_cli.summary_after_demo, index_after_demo]

    def test_registry_demo_adds_declarations_scaled_to_count(
            self, runner: Any, db: Any, monkeypatch: Any) -> None:
        monkeypatch.setattr(demo_cli, "demo_steps", lambda: [demo.demo_hook])
        monkeypatch.setitem(runner.app.config, "DEMO_ENTERPRISES", 25)
        result = runner.invoke(args=["demo", "--count", "75"])
        assert result.exit_code == 0, result.output
        assert "演示企业 25 家、声明 1000 条" in result.output  # 75/1500 of 20,000
        assert count(db, Declaration, Declaration.source == "demo") == 1000
        again = runner.invoke(args=["demo", "--count", "75"])
        assert again.exit_code == 0, again.output
        assert "演示企业已存在（25 家）" in again.output
        assert count(db, Declaration, Declaration.source == "demo") == 1000
        cited = db.session.scalar(select(func.count(func.distinct(Standard.id))).join(
            EditionStandard, EditionStandard.standard_id == Standard.id))
        assert cited > 20


class TestSummaryStep:
    def test_the_demo_leaves_the_adoption_summary_usable(self, runner: Any, db: Any,
                                                         monkeypatch: Any) -> None:
        """The demo's loaders write in bulk (the summary goes stale); its own step
        rebuilds it, so the reports read the summary right after `make run`."""
        from sqlalchemy import update

        from registry.reports import summary

        st = summary.state()
        assert st is not None
        db.session.execute(update(summary.AdoptionSummaryState).values(stale=True))
        assert not summary.usable_for(2025)
        monkeypatch.setattr(demo_cli, "demo_steps", lambda: [demo_cli.summary_after_demo])
        result = runner.invoke(args=["demo", "--count", "0", "--no-curated"])
        assert result.exit_code == 0, result.output
        assert "采标率汇总已重建" in result.output
        assert summary.usable_for(2025)
