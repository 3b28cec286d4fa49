"""Benchmark ``registry import``: N generated records into a fresh SQLite database, twice.

    .venv/bin/python bench/import_bench.py                 # 100,000 rows, CSV
    .venv/bin/python bench/import_bench.py --rows 20000 --format xlsx --keep

The records come from the demo generator (invented, deterministic for --seed), are written
as a template file with ``write_template``, then ``registry init-db`` and ``registry import``
run as subprocesses against a temporary directory (REGISTRY_DATABASE_URL,
REGISTRY_INDEX_DIR, REGISTRY_INSTANCE_DIR), so nothing under instance/ is touched. The
second, identical import must create and update nothing and write no change-feed rows.
The target is under 120 s for 100,000 rows.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TARGET_SECONDS = 120.0


@dataclass
class Run:
    wall: float
    peak_rss_mb: float
    output: str


def _registry_cmd() -> list[str]:
    script = Path(sys.executable).with_name("registry")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from registry.cli import main; main()"]


def _run(args: list[str], env: dict[str, str]) -> Run:
    """Run one command; wall time and the child's own peak RSS (wait4, Linux KiB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(_registry_cmd() + args, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"`registry {' '.join(args)}` failed ({proc.returncode}):\n{out}")
    return Run(wall, usage.ru_maxrss / 1024, out)


def _counts(output: str) -> dict[str, int]:
    found = {}
    for label, key in (("新增", "created"), ("更新", "updated"), ("未变", "unchanged")):
        m = re.search(rf"{label} (\d+) 条", output)
        found[key] = int(m.group(1)) if m else -1
    return found


def _feed_rows(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        return int(conn.execute("SELECT count(*) FROM change_feed").fetchone()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    opts = parser.parse_args(argv)

    from registry.demo.generator import generate_standards
    from registry.standards.importing import write_template

    tmp = Path(tempfile.mkdtemp(prefix="import-bench-"))
    try:
        data = tmp / f"standards.{opts.format}"
        started = time.perf_counter()
        written = write_template(data, generate_standards(opts.rows, seed=opts.seed))
        print(f"generated {written:,} records -> {data.name} "
              f"({data.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")

        db_path = tmp / "bench.sqlite3"
        env = {**os.environ, "REGISTRY_DATABASE_URL": f"sqlite:///{db_path}",
               "REGISTRY_INDEX_DIR": str(tmp / "index"), "REGISTRY_INSTANCE_DIR": str(tmp)}
        _run(["init-db"], env)

        first = _run(["import", str(data), "--quiet"], env)
        feed_after_first = _feed_rows(db_path)
        second = _run(["import", str(data), "--quiet"], env)
        feed_after_second = _feed_rows(db_path)

        ok = True
        for name, run in (("first import ", first), ("second import", second)):
            counts = _counts(run.output)
            print(f"{name}: {written:,} rows in {run.wall:6.1f} s = {written / run.wall:7,.0f} "
                  f"rows/s, peak RSS {run.peak_rss_mb:5.0f} MB  "
                  f"(created {counts['created']:,}, updated {counts['updated']:,}, "
                  f"unchanged {counts['unchanged']:,})")
        if _counts(first.output)["created"] != written:
            print("FAIL: the first import did not create every row")
            ok = False
        c2 = _counts(second.output)
        if c2["created"] or c2["updated"] or feed_after_second != feed_after_first:
            print(f"FAIL: the second import changed something (change feed "
                  f"{feed_after_first} -> {feed_after_second})")
            ok = False
        if opts.rows >= 100_000 and first.wall > TARGET_SECONDS:
            print(f"FAIL: first import took {first.wall:.1f} s > {TARGET_SECONDS:.0f} s")
            ok = False
        print("OK" if ok else "FAILED")
        if opts.keep:
            print(f"kept {tmp}")
        return 0 if ok else 1
    finally:
        if not opts.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
