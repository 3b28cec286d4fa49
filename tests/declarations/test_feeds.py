"""Atom feeds: an enterprise's declarations, and the declarations citing a standard."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from flask.testing import FlaskClient

from registry.extensions import db as _db
from registry.standards.schemas import StandardInSchema
from registry.standards.services import upsert_standard
from tests.accounts.test_views import CODE, sign_up
from tests.declarations.test_views import decl_form, file_declaration

NS = {"a": "http://www.w3.org/2005/Atom"}
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def standard(**data: Any) -> None:
    upsert_standard(StandardInSchema().load(data), source="test")
    _db.session.commit()


def parse(resp: Any) -> ET.Element:
    assert resp.status_code == 200
    assert resp.mimetype == "application/atom+xml"
    root = ET.fromstring(resp.data)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    # what RFC 4287 requires of a feed and of each entry
    for path in ("a:id", "a:title", "a:updated", "a:author/a:name"):
        assert root.find(path, NS) is not None and root.find(path, NS).text, path
    assert root.find("a:link[@rel='self']", NS) is not None
    ids = []
    for entry in root.findall("a:entry", NS):
        for path in ("a:id", "a:title", "a:updated", "a:summary"):
            assert entry.find(path, NS) is not None and entry.find(path, NS).text, path
        assert STAMP.match(entry.find("a:updated", NS).text or "")
        assert (entry.find("a:link[@rel='alternate']", NS).get("href") or "").startswith("http")
        ids.append(entry.find("a:id", NS).text)
    assert len(ids) == len(set(ids))
    return root


def titles(root: ET.Element) -> list[str]:
    return [e.find("a:title", NS).text or "" for e in root.findall("a:entry", NS)]


def updated(root: ET.Element) -> list[str]:
    return [e.find("a:updated", NS).text or "" for e in root.findall("a:entry", NS)]


class TestEnterpriseFeed:
    def test_published_amended_withdrawn_and_flagged(self, client: FlaskClient, db: Any) -> None:
        standard(number="GB/T 1234-2010", title_zh="旧版标准", effective_on="2010-06-01")
        standard(number="GB/T 5678-2015", title_zh="另一标准", effective_on="2015-06-01")
        sign_up(client)
        kettle = file_declaration(client, standards=["GB/T 1234-2010"])
        cooker = file_declaration(client, product_name="电饭煲", standards=["GB/T 5678-2015"])
        file_declaration(client, product_name="草稿", standards=["GB/T 5678-2015"],
                         action="draft")
        client.post(f"/declarations/{kettle}/amend", data=decl_form(
            standards=["GB/T 1234-2010"], model="SK-2", kind="revision", change_note="新型号"))
        client.post(f"/declarations/{cooker}/withdraw", data={"reason": "产品停产"})
        standard(number="GB/T 1234-2020", title_zh="新版标准", effective_on="2021-01-01",
                 replaces=["GB/T 1234-2010"])

        root = parse(client.get(f"/enterprises/{CODE}/feed.atom"))
        got = titles(root)
        assert len(got) == 5, got
        assert any(t.startswith("公开声明：电热水壶") and "第 1 版" in t for t in got)
        assert any(t.startswith("修订声明：电热水壶") and "第 2 版" in t for t in got)
        assert any(t.startswith("公开声明：电饭煲") for t in got)
        assert any(t.startswith("废止声明：电饭煲") for t in got)
        assert any("GB/T 1234-2010 已被代替，现行版本为 GB/T 1234-2020" in t for t in got)
        assert not any("草稿" in t for t in got)
        assert updated(root) == sorted(updated(root), reverse=True)  # newest first
        assert root.find("a:updated", NS).text == updated(root)[0]
        summaries = [e.find("a:summary", NS).text or "" for e in root.findall("a:entry", NS)]
        assert any("废止原因：产品停产" in s for s in summaries)
        assert any("变更说明：新型号" in s for s in summaries)

    def test_empty_feed_is_still_valid(self, client: FlaskClient, db: Any) -> None:
        sign_up(client)
        client.post("/logout")
        root = parse(client.get(f"/enterprises/{CODE}/feed.atom"))
        assert titles(root) == []
        assert CODE in (root.find("a:id", NS).text or "")

    def test_unknown_enterprise(self, client: FlaskClient, db: Any) -> None:
        assert client.get("/enterprises/91330683MA2B99999X/feed.atom").status_code == 404


class TestStandardFeed:
    def test_citing_declarations_and_the_replacement(self, client: FlaskClient,
                                                      db: Any) -> None:
        standard(number="GB/T 1234-2010", title_zh="旧版标准", effective_on="2010-06-01")
        standard(number="GB/T 5678-2015", title_zh="另一标准", effective_on="2015-06-01")
        sign_up(client)
        file_declaration(client, standards=["GB/T 1234-2010"])
        file_declaration(client, product_name="电饭煲", standards=["GB/T 5678-2015"])
        root = parse(client.get("/standards/GB/T 1234-2010/feed.atom"))
        assert titles(root) == ["公开声明：嵊州市示例电器有限公司 · 电热水壶 SK-1701（第 1 版）"]
        standard(number="GB/T 1234-2020", title_zh="新版标准", effective_on="2021-01-01",
                 replaces=["GB/T 1234-2010"])
        root = parse(client.get("/standards/GBT1234-2010/feed.atom"))  # any writing
        got = titles(root)
        assert "GB/T 1234-2010 被代替为 GB/T 1234-2020" in got and len(got) == 2
        assert "GB/T 1234-2010" in (root.find("a:title", NS).text or "")
        # the new edition's feed is empty until someone cites it
        assert titles(parse(client.get("/standards/GB/T 1234-2020/feed.atom"))) == []

    def test_unknown_standard(self, client: FlaskClient, db: Any) -> None:
        assert client.get("/standards/GB/T 77777-2001/feed.atom").status_code == 404
