"""What a record's search document shows from other records follows them when they change."""

from __future__ import annotations

import pytest
from flask import Flask

from registry.enterprises.services import update_enterprise
from registry.extensions import db
from registry.search.backend import backend_for
from registry.search.indexer import check_index, store_for
from registry.search.query import SearchParams
from tests.declarations.conftest import (
    make_catalogue,
    make_world,
    published_of,
    reuse_password_hashes,
)
from tests.search.conftest import sync


def _found(app: Flask, q: str, kind: str) -> list[int]:
    got = backend_for(app).search(SearchParams(q=q, kind=kind, per_page=50, facets=False))
    return [h.entity_id for h in got.hits]


def test_renaming_an_enterprise_reindexes_its_declarations(
        sapp: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    reuse_password_hashes(monkeypatch)
    world = make_world(make_catalogue())
    decl = published_of(world)
    db.session.commit()
    sync(sapp)
    assert _found(sapp, "嵊州市甲机械", "declaration") == [decl.id]
    update_enterprise(world.a, {"name": "绍兴新名称精工有限公司", "region_code": "330602"})
    db.session.commit()
    sync(sapp)
    assert _found(sapp, "新名称精工", "declaration") == [decl.id]
    assert _found(sapp, "新名称精工", "enterprise") == [world.a.id]
    assert _found(sapp, "嵊州市甲机械", "declaration") == []
    report = check_index(store_for(sapp))
    assert report.ok, (report.stale, report.missing, report.extra)


def test_other_enterprise_changes_do_not_touch_declarations(
        sapp: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import select

    from registry.search.models import ChangeFeed

    reuse_password_hashes(monkeypatch)
    world = make_world(make_catalogue())
    published_of(world)
    db.session.commit()
    sync(sapp)
    update_enterprise(world.a, {"address": "浙江省嵊州市某路 1 号"})
    db.session.commit()
    entities = {e for e in db.session.scalars(select(ChangeFeed.entity))}
    assert entities == {"enterprise"}
