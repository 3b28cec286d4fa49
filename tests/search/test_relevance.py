"""Relevance over the demo catalogue: a judged set of queries, MRR@10 and nDCG@10.

The judged set (tests/search/judgments.json, built by tests/search/build_judgments.py)
names for every query the records that answer it. Known-item queries must put their
target in the top ranks: the suite enforces MRR@10 >= 0.9 on them, and an nDCG@10 floor
over the whole set.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from registry.extensions import db
from registry.search import services
from registry.search.backend import backend_for
from registry.search.indexer import rebuild, store_for
from registry.standards.models import Standard
from tests.search.build_judgments import result_key
from tests.search.conftest import _wipe

JUDGMENTS = json.loads(Path(__file__).with_name("judgments.json").read_text())
MRR_FLOOR = 0.9
NDCG_FLOOR = 0.8


@pytest.fixture(scope="module")
def demo(search_app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The demo catalogue as judged, indexed; yields number -> status today."""
    from registry.demo.cli import load_demo

    search_app.config["INDEX_DIR"] = str(tmp_path_factory.mktemp("relevance") / "index")
    search_app.extensions.pop("search_backend", None)
    with search_app.app_context():
        _wipe()
        reference = dt.date.fromisoformat(JUDGMENTS["reference"])
        load_demo(JUDGMENTS["count"], JUDGMENTS["seed"], True, today=reference)
        db.session.commit()
        from registry.demo.declarations import load_demo_declarations

        load_demo_declarations(JUDGMENTS["enterprises"], JUDGMENTS["declarations"],
                               JUDGMENTS["seed"], reference)
        db.session.commit()
        rebuild(store_for(search_app))
        status = {s.number: s.status for s in db.session.scalars(select(Standard))}
        yield status
        backend_for(search_app).close()
        _wipe()


def _ranked(q: str) -> list[str]:
    page = services.search(services.make_params({"q": q, "per_page": 10}))
    return [result_key(i.entity, i.record) for i in page.items]


def _grades(query: dict[str, Any], status: dict[str, str]) -> dict[str, int]:
    """2 for the target (the edition in force where the query names a family), else 1."""
    rel = query["relevant"]
    if len(rel) == 1:
        return {rel[0]: 2}
    current = [n for n in rel if status.get(n) == "current"]
    return {n: (2 if (n in current or not current) else 1) for n in rel}


def _ndcg(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** grades.get(n, 0) - 1) / math.log2(i + 2) for i, n in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def _rr(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    top = max(grades.values())
    for i, n in enumerate(ranked[:k]):
        if grades.get(n) == top:
            return 1.0 / (i + 1)
    return 0.0


def test_judged_set_is_large_and_varied() -> None:
    queries = JUDGMENTS["queries"]
    assert len(queries) >= 100
    assert {"number", "number_family", "title", "english", "adoption", "topic", "product",
            "enterprise"} <= {
        q["type"] for q in queries}


def test_relevance_floors(search_app: Flask, demo: dict[str, str]) -> None:
    per_type: dict[str, list[tuple[float, float]]] = defaultdict(list)
    misses: list[str] = []
    with search_app.app_context():
        for query in JUDGMENTS["queries"]:
            grades = _grades(query, demo)
            ranked = _ranked(query["q"])
            rr, ndcg = _rr(ranked, grades), _ndcg(ranked, grades)
            per_type[query["type"]].append((rr, ndcg))
            if query["known_item"] and rr < 1.0:
                misses.append(f"{query['q']!r}: got {ranked[:3]}, want {query['relevant'][:3]}")
    known = [rr for t, vals in per_type.items() for rr, _ in vals
             if t != "topic"]
    mrr = sum(known) / len(known)
    ndcg_all = [n for vals in per_type.values() for _, n in vals]
    ndcg = sum(ndcg_all) / len(ndcg_all)
    report = {t: (round(sum(r for r, _ in v) / len(v), 3), round(sum(n for _, n in v) / len(v), 3))
              for t, v in sorted(per_type.items())}
    print(f"\nMRR@10 known-item {mrr:.3f}; nDCG@10 all {ndcg:.3f}; per type (MRR, nDCG) {report}")
    print("\n".join(misses))
    assert mrr >= MRR_FLOOR, f"MRR@10 {mrr:.3f} < {MRR_FLOOR}; misses: {misses[:10]}"
    assert ndcg >= NDCG_FLOOR, f"nDCG@10 {ndcg:.3f} < {NDCG_FLOOR}: {report}"
