"""Spot checks: reproducible draws (same seed + same population → same sample; weighting
changes it), results and their audit entries, scope per face (officers, enterprises,
the public), and the page and the API refusing the same bad input alike."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from registry.audit import AuditEntry
from registry.declarations.models import WatchFlag
from registry.extensions import db
from registry.fields import flatten_messages
from registry.reports import spotchecks
from registry.standards.models import Standard
from tests.reports.conftest import S_NEQ, ReportWorld
from tests.reports.test_faces import login

SX = "330600"


def _ids(draw: Any) -> list[int]:
    return [i.declaration_id for i in draw.items]


class TestDraw:
    def test_population_and_reproducibility(self, rw: ReportWorld) -> None:
        officer = rw.users["officer_sx"]
        a = spotchecks.draw(officer, SX, 4, seed=42)
        b = spotchecks.draw(officer, SX, 4, seed=42)
        # published in 绍兴: P1 P2 P3 P5 P6 P7 P8 P9 (P4 withdrawn, P11 a draft, P10 杭州)
        expected = sorted(rw.decls[k].id for k in ("P1", "P2", "P3", "P5", "P6", "P7", "P8", "P9"))
        assert a.population_size == 8 and a.population["state"] == "published"
        assert a.population_digest == spotchecks.digest(expected)
        assert (a.seed, a.sample_size) == (42, 4)
        assert _ids(a) == _ids(b) and set(_ids(a)) <= set(expected)
        others = {tuple(_ids(spotchecks.draw(officer, SX, 4, seed=s))) for s in range(5)}
        assert len(others) > 1  # the seed matters
        auto = spotchecks.draw(officer, SX, 2)
        assert auto.seed is not None  # generated, stored
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "spotcheck.draw", AuditEntry.entity_id == a.id)).all()
        assert len(entries) == 1 and entries[0].region_code == SX
        assert entries[0].detail["seed"] == 42

    def test_sample_ids_is_pure(self) -> None:
        pop = [(i, i % 5 == 0) for i in range(1, 101)]
        assert spotchecks.sample_ids(pop, 10, 7) == spotchecks.sample_ids(list(reversed(pop)), 10, 7)
        assert spotchecks.sample_ids(pop, 10, 7) != spotchecks.sample_ids(pop, 10, 8)
        assert spotchecks.sample_ids(pop, 10, 7, 5.0) != spotchecks.sample_ids(pop, 10, 7)
        assert spotchecks.sample_ids(pop, 10, 7, 5.0) == spotchecks.sample_ids(pop, 10, 7, 5.0)

    def test_weighting_favours_questioned_declarations(self, rw: ReportWorld) -> None:
        std = db.session.scalar(select(Standard).where(Standard.number == S_NEQ))
        p2 = rw.decls["P2"]
        db.session.add(WatchFlag(declaration_id=p2.id, standard_id=std.id, event="replaced"))
        db.session.flush()
        pop = spotchecks.population(SX, None, spotchecks.utcnow().date())
        assert [i for i, q in pop if q] == [p2.id]
        plain = sum(spotchecks.sample_ids(pop, 1, s) == [p2.id] for s in range(200))
        heavy = sum(spotchecks.sample_ids(pop, 1, s, 20.0) == [p2.id] for s in range(200))
        assert plain < 50 and heavy > 100  # about 1/8 of the time vs most of the time
        draw = spotchecks.draw(rw.users["officer_sx"], SX, 3, seed=3, weighted=True,
                               weight_factor=20.0)
        assert draw.weighted and draw.population["questioned"] == 1
        assert [i.questioned for i in draw.items].count(True) <= 1

    def test_results_and_audit(self, rw: ReportWorld) -> None:
        officer = rw.users["officer_sx"]
        draw = spotchecks.draw(officer, SX, 8, seed=1)
        item = draw.items[0]
        spotchecks.record_result(item, officer, "nonconforming",
                                 ["missing_indicators", "cites_withdrawn"], "缺少性能指标")
        assert item.findings == ["cites_withdrawn", "missing_indicators"]
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "spotcheck.result"))
        assert entry is not None and entry.enterprise_id == item.declaration.enterprise_id
        assert spotchecks.draw_conformity(draw.id).as_dict() == \
            {"checked": 1, "conforming": 0, "rate": 0.0}


class TestScope:
    def _draw(self, client: Any, rw: ReportWorld, role: str = "officer_sx",
              **body: Any) -> Any:
        return client.post("/api/v1/spot-checks", json={"region_code": SX, "sample_size": 8,
                                                         "seed": 5, **body},
                           headers=rw.headers(role))

    def test_officers_draw_and_record_in_their_region(self, client: Any, rw: ReportWorld) -> None:
        resp = self._draw(client, rw)
        assert resp.status_code == 201, resp.get_json()
        draw = resp.get_json()
        assert draw["population_size"] == 8 and len(draw["items"]) == 8
        again = self._draw(client, rw).get_json()
        assert [i["declaration_id"] for i in again["items"]] == \
            [i["declaration_id"] for i in draw["items"]]
        for role, status in (("officer_hz", 403), ("member_e1", 403), ("anonymous", 401)):
            assert self._draw(client, rw, role).status_code == status, role
        did = draw["id"]
        for role, status in (("officer_sx", 200), ("admin", 200), ("officer_hz", 404),
                             ("member_e1", 404), ("anonymous", 401)):
            assert client.get(f"/api/v1/spot-checks/{did}",
                              headers=rw.headers(role)).status_code == status, role
        assert client.get("/api/v1/spot-checks", headers=rw.headers("member_e1")).status_code == 403
        hz = client.get("/api/v1/spot-checks", headers=rw.headers("officer_hz")).get_json()
        assert hz["total"] == 0
        e1_item = next(i for i in draw["items"] if i["credit_code"] == rw.ents["E1"].credit_code)
        url = f"/api/v1/spot-checks/{did}/items/{e1_item['id']}"
        ok = {"result": "nonconforming", "findings": ["below_mandatory"], "note": "低于 GB 4706.1"}
        assert client.put(url, json=ok, headers=rw.headers("officer_hz")).status_code == 404
        assert client.put(url, json=ok, headers=rw.headers("member_e1")).status_code == 404
        resp = client.put(url, json=ok, headers=rw.headers("officer_sx"))
        assert resp.status_code == 200 and resp.get_json()["result"] == "nonconforming"
        # the enterprise sees its own results, on the API and on its dashboard
        own = f"/api/v1/enterprises/{rw.ents['E1'].credit_code}/spot-checks"
        body = client.get(own, headers=rw.headers("member_e1")).get_json()
        assert [i["findings"] for i in body["items"]] == [["below_mandatory"]]
        other = f"/api/v1/enterprises/{rw.ents['E3'].credit_code}/spot-checks"
        assert client.get(other, headers=rw.headers("member_e1")).status_code == 403
        assert client.get(own, headers=rw.headers("officer_hz")).status_code == 403
        assert client.get(own, headers=rw.headers("officer_sx")).status_code == 200
        login(client, rw, "member_e1")
        html = client.get("/dashboard").get_data(as_text=True)
        assert "抽查结果" in html and "低于 GB 4706.1" in html
        assert client.get(f"/reports/spot-checks/{did}").status_code == 404
        assert client.get("/reports/spot-checks").status_code == 403

    def test_pages_for_the_officer(self, client: Any, rw: ReportWorld) -> None:
        login(client, rw, "officer_sx")
        resp = client.post("/reports/spot-checks", data={"region_code": SX, "sample_size": "3",
                                                         "seed": "9"})
        assert resp.status_code in (302, 303)
        page = client.get(resp.headers["Location"])
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "<code>9</code>" in html
        draw = db.session.scalars(select(spotchecks.SpotCheckDraw)).all()[-1]
        item = draw.items[0]
        resp = client.post(f"/reports/spot-checks/{draw.id}/items/{item.id}",
                           data={"result": "conforming"})
        assert resp.status_code in (302, 303)
        db.session.expire_all()
        assert db.session.get(spotchecks.SpotCheckItem, item.id).result == "conforming"

    @pytest.mark.parametrize(("body", "field"), [
        ({"result": "nonconforming"}, "findings"),
        ({"result": "conforming", "findings": ["other"]}, "findings"),
        ({"result": "maybe"}, "result"),
        ({"result": "nonconforming", "findings": ["nonsense"]}, "findings.0"),
    ])
    def test_one_rule_per_question_result(self, client: Any, rw: ReportWorld,
                                          body: dict[str, Any], field: str) -> None:
        draw = spotchecks.draw(rw.users["officer_sx"], SX, 1, seed=1)
        db.session.commit()
        item = draw.items[0]
        api = client.put(f"/api/v1/spot-checks/{draw.id}/items/{item.id}", json=body,
                         headers=rw.headers("officer_sx"))
        assert api.status_code == 422
        errors = flatten_messages(api.get_json()["errors"])
        assert field in errors, errors
        msgs = errors[field]
        login(client, rw, "officer_sx")
        page = client.post(f"/reports/spot-checks/{draw.id}/items/{item.id}", data=body)
        assert page.status_code == 422
        html = page.get_data(as_text=True)
        assert all(m in html for m in msgs), (msgs, field)

    @pytest.mark.parametrize(("body", "field"), [
        ({"sample_size": 0}, "sample_size"),
        ({"sample_size": 5, "region_code": "33"}, "region_code"),
        ({"sample_size": 5, "weighted": True, "weight_factor": 1}, "weight_factor"),
        ({"sample_size": 5, "seed": -1}, "seed"),
    ])
    def test_one_rule_per_question_draw(self, client: Any, rw: ReportWorld,
                                        body: dict[str, Any], field: str) -> None:
        full = {"region_code": SX, **body}
        api = client.post("/api/v1/spot-checks", json=full, headers=rw.headers("officer_sx"))
        assert api.status_code == 422
        msgs = api.get_json()["errors"][field]
        login(client, rw, "officer_sx")
        form = {k: ("on" if v is True else str(v)) for k, v in full.items()}
        page = client.post("/reports/spot-checks", data=form)
        assert page.status_code == 422
        html = page.get_data(as_text=True)
        assert all(m.split("] ")[-1] in html for m in msgs), (msgs, field)


def test_region_conformity_over_a_period(client: Any, rw: ReportWorld) -> None:
    officer = rw.users["officer_sx"]
    plain = spotchecks.draw(officer, "330683", 2, seed=4)
    spotchecks.record_result(plain.items[0], officer, "conforming", [], None)
    spotchecks.record_result(plain.items[1], officer, "nonconforming", ["other"], "x")
    heavy = spotchecks.draw(officer, "330624", 1, seed=4, weighted=True)
    spotchecks.record_result(heavy.items[0], officer, "nonconforming", ["other"], None)
    db.session.commit()
    q = {"region": SX, "from": "2020-01-01", "to": "2100-12-31"}
    body = client.get("/api/v1/spot-checks/conformity", query_string=q,
                      headers=rw.headers("officer_sx")).get_json()
    assert (body["checked"], body["conforming"], body["rate"]) == (2, 1, 0.5)
    assert body["from"] == "2020-01-01" and body["weighted_draws"] == "excluded"
    assert client.get("/api/v1/spot-checks/conformity", query_string=q,
                      headers=rw.headers("officer_hz")).status_code == 403
    past = {**q, "to": "2020-12-31"}
    assert client.get("/api/v1/spot-checks/conformity", query_string=past,
                      headers=rw.headers("officer_sx")).get_json()["checked"] == 0
    bad = {**q, "to": "2019-01-01"}
    assert client.get("/api/v1/spot-checks/conformity", query_string=bad,
                      headers=rw.headers("officer_sx")).status_code == 422
