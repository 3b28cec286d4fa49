"""Watch: a cited standard replaced or abolished flags the declarations citing it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from registry.declarations import services, watch
from registry.declarations.models import Declaration, WatchFlag
from registry.standards.models import Standard
from registry.standards.services import update_standard, upsert_standard

from .conftest import D, World, content, count, published_of

OLD = {"number": "GB/T 20000.1-2002", "title_zh": "标准化工作指南 第1部分",
       "issued_on": D(2002, 7, 18), "effective_on": D(2003, 1, 1)}
NEW = {"number": "GB/T 20000.1-2014", "title_zh": "标准化工作指南 第1部分",
       "issued_on": D(2014, 12, 31), "effective_on": D(2015, 6, 1),
       "replaces": ["GB/T 20000.1-2002"]}


def flags(db: Any, decl: Declaration) -> list[WatchFlag]:
    return list(db.session.scalars(select(WatchFlag).where(WatchFlag.declaration_id == decl.id)
                                   .order_by(WatchFlag.id)))


def citing_old(db: Any, world: World) -> Declaration:
    upsert_standard(OLD, source="test")
    decl = published_of(world, standards=["JB/T 13368-2018", "GB/T 20000.1-2002"])
    db.session.commit()
    return decl


class TestReplaced:
    def test_replacing_flags_with_the_successor_named(self, db, world: World):
        decl = citing_old(db, world)
        assert flags(db, decl) == []
        upsert_standard(NEW, source="test")
        db.session.commit()
        (flag,) = flags(db, decl)
        assert flag.event == "replaced"
        assert flag.successor == "GB/T 20000.1-2014"
        assert flag.effective_on == D(2015, 6, 1)
        assert flag.standard.number == "GB/T 20000.1-2002"
        assert flag.resolved_at is None
        assert watch.open_flags_for(world.a.id) == [flag]
        assert services.flags_for(world.b).total == 0

    def test_checks_now_suggest_the_successor(self, db, world: World):
        from registry.declarations.checks import check_declaration

        decl = citing_old(db, world)
        upsert_standard(NEW, source="test")
        db.session.commit()
        found = check_declaration(services.edition_data(decl.current_edition))
        (check,) = [c for c in found if c.code == "standard_replaced"]
        assert check.suggestion == "GB/T 20000.1-2014"

    def test_amending_to_the_successor_resolves_the_flag(self, db, world: World):
        decl = citing_old(db, world)
        upsert_standard(NEW, source="test")
        db.session.commit()
        services.amend_declaration(
            decl, content(standards=["JB/T 13368-2018", "GB/T 20000.1-2014"]),
            world.users["member_a"], kind="revision")
        db.session.commit()
        (flag,) = flags(db, decl)
        assert flag.resolved_at is not None
        assert watch.open_flags_for(world.a.id) == []

    def test_an_amendment_still_citing_it_cannot_be_published(self, db, world: World):
        decl = citing_old(db, world)
        upsert_standard(NEW, source="test")
        db.session.commit()
        with pytest.raises(services.CheckFailed):
            services.amend_declaration(decl, content(standards=["GB/T 20000.1-2002"]),
                                       world.users["member_a"])
        assert flags(db, decl)[0].resolved_at is None

    def test_withdrawing_closes_the_flag(self, db, world: World):
        decl = citing_old(db, world)
        upsert_standard(NEW, source="test")
        db.session.commit()
        services.withdraw_declaration(decl, "停产", world.users["member_a"])
        db.session.commit()
        assert flags(db, decl)[0].resolved_at is not None

    def test_drafts_and_withdrawn_are_not_flagged(self, db, world: World):
        upsert_standard(OLD, source="test")
        draft, _ = services.create_declaration(world.a, content(standards=["GB/T 20000.1-2002"]),
                                               world.users["member_a"])
        gone = published_of(world, standards=["GB/T 20000.1-2002"])
        services.withdraw_declaration(gone, "停产", world.users["member_a"])
        db.session.commit()
        upsert_standard(NEW, source="test")
        db.session.commit()
        assert flags(db, draft) == [] and flags(db, gone) == []


class TestAbolished:
    def test_abolishing_flags(self, db, world: World):
        decl = citing_old(db, world)
        std = db.session.scalar(select(Standard).where(Standard.number == "GB/T 20000.1-2002"))
        update_standard(std, {"withdrawn_on": D(2024, 1, 1), "end_kind": "abolished"})
        db.session.commit()
        (flag,) = flags(db, decl)
        assert (flag.event, flag.successor, flag.effective_on) == (
            "abolished", None, D(2024, 1, 1))

    def test_unrelated_changes_flag_nothing(self, db, world: World):
        decl = citing_old(db, world)
        std = db.session.scalar(select(Standard).where(Standard.number == "GB/T 20000.1-2002"))
        update_standard(std, {"title_en": "Guidelines for standardization"})
        db.session.commit()
        assert flags(db, decl) == []


class TestScan:
    def test_scan_is_idempotent(self, db, world: World):
        decl = citing_old(db, world)
        # end the standard's validity behind the watch's back (e.g. a bulk SQL import)
        std = db.session.scalar(select(Standard).where(Standard.number == "GB/T 20000.1-2002"))
        db.session.execute(Standard.__table__.update().where(Standard.id == std.id)
                           .values(withdrawn_on=D(2024, 1, 1), end_kind="abolished"))
        db.session.commit()
        assert flags(db, decl) == []
        assert watch.scan() == 1
        assert watch.scan() == 0
        db.session.commit()
        assert len(flags(db, decl)) == 1
        assert count(db, WatchFlag) == 1

    def test_scan_after_the_hook_adds_nothing(self, db, world: World):
        citing_old(db, world)
        upsert_standard(NEW, source="test")
        db.session.commit()
        assert watch.scan() == 0
