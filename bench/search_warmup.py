"""Search latency on a freshly opened index: cold, or after the background warm-up only.

Uses the work directory of ``bench/search.py`` (load + build phases done) and its query
mix, but none of its warm-up queries: the process opens the index through
``WhooshBackend`` (which warms a new generation with its commonest title words when
``--warm`` > 0), waits for that warm-up, then times the 2,000 queries once each.

    .venv/bin/python bench/search_warmup.py --workdir bench/out/1m --warm 80
    .venv/bin/python bench/search_warmup.py --workdir bench/out/1m --warm 0 --cache-mb 0
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--warm", type=int, default=80)
    ap.add_argument("--cache-mb", type=int, default=None, help="posting cache size")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--queries", type=int, default=2000)
    args = ap.parse_args()
    if args.cache_mb is not None:  # read when registry.search.vectors is imported
        os.environ["REGISTRY_SEARCH_CACHE_MB"] = str(args.cache_mb)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import search as bench  # bench/search.py: the same query mix

    from registry.search import query as squery
    from registry.search import vectors
    from registry.search.backend import WhooshBackend
    from registry.search.index import IndexStore

    queries = bench.load_queries(argparse.Namespace(seed=args.seed, queries=args.queries),
                                 args.workdir)
    backend = WhooshBackend(IndexStore(args.workdir / "index"), warm=args.warm)
    t0 = time.perf_counter()
    searcher = backend._current()
    if backend.warming is not None:
        backend.warming.join()
    print(f"warm-up {time.perf_counter() - t0:.1f} s ({args.warm} words), posting cache "
          f"{vectors.CACHE.size >> 20} MB in {len(vectors.CACHE._items)} lists")
    ms: list[float] = []
    for q in queries["timed"]:
        t = time.perf_counter()
        squery.run(searcher, bench.params_of(q))
        ms.append((time.perf_counter() - t) * 1000)
    print(f"{len(ms)} queries: p50 {bench.pct(ms, 50):.1f} ms, p95 {bench.pct(ms, 95):.1f} ms, "
          f"p99 {bench.pct(ms, 99):.1f} ms")


if __name__ == "__main__":
    main()
