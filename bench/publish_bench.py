"""Benchmark publishing a declaration with 10 indicators on SQLite with a million present.

    .venv/bin/python bench/publish_bench.py                                # 1,000,000
    .venv/bin/python bench/publish_bench.py --declarations 20000 --standards 3000  # smoke
    .venv/bin/python bench/publish_bench.py --db /tmp/pub/bench.sqlite3 --keep     # reuse
    .venv/bin/python bench/publish_bench.py --profile                      # pyinstrument

Phases:

catalogue      the demo generator's records through the real import path
               (registry.standards.importing.import_standards), default 20,000.
background     enterprises (registry.demo.declarations.generate_enterprises, ~13
               declarations each) and the declarations with their editions (8 % amended),
               cited standards, 3–6 indicators each and two audit entries, written with
               plain ``sqlite3`` ``executemany`` (NOT through the services: a million
               service calls would take hours). The change feed is left empty, as an
               index updater keeps it in steady state.
measure        the operations under test go through the real services on the app's engine
               (WAL, synchronous=NORMAL, foreign keys on, as ``registry serve`` runs):
               publish = ``services.create_declaration(ent, data, member, publish=True)``
               + commit, a new session per operation as a web request has (the member
               and the enterprise loaded first, untimed, as authentication would);
               amend = ``get_declaration`` + ``amend_declaration`` + commit on the
               declaration just published. ``--warmup`` runs are not counted.

The target (issue §10) is p95 < 50 ms for publish with a million declarations present.
Every record is invented; a benchmark is not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_P95_MS = 50.0
PER_ENTERPRISE = 13
CHUNK = 50_000


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def make_app(db_path: Path) -> Any:
    from registry import create_app

    return create_app({"DATABASE_URL": f"sqlite:///{db_path}",
                       "INDEX_DIR": str(db_path.parent / "index"), "INDEXER": "manual",
                       "SECRET_KEY": "bench"})


# -- loading --------------------------------------------------------------------------------

def load_catalogue(app: Any, n: int, seed: int) -> int:
    from registry.demo.generator import generate_standards
    from registry.extensions import db
    from registry.standards.importing import import_standards

    created = 0
    with app.app_context():
        batch: list[tuple[int, dict[str, Any]]] = []

        def flush() -> None:
            nonlocal created
            rep = import_standards(batch, source="demo")
            if rep.errors:
                raise SystemExit(f"catalogue import failed: {rep.errors[:5]}")
            created += rep.created
            db.session.commit()
            db.session.expunge_all()
            batch.clear()

        for i, rec in enumerate(generate_standards(n, seed=seed), 1):
            batch.append((i, rec))
            if len(batch) >= 5000:
                flush()
        flush()
    return created


def _ts(d: dt.datetime) -> str:
    return d.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DateTime format


def load_background(db_path: Path, total: int, seed: int,
                    progress: Callable[[int], None]) -> dict[str, int]:
    """Enterprises and ``total`` declarations with plain executemany (see the module doc)."""
    from registry.demo.declarations import METRICS, NAME_MARK, PROFILES, generate_enterprises

    rng = random.Random(seed)
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA foreign_keys=OFF")  # ids are assigned here, in order
    current = con.execute(
        "SELECT id, number FROM standards WHERE level IN ('national','industry','group') "
        "AND (withdrawn_on IS NULL) AND effective_on <= date('now')").fetchall()
    if not current:
        raise SystemExit("no current standards: load the catalogue first")
    n_ent = max(1, total // PER_ENTERPRISE)
    log(f"generating {n_ent} enterprises")
    ents = generate_enterprises(n_ent, seed)
    first_ent = (con.execute("SELECT coalesce(max(id), 0) FROM enterprises").fetchone()[0]) + 1
    now = _ts(dt.datetime(2026, 1, 1))
    con.executemany(
        "INSERT INTO enterprises (id, name, credit_code, region_code, industry_code, "
        "above_scale, certificates, address, source, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [(first_ent + i, e.name.replace(NAME_MARK, f"{i}{NAME_MARK}"), e.credit_code,
          e.region_code, e.industry_code, int(e.above_scale), "[]", e.address, "bench", now, now)
         for i, e in enumerate(ents)])
    con.commit()
    topics = [t for p in PROFILES for t, _ in p.topics]
    metric_sets = [METRICS[t] for t in topics if t in METRICS]
    nouns = ["吸油烟机", "集成灶", "领带", "三相异步电动机", "六角头螺栓", "医用外科口罩",
             "水性涂料", "印制电路板", "球阀", "座椅"]
    next_decl = con.execute("SELECT coalesce(max(id), 0) FROM declarations").fetchone()[0] + 1
    next_ed = con.execute("SELECT coalesce(max(id), 0) FROM declaration_editions"
                          ).fetchone()[0] + 1
    counts = {"declarations": 0, "editions": 0, "edition_standards": 0, "indicators": 0,
              "audit": 0}
    base = dt.datetime(2017, 1, 1)
    span = (dt.datetime(2026, 10, 1) - base).total_seconds()
    done = 0
    while done < total:
        n = min(CHUNK, total - done)
        decls, eds, stds, inds, audit = [], [], [], [], []
        for _ in range(n):
            ent_id = first_ent + rng.randrange(n_ent)
            region = ents[ent_id - first_ent].region_code
            at = base + dt.timedelta(seconds=span * rng.random() ** 0.6)
            pub = at + dt.timedelta(minutes=3)
            editions = 2 if rng.random() < 0.08 else 1
            withdrawn = rng.random() < 0.04
            metrics = rng.choice(metric_sets)
            noun = rng.choice(nouns)
            std_id, std_number = rng.choice(current)
            last_ed = next_ed + editions - 1
            for k in range(editions):
                ed_at = at + dt.timedelta(days=200 * k)
                ed_pub = _ts(ed_at + dt.timedelta(minutes=3))
                eds.append((next_ed + k, next_decl, k + 1, "initial" if k == 0 else "amendment",
                            noun, f"M-{rng.randrange(100000)}", "示例", rng.random() < 0.4,
                            round(rng.lognormvariate(6, 1), 1), _ts(ed_at), ed_pub))
                stds.append((next_ed + k, std_id, std_number, 0))
                for pos, m in enumerate(rng.sample(metrics, min(len(metrics),
                                                                3 + rng.randrange(4)))):
                    value = m.ref * (1.1 if m.direction == "higher" else 0.9)
                    inds.append((next_ed + k, pos, m.name, value, m.unit, m.direction,
                                 None if m.direction == "none" else std_number,
                                 None if m.direction == "none" else m.ref))
                audit.append((_ts(ed_at + dt.timedelta(minutes=3)),
                              "declaration.publish" if k == 0 else "declaration.amend",
                              next_decl, ent_id, region,
                              json.dumps({"edition": k + 1, "kind": "initial" if k == 0
                                          else "amendment"})))
            audit.append((_ts(at), "declaration.create", next_decl, ent_id, region,
                          json.dumps({"product": noun}, ensure_ascii=False)))
            decls.append((next_decl, ent_id, "withdrawn" if withdrawn else "published",
                          last_ed, "产品已停产" if withdrawn else None,
                          _ts(pub + dt.timedelta(days=300)) if withdrawn else None, _ts(pub),
                          "bench", _ts(at), _ts(pub)))
            next_decl += 1
            next_ed += editions
        con.executemany("INSERT INTO declarations (id, enterprise_id, state, current_edition_id,"
                        " withdrawn_reason, withdrawn_at, first_published_at, source, created_at,"
                        " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)", decls)
        con.executemany("INSERT INTO declaration_editions (id, declaration_id, number, kind, "
                        "product_name, model, category, is_main_product, annual_output_value, "
                        "created_at, published_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", eds)
        con.executemany("INSERT INTO edition_standards (edition_id, standard_id, number, "
                        "position) VALUES (?,?,?,?)", stds)
        con.executemany("INSERT INTO indicators (edition_id, position, name, value, unit, "
                        "direction, ref_standard, ref_value) VALUES (?,?,?,?,?,?,?,?)", inds)
        con.executemany("INSERT INTO audit_log (at, user_id, actor, action, entity, entity_id, "
                        "enterprise_id, region_code, detail) "
                        "VALUES (?, NULL, 'bench', ?, 'declaration', ?, ?, ?, ?)", audit)
        con.commit()
        for key, rows in (("declarations", decls), ("editions", eds), ("edition_standards", stds),
                          ("indicators", inds), ("audit", audit)):
            counts[key] += len(rows)
        done += n
        progress(done)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return counts


# -- measuring ------------------------------------------------------------------------------

def declaration_data(i: int, refs: list[tuple[str, str]]) -> dict[str, Any]:
    """A declaration of a range hood with 10 indicators compared with a current standard."""
    number, extra = refs[i % len(refs)]
    names = [("排风量", "m³/min", "higher", 10.0), ("静压", "Pa", "higher", 200.0),
             ("噪声", "dB(A)", "lower", 71.0), ("热效率", "%", "higher", 60.0),
             ("待机功率", "W", "lower", 1.0), ("泄漏电流", "mA", "lower", 0.75),
             ("输入功率偏差", "%", "lower", 10.0), ("油脂分离度", "%", "higher", 80.0),
             ("气味降低度", "%", "higher", 90.0), ("平均无故障工作时间", "h", "higher", 3000.0)]
    return {
        "product_name": "吸油烟机", "model": f"CXW-{200 + i}-B{i % 7}", "category": "厨房电器",
        "spec": "侧吸式 20 m³/min", "barcode": f"690{i:010d}"[-13:], "is_main_product": True,
        "annual_output_value": 1000.0 + i, "standards": [number, extra],
        "indicators": [{"name": n, "value": ref * (1.15 if d == "higher" else 0.85),
                        "unit": u, "direction": d, "test_method": f"{number} 6.{k + 1}",
                        "ref_standard": number, "ref_value": ref}
                       for k, (n, u, d, ref) in enumerate(names)],
    }


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:  # nearest rank
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]

    return {"n": len(ordered), "p50": pct(50), "p95": pct(95), "p99": pct(99),
            "max": ordered[-1], "mean": statistics.fmean(ordered)}


class QueryCounter:
    """Counts SQL statements per operation (and keeps the last operation's statements)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.statements: list[tuple[str, float]] = []
        self._t = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_: Any) -> None:
        self._t = time.perf_counter()

    def _after(self, _conn: Any, _cur: Any, statement: str, *_: Any) -> None:
        self.statements.append((" ".join(statement.split())[:150],
                                (time.perf_counter() - self._t) * 1000))

    def take(self) -> list[tuple[str, float]]:
        out, self.statements = self.statements, []
        return out


