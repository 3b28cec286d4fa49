"""Load test: many concurrent clients against a real gunicorn + index-worker, then verify.

    .venv/bin/python bench/load.py                       # SQLite (WAL), 100 clients, 60 s
    .venv/bin/python bench/load.py --db postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/load.py --clients 10 --seconds 8 --catalogue 300   # a quick look

Loopback only, bounded in time and count. The script

1. sets up its own instance in ``--workdir``: a database (SQLite file in WAL mode, or a
   private PostgreSQL database ``registry_load_<pid>`` created next to the one named and
   dropped at the end unless ``--keep``), migrated, the demo catalogue with demo enterprises
   and declarations to browse, one enterprise with a member user and an API token per
   writing client, and a search index built from it all;
2. starts ``gunicorn -w 4 wsgi:app`` (``REGISTRY_ENV=production``, ``REGISTRY_INDEXER=worker``,
   a generated session key, **rate limits lifted**: every client shares the one loopback
   address, so the per-address API limit would answer most of them 429) and one
   ``registry index-worker``, logging to files in the work directory;
3. runs the clients for ``--seconds``: threads with one HTTP connection each (gunicorn's
   sync workers close every connection after the answer, so each request is a fresh
   loopback connect; a thread waiting for its answer holds no GIL). Writers are enterprises
   filing declarations through the API (create published or draft, publish, amend, edit a
   draft, withdraw, and a few deliberately invalid filings that must be refused with 422);
   readers search (API and page) and browse standards, declarations and enterprises (pages
   and API), including what the writers just published;
4. verifies: every acknowledged write is in the database with exactly the editions the
   client made (no lost write, no duplicate edition, the last content acknowledged is the
   current one), nothing the clients were refused or never told about was written, the
   change feed drains and ``registry check-index`` is clean, no 5xx, no broken connection,
   no traceback in the server logs. 4xx answers are counted by route, expected ones (the
   deliberate validation errors) apart.

Exit status 1 when a write was lost, a 5xx or a broken connection happened or the index
is not consistent. Results as JSON with ``--out``. The same code runs in the suite, short
(``tests/test_load.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project's packages
    sys.path.insert(0, str(ROOT))

PASSWORD = "load-test-password"
WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}
# 4xx answers the clients provoke on purpose: (route label, status) -> why
EXPECTED_4XX = {("POST /api/v1/declarations", 422): "deliberately invalid filing (bad barcode)"}


# -- the instance ------------------------------------------------------------------------------

@dataclass
class Instance:
    """A prepared database and index, and what the clients need to know about them."""

    database_url: str
    index_dir: str
    workdir: str
    tokens: list[str]  # one per writing client, each its own enterprise's member
    enterprise_codes: list[str]  # the writers' enterprises, same order
    standards: list[str]  # numbers to browse
    citable: list[str]  # current standards a declaration may cite (checks pass)
    credit_codes: list[str]  # enterprises to browse
    declaration_ids: list[int]  # published declarations to browse
    words: list[str]  # search terms
    counts: dict[str, int] = field(default_factory=dict)
    setup_seconds: float = 0.0


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def create_postgres(url: str, name: str) -> str:
    """A fresh database ``name`` next to the one ``url`` names; returns its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from registry.config import build_config

    base = build_config({"DATABASE_URL": url})["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    engine.dispose()


def _app(database_url: str, index_dir: str, workdir: str) -> Any:
    from registry import create_app

    return create_app({"DATABASE_URL": database_url, "INDEX_DIR": index_dir,
                       "SECRET_KEY": secrets.token_urlsafe(48), "ENV": "development",
                       "SECRET_KEY_FILE": str(Path(workdir) / "secret_key"),
                       "INDEXER": "worker", "RATELIMIT_ENABLED": False})


@contextlib.contextmanager
def _one_password_hash() -> Iterator[None]:
    """Every load user has the same password: hash it once (real scrypt), not 0.2 s each."""
    from registry.accounts import services as accounts

    real = accounts.generate_password_hash
    cache: dict[tuple[str, str], str] = {}

    def cached(password: str, method: str = "scrypt", salt_length: int = 16) -> str:
        if (password, method) not in cache:
            cache[password, method] = real(password, method=method, salt_length=salt_length)
        return cache[password, method]

    accounts.generate_password_hash = cached  # type: ignore[assignment]
    try:
        yield
    finally:
        accounts.generate_password_hash = real  # type: ignore[assignment]


def _credit_code(i: int, region: str) -> str:
    from registry.identifiers import make_credit_code

    return make_credit_code("9", "1", region, f"LT{i:07d}")


def prepare(database_url: str, workdir: Path, writers: int, catalogue: int = 1500,
            enterprises: int = 1500, declarations: int = 20_000, seed: int = 0,
            procs: int = 2, log: Callable[[str], None] = print) -> Instance:
    """Migrate, load the demo data and the writers' enterprises, build the index."""
    from sqlalchemy import func, select

    from registry.accounts.services import create_user, issue_token
    from registry.database import upgrade_database
    from registry.declarations.checks import check_declaration, errors_of
    from registry.declarations.models import Declaration
    from registry.declarations.schemas import DeclarationInSchema
    from registry.demo.cli import load_demo
    from registry.demo.declarations import load_demo_declarations, zhejiang_counties
    from registry.enterprises.models import Enterprise
    from registry.enterprises.services import register_enterprise
    from registry.extensions import db
    from registry.search.indexer import rebuild, store_for
    from registry.standards.models import Standard
    from registry.standards.services import status_clause

    started = time.perf_counter()
    workdir.mkdir(parents=True, exist_ok=True)
    index_dir = str(workdir / "index")
    app = _app(database_url, index_dir, str(workdir))
    rng = random.Random(seed)
    with app.app_context():
        upgrade_database()
        t = time.perf_counter()
        outcomes = load_demo(catalogue, seed)
        log(f"  catalogue: {dict(outcomes)} in {time.perf_counter() - t:.1f} s")
        if enterprises:
            t = time.perf_counter()
            out = load_demo_declarations(enterprises, declarations, seed)
            log(f"  demo enterprises {out['enterprises']}, declarations {out['declarations']}"
                f" in {time.perf_counter() - t:.1f} s")
        current = list(db.session.scalars(
            select(Standard.number).where(status_clause("current"),
                                          Standard.level.in_(("national", "industry", "local",
                                                              "group")))
            .order_by(Standard.id)))
        citable = []
        schema = DeclarationInSchema()
        for number in current:
            data = schema.load(product_payload(rng, number, "probe"))
            if not errors_of(check_declaration(data)):
                citable.append(number)
            if len(citable) >= 200:
                break
        if not citable:
            raise RuntimeError("no current standard in the catalogue passes the checks")
        counties = zhejiang_counties()
        tokens, codes = [], []
        with _one_password_hash():
            for i in range(writers):
                code = _credit_code(i, counties[i % len(counties)])
                ent = register_enterprise({"name": f"压测企业{i:04d}有限公司（示例）",
                                           "credit_code": code, "industry_code": "C"},
                                          source="load")
                user = create_user(f"load{i:04d}@example.com", f"压测用户{i}", PASSWORD,
                                   enterprise=ent)
                tokens.append(issue_token(user, "load test"))
                codes.append(ent.credit_code)
        db.session.commit()
        standards = list(db.session.scalars(select(Standard.number).order_by(Standard.id)))
        credit_codes = list(db.session.scalars(select(Enterprise.credit_code)
                                               .order_by(Enterprise.id)))
        published = list(db.session.scalars(select(Declaration.id).where(
            Declaration.state == "published").order_by(Declaration.id)))
        titles = list(db.session.scalars(select(Standard.title_zh).order_by(Standard.id)
                                         .limit(3000)))
        words = search_words(titles, rng) + [n.split("-")[0] for n in rng.sample(
            standards, min(60, len(standards)))] + ["质量管理体系", "GB/T 19001", "压测产品"]
        counts = {"standards": len(standards), "enterprises": len(credit_codes),
                  "declarations": db.session.scalar(
                      select(func.count()).select_from(Declaration)) or 0,
                  "published declarations": len(published), "writers' enterprises": writers}
        t = time.perf_counter()
        report = rebuild(store_for(app), procs=procs)
        log(f"  index: {report.documents} documents in {time.perf_counter() - t:.1f} s")
        db.session.remove()
        db.engine.dispose()
    return Instance(database_url=database_url, index_dir=index_dir, workdir=str(workdir),
                    tokens=tokens, enterprise_codes=codes, standards=rng.sample(
                        standards, min(800, len(standards))),
                    citable=citable, credit_codes=rng.sample(credit_codes,
                                                             min(400, len(credit_codes))),
                    declaration_ids=rng.sample(published, min(800, len(published))),
                    words=words, counts=counts, setup_seconds=time.perf_counter() - started)


def search_words(titles: list[str], rng: random.Random, n: int = 200) -> list[str]:
    """Words people would type: the space-separated parts of catalogue titles."""
    parts = sorted({p for t in titles for p in re.split(r"[\s　：:（）()—-]+", t or "")
                    if 2 <= len(p) <= 8})
    return rng.sample(parts, min(n, len(parts)))


def product_payload(rng: random.Random, standard: str, marker: str) -> dict[str, Any]:
    """Valid declaration content citing ``standard``; ``marker`` goes into the model."""
    product = rng.choice(("压测产品 电机", "压测产品 水泵", "压测产品 阀门", "压测产品 集成灶",
                          "压测产品 紧固件", "压测产品 轴承"))
    return {
        "product_name": product,
        "model": marker,
        "category": "压测",
        "standards": [standard],
        "indicators": [{"name": "额定功率", "value": round(rng.uniform(1, 100), 1),
                        "unit": "kW", "direction": "higher"}],
    }


# -- the servers -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(inst: Instance) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update({
        "REGISTRY_ENV": "production",
        "REGISTRY_SECRET_KEY": secrets.token_urlsafe(48),
        "REGISTRY_INDEXER": "worker",
        "REGISTRY_DATABASE_URL": inst.database_url,
        "REGISTRY_INDEX_DIR": inst.index_dir,
        "REGISTRY_SECRET_KEY_FILE": str(Path(inst.workdir) / "secret_key"),
        # every client comes from 127.0.0.1: the per-address limits would refuse them
        "REGISTRY_RATELIMIT_ENABLED": "0",
    })
    return env


