"""The query engine (registry.search.vectors, ranking) agrees with Whoosh's own search.

Every comparison runs the same planned query through the engine and through Whoosh's
own search (``tests/search/oracle.py``) over a real index of a few hundred records in
more than one segment, with deletions: match sets, BM25F scores, status filters and the
date order.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import numpy as np
import pytest
import whoosh
from flask import Flask
from whoosh import query as Q
from whoosh.scoring import TF_IDF

from registry.extensions import db
from registry.search import query, ranking, vectors
from registry.search.backend import backend_for
from registry.search.indexer import store_for
from registry.search.planner import plan
from registry.search.query import SearchParams, SearchResult, matching_part, search_query
from registry.search.whoosh_internals import reading
from registry.standards.models import Standard
from tests.search import oracle
from tests.search.conftest import add, sync

WORDS = ("电动自行车", "锂离子电池", "安全要求", "质量管理", "家用电器", "不锈钢", "紧固件",
         "螺栓", "检测方法", "技术条件", "通用规范", "燃气灶具", "阀门", "试验方法", "塑料")
SCOPES = ("本文件规定了产品的技术要求、试验方法和检验规则。", "适用于家用和类似用途的器具。",
          "本文件适用于不锈钢紧固件的生产和检验。", "规定了安全要求和标志。")
EN = ("safety", "requirements", "electric", "bicycle", "steel", "quality", "valves")
TODAY = 20261122


def _record(r: random.Random, i: int) -> dict[str, Any]:
    year = 2005 + i % 20
    title = "".join(r.sample(WORDS, r.randint(1, 3)))
    rec: dict[str, Any] = {
        "number": f"GB/T {30000 + i}-{year}", "title_zh": title,
        "title_en": " ".join(r.sample(EN, r.randint(1, 3))),
        "scope": r.choice(SCOPES) + title,
        "effective_on": f"{year}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
        "ics": [r.choice(["13.120", "21.060.10", "43.150", "97.040.20"])],
    }
    if i % 9 == 0:
        rec["effective_on"] = "2027-03-01"
    elif i % 5 == 0:
        rec["withdrawn_on"] = f"{year + 1}-06-01"
    return rec


@pytest.fixture
def corpus(sapp: Flask) -> Flask:
    r = random.Random(11)
    for i in range(160):
        add(**_record(r, i))
    sync(sapp)
    for i in range(160, 240):  # a second segment
        add(**_record(r, i))
    for i in range(12):  # other levels: the number order spans several prefixes
        rec = _record(r, i)
        rec["number"] = f"JB/T {1000 + i}-2019" if i % 2 else f"T/ZZB {3000 + i}-2022"
        add(**rec)
    sync(sapp)
    # an update and a deletion: the first segment gets deleted documents
    for std in db.session.scalars(db.select(Standard).where(Standard.id % 17 == 0)).all():
        std.title_zh = std.title_zh + "阀门"
    db.session.commit()
    sync(sapp)
    return sapp


QUERIES = ["阀门", "安全要求 试验方法", "电动自行车 不锈钢", "家用", "steel valves",
           '"安全要求"', '"技术条件"', "质量管理 GB/T 30010", "锂离子 电池", "不存在的词"]
FILTERS: list[dict[str, Any]] = [{}, {"status": "current"}, {"status": "replaced"},
                                 {"status": "abolished"}, {"status": "upcoming"},
                                 {"ics": "21.060"}, {"year": 2010}, {"level": "zzb"},
                                 {"kind": "standard", "nature": "recommended"},
                                 {"org": "sac"}, {"industry": "c38"}, {"region": "330000"}]


def _query(params: SearchParams) -> Any:
    """The query ``registry.search.query.run`` builds for these parameters."""
    return search_query(params)[1]


def _searcher(app: Flask) -> Any:
    return backend_for(app)._current()


@pytest.mark.parametrize(("bitmap", "partial"), [(4096, 8), (0, 8), (4096, 0)],
                         ids=["sorted-merge", "flags", "candidate-blocks"])
def test_match_sets_equal_whooshs(corpus: Flask, bitmap: int, partial: int,
                                  monkeypatch: Any) -> None:
    # both ways of combining sets; whole lists or only the blocks holding candidates
    monkeypatch.setattr(vectors, "BITMAP", bitmap)
    monkeypatch.setattr(vectors, "PARTIAL", partial)
    monkeypatch.setattr(vectors, "CACHE", vectors.PostingCache(256 << 20))
    s = _searcher(corpus)
    assert len(s.leaf_searchers()) >= 2, "the corpus should span several segments"
    assert any(sub.reader().has_deletions() for sub, _ in s.leaf_searchers())
    for text in QUERIES:
        for filters in FILTERS:
            params = SearchParams(q=text, **filters)
            q = matching_part(_query(params))
            expected = oracle.matches(s, q, params.status, TODAY)
            got = ranking.count(s, q, params.status, TODAY)
            assert got.exact, (text, filters)
            assert got.ids.tolist() == expected, (text, filters)
            assert got.total == len(expected)


def test_some_queries_match_many_and_some_none(corpus: Flask) -> None:
    s = _searcher(corpus)
    sizes = {t: ranking.count(s, matching_part(_query(SearchParams(q=t))), None, TODAY).total
             for t in QUERIES}
    assert sizes["不存在的词"] == 0
    assert sizes["阀门"] > 30  # the test is not vacuous


@pytest.mark.parametrize("bitmap", [4096, 0], ids=["sorted-merge", "flags"])
def test_scores_equal_whooshs(corpus: Flask, bitmap: int, monkeypatch: Any) -> None:
    monkeypatch.setattr(vectors, "BITMAP", bitmap)
    s = _searcher(corpus)
    compared = 0
    for text in QUERIES + ["安全要求", "技术条件 通用规范", "质量管理 家用电器"]:
        q = _query(SearchParams(q=text))  # with the optional exact-title phrase bonus
        ids = ranking.count(s, matching_part(q), None, TODAY).ids
        ours, estimated = ranking.scores(s, q, ids)
        assert not estimated  # few phrase candidates: every one checked by Whoosh
        theirs = oracle.scores(s, q)
        assert set(theirs) == set(ids.tolist()), text
        for d, score in zip(ids.tolist(), ours.tolist(), strict=True):
            assert score == pytest.approx(theirs[d], rel=1e-5), (text, d)
            compared += 1
    assert compared > 100


def test_phrase_candidates_are_verified(corpus: Flask) -> None:
    s = _searcher(corpus)
    q = matching_part(_query(SearchParams(q='"要求试验"')))
    loose = vectors.match(s, q)
    assert not loose.verified
    got = ranking.count(s, q, None, TODAY)
    assert got.ids.tolist() == oracle.matches(s, q)
    assert len(got.ids) <= len(loose.ids)


def test_estimated_phrases_are_rechecked(corpus: Flask, monkeypatch: Any) -> None:
    """With phrases estimated (many candidates), the best are re-scored exactly."""
    monkeypatch.setattr(ranking, "PHRASE_EXACT", 2)
    s = _searcher(corpus)
    checked = 0
    for text in ["安全要求", "技术条件", "试验方法", "质量管理", "家用电器", "电动自行车",
                 "技术条件 通用规范", "阀门 安全要求"]:
        q = _query(SearchParams(q=text))
        ids = ranking.count(s, matching_part(q), None, TODAY).ids
        if len(ids) <= 30:
            continue
        _, estimated = ranking.scores(s, q, ids)
        assert estimated
        theirs = sorted(oracle.scores(s, q).items(), key=lambda ds: (-ds[1], ds[0]))
        ours = ranking.best(s, q, ids, 10, batch=12, batches=100)
        assert [d for d, _ in ours] == [d for d, _ in theirs[:10]], text
        for (_, a), (_, b) in zip(ours, theirs, strict=False):
            assert a == pytest.approx(b, rel=1e-5)
        checked += 1
    assert checked >= 2


def test_newest_first(corpus: Flask) -> None:
    s = _searcher(corpus)
    ids = ranking.count(s, matching_part(_query(SearchParams(q="安全要求"))),
                        None, TODAY).ids
    got = vectors.newest(s, ids, 15)
    dates = [s.stored_fields(d)["effective"] for d in got]
    assert dates == sorted(dates, reverse=True)
    every = sorted((s.stored_fields(d)["effective"] for d in ids.tolist()), reverse=True)
    assert dates == every[:15]


def test_columns_equal_whooshs_reader(corpus: Flask) -> None:
    s = _searcher(corpus)
    for seg in vectors.segments(s):
        for name in ("effective", "withdrawn", "year"):
            col = seg.reader.column_reader(name)
            assert seg.column(name).tolist() == [col[d] for d in range(seg.size)]
        lengths = seg.field_lengths("title")
        for d in range(seg.size):
            assert lengths[d] == (seg.reader.doc_field_length(d, "title") or 1)
    assert np.all(vectors.segments(s)[0].live(np.arange(5, dtype=np.int64)) >= 0)


# -- query.run, branch by branch, against Whoosh's own search ---------------------------------

DAY = dt.date(2026, 11, 22)  # TODAY as a date


def _keys(s: Any, docs: list[int]) -> list[tuple[str, int]]:
    out = []
    for d in docs:
        kind, _, ident = s.stored_fields(d)["id"].partition(":")
        out.append((kind, int(ident)))
    return out


def _hits(got: SearchResult) -> list[tuple[str, int]]:
    return [(h.entity, h.entity_id) for h in got.hits]


def test_relevance_pages_equal_whooshs(corpus: Flask) -> None:
    s = _searcher(corpus)
    for text in QUERIES:
        for filters in FILTERS:
            for page, per_page in ((1, 10), (3, 7)):
                params = SearchParams(q=text, page=page, per_page=per_page, today=DAY,
                                      **filters)
                q = _query(params)
                got = query.run(s, params)
                want = oracle.ranked(s, q, params.status, TODAY, page * per_page,
                                     query.RERANK)
                assert _hits(got) == _keys(s, want[(page - 1) * per_page:]), (text, filters)
                assert got.total == len(oracle.matches(s, matching_part(q), params.status,
                                                       TODAY))
                assert got.total_exact


@pytest.mark.parametrize("sample", [10_000, 7], ids=["every-candidate", "sampled"])
def test_phrase_totals_estimated_from_checked_candidates(corpus: Flask, sample: int,
                                                         monkeypatch: Any) -> None:
    """More phrase candidates than ranking.VERIFY_ALL: the total is estimated from a
    spread sample of checked candidates; the hits are still Whoosh's."""
    monkeypatch.setattr(ranking, "VERIFY_ALL", 3)
    monkeypatch.setattr(ranking, "VERIFY_SAMPLE", sample)
    s = _searcher(corpus)
    estimated = 0
    for text in ['"安全要求"', '"要求试验"', '"技术条件"', '"质量管理"']:
        params = SearchParams(q=text, per_page=20, today=DAY)
        q = _query(params)
        truth = oracle.matches(s, matching_part(q))
        candidates = vectors.match(s, matching_part(q)).ids
        if len(candidates) <= 3:
            continue
        got = query.run(s, params)
        assert not got.total_exact and not got.facets_exact
        if sample >= len(candidates):  # every candidate in the sample: the estimate is exact
            assert got.total == len(truth)
        else:
            assert 0 < got.total <= len(candidates)
        want = oracle.ranked(s, q, None, TODAY, 20, query.RERANK)
        assert _hits(got) == _keys(s, want), text
        estimated += 1
    assert estimated >= 2


