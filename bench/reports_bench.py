"""Benchmark the adoption-rate report (采标率) with a million published declarations.

    .venv/bin/python bench/reports_bench.py --db bench/out/reports/reports.sqlite3      # build or reuse
    .venv/bin/python bench/reports_bench.py --db postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/reports_bench.py --declarations 20000 --db /tmp/r/s.sqlite3  # smoke
    .venv/bin/python bench/reports_bench.py --db … --runs 5 --plans   # print the query plans

Data (every record invented):

catalogue      ``--standards`` generated records (default 5,000) through the real import path
               (``bench/publish_bench.load_catalogue``): national, industry, group and
               international standards, about one in eight adopting an international one
               (IDT, MOD or NEQ).
background     written with plain ``sqlite3`` ``executemany`` (SQLite) or ``COPY``
               (PostgreSQL, psycopg) — NOT through the services, which would take hours:
               enterprises spread over Zhejiang's real counties (``registry/data/regions.tsv``,
               codes under 33) and real GB/T 4754 manufacturing groups, ~13 declarations each,
               first published 2017 – Oct 2026; 15 % amended (a second edition 30–400 days
               later, some in the same year, some changing the cited standard or the
               main-product flag), 3 % a third edition, 5 % withdrawn; 40 % main products,
               80 % of them with an output value; 2 % made directly to an international
               standard; yearly enterprise records (above-scale, output value) for 2019–2025
               with 5 % of the records missing and some enterprises becoming above-scale.
               Indicators, audit entries and the change feed are left out: the report reads
               none of them.
measure        through the real service functions on the app's engine, a new session per
               run: ``adoption_report`` (trusted, with and without the 5-year trend) for the
               province (330000, broken down by city and by county × industry cells), a city
               (330600) and a county (330683); ``trend``; ``adoption_products`` first page and
               a deep page (page 2,000) of the province's counted products. "cold" is the first
               run in a new process/engine (the operating system's file cache stays warm),
               then ``--runs`` warm runs (p50/p95). ``--plans`` prints EXPLAIN QUERY PLAN
               (SQLite) or EXPLAIN (ANALYZE, BUFFERS) (PostgreSQL) of the statements.

PostgreSQL: ``--db postgresql://…/db`` creates a private database ``reports_bench_<pid>`` next
to the given one and drops it afterwards (``--keep`` keeps it and prints its URL; pass that
URL back with ``--reuse`` to skip the load).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PER_ENTERPRISE = 13
CHUNK = 50_000
YEAR = 2025
YEARS = range(2019, 2026)
TARGET_MS = 1000.0
AIM_MS = 300.0
DRILL_TARGET_MS = 200.0


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def make_app(url: str, instance: Path) -> Any:
    from registry import create_app

    return create_app({"DATABASE_URL": url, "INDEX_DIR": str(instance / "index"),
                       "INDEXER": "manual", "SECRET_KEY": "bench"})


# -- the private PostgreSQL database ---------------------------------------------------------

def _pg_admin(url: str) -> Any:
    from sqlalchemy import create_engine

    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                         isolation_level="AUTOCOMMIT")


def private_postgres(url: str) -> str:
    """A fresh database next to ``url`` (as tests/conftest.py's ``_private_postgres``)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = f"reports_bench_{os.getpid()}"
    engine = _pg_admin(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_postgres(admin_url: str, private: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    engine = _pg_admin(admin_url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(private).database}" WITH (FORCE)'))
    engine.dispose()


# -- loading ---------------------------------------------------------------------------------

class Writer:
    """Rows into tables: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.pg = url.startswith("postgresql")
        if self.pg:
            import psycopg

            self.con: Any = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
            # declarations and editions refer to each other: no FK triggers while loading
            self.con.execute("SET session_replication_role = replica")
        else:
            self.con = sqlite3.connect(url[len("sqlite:///"):])
            self.con.execute("PRAGMA journal_mode=WAL")
            self.con.execute("PRAGMA synchronous=OFF")
            self.con.execute("PRAGMA foreign_keys=OFF")  # ids are assigned here, in order

    def scalar(self, sql: str) -> Any:
        cur = self.con.cursor()
        cur.execute(sql)
        return cur.fetchone()[0]

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        cur = self.con.cursor()
        cur.execute(sql)
        return list(cur.fetchall())

    def ts(self, d: dt.datetime) -> Any:
        return d if self.pg else d.strftime("%Y-%m-%d %H:%M:%S.%f")

    def flag(self, b: bool) -> Any:
        return b if self.pg else int(b)

    def put(self, table: str, cols: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.pg:
            with self.con.cursor() as cur, cur.copy(
                    f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
        else:
            self.con.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
                                 f"({', '.join('?' * len(cols))})", rows)

    def commit(self) -> None:
        self.con.commit()

    def finish(self) -> None:
        if self.pg:
            for t in ("enterprises", "declarations", "declaration_editions", "edition_standards",
                      "enterprise_years"):
                self.con.execute(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
                                 f"(SELECT coalesce(max(id), 1) FROM {t}))")
            self.con.commit()
            self.con.autocommit = True
            self.con.execute("VACUUM ANALYZE")
        else:
            self.con.commit()
            self.con.execute("ANALYZE")
            self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.con.close()


def counties() -> list[str]:
    from registry import identifiers

    table = identifiers.regions()
    return sorted(c for c, name in table.items()
                  if c.startswith("33") and not c.endswith("00") and name != "市辖区")


def industry_groups() -> list[str]:
    """Four-digit codes under the GB/T 4754 divisions, manufacturing (13–43) three times
    as often as the rest (the table of the registry names sections and divisions only)."""
    from registry import identifiers  # (the bench's imports wait for its settings)

    divisions = [d for lo, hi, _ in identifiers.SECTION_DIVISIONS for d in range(lo, hi + 1)]
    codes = [f"{d:02d}{g}{c}" for d in divisions for g in range(1, 5) for c in range(1, 4)]
    return codes + [c for c in codes if 13 <= int(c[:2]) <= 43] * 2


def load_background(url: str, total: int, seed: int,
                    progress: Callable[[int], None]) -> dict[str, int]:
    rng = random.Random(seed)
    w = Writer(url)
    std = w.rows("SELECT id, number FROM standards WHERE level IN "
                 "('national','industry','group','international')")
    adopting = {r[0] for r in w.rows("SELECT DISTINCT standard_id FROM adoptions")}
    if not std:
        raise SystemExit("no standards: load the catalogue first")
    # cite adopting standards more often than their share, so that rates are not tiny
    pool = std + [s for s in std if s[0] in adopting] * 3
    regions, groups = counties(), industry_groups()
    n_ent = max(1, total // PER_ENTERPRISE)
    first_ent = w.scalar("SELECT coalesce(max(id), 0) FROM enterprises") + 1
    now = w.ts(dt.datetime(2026, 1, 1))
    ents, years = [], []
    for i in range(n_ent):
        eid = first_ent + i
        region = rng.choice(regions)
        code = f"91{region}{eid:09d}X"[:18]
        above = rng.random() < 0.35
        ents.append((eid, f"基准测试企业{eid}有限公司", code, region, rng.choice(groups),
                     w.flag(above), "[]", "浙江", "bench", now, now))
        became = rng.choice(list(YEARS)) if not above and rng.random() < 0.15 else None
        for y in YEARS:
            if rng.random() < 0.05:
                continue  # no record for that year
            a = above or (became is not None and y >= became)
            years.append((eid, y, w.flag(a), round(rng.lognormvariate(9, 1), 1),
                          "bench", now))
    w.put("enterprises", ("id", "name", "credit_code", "region_code", "industry_code",
                          "above_scale", "certificates", "address", "source", "created_at",
                          "updated_at"), ents)
    w.put("enterprise_years", ("enterprise_id", "year", "above_scale", "output_value", "source",
                               "updated_at"), years)
    w.commit()
    next_decl = w.scalar("SELECT coalesce(max(id), 0) FROM declarations") + 1
    next_ed = w.scalar("SELECT coalesce(max(id), 0) FROM declaration_editions") + 1
    counts = {"enterprises": len(ents), "enterprise_years": len(years), "declarations": 0,
              "editions": 0, "edition_standards": 0}
    base = dt.datetime(2017, 1, 1)
    span = (dt.datetime(2026, 10, 1) - base).total_seconds()
    done = 0
    while done < total:
        n = min(CHUNK, total - done)
        decls, eds, stds = [], [], []
        for _ in range(n):
            ent_id = first_ent + rng.randrange(n_ent)
            at = base + dt.timedelta(seconds=span * rng.random() ** 0.7)
            r = rng.random()
            editions = 3 if r < 0.03 else 2 if r < 0.15 else 1
            main = rng.random() < 0.4
            value = round(rng.lognormvariate(6, 1), 1) if rng.random() < 0.8 else None
            intl = "ISO 9001:2015" if rng.random() < 0.02 else None
            cited = rng.sample(pool, 2 if rng.random() < 0.25 else 1)
            ed_at = at
            for k in range(editions):
                if k:
                    ed_at = ed_at + dt.timedelta(days=rng.randrange(30, 400))
                    if rng.random() < 0.5:
                        cited = [rng.choice(pool)]
                    if rng.random() < 0.1:
                        main = not main
                    if value is not None:
                        value = round(value * rng.uniform(0.8, 1.3), 1)
                eds.append((next_ed + k, next_decl, k + 1, "initial" if k == 0 else "amendment",
                            "吸油烟机", f"M-{rng.randrange(100000)}", "示例", w.flag(main), value,
                            intl, w.ts(ed_at), w.ts(ed_at + dt.timedelta(minutes=3))))
                for pos, (sid, number) in enumerate(dict.fromkeys(cited)):
                    stds.append((next_ed + k, sid, number, pos))
            last = ed_at + dt.timedelta(minutes=3)
            withdrawn = (last + dt.timedelta(days=rng.randrange(1, 700))
                         if rng.random() < 0.05 else None)
            pub = at + dt.timedelta(minutes=3)
            decls.append((next_decl, ent_id, "withdrawn" if withdrawn else "published",
                          next_ed + editions - 1, "产品已停产" if withdrawn else None,
                          w.ts(withdrawn) if withdrawn else None, w.ts(pub), "bench", w.ts(at),
                          w.ts(last)))
            next_decl += 1
            next_ed += editions
        w.put("declarations", ("id", "enterprise_id", "state", "current_edition_id",
                               "withdrawn_reason", "withdrawn_at", "first_published_at", "source",
                               "created_at", "updated_at"), decls)
        w.put("declaration_editions", ("id", "declaration_id", "number", "kind", "product_name",
                                       "model", "category", "is_main_product",
                                       "annual_output_value", "intl_standard", "created_at",
                                       "published_at"), eds)
        w.put("edition_standards", ("edition_id", "standard_id", "number", "position"), stds)
        w.commit()
        counts["declarations"] += len(decls)
        counts["editions"] += len(eds)
        counts["edition_standards"] += len(stds)
        done += n
        progress(done)
    log("analysing")
    w.finish()
    return counts


# -- measuring -------------------------------------------------------------------------------

def _pct(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:  # nearest rank
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]

    return {"n": len(ordered), "p50": pct(50), "p95": pct(95), "max": ordered[-1],
            "mean": statistics.fmean(ordered)}


class Recorder:
    """Counts statements and keeps the last operation's (statement, parameters)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.statements: list[tuple[str, Any]] = []
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, _conn: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        self.statements.append((statement, parameters))

    def take(self) -> list[tuple[str, Any]]:
        out, self.statements = self.statements, []
        return out


def operations(live: bool) -> dict[str, Callable[[], Any]]:
    from registry.reports import adoption, drilldown, scoping

    fast = not live
    if live:  # the drill-down as before: the live COUNT and ORDER BY … OFFSET
        drilldown._summary_window = lambda *a: None  # type: ignore[assignment]

    def report(region: str, trend: bool) -> Callable[[], Any]:
        return lambda: adoption.adoption_report(
            None, scoping.make_scope(region, YEAR), with_trend=trend, trusted=True,
            use_summary=fast)

    province = scoping.make_scope("330000", YEAR)
    return {
        "province matrix+breakdowns (no trend)": report("330000", False),
        "province report (with 5-year trend)": report("330000", True),
        "province county×industry matrix": lambda: adoption.matrix(province, use_summary=fast),
        "city 330600 report": report("330600", True),
        "county 330683 report": report("330683", True),
        "province trend (5 years)": lambda: adoption.trend(province, use_summary=fast),
        "drill-down page 1 (province)": lambda: drilldown.adoption_products(
            None, province, page=1),
        "drill-down page 2000 (province)": lambda: drilldown.adoption_products(
            None, province, page=2000),
        "drill-down page 1 (county 330683, C)": lambda: drilldown.adoption_products(
            None, scoping.make_scope("330683", YEAR, "C"), page=1),
    }


def measure(app: Any, runs: int, only: set[str] | None,
            live: bool) -> tuple[dict[str, Any],
                                                                   dict[str, list[Any]]]:
    from registry.extensions import db

    results: dict[str, Any] = {}
    statements: dict[str, list[Any]] = {}
    with app.app_context():
        db.engine.dispose()
        rec = Recorder(db.engine)
        for name, op in operations(live).items():
            if only and not any(o in name for o in only):
                continue
            samples = []
            for i in range(runs + 1):
                with app.app_context():
                    rec.take()
                    t0 = time.perf_counter()
                    op()
                    ms = (time.perf_counter() - t0) * 1000
                    stmts = rec.take()
                    db.session.remove()
                if i == 0:
                    results[name] = {"cold": ms, "queries": len(stmts)}
                    statements[name] = stmts
                else:
                    samples.append(ms)
            if samples:
                results[name].update(_pct(samples))
            r = results[name]
            log(f"{name}: cold {r['cold']:.0f} ms" + (
                f", p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms" if samples else "")
                + f", {r['queries']} statements")
    return results, statements


def explain(app: Any, statements: dict[str, list[Any]], names: list[str]) -> None:
    from registry.extensions import db

    with app.app_context():
        pg = db.engine.dialect.name == "postgresql"
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN "
        for name in names:
            seen = set()
            for sql, params in statements.get(name, []):
                if not sql.lstrip().upper().startswith("SELECT") or sql in seen:
                    continue
                seen.add(sql)
                if "GROUP BY" not in sql and "count(*)" not in sql.lower() \
                        and "LIMIT" not in sql.upper():
                    continue
                print(f"\n--- {name}: {' '.join(sql.split())[:160]} …")
                with db.engine.connect() as conn:
                    t0 = time.perf_counter()
                    rows = conn.exec_driver_sql(prefix + sql, params).all()
                    ms = (time.perf_counter() - t0) * 1000
                for r in rows:
                    print("   ", " | ".join(str(c) for c in (r[-1:] if not pg else r)))
                print(f"    ({ms:.0f} ms)")


def ensure_summary(app: Any, force: bool) -> None:
    """The loader wrote around the ORM, so the summary is rebuilt (timed) when it is stale,
    empty or ``--rebuild`` asks."""
    from sqlalchemy import func, select

    from registry.extensions import db
    from registry.reports import summary

    with app.app_context():
        st = summary.state()
        empty = not db.session.scalar(select(func.count()).select_from(summary.AdoptionFact))
        if force or st is None or st.stale or empty:
            log("rebuilding the summary (registry report summary --rebuild)")
            t0 = time.perf_counter()
            rows = summary.rebuild()
            db.session.commit()
            log(f"summary rebuilt: {rows:,} rows in {time.perf_counter() - t0:.1f} s")
        db.session.remove()


def counts(app: Any) -> dict[str, int]:
    from sqlalchemy import text

    from registry.extensions import db

    with app.app_context():
        return {t: db.session.scalar(text(f"SELECT count(*) FROM {t}")) or 0
                for t in ("standards", "adoptions", "enterprises", "enterprise_years",
                          "declarations", "declaration_editions", "edition_standards")}


@contextmanager
def database(arg: str, keep: bool, reuse: bool) -> Iterator[str]:
    if arg.startswith("postgresql"):
        url = arg if reuse else private_postgres(arg)
        try:
            yield url.replace("postgresql://", "postgresql+psycopg://", 1)
        finally:
            if keep or reuse:
                log(f"kept {url}")
            else:
                drop_postgres(arg, url)
                log("private database dropped")
    else:
        path = Path(arg).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{path}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="bench/out/reports/reports.sqlite3",
                        help="SQLite file (built once, then reused) or postgresql://… URL")
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--standards", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the private PostgreSQL db")
    parser.add_argument("--reuse", action="store_true",
                        help="--db is a PostgreSQL database loaded before (with --keep)")
    parser.add_argument("--only", action="append", help="operations whose name contains this")
    parser.add_argument("--plans", action="store_true", help="print the query plans")
    parser.add_argument("--live", action="store_true",
                        help="compute live (use_summary=False): the method before the summary")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the summary (timed)")
    parser.add_argument("--no-upkeep", action="store_true",
                        help="with --publish: without the summary's upkeep (the cost before)")
    parser.add_argument("--publish", type=int, default=0, metavar="N",
                        help="also time N publish + amend through the services (with the "
                             "summary's upkeep in their flushes; bench/publish_bench.measure)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    instance = Path("bench/out/reports").resolve()
    instance.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("REGISTRY_INSTANCE_DIR", str(instance))
    with database(args.db, args.keep, args.reuse) as url:
        app = make_app(url, instance)
        with app.app_context():
            from registry.database import upgrade_database

            upgrade_database()
        have = counts(app)
        if have["standards"] < args.standards * 0.9:
            from publish_bench import load_catalogue

            t0 = time.perf_counter()
            log(f"catalogue: {args.standards} generated records through the import path")
            load_catalogue(app, args.standards, args.seed)
            log(f"catalogue loaded in {time.perf_counter() - t0:.0f} s")
        missing = args.declarations - have["declarations"]
        if missing > 0:
            with app.app_context():
                from registry.extensions import db

                db.engine.dispose()
            t0 = time.perf_counter()
            log(f"background: {missing} declarations ({'COPY' if 'postgres' in url else 'executemany'})")
            load_background(url, missing, args.seed + have["declarations"],
                            lambda n: log(f"  {n}/{missing}") if n % 200_000 == 0 else None)
            log(f"background loaded in {time.perf_counter() - t0:.0f} s")
        sizes = counts(app)
        log("sizes: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
        load = os.getloadavg()
        if not args.live:
            ensure_summary(app, args.rebuild)
        results, statements = measure(app, args.runs, set(args.only or []), args.live)
        kind = "PostgreSQL" if "postgres" in url else "SQLite"
        print(f"\n{kind}, {sizes['declarations']:,} declarations, year {YEAR}, "
              f"{'live computation' if args.live else 'summary (adoption_facts)'}, "
              f"{args.runs} warm runs; load average before {load[0]:.2f}, "
              f"after {os.getloadavg()[0]:.2f}")
        print(f"{'operation':<42}{'cold ms':>9}{'p50 ms':>9}{'p95 ms':>9}{'stmts':>7}")
        for name, r in results.items():
            print(f"{name:<42}{r['cold']:>9.0f}{r.get('p50', float('nan')):>9.0f}"
                  f"{r.get('p95', float('nan')):>9.0f}{r['queries']:>7}")
        prov = results.get("province report (with 5-year trend)")
        if prov and "p95" in prov:
            verdict = ("aim met" if prov["p95"] <= AIM_MS else
                       "target met" if prov["p95"] <= TARGET_MS else "MISSED")
            print(f"province report p95 ≤ {TARGET_MS:.0f} ms (aim {AIM_MS:.0f}): {verdict}")
        drill = [r for n, r in results.items() if n.startswith("drill") and "p95" in r]
        if drill:
            worst = max(r["p95"] for r in drill)
            print(f"drill-down p95 ≤ {DRILL_TARGET_MS:.0f} ms: "
                  f"{'met' if worst <= DRILL_TARGET_MS else 'MISSED'} (worst {worst:.0f} ms)")
        if args.publish:
            from publish_bench import measure as publish_measure
            from sqlalchemy import event
            from sqlalchemy.orm import Session

            from registry.reports import summary

            if args.no_upkeep:
                event.remove(Session, "before_flush", summary._before_flush_collect)
                event.remove(Session, "after_flush_postexec", summary._after_flush_postexec)

            pub = publish_measure(app, args.publish, 5, False)
            results["publish"] = {k: v for k, v in pub.items() if k != "profile"}
            for op in ("publish", "amend"):
                r = pub[op]
                print(f"{op + ' (services, commit)':<42}{'':>9}{r['p50']:>9.1f}{r['p95']:>9.1f}"
                      f"{r['queries']:>7.0f}")
        if args.plans:
            explain(app, statements, ["province county×industry matrix",
                                      "drill-down page 1 (province)",
                                      "drill-down page 2000 (province)"])
        if args.json:
            args.json.write_text(json.dumps({"database": kind, "sizes": sizes, "load": load,
                                             "results": results}, indent=1), encoding="utf-8")
        with app.app_context():
            from registry.extensions import db

            db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