def measure(app: Any, runs: int, warmup: int, profile: bool) -> dict[str, Any]:
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.accounts.services import create_user
    from registry.declarations import services
    from registry.enterprises.models import Enterprise
    from registry.extensions import db
    from registry.standards.models import Standard

    with app.app_context():
        ent = db.session.scalars(select(Enterprise).order_by(Enterprise.id).limit(1)).one()
        user = db.session.scalar(select(User).where(User.email == "bench@example.com"))
        if user is None:
            user = create_user("bench@example.com", "质量经理", "correct horse battery",
                               enterprise=ent)
            db.session.commit()
        ent_id, user_id = ent.id, user.id
        today = dt.date.today()
        pool = [s for s in db.session.scalars(
            select(Standard).where(Standard.level == "national", Standard.nature == "recommended",
                                   Standard.withdrawn_on.is_(None)).order_by(Standard.id)
            .limit(400)) if s.status_on(today) == "current"]
        mandatory = [s for s in db.session.scalars(
            select(Standard).where(Standard.nature == "mandatory",
                                   Standard.withdrawn_on.is_(None)).limit(100))
            if s.status_on(today) == "current"]
        if not pool:
            raise SystemExit("no current recommended national standard in the catalogue")
        extras = mandatory or pool
        refs = [(s.number, extras[k % len(extras)].number) for k, s in enumerate(pool)]
        db.session.remove()
        counter = QueryCounter(db.engine)
        profiler = None
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
        timings: dict[str, list[float]] = {"publish": [], "amend": []}
        queries: dict[str, list[int]] = {"publish": [], "amend": []}
        slowest: dict[str, tuple[float, list[tuple[str, float]]]] = {}
        published: list[int] = []
        for i in range(runs + warmup):
            for op in ("publish", "amend"):
                with app.app_context():
                    member = db.session.get(User, user_id)
                    enterprise = db.session.get(Enterprise, ent_id)
                    assert member is not None and enterprise is not None
                    data = declaration_data(i, refs)
                    counter.take()
                    if profiler is not None and i >= warmup:
                        profiler.start()
                    t0 = time.perf_counter()
                    if op == "publish":
                        decl, _ = services.create_declaration(enterprise, data, member,
                                                              publish=True, source="bench")
                        published.append(decl.id)
                        db.session.commit()
                    else:  # the declaration this iteration published gets a new edition
                        target = services.get_declaration(published[-1], member)
                        data["indicators"][0]["value"] += 0.1
                        services.amend_declaration(target, data, member, kind="amendment")
                        db.session.commit()
                    ms = (time.perf_counter() - t0) * 1000
                    if profiler is not None and i >= warmup:
                        profiler.stop()
                    stmts = counter.take()
                    db.session.remove()
                if i >= warmup:
                    timings[op].append(ms)
                    queries[op].append(len(stmts))
                    if ms > slowest.get(op, (0.0, []))[0]:
                        slowest[op] = (ms, stmts)
    result: dict[str, Any] = {op: _percentiles(t) for op, t in timings.items() if t}
    for op in result:
        result[op]["queries"] = statistics.median(queries[op])
        result[op]["slowest_statements"] = slowest[op][1]
    if profiler is not None:
        result["profile"] = profiler.output_text(unicode=False, color=False)
    return result