@pytest.mark.parametrize("filters", [{}, {"status": "current"}, {"ics": "21.060"}])
def test_date_order_equals_whooshs(corpus: Flask, filters: dict[str, Any],
                                   monkeypatch: Any) -> None:
    """Newest first: exact match sets, unchecked phrase candidates (checked newest first,
    a few at a time) and browsing everything."""
    monkeypatch.setattr(ranking, "VERIFY_ALL", 3)  # phrases: candidates, not checked
    monkeypatch.setattr(query, "RESCORE", 4)  # several batches of candidates checked
    s = _searcher(corpus)
    for text in ["", "阀门", "安全要求 试验方法", '"安全要求"', '"要求试验"']:
        for page, per_page in ((1, 10), (2, 6), (1, 300)):
            params = SearchParams(q=text, sort="date", page=page, per_page=per_page,
                                  today=DAY, **filters)
            q = matching_part(_query(params))
            got = query.run(s, params)
            want = oracle.newest(s, q, params.status, TODAY, page * per_page)
            assert _hits(got) == _keys(s, want[(page - 1) * per_page:]), (text, page)


NUMBER_FILTERS: list[dict[str, Any]] = [{}, {"status": "current"}, {"level": "national"},
                                        {"kind": "standard"}, {"ics": "21.060"},
                                        {"year": 2010}, {"level": "zzb"},
                                        {"level": "industry", "status": "upcoming"},
                                        {"kind": "declaration"}]


