"""Declaration use cases: lifecycle with editions, diffs, deletion rules, audit, search docs."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from registry import audit
from registry.audit import AuditEntry
from registry.declarations import reading, services
from registry.declarations.models import Declaration, DeclarationEdition
from registry.declarations.search import declaration_doc, enterprise_doc
from registry.errors import Conflict, Forbidden, NotFound, ValidationError

from .conftest import OWN_PDF, World, content, count, draft_of, published_of


def entries(db: Any, entity_id: int | None = None) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity == "declaration", AuditEntry.entity_id == entity_id)
    return list(db.session.scalars(stmt))


class TestCreateDeclaration:
    def test_draft_keeps_content_and_reports_checks(self, world: World):
        decl, checks = services.create_declaration(
            world.a, content(standards=["JB/T 13368-2018", "GB/T 99999-2099"]),
            world.users["member_a"])
        assert decl.state == "draft"
        assert decl.current_edition is None and decl.first_published_at is None
        (ed,) = decl.editions
        assert (ed.number, ed.kind, ed.published_at) == (1, "initial", None)
        assert [s.number for s in ed.standards] == ["JB/T 13368-2018", "GB/T 99999-2099"]
        assert ed.indicators[0].as_dict()["ref_standard"] == "JB/T 13368-2018"
        assert ed.created_by_id == world.users["member_a"].id
        assert [c.code for c in checks] == ["standard_upcoming"]

    def test_publish_at_once(self, world: World):
        decl, checks = services.create_declaration(world.a, content(), world.users["admin"],
                                                   publish=True)
        assert decl.state == "published"
        assert decl.current_edition is decl.editions[0]
        assert decl.first_published_at == decl.editions[0].published_at
        assert checks == []

    def test_numbers_are_stored_canonical(self, world: World):
        decl, _ = services.create_declaration(
            world.a, content(standards=["jbt13368—2018"], intl_standard="iso 9001:2015",
                             enterprise_standard={"number": "q/szj 1-2024", "title": "企标"}),
            world.users["member_a"])
        ed = decl.editions[0]
        assert [s.number for s in ed.standards] == ["JB/T 13368-2018"]
        assert ed.intl_standard == "ISO 9001:2015"
        assert ed.ent_std_number == "Q/SZJ 1-2024"

    def test_draft_may_hold_numbers_that_do_not_parse_yet(self, world: World):
        decl, checks = services.create_declaration(
            world.a, content(enterprise_standard={"number": "企标一号", "title": "企标"},
                             indicators=[{"name": "载荷", "value": 1, "ref_standard": "某标准",
                                          "ref_value": 2}]),
            world.users["member_a"])
        ed = decl.editions[0]
        assert ed.ent_std_number == "企标一号"
        assert ed.indicators[0].ref_standard == "某标准"
        assert {"enterprise_standard_number_invalid", "indicator_ref_unknown"} <= {
            c.code for c in checks}

    def test_draft_refused_only_for_what_cannot_be_stored(self, world: World):
        with pytest.raises(services.CheckFailed) as exc:
            services.create_declaration(
                world.a, content(standards=["GB/T 12345-2000"], intl_standard="?"),
                world.users["member_a"])
        # errors name the blocking problem only; checks list everything
        assert exc.value.errors == {"standards.0": [
            "[standard_unknown] 标准目录中没有 GB/T 12345-2000，请从目录中选择"]}
        assert {c.code for c in exc.value.checks} == {"standard_unknown", "intl_standard_invalid"}
        assert exc.value.status == 422 and exc.value.code == "check_failed"

    def test_publishing_with_errors_saves_nothing(self, db, world: World):
        before = (count(db, Declaration), count(db, DeclarationEdition), count(db, AuditEntry))
        with pytest.raises(services.CheckFailed) as exc:
            services.create_declaration(world.a, content(standards=["GB/T 3100-1993"]),
                                        world.users["member_a"], publish=True)
        assert "standards.0" in exc.value.errors
        after = (count(db, Declaration), count(db, DeclarationEdition), count(db, AuditEntry))
        assert after == before

    @pytest.mark.parametrize("role", ["member_b", "officer_a", "officer_x"])
    def test_others_may_not_file(self, world: World, role):
        with pytest.raises(Forbidden):
            services.create_declaration(world.a, content(), world.users[role])

    def test_anonymous_may_not_file(self, world: World):
        with pytest.raises(Forbidden):
            services.create_declaration(world.a, content(), None)


class TestLifecycle:
    def test_draft_publish_amend_revise_withdraw(self, db, world: World):
        member = world.users["member_a"]
        decl = draft_of(world)
        services.update_draft(decl, content(model="RBJ-1600"), member)
        assert decl.editions[0].model == "RBJ-1600" and len(decl.editions) == 1

        services.publish_declaration(decl, member)
        assert decl.state == "published" and decl.current_edition.number == 1

        services.amend_declaration(decl, content(model="RBJ-1600", change_note="更正型号说明",
                                                 category="叉车属具（夹类）"), member)
        services.amend_declaration(
            decl, content(standards=["JB/T 13368-2018", "GB/T 19001-2016"],
                          indicators=[{"name": "额定载荷", "value": 1800, "unit": "kg",
                                       "ref_standard": "JB/T 13368-2018", "ref_value": 1200},
                                      {"name": "夹持力", "value": 30, "unit": "kN"}]),
            member, kind="revision")
        assert [(e.number, e.kind) for e in decl.editions] == [
            (1, "initial"), (2, "amendment"), (3, "revision")]
        assert decl.current_edition.number == 3
        assert all(e.published_at is not None for e in decl.editions)
        assert decl.editions[1].change_note == "更正型号说明"

        services.withdraw_declaration(decl, "产品停产", member)
        assert decl.state == "withdrawn"
        assert decl.withdrawn_reason == "产品停产" and decl.withdrawn_at is not None

        # every edition stays readable, by anyone
        db.session.expire_all()
        again = services.get_declaration(decl.id, None)
        assert [e.number for e in services.visible_editions(again, None)] == [1, 2, 3]
        assert again.editions[0].model == "RBJ-1600"
        assert [e.action for e in entries(db, decl.id)] == [
            "declaration.create", "declaration.update_draft", "declaration.publish",
            "declaration.amend", "declaration.revise", "declaration.withdraw"]

    def test_published_edition_is_never_changed_in_place(self, world: World):
        decl = published_of(world)
        with pytest.raises(Conflict):
            services.update_draft(decl, content(model="X"), world.users["member_a"])
        assert decl.editions[0].model == "RBJ-1500"

    def test_amend_refuses_errors_and_keeps_the_current_edition(self, db, world: World):
        decl = published_of(world)
        with pytest.raises(services.CheckFailed):
            services.amend_declaration(decl, content(standards=["GB/T 19001-2008"]),
                                       world.users["member_a"])
        assert [e.number for e in decl.editions] == [1]
        assert count(db, DeclarationEdition, DeclarationEdition.declaration_id == decl.id) == 1

    def test_amend_needs_a_known_kind(self, world: World):
        decl = published_of(world)
        with pytest.raises(ValidationError):
            services.amend_declaration(decl, content(), world.users["member_a"], kind="initial")

    def test_amend_a_draft_or_withdrawn_is_a_conflict(self, world: World):
        member = world.users["member_a"]
        with pytest.raises(Conflict):
            services.amend_declaration(draft_of(world), content(), member)
        decl = published_of(world)
        services.withdraw_declaration(decl, "停产", member)
        with pytest.raises(Conflict):
            services.amend_declaration(decl, content(), member)

    def test_amend_keeps_the_attachment(self, world: World):
        decl, _ = services.create_declaration(
            world.a, content(enterprise_standard={"number": "Q/SZJ 1-2024", "title": "企标"}),
            world.users["member_a"], attachment=("q.pdf", OWN_PDF), publish=True)
        services.amend_declaration(
            decl, content(enterprise_standard={"number": "Q/SZJ 1-2025", "title": "企标"}),
            world.users["member_a"], kind="revision")
        assert decl.editions[1].attachment_name == "q.pdf"
        assert decl.editions[1].attachment == OWN_PDF

    def test_publish_twice_is_a_conflict(self, world: World):
        decl = published_of(world)
        with pytest.raises(Conflict):
            services.publish_declaration(decl, world.users["member_a"])

    def test_publishing_a_draft_with_errors_changes_nothing(self, db, world: World):
        decl = draft_of(world, standards=["GB/T 3100-1993"])
        audit_before = count(db, AuditEntry)
        with pytest.raises(services.CheckFailed) as exc:
            services.publish_declaration(decl, world.users["member_a"])
        assert exc.value.errors == {"standards.0": [
            "[standard_abolished] GB/T 3100-1993 已废止，不能作为执行标准"]}
        db.session.expire_all()
        decl = db.session.get(Declaration, decl.id)
        assert decl.state == "draft" and decl.current_edition_id is None
        assert decl.editions[0].published_at is None
        assert count(db, AuditEntry) == audit_before


class TestWithdraw:
    @pytest.mark.parametrize("reason", ["", " ", "停"])
    def test_needs_a_reason(self, world: World, reason):
        decl = published_of(world)
        with pytest.raises(ValidationError) as exc:
            services.withdraw_declaration(decl, reason, world.users["member_a"])
        assert "reason" in exc.value.errors
        assert decl.state == "published"

    def test_only_published(self, world: World):
        with pytest.raises(Conflict):
            services.withdraw_declaration(draft_of(world), "停产", world.users["member_a"])


class TestDeleteDraft:
    def test_draft_is_deleted_and_audited(self, db, world: World):
        decl = draft_of(world)
        decl_id = decl.id
        services.delete_draft(decl, world.users["member_a"])
        assert db.session.get(Declaration, decl_id) is None
        assert entries(db, decl_id)[-1].action == "declaration.delete_draft"

    @pytest.mark.parametrize("withdraw", [False, True])
    def test_published_is_never_deleted(self, db, world: World, withdraw):
        decl = published_of(world)
        if withdraw:
            services.withdraw_declaration(decl, "停产", world.users["member_a"])
        with pytest.raises(Conflict):
            services.delete_draft(decl, world.users["admin"])
        assert db.session.get(Declaration, decl.id) is not None


class TestReading:
    def test_drafts_are_hidden_from_others(self, world: World):
        decl = draft_of(world)
        for role in ("member_a", "admin"):
            assert services.get_declaration(decl.id, world.users[role]) is not None
        for viewer in (None, world.users["member_b"], world.users["officer_a"]):
            with pytest.raises(NotFound):
                services.get_declaration(decl.id, viewer)

    def test_unknown_id(self, world: World):
        with pytest.raises(NotFound):
            services.get_declaration(999999, world.users["admin"])

    def test_list_shows_drafts_to_the_enterprise_only(self, world: World):
        draft, pub = draft_of(world), published_of(world)
        other = published_of(world, world.b)
        own = services.list_declarations(enterprise=world.a, viewer=world.users["member_a"])
        assert [d.id for d in own.items] == [pub.id, draft.id]
        public = services.list_declarations(enterprise=world.a, viewer=world.users["member_b"])
        assert [d.id for d in public.items] == [pub.id]
        everyone = services.list_declarations()
        assert [d.id for d in everyone.items] == [other.id, pub.id]

    def test_list_by_standard_and_state(self, world: World):
        pub = published_of(world, standards=["JB/T 13368-2018", "GB/T 19001-2016"])
        published_of(world)
        std = world.catalogue["GB/T 19001-2016"]
        assert [d.id for d in services.list_declarations(standard=std).items] == [pub.id]
        services.withdraw_declaration(pub, "停产", world.users["member_a"])
        assert [d.id for d in services.list_declarations(state="withdrawn").items] == [pub.id]

    def test_find_edition(self, world: World):
        decl = published_of(world)
        view = reading.DeclarationView(decl, None)
        assert view.edition(1).number == 1
        with pytest.raises(NotFound):
            view.edition(2)


def _diff(decl: Any) -> list[dict[str, Any]]:
    return reading.compare_editions(reading.DeclarationView(decl, None)).changes


class TestDiff:
    def test_changed_fields_standards_and_indicators(self, world: World):
        decl = published_of(world)
        services.amend_declaration(
            decl, content(model="RBJ-1800", standards=["GB/T 19001-2016"],
                          indicators=[{"name": "额定载荷", "value": 1800, "unit": "kg",
                                       "ref_standard": "JB/T 13368-2018", "ref_value": 1200},
                                      {"name": "夹持力", "value": 30, "unit": "kN"}]),
            world.users["member_a"], kind="revision")
        changes = {c["field"]: c for c in _diff(decl)}
        assert set(changes) == {"model", "standards", "indicator:额定载荷", "indicator:夹持力"}
        assert (changes["model"]["old"], changes["model"]["new"]) == ("RBJ-1500", "RBJ-1800")
        assert changes["standards"] == {"field": "standards", "old": ["JB/T 13368-2018"],
                                        "new": ["GB/T 19001-2016"]}
        assert changes["indicator:额定载荷"]["old"]["value"] == 1500
        assert changes["indicator:额定载荷"]["new"]["value"] == 1800
        assert changes["indicator:夹持力"]["old"] is None
        assert changes["indicator:夹持力"]["new"]["unit"] == "kN"

    def test_same_content_no_changes(self, world: World):
        decl = published_of(world)
        services.amend_declaration(decl, content(), world.users["member_a"])
        assert _diff(decl) == []


class TestFlagsFor:
    def test_open_and_resolved(self, db, world: World):
        from registry.declarations.models import WatchFlag

        decl = published_of(world)
        std = world.catalogue["JB/T 13368-2018"]
        db.session.add(WatchFlag(declaration_id=decl.id, standard_id=std.id, event="abolished"))
        db.session.flush()
        page = services.flags_for(world.a)
        assert [f.standard.number for f in page.items] == ["JB/T 13368-2018"]
        assert services.flags_for(world.b).total == 0
        services.withdraw_declaration(decl, "停产", world.users["member_a"])
        assert services.flags_for(world.a).total == 0  # withdrawing closes the flags
        assert services.flags_for(world.a, include_resolved=True).total == 1


class TestAudit:
    def test_every_action_names_actor_and_region(self, db, world: World):
        admin = world.users["admin"]
        decl = draft_of(world)
        services.update_draft(decl, content(model="X"), admin)
        services.publish_declaration(decl, admin)
        services.amend_declaration(decl, content(), admin)
        services.withdraw_declaration(decl, "停产", admin)
        rows = entries(db, decl.id)
        assert [r.actor for r in rows] == ["a@example.com"] + ["admin@example.com"] * 4
        assert {(r.region_code, r.enterprise_id, r.entity) for r in rows} == {
            ("330683", world.a.id, "declaration")}
        assert rows[0].user_id == world.users["member_a"].id
        assert rows[-1].detail == {"reason": "停产"}
        assert rows[2].detail == {"edition": 1, "kind": "initial"}
        assert all(r.at is not None for r in rows)

    def test_officer_reads_the_region_subtree(self, db, world: World):
        published_of(world)
        published_of(world, world.b)
        officer = world.users["officer_a"]
        page = audit.entries_for(officer)
        assert page.total > 0
        assert {e.region_code for e in page.items} == {"330683"}
        province = audit.entries_for(officer, region="330000")  # narrowed to the officer's
        assert province.total == page.total
        with pytest.raises(Forbidden):
            audit.entries_for(officer, region="330100")

    def test_member_reads_own_enterprise_only(self, world: World):
        published_of(world)
        published_of(world, world.b)
        page = audit.entries_for(world.users["member_b"])
        assert {e.enterprise_id for e in page.items} == {world.b.id}
        with pytest.raises(Forbidden):
            audit.entries_for(world.users["member_b"], enterprise_id=world.a.id)

    def test_member_without_enterprise_reads_nothing(self, db, world: World):
        from registry.accounts.services import create_user

        loner = create_user("loner@example.com", "无企业", "correct horse")
        audit.record(None, "system.note", "standard", 1)  # an entry without enterprise
        with pytest.raises(Forbidden):
            audit.entries_for(loner)

    def test_admin_reads_all_with_filters(self, world: World):
        published_of(world)
        published_of(world, world.b)
        admin = world.users["admin"]
        assert audit.entries_for(admin, region="3301").total > 0
        assert {e.enterprise_id for e in audit.entries_for(admin, enterprise_id=world.b.id)
                .items} == {world.b.id}

    def test_labels(self):
        assert audit.action_label("declaration.withdraw") == "废止声明"
        assert audit.action_label("something.else") == "something.else"


class TestSearchDocuments:
    def test_published_is_searchable_draft_is_not(self, world: World):
        pub = published_of(world, intl_standard="ISO 9001:2015")
        doc = declaration_doc(pub)
        assert doc is not None
        assert doc["id"] == f"declaration:{pub.id}" and doc["kind"] == "declaration"
        assert "软包夹" in doc["title"] and "RBJ-1500" in doc["title"]
        assert world.a.name in doc["body_bi"]
        assert "jbt13368-2018" in doc["cites"].lower()
        assert doc["region"].split() == ["330000", "330600", "330683"]
        assert "C" in doc["industry"].split()
        assert declaration_doc(draft_of(world)) is None

    def test_withdrawn_leaves_the_index(self, world: World):
        pub = published_of(world)
        services.withdraw_declaration(pub, "停产", world.users["member_a"])
        assert declaration_doc(pub) is None

    def test_index_rows_build_the_same_documents_as_the_models(self, db, world: World):
        """The indexer reads plain rows (declarations.search.index_rows); the documents must
        be those built from the ORM objects, for every state and shape of declaration."""
        from registry.declarations.search import index_rows, load_declarations

        base = content()["indicators"][0]
        two = content(standards=["JB/T 13368-2018", "GB/T 19001-2016", "GB 4706.1-2005"],
                      model=None, indicators=[{**base, "name": f"指标{i}"} for i in (3, 1, 2)])
        decls = [published_of(world), published_of(world, world.b, intl_standard="ISO 9001"),
                 draft_of(world), published_of(world, category=None)]
        decls.append(services.create_declaration(world.a, two, world.users["member_a"],
                                                 publish=True)[0])
        amended = published_of(world)
        services.amend_declaration(amended, content(product_name="新品名", standards=[
            "GB/T 19001-2016", "JB/T 13368-2018"]), world.users["member_a"])
        withdrawn = published_of(world)
        services.withdraw_declaration(withdrawn, "停产", world.users["member_a"])
        decls += [amended, withdrawn]
        db.session.flush()
        ids = [d.id for d in decls]
        db.session.expire_all()
        from_models = {d.id: declaration_doc(d) for d in load_declarations(ids)}
        from_rows = {r.id: declaration_doc(r) for r in index_rows(ids)}
        assert from_rows == from_models
        assert sum(doc is not None for doc in from_rows.values()) == 5
        assert "新品名" in from_rows[amended.id]["title"]

    def test_enterprise_doc(self, world: World):
        doc = enterprise_doc(world.a)
        assert doc["title"] == world.a.name
        assert doc["numkeys"] == world.a.credit_code.lower()
        assert "330600" in doc["region"].split()
