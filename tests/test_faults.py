"""Fault test: the web server and the index worker are SIGKILLed at random moments while
enterprises file and amend declarations; after restarts nothing acknowledged is lost,
no edition is duplicated and the index catches up with the database."""

from __future__ import annotations

import http.client
import random
import secrets
import signal
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from registry.declarations.models import Declaration, DeclarationEdition
from registry.extensions import db
from registry.search.indexer import check_index, rebuild, store_for
from registry.search.models import ChangeFeed
from tests.conftest import own_database
from tests.servers import free_port, kill_group, request, start_gunicorn, start_worker, wait_healthy

PAYLOAD = {
    "product_name": "软包夹", "model": "RBJ-1500", "category": "叉车属具",
    "standards": ["JB/T 13368-2018"], "publish": True,
    "indicators": [{"name": "额定载荷", "value": 1500, "unit": "kg", "direction": "higher",
                    "test_method": "JB/T 13368-2018 6.2", "ref_standard": "JB/T 13368-2018",
                    "ref_value": 1200}],
}


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[tuple[Flask, dict[str, str], list[str]]]:
    """A committed database with a catalogue and four enterprises' members (their tokens)."""
    from registry import identifiers
    from registry.accounts.services import create_user, issue_token
    from tests.declarations.conftest import PASSWORD, make_catalogue, make_enterprise

    codes = ["91330683MA2BXXXX0A", "91330100MA27XXXX0B", "91330200MA28XXXX0C",
             "91330300MA29XXXX0D"]
    tokens = []
    with own_database(tmp_path, "faults") as app:
        with app.app_context():
            make_catalogue()
            for i, code in enumerate(codes):
                code = code[:17] + identifiers.check_character(code[:17])
                ent = make_enterprise(code, f"故障测试第{i}机械有限公司")
                user = create_user(f"m{i}@example.com", f"用户{i}", PASSWORD, enterprise=ent)
                tokens.append(issue_token(user, "faults"))
            db.session.commit()
            rebuild(store_for(app))
            db.session.remove()
        env = {"REGISTRY_DATABASE_URL": app.config["DATABASE_URL"],
               "REGISTRY_INDEX_DIR": app.config["INDEX_DIR"],
               "REGISTRY_INDEXER": "worker", "REGISTRY_ENV": "production",
               "REGISTRY_SECRET_KEY": secrets.token_urlsafe(48),
               "REGISTRY_RATELIMIT_ENABLED": "0"}
        yield app, env, tokens


def test_kills_lose_no_acknowledged_write(
        tmp_path: Path, instance: tuple[Flask, dict[str, str], list[str]]) -> None:
    import os

    app, extra_env, tokens = instance
    env = {**os.environ, **extra_env}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = tmp_path / "logs"
    logs.mkdir()
    web = start_gunicorn(env, port, log=logs / "web.log")
    worker = start_worker(env, log=logs / "worker.log")
    wait_healthy(base, web)

    acked: dict[int, int] = defaultdict(int)  # declaration id -> editions acknowledged
    attempts: dict[int, int] = defaultdict(int)  # declaration id -> editions attempted
    server_errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        rng = random.Random(n)
        mine: list[int] = []
        while not stop.is_set():
            try:
                if mine and rng.random() < 0.5:
                    decl = rng.choice(mine)
                    with lock:
                        attempts[decl] += 1
                    body = {**PAYLOAD, "model": f"RBJ-{rng.randint(1, 9999)}",
                            "kind": "amendment"}
                    body.pop("publish")
                    status, answer = request(f"{base}/api/v1/declarations/{decl}/amend",
                                             "POST", body, tokens[n])
                    if status == 200:
                        with lock:
                            acked[decl] += 1
                else:
                    status, answer = request(f"{base}/api/v1/declarations", "POST", PAYLOAD,
                                             tokens[n])
                    if status == 201:
                        with lock:
                            acked[answer["id"]] += 1
                            attempts[answer["id"]] += 1
                        mine.append(answer["id"])
                if status >= 500:
                    with lock:
                        server_errors.append(f"{status} {str(answer)[:200]}")
                elif status not in (200, 201):
                    with lock:
                        server_errors.append(f"unexpected {status} {str(answer)[:200]}")
            except (OSError, http.client.HTTPException):  # killed under this request (refused,
                # reset, or an answer cut short): not acknowledged
                time.sleep(0.05)

    clients = [threading.Thread(target=client, args=(n,)) for n in range(len(tokens))]
    for t in clients:
        t.start()
    rng = random.Random(2026)
    kills = {"web": 0, "worker": 0}
    try:
        for round_ in range(6):
            time.sleep(rng.uniform(0.4, 1.2))
            if round_ % 2 == 0:
                kill_group(web, signal.SIGKILL)
                kills["web"] += 1
                web = start_gunicorn(env, port, log=logs / "web.log")
                wait_healthy(base, web)
            else:
                kill_group(worker, signal.SIGKILL)
                kills["worker"] += 1
                time.sleep(rng.uniform(0.1, 0.5))  # the feed piles up meanwhile
                worker = start_worker(env, log=logs / "worker.log")
        time.sleep(1.0)  # some writes after the last restart
    finally:
        stop.set()
        for t in clients:
            t.join(timeout=60)
    try:
        with app.app_context():
            deadline = time.monotonic() + 60
            while (db.session.scalar(select(func.count()).select_from(ChangeFeed))
                   and time.monotonic() < deadline):
                db.session.rollback()
                time.sleep(0.2)
            db.session.rollback()
            editions: dict[int, list[int]] = defaultdict(list)
            for decl_id, number in db.session.execute(
                    select(DeclarationEdition.declaration_id, DeclarationEdition.number)):
                editions[decl_id].append(number)
            published = set(db.session.scalars(
                select(Declaration.id).where(Declaration.state == "published")))
            report = check_index(store_for(app))
            db.session.remove()
    finally:
        kill_group(web, signal.SIGTERM)
        kill_group(worker, signal.SIGTERM)
    # the figures bench/README.md quotes (shown with pytest -s)
    print(f"\nfault test: kills {kills}, declarations acknowledged {len(acked)}, editions "
          f"acknowledged {sum(acked.values())} of {sum(attempts.values())} attempted, "
          f"stored {sum(len(editions[d]) for d in acked)}; index drained, check-index "
          f"{'clean' if report.ok else 'NOT clean'}")
    assert kills == {"web": 3, "worker": 3}
    assert not server_errors, server_errors[:5]
    assert len(acked) >= 8, "the clients must have written between the kills"
    for decl_id, count in acked.items():
        assert decl_id in published, f"acknowledged declaration {decl_id} lost"
        numbers = sorted(editions[decl_id])
        assert numbers == list(range(1, len(numbers) + 1)), (decl_id, numbers)
        assert count <= len(numbers) <= attempts[decl_id], (decl_id, count, numbers)
    assert report.pending == 0, "the restarted worker drained the feed"
    assert report.ok, (report.missing[:5], report.stale[:5], report.extra[:5])
    assert "Traceback" not in (logs / "worker.log").read_text(errors="replace")