@pytest.mark.parametrize(("sort_all", "budget"), [(5000, 3000), (5, 3000), (5, 8)],
                         ids=["sorted", "walked", "walk-gives-up"])
def test_number_order_equals_whooshs(corpus: Flask, sort_all: int, budget: int,
                                     monkeypatch: Any) -> None:
    """Number order (browsing, or sort=number): sorted by the sortnum values, or, when
    browsing more than SORT_ALL documents, the index's number order walked."""
    monkeypatch.setattr(query, "SORT_ALL", sort_all)
    monkeypatch.setattr(query, "WALK_BUDGET", budget)
    s = _searcher(corpus)
    for text, sort in (("", "relevance"), ("", "number"), ("阀门", "number")):
        for filters in NUMBER_FILTERS:
            for page, per_page in ((1, 10), (2, 7), (1, 500)):
                params = SearchParams(q=text, sort=sort, page=page, per_page=per_page,
                                      today=DAY, **filters)
                q = matching_part(_query(params))
                got = query.run(s, params)
                want = oracle.by_number(s, q, params.status, TODAY, page * per_page)
                assert _hits(got) == _keys(s, want[(page - 1) * per_page:]), (text, filters)


def test_facets_from_a_sample_are_scaled(corpus: Flask, monkeypatch: Any) -> None:
    s = _searcher(corpus)
    monkeypatch.setattr(query, "FACET_SAMPLE", 1000)
    exact = query.run(s, SearchParams(q="", today=DAY))
    assert exact.facets_exact
    monkeypatch.setattr(query, "FACET_SAMPLE", 9)
    for text in ("", "阀门"):
        got = query.run(s, SearchParams(q=text, today=DAY))
        assert got.total_exact and not got.facets_exact
        assert dict(got.facets["kind"]) == {"standard": got.total}
        assert sum(c for _, c in got.facets["status"]) == pytest.approx(got.total, rel=0.2)
    assert query.run(s, SearchParams(q="", today=DAY)).total == exact.total


