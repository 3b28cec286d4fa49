"""Whoosh's own search: the oracle the query engine's answers are compared with.

Nothing here is the registry's code: match sets come from Whoosh's matchers
(``Searcher.docs_for_query``), scores from ``Searcher.search`` over every match, number
order from Whoosh's sorting collector, all with Whoosh's own code in place of this
package's patches (``whoosh_internals.originals``); statuses are read from the stored
dates.
"""

from __future__ import annotations

from typing import Any

from registry.search.query import STATUS_WEIGHT, status_of
from registry.search.whoosh_internals import originals


def _status_ok(searcher: Any, docnum: int, status: str | None, today: int) -> bool:
    return status is None or status_of(searcher.stored_fields(docnum), today) == status


def matches(searcher: Any, q: Any, status: str | None = None, today: int = 0) -> list[int]:
    """Every document Whoosh's own matchers find for ``q`` (with the status filter)."""
    with originals():
        found = set(searcher.docs_for_query(q))
    return sorted(d for d in found if _status_ok(searcher, d, status, today))


def scores(searcher: Any, q: Any) -> dict[int, float]:
    """Whoosh's BM25F score of every document ``q`` matches."""
    with originals():
        results = searcher.search(q, limit=None)
        return {hit.docnum: hit.score for hit in results}


def ranked(searcher: Any, q: Any, status: str | None, today: int, want: int,
           rerank: int) -> list[int]:
    """What ``query.run`` should list for relevance: Whoosh's best ``max(want, rerank)``
    (higher score, then lower document number), then current editions ahead of replaced
    ones of similar score (the same status weights)."""
    got = [(d, s) for d, s in scores(searcher, q).items()
           if _status_ok(searcher, d, status, today)]
    top = sorted(got, key=lambda ds: (-ds[1], ds[0]))[:max(want, rerank)]

    def weight(d: int) -> float:
        fields = searcher.stored_fields(d)
        kind = fields["id"].partition(":")[0]
        return STATUS_WEIGHT[status_of(fields, today)] if kind == "standard" else 1.0

    top.sort(key=lambda ds: -(ds[1] * weight(ds[0])))
    return [d for d, _ in top[:want]]


def newest(searcher: Any, q: Any, status: str | None, today: int, want: int) -> list[int]:
    """Matches newest first by the stored effective date (ties: lower number first)."""
    docs = matches(searcher, q, status, today)
    return sorted(docs, key=lambda d: (-searcher.stored_fields(d)["effective"], d))[:want]


def by_number(searcher: Any, q: Any, status: str | None, today: int, want: int) -> list[int]:
    """Matches in ``sortnum`` order, as Whoosh's sorting collector orders them."""
    with originals():
        results = searcher.search(q, limit=None, sortedby="sortnum")
        found = [hit.docnum for hit in results]
    docs = [d for d in found if _status_ok(searcher, d, status, today)]
    return docs[:want]
