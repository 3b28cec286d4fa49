"""The vectorised evaluator (registry.search.vectors) agrees with Whoosh's own matchers.

Every comparison runs the same planned query both ways over a real index of a few
hundred records in more than one segment, with deletions: match sets, BM25F scores,
status filters and the date order.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from flask import Flask

from registry.extensions import db
from registry.search import ranking, vectors
from registry.search.backend import backend_for
from registry.search.matchers import _rarest_first, _Require, _tag_query, _tags, _Where
from registry.search.planner import plan
from registry.search.query import SearchParams, _matching, _matching_part, _score_known
from registry.standards.models import Standard
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
                                 {"ics": "21.060"}, {"year": 2010}]


def _query(params: SearchParams) -> Any:
    """The query ``registry.search.query.run`` builds for these parameters."""
    q = _rarest_first(plan(params.q).query)
    tag_q = _tag_query(_tags(params))
    return q if tag_q is None else _Require(q, tag_q)


def _searcher(app: Flask) -> Any:
    return backend_for(app)._current()


@pytest.mark.parametrize("bitmap", [4096, 0], ids=["sorted-merge", "flags"])
def test_match_sets_equal_whooshs(corpus: Flask, bitmap: int, monkeypatch: Any) -> None:
    monkeypatch.setattr(vectors, "BITMAP", bitmap)  # both ways of combining sets
    s = _searcher(corpus)
    assert len(s.leaf_searchers()) >= 2, "the corpus should span several segments"
    assert any(sub.reader().has_deletions() for sub, _ in s.leaf_searchers())
    for text in QUERIES:
        for filters in FILTERS:
            params = SearchParams(q=text, **filters)
            q = _matching_part(_query(params))
            where = _Where(s, params.status, TODAY) if params.status else None
            expected = sorted(_matching(s, q, where, None))
            got = ranking.count(s, q, params.status, TODAY)
            assert got.exact, (text, filters)
            assert got.ids.tolist() == expected, (text, filters)
            assert got.total == len(expected)


def test_some_queries_match_many_and_some_none(corpus: Flask) -> None:
    s = _searcher(corpus)
    sizes = {t: ranking.count(s, _matching_part(_query(SearchParams(q=t))), None, TODAY).total
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
        ids = ranking.count(s, _matching_part(q), None, TODAY).ids
        ours, estimated = ranking.scores(s, q, ids)
        assert not estimated  # few phrase candidates: every one checked by Whoosh
        theirs = dict(_score_known(s, q, ids.tolist(), len(ids)))
        assert set(theirs) == set(ids.tolist()), text
        for d, score in zip(ids.tolist(), ours.tolist(), strict=True):
            assert score == pytest.approx(theirs[d], rel=1e-5), (text, d)
            compared += 1
    assert compared > 100


def test_phrase_candidates_are_verified(corpus: Flask) -> None:
    s = _searcher(corpus)
    q = _matching_part(_query(SearchParams(q='"要求试验"')))
    loose = vectors.match(s, q)
    assert not loose.verified
    got = ranking.count(s, q, None, TODAY)
    assert got.ids.tolist() == sorted(_matching(s, q, None, None))
    assert len(got.ids) <= len(loose.ids)


def test_estimated_phrases_are_rechecked(corpus: Flask, monkeypatch: Any) -> None:
    """With phrases estimated (many candidates), the best are re-scored exactly."""
    monkeypatch.setattr(ranking, "PHRASE_EXACT", 2)
    s = _searcher(corpus)
    checked = 0
    for text in ["安全要求", "技术条件", "试验方法", "质量管理", "家用电器", "电动自行车",
                 "技术条件 通用规范", "阀门 安全要求"]:
        q = _query(SearchParams(q=text))
        ids = ranking.count(s, _matching_part(q), None, TODAY).ids
        if len(ids) <= 30:
            continue
        _, estimated = ranking.scores(s, q, ids)
        assert estimated
        theirs = _score_known(s, q, ids.tolist(), len(ids))
        ours = ranking.best(s, q, ids, 10, batch=12, batches=100)
        assert [d for d, _ in ours] == [d for d, _ in theirs[:10]], text
        for (_, a), (_, b) in zip(ours, theirs, strict=False):
            assert a == pytest.approx(b, rel=1e-5)
        checked += 1
    assert checked >= 2


def test_newest_first(corpus: Flask) -> None:
    s = _searcher(corpus)
    ids = ranking.count(s, _matching_part(_query(SearchParams(q="安全要求"))),
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