def test_public_api_readers_give_the_same_answers(corpus: Flask, monkeypatch: Any) -> None:
    """Another Whoosh version: the engine reads through Whoosh's public API only."""
    s = _searcher(corpus)
    cases = [SearchParams(q=text, today=DAY, sort=sort, **filters)
             for text in QUERIES[:6] for filters in FILTERS[:3]
             for sort in ("relevance", "date")]
    fast = [query.run(s, p) for p in cases]
    monkeypatch.setattr(whoosh, "__version__", (0, 0, 0))
    monkeypatch.setattr(vectors, "CACHE", vectors.PostingCache(256 << 20))
    monkeypatch.setattr(vectors, "_SEGMENTS", {})
    for params, want in zip(cases, fast, strict=True):
        got = query.run(s, params)
        assert _hits(got) == _hits(want) and got.total == want.total, params
        for a, b in zip(got.hits, want.hits, strict=True):
            assert a.score == pytest.approx(b.score, rel=1e-6)


def test_walk_starts_where_each_kind_of_number_does() -> None:
    assert query._walk_prefixes([("kind", "declaration")]) == ["declaration|"]
    assert query._walk_prefixes([("kind", "enterprise"), ("region", "330000")]) == \
        ["enterprise|"]
    assert query._walk_prefixes([("level", "zzb")]) == ["group|T/ZZB|"]
    assert query._walk_prefixes([("org", "SAC")]) == [f"{lv}|" for lv in
                                                      sorted(query.STANDARD_LEVELS)]
    assert query._walk_prefixes([("year", 2010)]) == [""]


