"""Enterprise use cases: validate, register, update, look up, list; who may act for whom."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.audit import AuditEntry
from registry.enterprises import services
from registry.errors import Conflict, NotFound, ValidationError
from registry.identifiers import make_credit_code
from tests.declarations.conftest import (
    CODE_A,
    CODE_B,
    World,
    make_enterprise,
)


class TestValidate:
    def test_region_from_the_credit_code(self):
        out = services.validate_enterprise({"name": " 甲公司 ", "credit_code": CODE_A.lower(),
                                            "industry_code": "c"})
        assert (out["name"], out["credit_code"], out["region_code"], out["industry_code"]) == (
            "甲公司", CODE_A, "330683", "C")

    def test_explicit_region_wins(self):
        out = services.validate_enterprise({"name": "甲公司", "credit_code": CODE_A,
                                            "region_code": "330602", "industry_code": "34"})
        assert out["region_code"] == "330602"

    def test_every_error_at_once_with_codes(self):
        with pytest.raises(ValidationError) as exc:
            services.validate_enterprise({"name": "甲", "credit_code": CODE_A[:-1] + "I",
                                          "region_code": "990000", "industry_code": "99"})
        errors = exc.value.errors
        assert errors["credit_code"][0].startswith("[credit_code_chars] ")
        assert errors["region_code"][0].startswith("[region_unknown] ")
        assert errors["industry_code"][0].startswith("[industry_unknown] ")
        assert "name" in errors


class TestRegister:
    def test_once_per_credit_code(self, db):
        ent = make_enterprise(CODE_A, "甲公司")
        assert ent.id and ent.source == "signup" and ent.region_code == "330683"
        with pytest.raises(Conflict):
            make_enterprise(CODE_A.lower(), "甲公司二")


class TestUpdate:
    def test_changes_and_audit(self, db, world: World):
        admin = world.users["admin"]
        services.update_enterprise(world.a, {
            "name": "嵊州市甲机械股份有限公司", "region_code": "330602", "address": "越城区",
            "certificates": [{"kind": "浙江制造", "number": "ZZB-1", "standard": None,
                              "valid_until": "2027-01-01"}]}, actor=admin)
        assert world.a.name == "嵊州市甲机械股份有限公司" and world.a.region_code == "330602"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "enterprise.update"))
        assert entry.actor == "admin@example.com" and entry.region_code == "330602"
        assert entry.detail == {"fields": ["name", "region_code", "certificates", "address"]}

    def test_without_actor_no_audit(self, db, world: World):
        services.update_enterprise(world.a, {"address": "嵊州"})
        assert db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "enterprise.update")) is None

    def test_credit_code_never_changes(self, world: World):
        with pytest.raises(ValidationError):
            services.update_enterprise(world.a, {"credit_code": CODE_B})
        assert world.a.credit_code == CODE_A

    def test_invalid_region_changes_nothing(self, world: World):
        with pytest.raises(ValidationError) as exc:
            services.update_enterprise(world.a, {"region_code": "331200", "name": "新名字"})
        assert exc.value.errors["region_code"][0].startswith("[region_unknown]")
        assert world.a.region_code == "330683" and world.a.name == "嵊州市甲机械有限公司"


class TestGet:
    @pytest.mark.parametrize("writing", [CODE_A, CODE_A.lower(), f" {CODE_A[:9]} {CODE_A[9:]} "])
    def test_any_writing(self, world: World, writing):
        assert services.get_enterprise(writing) is world.a

    def test_invalid_code_says_why(self, world: World):
        with pytest.raises(NotFound) as exc:
            services.get_enterprise(CODE_A[:-1] + ("0" if CODE_A[-1] != "0" else "1"))
        assert exc.value.errors["credit_code"][0].startswith("[credit_code_checksum]")

    def test_unknown(self, world: World):
        with pytest.raises(NotFound) as exc:
            services.get_enterprise(make_credit_code("9", "1", "330683", "MA2BCDE09"))
        assert exc.value.errors == {}


class TestList:
    @pytest.mark.parametrize(("filters", "expected"), [
        ({}, ["a", "b"]),
        ({"q": "嵊州"}, ["a"]),
        ({"q": CODE_B.lower()}, ["b"]),
        ({"q": "%"}, []),  # a literal, not a wildcard
        ({"region": "330000"}, ["a", "b"]),
        ({"region": "330600"}, ["a"]),
        ({"region": "3301"}, ["b"]),
        ({"region": "330683"}, ["a"]),
        ({"region": "110000"}, []),
        ({"industry": "C"}, ["a", "b"]),
        ({"industry": "c"}, ["a", "b"]),
        ({"industry": "34"}, ["a"]),
        ({"industry": "38"}, ["b"]),
        ({"industry": "A"}, []),
    ])
    def test_filters(self, world: World, filters, expected):
        names = {"a": world.a.id, "b": world.b.id}
        page = services.list_enterprises(**filters)
        assert sorted(e.id for e in page.items) == sorted(names[k] for k in expected)
        assert page.total == len(expected)

    def test_section_matches_its_divisions(self, db):
        make_enterprise(make_credit_code("9", "1", "330683", "MA2BCDE05"), "小类企业", "3851")
        make_enterprise(make_credit_code("9", "1", "330683", "MA2BCDE06"), "农业企业", "01")
        assert [e.name for e in services.list_enterprises(industry="C").items] == ["小类企业"]
        assert [e.name for e in services.list_enterprises(industry="38").items] == ["小类企业"]
        assert [e.name for e in services.list_enterprises(industry="A").items] == ["农业企业"]

    def test_pagination(self, world: World):
        first = services.list_enterprises(per_page=1)
        second = services.list_enterprises(per_page=1, page=2)
        assert first.total == 2 and first.pages == 2
        # by name (the order of Chinese names is the database collation's)
        assert sorted(e.id for e in first.items + second.items) == sorted([world.a.id, world.b.id])


class TestPermissions:
    @pytest.mark.parametrize(("code", "prefix"), [
        ("330000", "33"), ("330600", "3306"), ("330683", "330683"), ("110100", "1101")])
    def test_region_prefix(self, code, prefix):
        assert services.region_prefix(code) == prefix

    @pytest.mark.parametrize(("scope", "code", "covered"), [
        ("330600", "330683", True), ("330600", "330600", True), ("330000", "330683", True),
        ("330683", "330683", True), ("330600", "330102", False), ("330683", "330600", False),
        (None, "330683", False), ("330600", None, False)])
    def test_region_covers(self, scope, code, covered):
        assert services.region_covers(scope, code) is covered

    @pytest.mark.parametrize(("role", "acts", "oversees"), [
        ("anonymous", False, False), ("member_a", True, False), ("member_b", False, False),
        ("officer_a", False, True), ("officer_x", False, False), ("admin", True, True)])
    def test_who_acts_and_who_oversees(self, world: World, role, acts, oversees):
        user = world.user(role)
        assert services.can_act_for(user, world.a) is acts
        assert services.can_oversee(user, world.a.region_code) is oversees
