"""Fuzzing the API from its own document: every operation of ``/api/v1/openapi.json``,
bounded and deterministic, as a member, an officer and an administrator.

No answer may be a 5xx, every answer must match the document (status code and body).
Where they disagree the document (or the code) is fixed, never the checks weakened.
Runs in-process through WSGI (no network), each operation inside the ``db`` fixture's
rolled-back transaction, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from registry import create_app
from tests.conftest import make_config
from tests.declarations.conftest import (
    draft_of,
    make_catalogue,
    make_world,
    published_of,
    reuse_password_hashes,
)

MAX_EXAMPLES = 25
ROLES = ("member_a", "officer_a", "admin")
_TURNS: dict[str, Iterator[str]] = {}
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance, response_headers_conformance, unsupported_method]


@pytest.fixture
def fuzz_world(app: Flask, db: Any, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, dict[str, str]]]:
    """Two enterprises, a person of every role, a draft and a published declaration, and a
    search index built from them (search answers 503 without one). Yields request headers
    by role (plain data: a failing example's report shows it)."""
    from registry.search.backend import backend_for
    from registry.search.indexer import rebuild, store_for

    reuse_password_hashes(monkeypatch)
    world = make_world(make_catalogue())
    draft_of(world)
    published_of(world)
    db.session.commit()
    monkeypatch.setitem(app.config, "INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.delitem(app.extensions, "search_backend", raising=False)
    rebuild(store_for(app))
    yield {role: world.headers(role) for role in ROLES}
    backend_for(app).close()
    app.extensions.pop("search_backend", None)


def _document() -> dict[str, Any]:
    """The OpenAPI document, from an application of its own (collection needs it before the
    session's application and database exist; the document does not depend on them)."""
    with tempfile.TemporaryDirectory() as tmp:
        spec_app = create_app(make_config(Path(tmp), DATABASE_URL=f"sqlite:///{tmp}/spec.db"))
        with spec_app.test_client() as client:
            return dict(client.get("/api/v1/openapi.json").get_json())


schema = schemathesis.openapi.from_dict(_document())


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api(case: Any, app: Flask, fuzz_world: dict[str, dict[str, str]]) -> None:
    # the roles take turns, case by case within each operation (derandomized: the same
    # cases in the same order every run, whichever operations are selected)
    turn = _TURNS.setdefault(case.operation.label, itertools.cycle(ROLES))
    case.call_and_validate(headers=fuzz_world[next(turn)], checks=CHECKS, app=app)
