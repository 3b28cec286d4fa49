"""Full rebuild of a registry database through the real models: `registry reindex`'s code.

``bench/search.py`` indexes declarations from a bench table with the real document shape;
this runs ``indexer.rebuild`` on a database of the real tables — for instance the one
``bench/publish_bench.py --db PATH`` leaves (20,000 standards, 76,923 enterprises,
1,000,000 declarations of which 960,041 published, 4.59 million indicators) — so the
declaration documents are built by ``registry.declarations.search`` as in production.

    .venv/bin/python bench/publish_bench.py --db /tmp/pub1m/bench.sqlite3 --runs 20
    .venv/bin/python bench/reindex_bench.py --db /tmp/pub1m/bench.sqlite3 --procs 2
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True, help="SQLite file of a registry database")
    ap.add_argument("--index", type=Path, help="index directory (default: beside the database)")
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    from search import MemorySampler  # bench/search.py: sums RSS over the process tree

    from registry import create_app
    from registry.search.indexer import rebuild, store_for

    db = args.db.resolve()
    index = (args.index or db.parent / "index").resolve()
    shutil.rmtree(index, ignore_errors=True)
    app = create_app({"DATABASE_URL": f"sqlite:///{db}", "INDEX_DIR": str(index),
                      "INDEXER": "manual"})
    import jieba

    jieba.initialize()  # as in bench/search.py: a worker process has it loaded already
    with app.app_context(), MemorySampler() as mem:
        started = time.perf_counter()
        report = rebuild(store_for(app), procs=args.procs)
        wall = time.perf_counter() - started
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    out = {"documents": report.documents, "per_entity": report.per_entity,
           "seconds": round(wall, 1), "rate": round(report.documents / wall, 1),
           "procs": args.procs, "peak_mb": round(mem.peak_kb / 1024, 1),
           "cpu_s": {"parent": round(me.ru_utime + me.ru_stime, 1),
                     "writers": round(kids.ru_utime + kids.ru_stime, 1)}}
    print(f"rebuild (indexer.rebuild, procs={args.procs}): {report.documents:,} docs "
          f"{dict(report.per_entity)} in {wall:.1f} s = {report.documents / wall:,.0f} docs/s; "
          f"peak memory {out['peak_mb']} MB (sum over the process tree); "
          f"CPU parent {out['cpu_s']['parent']} s, writers {out['cpu_s']['writers']} s")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