# -- main -----------------------------------------------------------------------------------

def counts(db_path: Path) -> dict[str, int]:
    con = sqlite3.connect(db_path)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("standards", "enterprises", "declarations", "declaration_editions",
                          "edition_standards", "indicators", "audit_log")}
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--standards", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", type=Path, help="SQLite file to (re)use; default a temp dir")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary directory.")
    parser.add_argument("--profile", action="store_true",
                        help="Profile the measured operations with pyinstrument.")
    parser.add_argument("--json", type=Path, help="Also write the results as JSON here.")
    args = parser.parse_args(argv)

    tmp = None
    if args.db is None:
        tmp = Path(tempfile.mkdtemp(prefix="publish-bench-"))
        db_path = tmp / "bench.sqlite3"
    else:
        db_path = args.db.resolve()
        db_path.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("REGISTRY_INSTANCE_DIR", str(db_path.parent))
    try:
        app = make_app(db_path)
        with app.app_context():
            from registry.database import upgrade_database

            upgrade_database()
        have = counts(db_path)
        t0 = time.perf_counter()
        if have["standards"] < args.standards * 0.9:
            log(f"catalogue: {args.standards} generated records through the import path")
            load_catalogue(app, args.standards, args.seed)
            log(f"catalogue loaded in {time.perf_counter() - t0:.0f} s")
        t1 = time.perf_counter()
        missing = args.declarations - have["declarations"]
        if missing > 0:
            log(f"background: {missing} declarations with executemany")
            load_background(db_path, missing, args.seed + have["declarations"],
                            lambda n: log(f"  {n}/{missing}") if n % 200_000 == 0 or n == missing
                            else None)
            log(f"background loaded in {time.perf_counter() - t1:.0f} s")
        sizes = counts(db_path)
        log("measuring: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
        result = measure(app, args.runs, args.warmup, args.profile)
    finally:
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    size_mb = db_path.stat().st_size / 1e6 if db_path.exists() else 0.0
    print()
    print(f"SQLite, {sizes['declarations']:,} declarations, {sizes['indicators']:,} indicators, "
          f"{sizes['standards']:,} standards"
          + (f", {size_mb:,.0f} MB" if size_mb else "")
          + f"; {args.runs} runs after {args.warmup} warm-up")
    print(f"{'operation':<10}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}"
          f"{'queries':>9}")
    for op in ("publish", "amend"):
        r = result.get(op)
        if r:
            print(f"{op:<10}{r['n']:>6}{r['p50']:>10.1f}{r['p95']:>10.1f}{r['p99']:>10.1f}"
                  f"{r['max']:>10.1f}{r['queries']:>9.0f}")
    verdict = "met" if result["publish"]["p95"] < TARGET_P95_MS else "MISSED"
    print(f"target publish p95 < {TARGET_P95_MS:.0f} ms: {verdict}")
    for op in ("publish", "amend"):
        if op in result:
            print(f"\nslowest {op} ({max(result[op]['max'], 0):.1f} ms), statements:")
            for stmt, ms in result[op]["slowest_statements"]:
                print(f"  {ms:7.2f} ms  {stmt}")
    if "profile" in result:
        print(result["profile"])
    if args.json:
        args.json.write_text(json.dumps({"sizes": sizes, **{k: v for k, v in result.items()
                                                            if k != "profile"}},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
