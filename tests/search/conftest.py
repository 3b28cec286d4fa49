"""A real, committed database and index per test (the index updater needs committed rows)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete

from registry.extensions import db as _db
from registry.search.backend import backend_for
from registry.search.indexer import apply_pending, rebuild, store_for
from registry.standards.schemas import StandardInSchema
from registry.standards.services import upsert_standard
from tests.conftest import own_database


@pytest.fixture(scope="module")
def search_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app on its own database (SQLite file, or a private PostgreSQL database)."""
    with own_database(tmp_path_factory.mktemp("search"), "search") as app:
        yield app
        with app.app_context():
            backend_for(app).close()


def _wipe() -> None:
    from sqlalchemy import update

    from registry import models

    _db.session.execute(update(models.Declaration).values(current_edition_id=None))
    for model in (models.ChangeFeed, models.WatchFlag, models.AuditEntry, models.Indicator,
                  models.EditionStandard, models.DeclarationEdition, models.Declaration,
                  models.ApiToken, models.User, models.Enterprise, models.Adoption,
                  models.Replacement, models.StandardICS, models.Standard):
        _db.session.execute(delete(model))
    _db.session.commit()


@pytest.fixture
def sapp(search_app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The search app with empty tables and a fresh, empty index directory for this test."""
    search_app.config["INDEX_DIR"] = str(tmp_path / "index")
    search_app.extensions.pop("search_backend", None)
    with search_app.app_context():
        _wipe()
        rebuild(store_for(search_app))
        yield search_app
        _db.session.rollback()
        backend_for(search_app).close()
        _wipe()
        _db.session.remove()


def add(**fields: Any) -> Any:
    """Create a catalogue record through the service (validation + change feed) and commit."""
    std, _ = upsert_standard(StandardInSchema().load(fields), source="test")
    _db.session.commit()
    return std


def sync(app: Flask) -> int:
    """Apply the change feed and make the next search see it."""
    n = apply_pending(store_for(app))
    backend = backend_for(app)
    backend._checked = 0.0  # skip the refresh throttle: the test searches immediately
    return n


CATALOGUE = [
    {"number": "GB/T 19001-2016", "title_zh": "质量管理体系 要求",
     "title_en": "Quality management systems—Requirements", "issued_on": "2016-12-30",
     "effective_on": "2017-07-01", "ics": ["03.120.10"], "ccs": "A00",
     "adoptions": [{"number": "ISO 9001:2015", "degree": "IDT"}],
     "replaces": ["GB/T 19001-2008"]},
    {"number": "GB/T 19001-2008", "title_zh": "质量管理体系 要求",
     "title_en": "Quality management systems—Requirements", "effective_on": "2009-03-01",
     "ics": ["03.120.10"]},
    {"number": "GB 4706.1-2005", "title_zh": "家用和类似用途电器的安全 第1部分：通用要求",
     "title_en": "Household and similar electrical appliances—Safety—Part 1: General requirements",
     "effective_on": "2005-08-01", "ics": ["13.120"],
     "adoptions": [{"number": "IEC 60335-1:2004", "degree": "IDT"}]},
    {"number": "T/ZZB 2109-2021", "title_zh": "一次性炭化竹筷", "effective_on": "2021-06-01",
     "ics": ["97.020"], "ccs": "Y87", "scope": "本文件规定了一次性炭化竹筷的技术要求。"},
    {"number": "JB/T 13368-2018", "title_zh": "叉车属具 软包夹", "effective_on": "2018-12-01",
     "ics": ["53.060"]},
    {"number": "DB33/T 2350-2021", "title_zh": "中华人民共和国地方示例 数字化改革 术语",
     "effective_on": "2021-08-01", "ics": ["01.040.35"]},
]


@pytest.fixture
def catalogue(sapp: Flask) -> Flask:
    for rec in CATALOGUE:
        add(**rec)
    sync(sapp)
    return sapp
