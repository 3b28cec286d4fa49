"""The catalogue's JSON API under /api/v1."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from registry.search.models import ChangeFeed
from registry.standards.models import Standard

API = "/api/v1/standards"

VARIANTS_2016 = [
    "GB/T 19001-2016",
    "GB/T19001-2016",
    "GBT 19001-2016",
    "GBT19001-2016",
    "gb/t 19001—2016",
    "19001-2016",
    "ＧＢ／Ｔ　１９００１－２０１６",
]
VARIANTS_NO_YEAR = ["19001", "GB/T 19001", "GBT19001", "gb/t19001"]

NEW_RECORD = {
    "number": "GB/T 20000.1-2014",
    "title_zh": "标准化工作指南 第1部分：标准化和相关活动的通用术语",
    "nature": "recommended",
    "issued_on": "2014-12-31",
    "effective_on": "2015-06-01",
    "ics": ["01.120"],
    "replaces": ["GB/T 20000.1-2002"],
}




def url(number: str) -> str:
    """The detail URL as a client builds it: the whole number percent-encoded."""
    return f"{API}/{quote(number, safe='')}"


def assert_contract(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    return body  # type: ignore[no-any-return]


def count(db: Any, model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


class TestGetStandard:
    @pytest.mark.parametrize("variant", VARIANTS_2016)
    def test_every_variant_finds_the_edition(self, client, catalogue, variant):
        resp = client.get(url(variant))
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        assert body["number"] == "GB/T 19001-2016"
        assert body["status"] == "current"

    def test_encoded_slash_is_not_redirected(self, client, catalogue):
        resp = client.get(f"{API}/GB%2FT%2019001-2016")
        assert resp.status_code == 200
        assert resp.get_json()["number"] == "GB/T 19001-2016"

    def test_unencoded_slash_works_too(self, client, catalogue):
        resp = client.get(f"{API}/GB/T 19001-2016")
        assert resp.status_code == 200
        assert resp.get_json()["number"] == "GB/T 19001-2016"

    @pytest.mark.parametrize("variant", VARIANTS_NO_YEAR)
    def test_without_year_answers_current_edition_and_names_the_other(
        self, client, catalogue, variant
    ):
        body = client.get(url(variant)).get_json()
        assert body["number"] == "GB/T 19001-2016"
        assert body["other_editions"] == ["GB/T 19001-2008"]
        assert body["replaces"] == ["GB/T 19001-2008"]
        assert body["replaced_by"] == []

    def test_old_edition_names_its_successor(self, client, catalogue):
        body = client.get(url("GB/T 19001-2008")).get_json()
        assert body["number"] == "GB/T 19001-2008"
        assert body["status"] == "replaced"
        assert body["replaced_by"] == ["GB/T 19001-2016"]
        assert body["other_editions"] == ["GB/T 19001-2016"]

    def test_full_record(self, client, catalogue):
        body = client.get(url("GB/T 19001-2016")).get_json()
        assert body["title_zh"] == "质量管理体系 要求"
        assert body["level"] == "national"
        assert body["nature"] == "recommended"
        assert body["ics"] == ["03.120.10"]
        assert body["effective_on"] == "2017-07-01"
        assert body["adoptions"][0]["number"] == "ISO 9001:2015"
        assert body["adoptions"][0]["degree"] == "IDT"
        assert "id" not in body  # explicit output whitelist

    def test_zhejiang_made(self, client, catalogue):
        body = client.get(url("T/ZZB 2109-2021")).get_json()
        assert body["is_zhejiang_made"] is True
        assert body["level_label"] == "浙江制造"

    def test_unknown_number_is_404_contract(self, client, catalogue):
        body = assert_contract(client.get(url("GB/T 12345-2000")), 404, "not_found")
        assert "GB/T 12345-2000" in body["message"]

    def test_garbage_number_is_404_with_parser_message(self, client, catalogue):
        from registry import numbers

        garbage = "not a number!"
        with pytest.raises(numbers.NumberError) as exc:
            numbers.parse(garbage)
        body = assert_contract(client.get(url(garbage)), 404, "not_found")
        assert exc.value.message in body["message"]
        assert body["errors"] == {"number": [exc.value.message]}

    def test_doubled_slash_is_not_redirected(self, client, catalogue):
        resp = client.get(f"{API}/GB%2F%2FT%2019001-2016")
        assert resp.status_code in (200, 404)
        assert "Location" not in resp.headers

    def test_unknown_route_is_404_contract(self, client):
        assert_contract(client.get("/api/v1/nothing-here"), 404, "not_found")

    def test_wrong_method_is_405_contract(self, client, catalogue):
        assert_contract(client.delete(url("GB/T 19001-2016")), 405, "method_not_allowed")


class TestListStandards:
    def test_envelope_and_totals(self, client, catalogue):
        body = client.get(API).get_json()
        assert set(body) == {"items", "page", "per_page", "total", "pages"}
        assert body["total"] == len(catalogue)
        assert body["page"] == 1
        assert body["per_page"] == 20
        assert body["pages"] == 1
        assert {item["number"] for item in body["items"]} == set(catalogue)

    def test_pagination(self, client, catalogue):
        seen = []
        for page in (1, 2, 3):
            body = client.get(API, query_string={"per_page": 3, "page": page}).get_json()
            assert body["total"] == 7
            assert body["pages"] == 3
            seen += [item["number"] for item in body["items"]]
        assert len(seen) == 7
        assert set(seen) == set(catalogue)

    def test_page_past_the_end_is_empty(self, client, catalogue):
        body = client.get(API, query_string={"page": 9}).get_json()
        assert body["items"] == []
        assert body["total"] == 7

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            (
                {"level": "national"},
                {
                    "GB/T 19001-2008",
                    "GB/T 19001-2016",
                    "GB 4706.1-2005",
                    "GB/T 3100-1993",
                    "GB/T 99999-2099",
                },
            ),
            ({"level": "industry"}, {"JB/T 13368-2018"}),
            ({"level": "zzb"}, {"T/ZZB 2109-2021"}),
            ({"nature": "mandatory"}, {"GB 4706.1-2005"}),
            ({"status": "replaced"}, {"GB/T 19001-2008"}),
            ({"status": "abolished"}, {"GB/T 3100-1993"}),
            ({"status": "upcoming"}, {"GB/T 99999-2099"}),
            ({"status": "current", "level": "national"}, {"GB/T 19001-2016", "GB 4706.1-2005"}),
            ({"ics": "03.120"}, {"GB/T 19001-2008", "GB/T 19001-2016"}),
            ({"org": "jb"}, {"JB/T 13368-2018"}),
            ({"q": "GBT19001"}, {"GB/T 19001-2008", "GB/T 19001-2016"}),
            ({"q": "竹筷"}, {"T/ZZB 2109-2021"}),
        ],
    )
    def test_filters(self, client, catalogue, params, expected):
        body = client.get(API, query_string=params).get_json()
        assert {item["number"] for item in body["items"]} == expected
        assert body["total"] == len(expected)

    def test_list_item_fields(self, client, catalogue):
        body = client.get(API, query_string={"q": "GB/T 19001-2016"}).get_json()
        (item,) = body["items"]
        assert item["status"] == "current"
        assert item["status_label"] == "现行"
        assert item["ics"] == ["03.120.10"]
        assert "scope" not in item  # the list carries the summary only

    @pytest.mark.parametrize(
        "params",
        [
            {"per_page": 1000},
            {"per_page": 0},
            {"page": 0},
            {"page": "x"},
        ],
    )
    def test_bad_paging_is_422_contract(self, client, catalogue, params):
        body = assert_contract(client.get(API, query_string=params), 422, "validation_error")
        assert set(body["errors"]) == set(params)

    def test_unknown_query_param_is_422(self, client, catalogue):
        body = assert_contract(
            client.get(API, query_string={"colour": "red"}), 422, "validation_error"
        )
        assert "colour" in body["errors"]

    def test_bad_filter_value_is_422(self, client, catalogue):
        body = assert_contract(
            client.get(API, query_string={"status": "ancient"}), 422, "validation_error"
        )
        assert "status" in body["errors"]


class TestStatusCheck:
    def test_rows_and_summary(self, client, catalogue):
        inputs = [
            "GB/T 19001-2008",
            "gbt19001—2016",
            "GB/T 12345-2000",
            "GB/T 3100-1993",
            "19001",
            "GB/T 99999-2099",
            "rubbish!",
        ]
        resp = client.post(f"{API}/status-check", json={"numbers": inputs})
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        rows = body["items"]
        assert [r["input"] for r in rows] == inputs
        old, new, missing, abolished, bare, future, rubbish = rows
        assert old["found"] and old["status"] == "replaced"
        assert old["current_edition"] == "GB/T 19001-2016"
        assert old["current_title"] == "质量管理体系 要求"
        assert new["number"] == "GB/T 19001-2016" and new["status"] == "current"
        assert new["current_edition"] is None
        assert not missing["found"] and missing["message"]
        assert abolished["status"] == "abolished" and abolished["current_edition"] is None
        assert bare["number"] == "GB/T 19001-2016"
        assert future["status"] == "upcoming"
        assert not rubbish["found"] and rubbish["message"]
        assert body["summary"] == {
            "found": 5,
            "not_found": 2,
            "current": 2,
            "replaced": 1,
            "abolished": 1,
            "upcoming": 1,
        }

    def test_blank_lines_are_skipped(self, client, catalogue):
        body = client.post(
            f"{API}/status-check", json={"numbers": ["", "GB/T 19001-2016", "  "]}
        ).get_json()
        assert [r["input"] for r in body["items"]] == ["GB/T 19001-2016"]

    @pytest.mark.parametrize("payload", [{"numbers": []}, {"numbers": ["", " "]}, {}])
    def test_empty_is_422(self, client, payload):
        body = assert_contract(
            client.post(f"{API}/status-check", json=payload), 422, "validation_error"
        )
        assert "numbers" in body["errors"]

    def test_too_many_is_422(self, client):
        payload = {"numbers": ["GB/T 19001-2016"] * 5001}
        body = assert_contract(
            client.post(f"{API}/status-check", json=payload), 422, "validation_error"
        )
        assert "numbers" in body["errors"]

    def test_unknown_field_is_422(self, client):
        body = assert_contract(
            client.post(f"{API}/status-check", json={"numbers": ["GB 1-2000"], "x": 1}),
            422,
            "validation_error",
        )
        assert "x" in body["errors"]

    def test_invalid_json_is_400_contract(self, client):
        resp = client.post(f"{API}/status-check", data="{not json", content_type="application/json")
        body = assert_contract(resp, 400, "bad_request")
        assert body["errors"] == {"json": ["Invalid JSON body."]}

    def test_needs_no_token(self, client, catalogue):
        resp = client.post(f"{API}/status-check", json={"numbers": ["GB/T 19001-2016"]})
        assert resp.status_code == 200


class TestCreateStandard:
    def test_admin_creates(self, client, db, catalogue, admin_headers):
        resp = client.post(API, json=NEW_RECORD, headers=admin_headers)
        assert resp.status_code == 201, resp.get_json()
        body = resp.get_json()
        assert body["number"] == "GB/T 20000.1-2014"
        assert body["replaces"] == ["GB/T 20000.1-2002"]
        assert body["ics"] == ["01.120"]
        assert resp.headers["Location"].endswith(f"{API}/GB%2FT%2020000.1-2014")
        row = db.session.scalar(select(Standard).where(Standard.number == "GB/T 20000.1-2014"))
        assert row is not None and row.source == "api"
        # the Location answers
        follow = client.get(resp.headers["Location"])
        assert follow.status_code == 200
        assert follow.get_json()["number"] == "GB/T 20000.1-2014"

    def test_any_writing_is_stored_canonical(self, client, db, admin_headers):
        resp = client.post(
            API, json={**NEW_RECORD, "number": "gbt20000.1—2014"}, headers=admin_headers
        )
        assert resp.status_code == 201
        assert resp.get_json()["number"] == "GB/T 20000.1-2014"

    def test_new_edition_closes_the_old_one(self, client, catalogue, admin_headers):
        data = {
            "number": "GB/T 19001-2030",
            "title_zh": "质量管理体系 要求",
            "issued_on": "2029-01-01",
            "effective_on": "2030-01-01",
            "replaces": ["GB/T 19001-2016"],
        }
        assert client.post(API, json=data, headers=admin_headers).status_code == 201
        body = client.get(url("GB/T 19001-2016")).get_json()
        assert body["withdrawn_on"] == "2030-01-01"
        assert body["replaced_by"] == ["GB/T 19001-2030"]

    def test_writes_the_change_feed(self, client, db, admin_headers):
        before = count(db, ChangeFeed)
        assert client.post(API, json=NEW_RECORD, headers=admin_headers).status_code == 201
        std = db.session.scalar(select(Standard).where(Standard.number == "GB/T 20000.1-2014"))
        feed = db.session.scalars(
            select(ChangeFeed).where(
                ChangeFeed.entity == "standard", ChangeFeed.entity_id == std.id
            )
        ).all()
        assert feed and count(db, ChangeFeed) > before

    def test_duplicate_is_409(self, client, db, catalogue, admin_headers):
        before = count(db, Standard)
        body = assert_contract(
            client.post(API, json={**NEW_RECORD, "number": "GBT19001-2016"}, headers=admin_headers),
            409,
            "conflict",
        )
        assert "number" in body["errors"]
        assert count(db, Standard) == before

    @pytest.mark.parametrize(
        ("patch", "field"),
        [
            ({"number": "not a number!"}, "number"),
            ({"number": "GB/T 20000.1"}, "number"),  # a catalogue record needs a year
            ({"effective_on": "2014-01-01"}, "effective_on"),  # before issued_on
            ({"withdrawn_on": "2015-01-01"}, "withdrawn_on"),  # before effective_on
            ({"nature": "mandatory"}, "nature"),  # GB/T is recommended
            ({"colour": "red"}, "colour"),  # unknown field
            ({"title_zh": ""}, "title_zh"),
            ({"ics": ["3.12"]}, "ics"),
            ({"issued_on": "31/12/2014"}, "issued_on"),
            ({"replaces": ["???"]}, "replaces"),
            ({"adoptions": [{"number": "ISO 9001:2015", "degree": "XYZ"}]}, "adoptions"),
        ],
    )
    def test_validation_errors_are_422_and_write_nothing(
        self, client, db, admin_headers, patch, field
    ):
        before = (count(db, Standard), count(db, ChangeFeed))
        resp = client.post(API, json={**NEW_RECORD, **patch}, headers=admin_headers)
        body = assert_contract(resp, 422, "validation_error")
        assert field in body["errors"], body
        assert all(isinstance(v, (list, dict)) for v in body["errors"].values())
        assert (count(db, Standard), count(db, ChangeFeed)) == before

    def test_missing_required_fields(self, client, admin_headers):
        body = assert_contract(
            client.post(API, json={}, headers=admin_headers), 422, "validation_error"
        )
        assert set(body["errors"]) >= {"number", "title_zh"}


class TestAuth:
    """Create and update need an administrator's bearer token."""

    @pytest.fixture(params=["post", "patch"])
    def call(self, request, client, catalogue):
        def do(headers: dict[str, str] | None = None, payload: dict[str, Any] | None = None):
            if request.param == "post":
                return client.post(API, json=payload or NEW_RECORD, headers=headers or {})
            return client.patch(
                url("GB/T 19001-2016"), json=payload or {"title_en": "QMS"}, headers=headers or {}
            )

        return do

    def test_no_token_is_401(self, call):
        resp = call()
        assert_contract(resp, 401, "unauthorized")
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")

    @pytest.mark.parametrize(
        "header", ["Bearer reg_nonsense", "Bearer ", "Basic YWI6Y2Q=", "reg_nonsense"]
    )
    def test_bad_token_is_401(self, call, admin_token, header):
        assert_contract(call({"Authorization": header}), 401, "unauthorized")

    def test_member_token_is_403(self, call, member_token):
        assert_contract(call({"Authorization": f"Bearer {member_token}"}), 403, "forbidden")

    def test_auth_is_checked_before_the_body(self, call):
        # an anonymous caller learns nothing about validation
        assert_contract(call(payload={"colour": "red"}), 401, "unauthorized")

    def test_admin_token_succeeds(self, call, admin_headers):
        assert call(admin_headers).status_code in (200, 201)

    def test_token_use_is_recorded(self, call, db, admin_token):
        from registry.accounts.models import ApiToken

        assert call({"Authorization": f"Bearer {admin_token}"}).status_code in (200, 201)
        token = db.session.scalars(select(ApiToken)).one()
        db.session.refresh(token)
        assert token.last_used_at is not None


