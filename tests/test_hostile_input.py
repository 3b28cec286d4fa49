"""Hostile and malformed input on every form and endpoint: a 4xx (or a form error), never a
5xx, and the database unchanged.

Routes are enumerated from ``app.url_map`` so a new route is covered without editing this
file. Hostile files are built for real (a workbook truncated or with its sheet deleted,
UTF-16 of odd length, an executable renamed .xlsx, a zip bomb).
"""

from __future__ import annotations

import base64
import codecs
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.routing import Rule

from registry.declarations.models import Declaration
from registry.extensions import db as _db
from tests.declarations.conftest import (
    PASSWORD,
    World,
    draft_of,
    make_catalogue,
    make_world,
    published_of,
    reuse_password_hashes,
)

HUGE_IDS = (2**31, 2**63, 2**64, 10**30)
HUGE_PAGES = ("9223372036854775807", "99999999999999999999", "-9223372036854775809")
# routes that need more than the database (the search index) may answer 503
NEEDS_INDEX = ("/api/v1/search", "/api/v1/suggest", "/search")


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    reuse_password_hashes(monkeypatch)


@pytest.fixture
def world(db: Any) -> World:
    w = make_world(make_catalogue())
    db.session.commit()
    return w


@pytest.fixture
def ids(world: World, db: Any) -> dict[str, int]:
    draft = draft_of(world)
    published = published_of(world)
    db.session.commit()
    return {"draft": draft.id, "published": published.id}


@pytest.fixture
def member(client: FlaskClient, world: World) -> FlaskClient:
    """The client, signed in as enterprise A's member."""
    resp = client.post("/login", data={"email": "a@example.com", "password": PASSWORD})
    assert resp.status_code in (302, 303), resp.get_data(as_text=True)
    return client


def table_counts() -> dict[str, int]:
    """Rows per table (sign-in bookkeeping excluded: a failed sign-in is recorded on purpose)."""
    out = {}
    for table in _db.metadata.sorted_tables:
        if "sign_in" in table.name or "signin" in table.name:
            continue
        out[table.name] = _db.session.scalar(select(func.count()).select_from(table)) or 0
    return out


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def rules(app: Flask) -> Iterator[Rule]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            yield rule


def build(rule: Rule, world: World, ints: dict[str, Any]) -> str:
    """The rule's URL with its arguments filled: ints from ``ints``, the rest sensible."""
    url = rule.rule
    for name in rule.arguments:
        if name in ints:
            value = str(ints[name])
        elif name == "credit_code":
            value = world.a.credit_code
        elif name == "number":
            value = "GB/T 19001-2016"
        else:
            value = "x"
        url = re.sub(rf"<(?:[a-z]+:)?{name}>", value, url)
    return url


def assert_no_server_error(resp: Any, what: str) -> None:
    path = what.split("?")[0].split(" ")[-1]
    assert resp.status_code < 500 or (resp.status_code == 503 and path in NEEDS_INDEX), \
        f"{what}: {resp.status_code}"
    if resp.status_code >= 400 and resp.mimetype == "application/json":
        body = resp.get_json()
        assert {"code", "status", "message", "errors"} <= set(body), f"{what}: {body}"


