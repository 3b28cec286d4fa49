"""The load test, short: 10 clients for 8 s against a real gunicorn and index-worker.

The code is bench/load.py's (timings are reported there, not asserted here): writers file,
publish, amend and withdraw declarations through the API while readers search and browse;
afterwards every acknowledged write must be in the database as the client was told, and
the index must match the database once the change feed has drained.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.load import Instance, Ledger, Verification, load_test, prepare, verify_ledgers
from tests.conftest import PG_URL, _drop_postgres, _private_postgres


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[Instance]:
    """A small instance on the suite's kind of database (SQLite, or PostgreSQL when set)."""
    private = _private_postgres(PG_URL, "_load") if PG_URL else None
    url = private or f"sqlite:///{tmp_path / 'load.sqlite3'}"
    try:
        yield prepare(url, tmp_path / "load", writers=3, catalogue=300, enterprises=30,
                      declarations=300, seed=7, procs=1, log=lambda _: None)
    finally:
        if private:
            _drop_postgres(PG_URL, private)


def test_concurrent_clients_lose_nothing_and_the_index_follows(instance: Instance) -> None:
    result: dict[str, Any] = load_test(instance, clients=10, seconds=8, workers=2, seed=7,
                                       log=lambda _: None)
    errors, writes = result["errors"], result["writes"]
    exceptions = result["server_exceptions"]
    assert not exceptions, exceptions
    assert errors["5xx"] == 0, errors["5xx_by_route"]
    assert errors["no_answer"] == 0, errors["no_answer_examples"]
    unexpected = {k: x for k, x in errors["4xx"].items() if not x["expected"]}
    assert not unexpected
    # the clients did write: declarations created, published, amended (new editions)
    assert writes["acknowledged_declarations"] > 0
    assert writes["acknowledged_editions"] > writes["acknowledged_declarations"]
    assert result["routes"]["POST /api/v1/declarations/<id>/amend"]["statuses"].get("200")
    assert writes["lost"] == []
    assert writes["duplicate_editions"] == []
    assert writes["unacknowledged_in_db"] == []
    assert result["index"]["feed_drained_seconds"] is not None
    assert result["index"]["check_index_exit"] == 0, result["index"]["check_index_output"]
    assert not [x for x in result["server_log_problems"]
                if "WORKER TIMEOUT" in x or "CRITICAL" in x or "index-worker" in x]

    # the verification sees a lost write and one that was never acknowledged
    v = Verification()
    lost = Ledger(instance.enterprise_codes[0],
                  {10**9: {"state": "published", "editions": 1, "model": "x"}})
    forgotten = Ledger(instance.enterprise_codes[1])  # its declarations told to nobody
    verify_ledgers(instance, [lost, forgotten], v)
    assert any("1000000000" in x for x in v.lost)
    assert any(instance.enterprise_codes[1] in x for x in v.unacknowledged_in_db)
