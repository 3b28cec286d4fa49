"""Single-process indexing speed on bench documents: this package's write path vs whoosh's.

Builds ``--docs`` documents (a quarter catalogue, the rest declarations) from a work
directory that ``bench/search.py --phases load`` filled, then times ``add_document`` for
each and ``commit`` of one ``SegmentWriter`` (``limitmb=256``, separate files, as a
rebuild's writers do) into a temporary index — with this package's write path, and with
whoosh's own code (``whoosh_internals.originals()``) when asked. ``--profile`` prints the top of
a cProfile of the timed part.

    .venv/bin/python bench/index_profile.py --workdir bench/out/1m --docs 40000 --compare
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def documents(work: Path, n: int) -> list[dict[str, Any]]:
    import search as bench  # bench/search.py: the same app and declaration documents

    from registry.extensions import db
    from registry.search.documents import BUILDERS, docs_for

    app = bench.make_app(work)
    bench.register_declarations()
    docs: list[dict[str, Any]] = []
    with app.app_context():
        for entity, (_loader, _builder, all_ids) in BUILDERS.items():
            want = n // 4 if entity == "standard" else n - n // 4
            ids = list(db.session.scalars(all_ids().limit(want)))
            for i in range(0, len(ids), 2000):
                docs.extend(docs_for(entity, ids[i:i + 2000]).values())
                db.session.expunge_all()
    return docs


def index(docs: list[dict[str, Any]], profile: bool) -> float:
    from whoosh import index as windex

    from registry.search.index import build_schema

    target = tempfile.mkdtemp(prefix="index-profile-")
    try:
        ix = windex.create_in(target, build_schema())
        prof = cProfile.Profile()
        started = time.perf_counter()
        if profile:
            prof.enable()
        writer = ix.writer(limitmb=256, compound=False)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
        prof.disable()
        seconds = time.perf_counter() - started
        if profile:
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return seconds
    finally:
        shutil.rmtree(target)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path, default=Path("bench/out/1m"))
    ap.add_argument("--docs", type=int, default=40_000)
    ap.add_argument("--compare", action="store_true", help="also time whoosh's own code")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    if not (args.workdir / "registry.sqlite3").exists():
        raise SystemExit(f"{args.workdir} has no data: run bench/search.py --phases load first")
    import jieba

    from registry.search import whoosh_internals

    whoosh_internals.install()  # no IndexStore here: the index is created directly
    jieba.initialize()
    docs = documents(args.workdir.resolve(), args.docs)
    runs = [("registry", contextlib.nullcontext())]
    if args.compare:
        runs.insert(0, ("whoosh", whoosh_internals.originals()))
    for name, ctx in runs:
        with ctx:
            seconds = index(docs, args.profile)
        print(f"{name:9s} {len(docs)} docs in {seconds:.1f} s = {len(docs) / seconds:,.0f} docs/s")


if __name__ == "__main__":
    main()