def test_odd_query_nodes(corpus: Flask) -> None:
    """Nodes the planner rarely or never builds: the same sets as Whoosh's, or refused."""
    s = _searcher(corpus)
    valves = Q.Term("title_bi", "阀门")
    for q in [Q.Require(valves, Q.Every()), Q.And([Q.Term("kind", "standard"), Q.Every()]),
              Q.Or([Q.NullQuery, valves]), Q.And([valves, Q.NullQuery]),
              Q.NumericRange("year", 2030, 2040), Q.Term("nosuchfield", "x")]:
        assert ranking.count(s, q, None, TODAY).ids.tolist() == oracle.matches(s, q), q
    assert ranking.count(s, Q.Term("year", "not a number"), None, TODAY).total == 0
    for q in [Q.Prefix("title_en", "ste"), Q.Not(valves)]:
        with pytest.raises(vectors.Unsupported):
            ranking.count(s, q, None, TODAY)
        with pytest.raises(vectors.Unsupported):
            ranking.scores(s, q, np.arange(3, dtype=np.int64))
    ix = store_for(corpus).open()
    with ix.searcher(weighting=TF_IDF()) as other, pytest.raises(vectors.Unsupported):
        ranking.scores(other, valves, np.arange(3, dtype=np.int64))
    ix.close()


def test_unscored_fields_score_their_weight_as_whoosh_does(corpus: Flask) -> None:
    s = _searcher(corpus)
    for q in [Q.Term("kind", "standard"), Q.Or([Q.Term("ics", "21.060"), Q.Term("title_bi", "阀门")])]:
        ids = ranking.count(s, q, None, TODAY).ids
        ours, _ = ranking.scores(s, q, ids)
        theirs = oracle.scores(s, q)
        assert ours.tolist() == pytest.approx([theirs[d] for d in ids.tolist()], rel=1e-5)


@pytest.mark.parametrize("tables", [4096, 1], ids=["kept", "dropped-each-time"])
def test_skip_to_by_block_table_equals_whooshs(corpus: Flask, tables: int,
                                               monkeypatch: Any) -> None:
    """The patched ``skip_to`` (binary search, block tables for long lists: here every
    list) steps Whoosh's own matchers to the same documents with the same scores."""
    monkeypatch.setattr(reading, "LONG_POSTINGS", 1)
    monkeypatch.setattr(reading, "BLOCK_TABLES", tables)
    s = _searcher(corpus)
    assert max(s.doc_frequency("kind", "standard"), 0) > 128  # lists of several blocks
    for text in QUERIES:
        q = Q.And([Q.Term("kind", "standard"), plan(text).query,
                   Q.NumericRange("year", 2008, 2020)])
        assert sorted(s.docs_for_query(q)) == oracle.matches(s, q), text
        with_patch = {h.docnum: h.score for h in s.search(q, limit=None)}
        theirs = oracle.scores(s, q)
        assert with_patch.keys() == theirs.keys()
        for d, score in theirs.items():
            assert with_patch[d] == pytest.approx(score, rel=1e-6)


def test_posting_cache_keeps_within_its_size() -> None:
    cache = vectors.PostingCache(max_bytes=4096)
    big = (np.zeros(200, dtype=np.int64), np.zeros(200, dtype=np.float32))  # 2,400 bytes
    cache.put("big", big)
    assert cache.get("big") is None  # more than a quarter of the cache: not kept
    small = [(np.zeros(40, dtype=np.int64), np.zeros(40, dtype=np.float32)) for _ in range(12)]
    for i, item in enumerate(small):
        cache.put(("seg", "title", str(i).encode()), item)
    assert cache.size <= 4096 and cache.get(("seg", "title", b"0")) is None  # oldest gone
    assert cache.get(("seg", "title", b"11")) is not None
    cache.forget({"seg"})
    assert cache.size == 0 and not cache._items