class TestUpdateStandard:
    def test_changes_a_field_and_writes_the_change_feed(self, client, db, catalogue, admin_headers):
        std_id = catalogue["GB/T 19001-2016"].id
        before = db.session.scalar(select(func.max(ChangeFeed.id))) or 0
        resp = client.patch(
            url("gbt19001—2016"),
            headers=admin_headers,
            json={"title_en": "QMS — Requirements", "ccs": "A01"},
        )
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        assert body["title_en"] == "QMS — Requirements"
        assert body["ccs"] == "A01"
        assert body["other_editions"] == ["GB/T 19001-2008"]
        db.session.expire_all()
        row = db.session.get(Standard, std_id)
        assert row.title_en == "QMS — Requirements"
        # untouched fields stay as they were (a PATCH is partial)
        assert row.title_zh == "质量管理体系 要求"
        assert row.ics == ["03.120.10"]
        assert row.replaces_numbers == ["GB/T 19001-2008"]
        feed = db.session.scalars(select(ChangeFeed).where(ChangeFeed.id > before)).all()
        assert ("standard", std_id, "upsert") in {(f.entity, f.entity_id, f.op) for f in feed}

    def test_status_change(self, client, catalogue, admin_headers):
        resp = client.patch(
            url("GB 4706.1-2005"),
            headers=admin_headers,
            json={"withdrawn_on": "2020-01-01", "end_kind": "abolished"},
        )
        assert resp.status_code == 200
        assert resp.get_json()["status"] == "abolished"

    def test_needs_the_exact_edition(self, client, catalogue, admin_headers):
        # without a year the number names no single edition to change
        assert_contract(
            client.patch(url("GB/T 19001"), headers=admin_headers, json={"title_en": "x"}),
            404,
            "not_found",
        )

    def test_unknown_is_404(self, client, catalogue, admin_headers):
        assert_contract(
            client.patch(url("GB/T 12345-2000"), headers=admin_headers, json={"title_en": "x"}),
            404,
            "not_found",
        )

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"number": "GB/T 19001-2017"}, "number"),  # the number cannot change
            ({"colour": "red"}, "colour"),
            ({"effective_on": "2016-01-01"}, "effective_on"),  # before the stored issued_on
            ({"withdrawn_on": "2017-01-01"}, "withdrawn_on"),  # before the stored effective_on
            ({"nature": "mandatory"}, "nature"),
            ({"title_zh": ""}, "title_zh"),
        ],
    )
    def test_validation_errors_write_nothing(
        self, client, db, catalogue, admin_headers, payload, field
    ):
        before = count(db, ChangeFeed)
        resp = client.patch(url("GB/T 19001-2016"), headers=admin_headers, json=payload)
        body = assert_contract(resp, 422, "validation_error")
        assert field in body["errors"], body
        assert count(db, ChangeFeed) == before
        db.session.expire_all()
        row = db.session.get(Standard, catalogue["GB/T 19001-2016"].id)
        assert row.effective_on.isoformat() == "2017-07-01"
        assert row.withdrawn_on is None