@dataclass
class Servers:
    base: str
    gunicorn: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes]
    logs: dict[str, str]
    env: dict[str, str]

    def pids(self) -> list[int]:
        """The gunicorn master, its workers and the index worker."""
        out = [self.gunicorn.pid, self.worker.pid]
        with contextlib.suppress(OSError):
            out += [int(p) for p in Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}"
                                         "/children").read_text().split()]
        return out


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def serve(inst: Instance, workers: int = 4, log: Callable[[str], None] = print
          ) -> Iterator[Servers]:
    """gunicorn and one index worker as subprocesses, logging into the work directory."""
    port = free_port()
    env = server_env(inst)
    logs = {"gunicorn": str(Path(inst.workdir) / "gunicorn.log"),
            "index-worker": str(Path(inst.workdir) / "index-worker.log")}
    with open(logs["gunicorn"], "wb") as glog, open(logs["index-worker"], "wb") as wlog:
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
             "--graceful-timeout", "10", "wsgi:app"],
            cwd=ROOT, env=env, stdout=glog, stderr=subprocess.STDOUT)
        worker = subprocess.Popen(
            [sys.executable, "-c", "from registry.cli import main; main()", "index-worker"],
            cwd=ROOT, env=env, stdout=wlog, stderr=subprocess.STDOUT)
    servers = Servers(f"http://127.0.0.1:{port}", gunicorn, worker, logs, env)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                try:
                    conn.request("GET", "/healthz")
                    if conn.getresponse().status == 200:
                        break
                finally:
                    conn.close()
            except OSError:
                pass
            if gunicorn.poll() is not None or worker.poll() is not None:
                raise RuntimeError(f"server exited at start: see {logs}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not answering after 90 s: see {logs}")
            time.sleep(0.2)
        log(f"  gunicorn -w {workers} on {servers.base} (pid {gunicorn.pid}), "
            f"index-worker pid {worker.pid}")
        yield servers
    finally:
        for proc in (gunicorn, worker):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (gunicorn, worker):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# -- the clients -------------------------------------------------------------------------------