def multipart(**fields: Any) -> dict[str, Any]:
    """Request arguments for a multipart body encoded up front (the test client would spool a
    large one to a temporary file it never closes: a ResourceWarning, an error here)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    values = {k: FileStorage(io.BytesIO(v[1]), filename=v[0]) if isinstance(v, tuple) else v
              for k, v in fields.items()}
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def send(client: FlaskClient, method: str, url: str, **kw: Any) -> Any:
    return client.open(url, method=method, **kw)


# -- item 7: numbers past the columns-----------------------------------------------------

class TestHugeNumbers:
    def test_ids_past_the_column_are_not_found_on_every_route(self, app: Flask, member: FlaskClient,
                                                           world: World, ids: dict[str, int]
                                                           ) -> None:
        before = table_counts()
        checked = 0
        for rule in rules(app):
            int_args = [a for a in rule.arguments
                        if type(rule._converters[a]).__name__ in ("IdConverter",
                                                                  "IntegerConverter")]
            if not int_args:
                continue
            for method in methods(rule):
                for huge in HUGE_IDS:
                    url = build(rule, world, dict.fromkeys(int_args, huge))
                    headers = world.headers("admin") if url.startswith("/api/") else {}
                    resp = send(member, method, url, headers=headers)
                    assert resp.status_code == 404, f"{method} {url}: {resp.status_code}"
                    checked += 1
        assert checked > 20
        assert table_counts() == before

    def test_the_largest_column_id_is_simply_not_found(self, member: FlaskClient,
                                                        world: World) -> None:
        for url in (f"/declarations/{2**31 - 1}", f"/api/v1/declarations/{2**31 - 1}",
                    f"/declarations/{2**31 - 1}/editions/{2**31 - 1}",
                    f"/api/v1/declarations/{2**31 - 1}/diff?from={2**31 - 1}"):
            assert member.get(url, headers=world.headers("admin")).status_code == 404

    def test_huge_pages_on_every_list(self, app: Flask, member: FlaskClient, world: World,
                                      ids: dict[str, int]) -> None:
        before = table_counts()
        for rule in rules(app):
            if "GET" not in (rule.methods or set()):
                continue
            url = build(rule, world, dict.fromkeys(rule.arguments, ids["published"]))
            url = url.replace(f"/editions/{ids['published']}", "/editions/1")
            for page in HUGE_PAGES:
                for query in (f"page={page}", f"per_page={page}", f"page={page}&per_page=100",
                              f"from={page}&to={page}", f"year={page}", f"limit={page}"):
                    for headers in ({}, world.headers("admin")):
                        resp = member.get(f"{url}?{query}", headers=headers)
                        assert_no_server_error(resp, f"GET {url}?{query}")
        assert table_counts() == before

    def test_a_huge_page_is_a_clear_422_in_the_api(self, client: FlaskClient,
                                                   world: World) -> None:
        for url in ("/api/v1/standards", "/api/v1/declarations", "/api/v1/enterprises",
                    "/api/v1/audit"):
            resp = client.get(f"{url}?page=9223372036854775807", headers=world.headers("admin"))
            assert resp.status_code == 422, url
            assert "page" in resp.get_json()["errors"]


# -- item 7: JSON that cannot be parsed or stored ----------------------------------------

def _deep(depth: int) -> str:
    return '{"product_name": ' + "[" * depth + "]" * depth + "}"


HOSTILE_JSON = {
    "lone_surrogate": ('{"product_name": "\\ud800", "reason": "\\udfff\\udfff", '
                       '"email": "\\ud800@example.com", "numbers": ["\\ud800"]}', "bad_unicode"),
    "surrogate_key": ('{"\\ud800": 1}', "bad_unicode"),
    "deep_5000": (_deep(5000), "too_deep"),
    "deep_100000": ("[" * 100_000 + "]" * 100_000, "too_deep"),
    "deep_65": (_deep(65), "too_deep"),
}


class TestHostileJson:
    @pytest.mark.parametrize("name", sorted(HOSTILE_JSON))
    def test_every_api_write_refuses_it_with_400(self, name: str, app: Flask,
                                                 client: FlaskClient, world: World,
                                                 ids: dict[str, int]) -> None:
        body, code = HOSTILE_JSON[name]
        before = table_counts()
        checked = 0
        for rule in rules(app):
            if not rule.rule.startswith("/api/"):
                continue
            for method in methods(rule):
                if method not in ("POST", "PATCH", "PUT", "DELETE"):
                    continue
                url = build(rule, world, dict.fromkeys(rule.arguments, ids["draft"]))
                resp = send(client, method, url, data=body, content_type="application/json",
                            headers=world.headers("admin"))
                assert resp.status_code == 400, f"{method} {url}: {resp.status_code}"
                assert resp.get_json()["code"] == code, f"{method} {url}"
                checked += 1
        assert checked >= 10
        assert table_counts() == before

    def test_the_depth_limit_is_configurable(self, app: Flask, client: FlaskClient,
                                             world: World, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
        monkeypatch.setitem(app.config, "JSON_MAX_DEPTH", 3)
        resp = client.post("/api/v1/declarations/check", data='{"indicators": [[[{}]]]}',
                           content_type="application/json", headers=world.headers("admin"))
        assert resp.status_code == 400 and resp.get_json()["code"] == "too_deep"

    def test_nesting_within_the_limit_is_parsed_as_usual(self, client: FlaskClient,
                                                         world: World) -> None:
        resp = client.post("/api/v1/declarations/check", data=_deep(60),
                           content_type="application/json", headers=world.headers("admin"))
        assert resp.status_code == 422  # the schema's answer: product_name is not a list

    def test_malformed_json_keeps_its_own_400(self, client: FlaskClient, world: World) -> None:
        resp = client.post("/api/v1/declarations/check", data='{"product_name": ',
                           content_type="application/json", headers=world.headers("admin"))
        assert resp.status_code == 400
        assert set(resp.get_json()) == {"code", "status", "message", "errors"}


# -- item 7: PATCH with half an object -----------------------------------------------------

class TestPartialObjects:
    @pytest.mark.parametrize("body", [
        {"indicators": [{"name": "额定功率"}]},
        {"indicators": [{"value": 12}]},
        {"indicators": [{}]},
        {"enterprise_standard": {"number": "Q/ABC 1-2024"}},
        {"attachment": {"filename": "a.pdf"}},
        {"attachment": {"content": base64.b64encode(b"%PDF-1.4").decode()}},
        {"attachment": {}},
    ], ids=lambda b: json.dumps(b))
    def test_a_draft_patch_with_an_incomplete_object_is_422(self, body: dict[str, Any],
                                                             client: FlaskClient, world: World,
                                                             ids: dict[str, int]) -> None:
        before = table_counts()
        url = f"/api/v1/declarations/{ids['draft']}"
        old = client.get(url, headers=world.headers("member_a")).get_json()
        resp = client.patch(url, json=body, headers=world.headers("member_a"))
        assert resp.status_code == 422, resp.get_data(as_text=True)
        assert resp.get_json()["code"] == "validation_error"
        assert client.get(url, headers=world.headers("member_a")).get_json() == old
        assert table_counts() == before

    def test_a_patch_may_still_leave_fields_out(self, client: FlaskClient, world: World,
                                                ids: dict[str, int]) -> None:
        resp = client.patch(f"/api/v1/declarations/{ids['draft']}", json={"model": "X-2"},
                            headers=world.headers("member_a"))
        assert resp.status_code == 200, resp.get_data(as_text=True)
        assert resp.get_json()["editions"][-1]["model"] == "X-2"


# -- item 7: list sizes --------------------------------------------------------------------

class TestListSizes:
    def test_a_check_of_200000_standards_is_refused_at_once(self, client: FlaskClient,
                                                            world: World) -> None:
        body = {"product_name": "壶", "standards": [f"GB/T {i}-2020" for i in range(200_000)]}
        resp = client.post("/api/v1/declarations/check", json=body,
                           headers=world.headers("member_a"))
        assert resp.status_code == 422
        assert "standards" in resp.get_json()["errors"]
        assert len(resp.get_data()) < 10_000

    @pytest.mark.parametrize(("url", "body"), [
        ("/api/v1/declarations/check", {"product_name": "壶",
                                        "indicators": [{"name": "a", "value": 1}] * 201}),
        ("/api/v1/standards/status-check", {"numbers": ["GB/T 1-2020"] * 5001}),
    ])
    def test_other_lists_are_capped(self, url: str, body: dict[str, Any], client: FlaskClient,
                                    world: World) -> None:
        resp = client.post(url, json=body, headers=world.headers("admin"))
        assert resp.status_code == 422, resp.get_data(as_text=True)

    def test_certificates_are_capped(self, client: FlaskClient, world: World) -> None:
        certs = [{"kind": "浙江制造", "number": f"C{i}"} for i in range(51)]
        resp = client.patch(f"/api/v1/enterprises/{world.a.credit_code}",
                            json={"certificates": certs}, headers=world.headers("member_a"))
        assert resp.status_code == 422


# -- item 8: forms as strict as the API; control characters --------------------------------

MEGABYTE = "长" * (1 << 20)


class TestFormsAreAsStrictAsTheApi:
    def test_a_1mb_withdrawal_reason(self, member: FlaskClient, world: World,
                                     ids: dict[str, int]) -> None:
        before = table_counts()
        resp = member.post(f"/declarations/{ids['published']}/withdraw",
                           data={"reason": MEGABYTE})
        assert resp.status_code == 422
        assert "2000" in resp.get_data(as_text=True) or "废止原因" in resp.get_data(as_text=True)
        assert _db.session.get(Declaration, ids["published"]).state == "published"
        assert table_counts() == before
        api = member.post(f"/api/v1/declarations/{ids['published']}/withdraw",
                          json={"reason": MEGABYTE}, headers=world.headers("member_a"))
        assert api.status_code == 422

    @pytest.mark.parametrize(("field", "value", "status"), [
        ("address", MEGABYTE, 422),
        ("name", "x" * 300, 422),
        ("cert_valid_until", "2024-13-45", 422),
        ("cert_valid_until", "明天", 422),
        ("name", "甲机械\x00有限公司", 400),
        ("address", "嵊州\x07市", 422),
        ("address", "嵊州\x1b[31m市", 422),
    ])
    def test_enterprise_edit(self, field: str, value: str, status: int, member: FlaskClient,
                             world: World) -> None:
        before = table_counts()
        ent = world.a
        old = (ent.name, ent.address, ent.certificates)
        form = {"name": ent.name, "region_code": ent.region_code,
                "industry_code": ent.industry_code, "address": "嵊州市",
                "cert_kind": "浙江制造", "cert_number": "ZZ-1", "cert_standard": "",
                "cert_valid_until": "2030-01-01", field: value}
        resp = member.post(f"/enterprises/{ent.credit_code}/edit", data=form)
        assert resp.status_code == status, resp.get_data(as_text=True)[:2000]
        if status == 422:  # shown on the form, in Chinese
            assert "field-error" in resp.get_data(as_text=True)
        _db.session.expire_all()
        assert (ent.name, ent.address, ent.certificates) == old
        assert table_counts() == before

    def test_a_good_enterprise_edit_still_saves(self, member: FlaskClient, world: World) -> None:
        ent = world.a
        resp = member.post(f"/enterprises/{ent.credit_code}/edit", data={
            "name": ent.name, "region_code": ent.region_code, "industry_code": ent.industry_code,
            "address": "嵊州市\t经济开发区", "cert_kind": "浙江制造", "cert_number": "ZZ-1",
            "cert_standard": "", "cert_valid_until": "2030-01-01"})
        assert resp.status_code in (302, 303), resp.get_data(as_text=True)[:2000]
        _db.session.expire_all()
        assert ent.address == "嵊州市\t经济开发区"
        assert ent.certificates[0]["valid_until"] == "2030-01-01"

    @pytest.mark.parametrize(("value", "status"), [("软包\x00夹", 400), ("软包\x08夹", 422),
                                                    ("软包\x7f夹", 422)])
    def test_control_characters_in_the_declaration_form(self, value: str, status: int,
                                                         member: FlaskClient, world: World,
                                                         ids: dict[str, int]) -> None:
        before = table_counts()
        form = {"product_name": value, "standards": ["JB/T 13368-2018"], "action": "draft"}
        for url in ("/declarations/new", f"/declarations/{ids['draft']}/edit",
                    f"/declarations/{ids['published']}/amend"):
            resp = member.post(url, data=form)
            assert resp.status_code == status, f"{url}: {resp.status_code}"
        assert table_counts() == before

    @pytest.mark.parametrize("value", ["软包\x00夹", "软包\x01夹", "\x1b[2J"])
    def test_control_characters_in_the_api(self, value: str, client: FlaskClient,
                                           world: World, ids: dict[str, int]) -> None:
        before = table_counts()
        headers = world.headers("member_a")
        for method, url, body in (
                ("POST", "/api/v1/declarations", {"product_name": value}),
                ("PATCH", f"/api/v1/declarations/{ids['draft']}", {"model": value}),
                ("POST", f"/api/v1/declarations/{ids['published']}/withdraw",
                 {"reason": value + "原因"}),
                ("PATCH", f"/api/v1/enterprises/{world.a.credit_code}", {"address": value})):
            resp = send(client, method, url, json=body, headers=headers)
            assert resp.status_code in (400, 422), f"{method} {url}: {resp.status_code}"
        assert table_counts() == before

    @pytest.mark.parametrize("url", ["/standards?q=%00", "/search?q=%00", "/enterprises?q=%00",
                                     "/api/v1/standards?q=%00", "/api/v1/enterprises?q=a%00",
                                     "/standards/GB%00T", "/api/v1/standards/GB%2F%00T",
                                     "/enterprises/%00", "/declarations?state=%00"])
    def test_nul_in_urls(self, url: str, client: FlaskClient) -> None:
        resp = client.get(url)
        assert resp.status_code == 400, resp.status_code

    def test_tabs_and_line_breaks_are_text(self, member: FlaskClient, world: World,
                                           ids: dict[str, int]) -> None:
        resp = member.post(f"/declarations/{ids['published']}/withdraw",
                           data={"reason": "标准已废止，\r\n产品停产\t（见公告）"})
        assert resp.status_code in (302, 303)


# -- XSS and SQL fragments: stored as text, rendered escaped ---------------------------------

FRAGMENTS = ["<script>alert('x')</script>", "\"><img src=x onerror=alert(1)>",
             "' OR '1'='1", "'; DROP TABLE declarations; --", "{{ 7*7 }}"]


class TestInjection:
    def test_fragments_are_stored_as_text_and_shown_escaped(self, member: FlaskClient,
                                                            world: World) -> None:
        for fragment in FRAGMENTS:
            resp = member.post("/api/v1/declarations", headers=world.headers("member_a"),
                               json={"product_name": fragment, "model": fragment,
                                     "standards": ["JB/T 13368-2018"], "publish": True})
            assert resp.status_code == 201, resp.get_data(as_text=True)
            decl_id = resp.get_json()["id"]
            assert resp.get_json()["editions"][-1]["product_name"] == fragment
            page = member.get(f"/declarations/{decl_id}").get_data(as_text=True)
            assert "<script>alert(" not in page and "<img src=x" not in page
            assert str(escape(fragment)) in page  # shown as typed, escaped
        assert _db.session.scalar(select(func.count()).select_from(Declaration)) >= len(FRAGMENTS)

    @pytest.mark.parametrize("fragment", FRAGMENTS)
    def test_fragments_in_queries(self, fragment: str, client: FlaskClient, world: World) -> None:
        before = table_counts()
        for url in ("/standards", "/enterprises", "/api/v1/standards", "/api/v1/enterprises",
                    "/api/v1/declarations"):
            for key in ("q", "standard", "enterprise", "region"):
                resp = client.get(url, query_string={key: fragment})
                assert_no_server_error(resp, f"{url}?{key}=…")
        resp = client.get("/api/v1/standards/" + fragment.replace("/", "%2F"))
        assert_no_server_error(resp, "look-up")
        assert table_counts() == before


# -- item 7 / Build 5: hostile uploads ------------------------------------------------------

def _workbook(rows: list[list[Any]] | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows or [["产品名称", "执行标准"], ["软包夹", "JB/T 13368-2018"]]:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, change: dict[str, bytes | None]) -> bytes:
    """The workbook with some parts replaced (bytes) or deleted (None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    dst.writestr(info.filename, change[info.filename])  # type: ignore[arg-type]
            else:
                dst.writestr(info, src.read(info.filename))
    return out.getvalue()


def _sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read("xl/worksheets/sheet1.xml")


def _zip_bomb() -> bytes:
    """A valid workbook plus a part claiming 300 MB (a few hundred KB on the wire)."""
    out = io.BytesIO(_workbook())
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf, \
            zf.open("xl/media/padding.bin", "w", force_zip64=True) as part:
        block = bytes(1 << 20)
        for _ in range(300):
            part.write(block)
    return out.getvalue()


def hostile_files() -> dict[str, tuple[str, bytes]]:
    good = _workbook()
    utf16 = codecs.BOM_UTF16_LE + "标准号,产品名称\nGB/T 1-2020,壶\n".encode("utf-16-le")
    return {
        "utf16_odd_length": ("numbers.csv", utf16 + b"\x41"),
        "utf16_lone_surrogate": ("numbers.csv", codecs.BOM_UTF16_LE + "标准号\n".encode(
            "utf-16-le") + b"\x00\xd8" + "GB\n".encode("utf-16-le")),
        "utf16_odd_txt": ("numbers.txt", utf16 + b"\x00\xd8\x41"),
        "xlsx_truncated_zip": ("numbers.xlsx", good[: len(good) // 2]),
        "xlsx_no_sheet": ("numbers.xlsx", _rezip(good, {"xl/worksheets/sheet1.xml": None})),
        "xlsx_truncated_sheet": ("numbers.xlsx", _rezip(good, {
            "xl/worksheets/sheet1.xml": _sheet_xml(good)[:-60]})),
        "xlsx_garbage_sheet": ("numbers.xlsx", _rezip(good, {
            "xl/worksheets/sheet1.xml": b"\x00\xff not xml at all"})),
        "exe_renamed_xlsx": ("setup.xlsx", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 8),
        "empty_xlsx": ("numbers.xlsx", b""),
        "empty_csv": ("numbers.csv", b""),
        "zip_bomb": ("numbers.xlsx", _zip_bomb()),
        "path_traversal": ("../../etc/passwd.csv", b"root:x:0:0:root:/root:/bin/bash\n"),
        "nul_bytes_csv": ("numbers.csv", b"\x00\x00\x00,\x00\n\x00"),
    }


@pytest.fixture(scope="module")
def files() -> dict[str, tuple[str, bytes]]:
    return hostile_files()


FILE_NAMES = [
    "utf16_odd_length", "utf16_lone_surrogate", "utf16_odd_txt", "xlsx_truncated_zip",
    "xlsx_no_sheet", "xlsx_truncated_sheet", "xlsx_garbage_sheet", "exe_renamed_xlsx",
    "empty_xlsx", "empty_csv", "zip_bomb", "path_traversal", "nul_bytes_csv"]


class TestHostileUploads:
    def test_the_table_lists_every_file(self, files: dict[str, tuple[str, bytes]]) -> None:
        assert sorted(files) == sorted(FILE_NAMES)

    @pytest.mark.parametrize("name", FILE_NAMES)
    def test_bulk_filing_api(self, name: str, files: dict[str, tuple[str, bytes]],
                             client: FlaskClient, world: World) -> None:
        filename, data = files[name]
        before = table_counts()
        resp = client.post("/api/v1/declarations/bulk", headers=world.headers("member_a"),
                           **multipart(file=(filename, data)))
        assert 400 <= resp.status_code < 500, resp.get_data(as_text=True)
        assert set(resp.get_json()) >= {"code", "status", "message", "errors"}
        assert table_counts() == before
        assert not Path("/etc/passwd.csv").exists()

    @pytest.mark.parametrize("name", FILE_NAMES)
    def test_status_check_page(self, name: str, files: dict[str, tuple[str, bytes]],
                               client: FlaskClient) -> None:
        filename, data = files[name]
        before = table_counts()
        resp = client.post("/standards/status-check", **multipart(numbers="",
                                                                  file=(filename, data)))
        assert resp.status_code < 500
        if name.startswith(("xlsx", "utf16", "exe", "zip")):
            assert resp.status_code == 400
            assert "无法读取" in resp.get_data(as_text=True) or "只支持" in resp.get_data(
                as_text=True)
        assert table_counts() == before

    @pytest.mark.parametrize("name", FILE_NAMES)
    def test_catalogue_import_reader(self, name: str, files: dict[str, tuple[str, bytes]],
                                     tmp_path: Path) -> None:
        from registry.standards.importing.readers import ImportFileError, read_file

        filename, data = files[name]
        path = tmp_path / Path(filename).name
        path.write_bytes(data)
        with pytest.raises(ImportFileError) as err:
            list(read_file(path))
        assert err.value.message

    @pytest.mark.parametrize("name", ["xlsx_no_sheet", "xlsx_truncated_sheet", "zip_bomb",
                                      "utf16_odd_length", "utf16_lone_surrogate"])
    def test_the_message_says_the_file_cannot_be_read(self, name: str,
                                                      files: dict[str, tuple[str, bytes]]
                                                      ) -> None:
        from registry.declarations.bulk_table import BulkFileError, read_table

        filename, data = files[name]
        with pytest.raises(BulkFileError) as err:
            read_table(data, filename)
        assert "无法读取文件" in err.value.message or "无法读取文件" in str(err.value.errors)

    def test_an_upload_over_the_size_limit_is_413(self, app: Flask, client: FlaskClient,
                                                  world: World,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1 << 20)
        before = table_counts()
        big = ("big.csv", b"a" * (2 << 20))
        resp = client.post("/api/v1/declarations/bulk", headers=world.headers("member_a"),
                           **multipart(file=big))
        assert resp.status_code == 413
        resp = client.post("/standards/status-check", **multipart(file=big))
        assert resp.status_code == 413
        assert table_counts() == before


# -- CSRF: every HTML form refuses a post without the token -----------------------------------

class TestCsrf:
    def test_every_html_post_without_a_token_is_refused(self, app: Flask, member: FlaskClient,
                                                        world: World, ids: dict[str, int],
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
        before = table_counts()
        checked = 0
        for rule in rules(app):
            if rule.rule.startswith("/api/") or "POST" not in (rule.methods or set()):
                continue
            url = build(rule, world, dict.fromkeys(rule.arguments, ids["published"]))
            resp = member.post(url, data={"product_name": "壶", "reason": "停产了",
                                          "name": "新名字", "email": "x@example.com",
                                          "password": "whatever-123"})
            assert resp.status_code == 400, f"POST {url}: {resp.status_code}"
            checked += 1
        assert checked >= 8
        assert table_counts() == before
        assert _db.session.get(Declaration, ids["published"]).state == "published"


# -- item 10: the API keeps its own document ---------------------------------------------

class TestApiDocument:
    @pytest.mark.parametrize("method", ["TRACE", "PUT", "CONNECT"])
    def test_405_says_what_is_allowed(self, method: str, client: FlaskClient) -> None:
        resp = client.open("/api/v1/declarations", method=method)
        assert resp.status_code == 405
        assert set(resp.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
        assert resp.get_json()["code"] == "method_not_allowed"

    def test_date_times_carry_their_offset(self, client: FlaskClient, world: World,
                                           ids: dict[str, int]) -> None:
        body = client.get(f"/api/v1/declarations/{ids['published']}").get_json()
        me = client.get("/api/v1/me", headers=world.headers("member_a")).get_json()
        ent = client.get(f"/api/v1/enterprises/{world.a.credit_code}").get_json()
        for value in (body["created_at"], body["editions"][0]["published_at"],
                      me["created_at"], ent["updated_at"]):
            assert value.endswith("+00:00"), value

    def test_item_errors_of_a_list_do_not_break_the_error_document(
            self, client: FlaskClient, world: World) -> None:
        # marshmallow keys item errors by index beside string keys: the JSON must still sort
        resp = client.post("/api/v1/standards", headers=world.headers("admin"), json={
            "number": "", "title_zh": "0", "full_text_url": "", "replaces": ["", 0] * 60})
        assert resp.status_code == 422
        assert set(resp.get_json()["errors"]["replaces"]) >= {"1", "_schema"} or \
            "1" in resp.get_json()["errors"]["replaces"]