@dataclass
class Sample:
    label: str  # method and route template, e.g. "GET /standards/<number>"
    status: int  # 0: no answer (connection error, time-out)
    seconds: float
    error: str = ""


@dataclass
class Ledger:
    """What one writing client was told: its declarations, their editions and contents."""

    enterprise: str
    declarations: dict[int, dict[str, Any]] = field(default_factory=dict)
    uncertain: set[int] = field(default_factory=set)  # a write whose answer never came
    creates_unanswered: int = 0  # create requests with no answer (may or may not exist)


class Http:
    """One client's connection (reopened after each answer: gunicorn's sync workers close)."""

    def __init__(self, base: str, timeout: float) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port, self.timeout = host, int(port), timeout
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self.samples: list[Sample] = []

    def call(self, method: str, path: str, label: str, body: Any = None,
             token: str | None = None) -> tuple[int, Any]:
        headers = {"Accept": "application/json" if "/api/" in path else "text/html"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
            status = resp.status
        except (OSError, http.client.HTTPException) as exc:
            self.samples.append(Sample(f"{method} {label}", 0, time.perf_counter() - started,
                                       f"{type(exc).__name__}: {exc}"[:200]))
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            return 0, None
        self.samples.append(Sample(f"{method} {label}", status, time.perf_counter() - started))
        if resp.will_close:
            self.conn.close()
        if "json" in (resp.getheader("Content-Type") or "") and raw:
            try:
                return status, json.loads(raw)
            except ValueError:
                return status, None
        return status, None


class Shared:
    """What every client can see: new published declarations (readers browse them)."""

    def __init__(self, inst: Instance) -> None:
        self.declaration_ids = list(inst.declaration_ids)
        self.lock = threading.Lock()

    def published(self, decl_id: int) -> None:
        with self.lock:
            self.declaration_ids.append(decl_id)


READS: list[tuple[float, str]] = [
    (20, "search_api"), (12, "search_page"), (8, "standards_page"), (14, "standard_page"),
    (8, "standard_api"), (5, "declarations_page"), (6, "declaration_page"),
    (6, "declaration_api"), (3, "declarations_api"), (8, "enterprise_page"),
    (5, "enterprise_api"), (5, "enterprise_declarations_api"),
]


def read_once(http_: Http, rng: random.Random, inst: Instance, shared: Shared) -> None:
    """One reader request, chosen by weight."""
    kind = rng.choices([k for _, k in READS], [w for w, _ in READS])[0]
    if kind in ("search_api", "search_page"):
        q = quote(rng.choice(inst.words))
        if kind == "search_api":
            http_.call("GET", f"/api/v1/search?q={q}", "/api/v1/search")
        else:
            http_.call("GET", f"/search?q={q}", "/search")
    elif kind == "standards_page":
        http_.call("GET", f"/standards?page={rng.randint(1, 20)}", "/standards")
    elif kind in ("standard_page", "standard_api"):
        number = quote(rng.choice(inst.standards), safe="")
        if kind == "standard_page":
            http_.call("GET", f"/standards/{number}", "/standards/<number>")
        else:
            http_.call("GET", f"/api/v1/standards/{number}", "/api/v1/standards/<number>")
    elif kind == "declarations_page":
        http_.call("GET", f"/declarations?page={rng.randint(1, 10)}", "/declarations")
    elif kind == "declarations_api":
        http_.call("GET", f"/api/v1/declarations?page={rng.randint(1, 10)}",
                   "/api/v1/declarations")
    elif kind in ("declaration_page", "declaration_api"):
        with shared.lock:  # half the time one of the newest: what writers just published
            ids = shared.declaration_ids
            decl_id = rng.choice(ids[-50:] if rng.random() < 0.5 else ids)
        if kind == "declaration_page":
            http_.call("GET", f"/declarations/{decl_id}", "/declarations/<id>")
        else:
            http_.call("GET", f"/api/v1/declarations/{decl_id}", "/api/v1/declarations/<id>")
    else:
        code = rng.choice(inst.credit_codes)
        if kind == "enterprise_page":
            http_.call("GET", f"/enterprises/{code}", "/enterprises/<code>")
        elif kind == "enterprise_api":
            http_.call("GET", f"/api/v1/enterprises/{code}", "/api/v1/enterprises/<code>")
        else:
            http_.call("GET", f"/api/v1/enterprises/{code}/declarations",
                       "/api/v1/enterprises/<code>/declarations")


def write_once(http_: Http, rng: random.Random, inst: Instance, shared: Shared, token: str,
               ledger: Ledger, name: str, seq: int) -> None:
    """One writer action on its own enterprise's declarations, recorded in the ledger."""
    mine = {i: d for i, d in ledger.declarations.items() if i not in ledger.uncertain}
    drafts = [i for i, d in mine.items() if d["state"] == "draft"]
    published = [i for i, d in mine.items() if d["state"] == "published"]
    marker = f"{name}-{seq}"
    standard = rng.choice(inst.citable)
    roll = rng.random()
    if roll < 0.05:  # refused on purpose: the barcode must be 8-14 digits
        body = {**product_payload(rng, standard, marker), "barcode": "12ab", "publish": True}
        http_.call("POST", "/api/v1/declarations", "/api/v1/declarations", body, token)
        return
    if roll < 0.10 and published:
        http_.call("GET", f"/api/v1/declarations/{rng.choice(published)}",
                   "/api/v1/declarations/<id>", token=token)
        return
    if roll < 0.15 and drafts:
        decl_id = rng.choice(drafts)
        status, _ = http_.call("PATCH", f"/api/v1/declarations/{decl_id}",
                               "/api/v1/declarations/<id>", {"model": marker}, token)
        _record(ledger, decl_id, status, 200, model=marker)
        return
    if roll < 0.30 and drafts:
        decl_id = rng.choice(drafts)
        status, _ = http_.call("POST", f"/api/v1/declarations/{decl_id}/publish",
                               "/api/v1/declarations/<id>/publish", token=token)
        if _record(ledger, decl_id, status, 200, state="published"):
            shared.published(decl_id)
        return
    if roll < 0.55 and published:
        decl_id = rng.choice(published)
        body = {**product_payload(rng, standard, marker), "kind": "amendment",
                "change_note": f"压测修改 {marker}"}
        status, _ = http_.call("POST", f"/api/v1/declarations/{decl_id}/amend",
                               "/api/v1/declarations/<id>/amend", body, token)
        d = ledger.declarations[decl_id]
        _record(ledger, decl_id, status, 200, model=marker, editions=d["editions"] + 1)
        return
    if roll < 0.58 and len(published) > 3:
        decl_id = rng.choice(published)
        status, _ = http_.call("POST", f"/api/v1/declarations/{decl_id}/withdraw",
                               "/api/v1/declarations/<id>/withdraw",
                               {"reason": f"压测废止 {marker}"}, token)
        _record(ledger, decl_id, status, 200, state="withdrawn")
        return
    publish = rng.random() < 0.6
    body = {**product_payload(rng, standard, marker), "publish": publish}
    status, doc = http_.call("POST", "/api/v1/declarations", "/api/v1/declarations", body, token)
    if status == 201 and isinstance(doc, dict) and "id" in doc:
        ledger.declarations[int(doc["id"])] = {
            "state": "published" if publish else "draft", "editions": 1, "model": marker}
        if publish:
            shared.published(int(doc["id"]))
    elif status == 0 or status >= 500:
        ledger.creates_unanswered += 1


def _record(ledger: Ledger, decl_id: int, status: int, ok: int, **changes: Any) -> bool:
    """Apply an acknowledged change to the ledger; an unanswered write makes it uncertain."""
    if status == ok:
        ledger.declarations[decl_id].update(changes)
        return True
    if status == 0 or status >= 500:
        ledger.uncertain.add(decl_id)
    return False


@dataclass
class RunResult:
    seconds: float
    samples: list[Sample]
    ledgers: list[Ledger]
    client_cpu: float  # CPU seconds of this process (every client thread) during the run
    server_cpu: float  # CPU seconds of gunicorn (master + workers) and the index worker
    loadavg_before: tuple[float, float, float]
    loadavg_after: tuple[float, float, float]


def warm_up(base: str, inst: Instance, per_route: int = 8, threads: int = 8) -> int:
    """A few reads of every kind first (not counted): each worker opens the index once."""
    shared = Shared(inst)
    rng = random.Random(-1)
    n = per_route * len(READS)

    def go(k: int) -> None:
        h = Http(base, 60)
        r = random.Random(k)
        for _ in range(n // threads):
            read_once(h, r, inst, shared)
        h.conn.close()

    pool = [threading.Thread(target=go, args=(rng.random(),)) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return n


def run_clients(servers: Servers, inst: Instance, clients: int, seconds: float, seed: int = 0,
                think: float = 0.0, timeout: float = 60.0) -> RunResult:
    """``clients`` threads for ``seconds``: ``len(inst.tokens)`` writers, the rest readers.

    ``think``: mean pause (exponential) between one client's requests; 0 is a closed loop
    with no pause (every client always has a request in flight).
    """
    writers = len(inst.tokens)
    if writers > clients:
        raise ValueError("more writers than clients")
    shared = Shared(inst)
    ledgers = [Ledger(code) for code in inst.enterprise_codes]
    conns = [Http(servers.base, timeout) for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    end_box: list[float] = []

    def client(k: int) -> None:
        rng = random.Random(f"{seed}:{k}")
        h = conns[k]
        start.wait()
        end = end_box[0]
        seq = 0
        while time.monotonic() < end:
            if k < writers:
                seq += 1
                write_once(h, rng, inst, shared, inst.tokens[k], ledgers[k], f"w{k}", seq)
            else:
                read_once(h, rng, inst, shared)
            if think:
                pause = min(rng.expovariate(1 / think), end - time.monotonic())
                if pause > 0:
                    time.sleep(pause)

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    pids = servers.pids()
    cpu0 = sum(_cpu_seconds(p) for p in pids)
    load0 = os.getloadavg()
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    end_box.append(t0 + seconds)
    start.wait()
    for t in threads:
        t.join(timeout=seconds + timeout + 30)
    elapsed = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu1 = sum(_cpu_seconds(p) for p in pids)
    for h in conns:
        h.conn.close()
    samples = [s for h in conns for s in h.samples]
    return RunResult(seconds=elapsed, samples=samples, ledgers=ledgers,
                     client_cpu=(ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime),
                     server_cpu=cpu1 - cpu0, loadavg_before=load0,
                     loadavg_after=os.getloadavg())


# -- verification ------------------------------------------------------------------------------

@dataclass
class Verification:
    acknowledged_declarations: int = 0
    acknowledged_editions: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged, not (as told) in the db
    duplicate_editions: list[str] = field(default_factory=list)
    unacknowledged_in_db: list[str] = field(default_factory=list)  # written, never told
    uncertain: int = 0  # writes whose answer never came (either outcome is right)
    feed_drained_seconds: float | None = None
    check_index_exit: int | None = None
    check_index_output: str = ""
    log_problems: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)  # what each traceback ended with

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicate_editions or self.unacknowledged_in_db
                    or self.check_index_exit != 0 or self.log_problems)


def wait_for_feed(inst: Instance, timeout: float = 120.0) -> float | None:
    """Seconds until the change feed is empty (the index worker applied it), None on time-out."""
    from sqlalchemy import create_engine, func, select

    from registry.config import build_config
    from registry.search.models import ChangeFeed

    engine = create_engine(build_config({"DATABASE_URL": inst.database_url})
                           ["SQLALCHEMY_DATABASE_URI"])
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout:
            with engine.connect() as conn:
                if not conn.scalar(select(func.count()).select_from(ChangeFeed.__table__)):
                    return time.monotonic() - started
            time.sleep(0.25)
        return None
    finally:
        engine.dispose()


def check_index(servers: Servers) -> tuple[int, str]:
    """``registry check-index`` as a separate process, with the servers' environment."""
    got = subprocess.run([sys.executable, "-c", "from registry.cli import main; main()",
                          "check-index"], cwd=ROOT, env=servers.env, capture_output=True,
                         text=True, timeout=300)
    return got.returncode, (got.stdout + got.stderr).strip()


def verify_ledgers(inst: Instance, ledgers: list[Ledger], v: Verification) -> None:
    """Every acknowledged write is in the database exactly as the client was told."""
    from sqlalchemy import select

    from registry.declarations.models import Declaration, DeclarationEdition
    from registry.enterprises.models import Enterprise
    from registry.extensions import db

    app = _app(inst.database_url, inst.index_dir, inst.workdir)
    with app.app_context():
        for ledger in ledgers:
            ent_id = db.session.scalar(select(Enterprise.id).where(
                Enterprise.credit_code == ledger.enterprise))
            held = {d.id: d for d in db.session.scalars(select(Declaration).where(
                Declaration.enterprise_id == ent_id))}
            v.uncertain += len(ledger.uncertain) + ledger.creates_unanswered
            for decl_id, told in ledger.declarations.items():
                v.acknowledged_declarations += 1
                v.acknowledged_editions += told["editions"]
                decl = held.get(decl_id)
                if decl is None:
                    v.lost.append(f"declaration {decl_id} ({ledger.enterprise}) missing")
                    continue
                numbers = list(db.session.scalars(
                    select(DeclarationEdition.number)
                    .where(DeclarationEdition.declaration_id == decl_id)))
                if len(numbers) != len(set(numbers)):
                    v.duplicate_editions.append(f"declaration {decl_id}: editions {numbers}")
                if decl_id in ledger.uncertain:
                    ok = told["editions"] <= len(numbers) <= told["editions"] + 1
                    if not ok:
                        v.lost.append(f"declaration {decl_id}: {len(numbers)} editions, "
                                      f"told {told['editions']} (+1 unanswered)")
                    continue
                if len(numbers) > told["editions"]:
                    v.duplicate_editions.append(
                        f"declaration {decl_id}: {len(numbers)} editions, told {told['editions']}")
                elif len(numbers) < told["editions"]:
                    v.lost.append(f"declaration {decl_id}: {len(numbers)} editions, "
                                  f"told {told['editions']}")
                if decl.state != told["state"]:
                    v.lost.append(f"declaration {decl_id}: state {decl.state}, "
                                  f"told {told['state']}")
                latest = decl.editions[-1] if decl.editions else None
                if latest is None or latest.model != told["model"]:
                    v.lost.append(f"declaration {decl_id}: latest content "
                                  f"{latest.model if latest else None}, told {told['model']}")
            extra = set(held) - set(ledger.declarations)
            if len(extra) > ledger.creates_unanswered:
                v.unacknowledged_in_db.append(
                    f"{ledger.enterprise}: declarations {sorted(extra)} never acknowledged")
        db.session.remove()
        db.engine.dispose()


def log_problems(servers: Servers) -> tuple[list[str], list[str]]:
    """Problem lines in the server logs (tracebacks, worker time-outs, errors), and the
    exception each traceback ended with."""
    out, exceptions = [], []
    pattern = re.compile(r"Traceback|WORKER TIMEOUT|\[ERROR\]|\[CRITICAL\]| ERROR ")
    for name, path in servers.logs.items():
        in_traceback = False
        for line in Path(path).read_text(errors="replace").splitlines():
            if pattern.search(line):
                out.append(f"{name}: {line.strip()[:300]}")
            if line.startswith("Traceback"):
                in_traceback = True
            elif in_traceback and line and not line[0].isspace():
                exceptions.append(line.strip()[:300])
                in_traceback = False
    return out, exceptions


# -- the report --------------------------------------------------------------------------------

def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def _stats(samples: list[Sample], seconds: float) -> dict[str, Any]:
    lat = sorted(s.seconds * 1000 for s in samples)
    return {"requests": len(samples), "rps": round(len(samples) / seconds, 1) if seconds else 0,
            "p50_ms": round(percentile(lat, 50), 1), "p95_ms": round(percentile(lat, 95), 1),
            "p99_ms": round(percentile(lat, 99), 1), "max_ms": round(lat[-1], 1) if lat else 0}


def route_class(label: str) -> str:
    return "write" if label.split(" ", 1)[0] in WRITE_METHODS else "read"


def summarise(run: RunResult, v: Verification, meta: dict[str, Any]) -> dict[str, Any]:
    samples = run.samples
    by_route: dict[str, list[Sample]] = defaultdict(list)
    by_class: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_route[s.label].append(s)
        by_class[route_class(s.label)].append(s)
    statuses: dict[str, Counter[int]] = {k: Counter(s.status for s in ss)
                                         for k, ss in by_route.items()}
    fivexx = {k: sum(n for st, n in c.items() if st >= 500) for k, c in statuses.items()}
    broken = [s for s in samples if s.status == 0]
    fourxx: dict[str, dict[str, Any]] = {}
    for route, c in statuses.items():
        for st, n in c.items():
            if 400 <= st < 500:
                why = EXPECTED_4XX.get((route, st))
                fourxx[f"{route} {st}"] = {"count": n, "expected": why is not None,
                                           "why": why or "unexpected"}
    result = {
        **meta,
        "seconds": round(run.seconds, 1),
        "requests": len(samples),
        "rps": round(len(samples) / run.seconds, 1),
        "classes": {k: _stats(ss, run.seconds) for k, ss in sorted(by_class.items())},
        "routes": {k: {**_stats(ss, run.seconds),
                       "statuses": {str(st): n for st, n in sorted(statuses[k].items())}}
                   for k, ss in sorted(by_route.items())},
        "errors": {"5xx": sum(fivexx.values()),
                   "5xx_by_route": {k: n for k, n in fivexx.items() if n},
                   "no_answer": len(broken),
                   "no_answer_examples": sorted({s.error for s in broken})[:5],
                   "4xx": fourxx},
        "writes": {"acknowledged_declarations": v.acknowledged_declarations,
                   "acknowledged_editions": v.acknowledged_editions,
                   "lost": v.lost, "duplicate_editions": v.duplicate_editions,
                   "unacknowledged_in_db": v.unacknowledged_in_db,
                   "uncertain": v.uncertain},
        "index": {"feed_drained_seconds": v.feed_drained_seconds,
                  "check_index_exit": v.check_index_exit,
                  "check_index_output": v.check_index_output},
        "server_log_problems": v.log_problems,
        "server_exceptions": dict(Counter(v.exceptions)),
        "cpu": {"load_generator_s": round(run.client_cpu, 1),
                "load_generator_pct_of_one_core": round(100 * run.client_cpu / run.seconds, 1),
                "server_s": round(run.server_cpu, 1),
                "server_pct_of_two_cores": round(50 * run.server_cpu / run.seconds, 1)},
        "loadavg_before": [round(x, 2) for x in run.loadavg_before],
        "loadavg_after": [round(x, 2) for x in run.loadavg_after],
    }
    result["ok"] = bool(v.ok and not result["errors"]["5xx"] and not broken)
    return result


def format_report(r: dict[str, Any]) -> str:
    lines = [f"Load test — {r['database']}, {r['clients']} clients ({r['writers']} writing), "
             f"{r['seconds']} s, think {r['think']} s, gunicorn -w {r['workers']}, "
             f"{r['started']}",
             f"rate limits lifted (REGISTRY_RATELIMIT_ENABLED=0): all {r['clients']} clients "
             "share the loopback address, and the per-address limit would refuse most of them",
             f"{r['requests']} requests, {r['rps']} req/s; load average before "
             f"{r['loadavg_before']}, after {r['loadavg_after']}",
             "",
             f"{'route':<52} {'n':>6} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} "
             f"{'max':>7}  statuses"]
    for name, st in [*((f"[{k}]", v) for k, v in r["classes"].items()),
                     *r["routes"].items()]:
        statuses = " ".join(f"{k}:{n}" for k, n in st.get("statuses", {}).items())
        lines.append(f"{name:<52} {st['requests']:>6} {st['rps']:>7} {st['p50_ms']:>7} "
                     f"{st['p95_ms']:>7} {st['p99_ms']:>7} {st['max_ms']:>7}  {statuses}")
    e, w, ix, cpu = r["errors"], r["writes"], r["index"], r["cpu"]
    lines += ["",
              f"5xx: {e['5xx']} {e['5xx_by_route'] or ''}; no answer: {e['no_answer']} "
              f"{e['no_answer_examples'] or ''}",
              "4xx: " + ("; ".join(f"{k} ×{x['count']} ({x['why']})" for k, x in e["4xx"].items())
                         or "none"),
              f"writes acknowledged: {w['acknowledged_declarations']} declarations, "
              f"{w['acknowledged_editions']} editions; lost {len(w['lost'])}, duplicate "
              f"editions {len(w['duplicate_editions'])}, written but never acknowledged "
              f"{len(w['unacknowledged_in_db'])}, unanswered {w['uncertain']}",
              *[f"  LOST {x}" for x in w["lost"][:20]],
              *[f"  DUPLICATE {x}" for x in w["duplicate_editions"][:20]],
              *[f"  UNACKNOWLEDGED {x}" for x in w["unacknowledged_in_db"][:20]],
              f"change feed drained in {ix['feed_drained_seconds']} s; check-index exit "
              f"{ix['check_index_exit']}",
              *[f"  {x}" for x in ix["check_index_output"].splitlines()[-8:]],
              f"server logs: {len(r['server_log_problems'])} problem lines; exceptions: "
              f"{r['server_exceptions'] or 'none'}",
              *[f"  {x}" for x in r["server_log_problems"][:10]],
              f"CPU: load generator {cpu['load_generator_s']} s "
              f"({cpu['load_generator_pct_of_one_core']} % of one core); servers "
              f"{cpu['server_s']} s ({cpu['server_pct_of_two_cores']} % of both cores)",
              "OK" if r["ok"] else "FAILED"]
    return "\n".join(lines)


# -- one run, start to end ---------------------------------------------------------------------

def load_test(inst: Instance, clients: int, seconds: float, workers: int = 4, seed: int = 0,
              think: float = 0.0, database: str = "", log: Callable[[str], None] = print
              ) -> dict[str, Any]:
    """Serve ``inst``, run the clients, verify; returns the summary (``ok`` says it passed)."""
    v = Verification()
    with serve(inst, workers=workers, log=log) as servers:
        n = warm_up(servers.base, inst)
        log(f"  warm-up: {n} reads (not counted); running {clients} clients for {seconds} s")
        run = run_clients(servers, inst, clients, seconds, seed=seed, think=think)
        log(f"  clients done: {len(run.samples)} requests in {run.seconds:.1f} s")
        v.feed_drained_seconds = wait_for_feed(inst)
        v.check_index_exit, v.check_index_output = check_index(servers)
    v.log_problems, v.exceptions = log_problems(servers)
    verify_ledgers(inst, run.ledgers, v)
    meta = {"database": database or inst.database_url.split(":", 1)[0], "clients": clients,
            "writers": len(inst.tokens), "workers": workers, "think": think, "seed": seed,
            "started": dt.datetime.now().isoformat(timespec="seconds"),
            "setup": {"seconds": round(inst.setup_seconds, 1), **inst.counts},
            "rate_limits": "lifted (REGISTRY_RATELIMIT_ENABLED=0): every client shares "
                           "127.0.0.1, and the per-address limits would refuse most of them"}
    return summarise(run, v, meta)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="sqlite",
                    help="sqlite (a file in the work directory, WAL) or a postgresql:// URL "
                         "next to which a private database is created")
    ap.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "load")
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--writers", type=float, default=0.2,
                    help="share of the clients that file declarations (the rest read)")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--think", type=float, default=0.0,
                    help="mean pause between one client's requests, s (0: closed loop)")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--catalogue", type=int, default=1500, help="generated standards")
    ap.add_argument("--enterprises", type=int, default=1500, help="demo enterprises")
    ap.add_argument("--declarations", type=int, default=20_000, help="demo declarations")
    ap.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    ap.add_argument("--out", type=Path, help="write the results as JSON")
    args = ap.parse_args(argv)
    args.workdir = args.workdir.resolve()  # the servers and SQLite URLs need it absolute
    args.workdir.mkdir(parents=True, exist_ok=True)
    private = None
    if args.db == "sqlite":
        path = args.workdir / "load.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url, label = sqlite_url(path), "sqlite (WAL)"
    elif args.db.startswith(("postgresql://", "postgres://")):
        private = url = create_postgres(args.db, f"registry_load_{os.getpid()}")
        label = "postgresql"
    else:
        ap.error("--db: sqlite or a postgresql:// URL")
    import shutil

    shutil.rmtree(args.workdir / "index", ignore_errors=True)
    writers = max(1, round(args.clients * args.writers))
    try:
        print(f"setting up in {args.workdir} ({label})")
        inst = prepare(url, args.workdir, writers, catalogue=args.catalogue,
                       enterprises=args.enterprises, declarations=args.declarations,
                       seed=args.seed)
        print(f"  set up in {inst.setup_seconds:.1f} s: {inst.counts}")
        result = load_test(inst, args.clients, args.seconds, workers=args.workers,
                           seed=args.seed, think=args.think, database=label)
    finally:
        if private and not args.keep:
            drop_postgres(private)
    print(format_report(result))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        print(f"results: {args.out}")
    return 0 if result["ok"] else 1




if __name__ == "__main__":
    sys.exit(main())
