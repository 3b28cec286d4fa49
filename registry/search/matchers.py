"""Matchers and collectors behind the query plan: intersections rarest-first, flat
posting lists, status read from date columns, near-top collection (see query.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from whoosh import query as Q
from whoosh.collectors import TopCollector
from whoosh.idsets import DocIdSet
from whoosh.matching import (
    IntersectionMatcher,
    ListMatcher,
    Matcher,
    NullMatcher,
    RequireMatcher,
    WrappingMatcher,
)
from whoosh.searching import Searcher

from registry.search.index import NEVER

if TYPE_CHECKING:
    from registry.search.query import SearchParams

NEAR = 0.25  # a block is scored only if it may beat the page's cut-off by this much

class _Intersection(IntersectionMatcher):
    def all_ids(self) -> Any:
        # Whoosh's builds a set of each side's every document (millions for a common
        # word); stepping together only visits what the rarer side leads to.
        while self.is_active():
            yield self.id()
            self.next()


class _Listed(Q.NumericRange):
    """A numeric range whose documents are listed once per segment, term by term.

    Whoosh walks the union of the range's terms (a few dozen dates) a document at a time.
    """

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        reader = searcher.reader()
        ids: set[int] = set()
        q = self._compile_query(reader)
        if q is not Q.NullQuery:
            for fieldname, btext in q.existing_terms(reader, expand=True):
                ids.update(reader.postings(fieldname, btext).all_ids())
        return ListMatcher(sorted(ids)) if ids else NullMatcher()


class _Flat(Matcher):
    """Unscored n-ary matcher base: the current document is kept, not recomputed."""

    def __init__(self, children: list[Any]) -> None:
        self.children = children
        self._id: int | None = None

    def is_active(self) -> bool:
        return self._id is not None

    def id(self) -> int:
        assert self._id is not None
        return self._id

    def supports_block_quality(self) -> bool:
        return False

    def score(self) -> float:
        return 0.0

    def weight(self) -> float:
        return 0.0

    def replace(self, minquality: float = 0) -> Any:
        return self

    def all_ids(self) -> Any:
        while self._id is not None:
            yield self._id
            self.next()


class _AllFlat(_Flat):
    """Documents in every child; the first (rarest) leads, the others are asked in turn."""

    def __init__(self, children: list[Any]) -> None:
        super().__init__(children)
        self._find(0)

    def _find(self, target: int) -> None:
        lead, others = self.children[0], self.children[1:]
        while True:
            if not lead.is_active():
                self._id = None
                return
            if lead.id() < target:
                lead.skip_to(target)
                continue
            candidate = lead.id()
            for child in others:
                if child.id() < candidate:
                    child.skip_to(candidate)
                if not child.is_active():
                    self._id = None
                    return
                if child.id() > candidate:
                    target = child.id()
                    break
            else:
                self._id = candidate
                return

    def next(self) -> None:
        assert self._id is not None
        self._find(self._id + 1)

    def skip_to(self, target: int) -> None:
        if self._id is not None and target > self._id:
            self._find(target)


class _AnyFlat(_Flat):
    """Documents in any child."""

    def __init__(self, children: list[Any]) -> None:
        super().__init__([c for c in children if c.is_active()])
        self._settle()

    def _settle(self) -> None:
        self.children = [c for c in self.children if c.is_active()]
        self._id = min(c.id() for c in self.children) if self.children else None

    def next(self) -> None:
        current = self._id
        for c in self.children:
            if c.id() == current:
                c.next()
        self._settle()

    def skip_to(self, target: int) -> None:
        if self._id is None or target <= self._id:
            return
        for c in self.children:
            if c.id() < target:
                c.skip_to(target)
        self._settle()


def _boolean(context: Any) -> bool:
    return context is not None and context.weighting is None


class _AllOf(Q.And):
    """``And`` whose matcher is driven by its rarest part.

    Whoosh pairs the two most common parts first (a Huffman tree), so a long company name
    (a dozen bigrams such as 有限, 公司) leapfrogs through their long posting lists; here
    each further part is only asked whether it holds the rarer parts' candidates. Where
    nothing is scored (counting, sorting, filters) one flat matcher does the same.
    """

    def _matcher(self, subs: Any, searcher: Any, context: Any) -> Any:
        reader = searcher.reader()
        ordered = sorted(subs, key=lambda q: q.estimate_size(reader))
        ms = [q.matcher(searcher, context) for q in ordered]
        if _boolean(context):
            return _AllFlat(ms) if all(m.is_active() for m in ms) else NullMatcher()
        m = ms[0]
        for other in ms[1:]:
            m = _Intersection(m, other)
        if self.boost != 1.0:
            m = WrappingMatcher(m, self.boost)
        return m


class _AnyOf(Q.Or):
    """``Or`` that, where nothing is scored, is one flat matcher instead of a tree."""

    def _matcher(self, subs: Any, searcher: Any, context: Any) -> Any:
        if _boolean(context):
            return _AnyFlat([q.matcher(searcher, context) for q in subs])
        return super()._matcher(subs, searcher, context)


def _rarest_first(q: Any) -> Any:
    """The plan with every ``And``/``Or`` made ``_AllOf``/``_AnyOf`` (same matches, same
    scores)."""
    if type(q) is Q.And:
        return _AllOf([_rarest_first(s) for s in q.subqueries], boost=q.boost)
    if type(q) is Q.Or:
        return _AnyOf([_rarest_first(s) for s in q.subqueries], boost=q.boost)
    return q.apply(_rarest_first)


class _NearTop(TopCollector):
    """Top-N collector that skips blocks unless they can beat the N-th best by ``NEAR``.

    A common word has tens of thousands of matches scoring within a few per cent of each
    other (short titles holding it); exact block skipping must still score nearly all of
    them. Asking blocks to beat the cut-off by a margin stops once the page is full of
    near-best documents; what it may leave out scores within that margin of what it shows.
    """

    def _collect(self, global_docnum: int, score: float) -> Any:
        out = super()._collect(global_docnum, score)
        if len(self.items) >= self.limit:
            self.minscore = self.items[0][0] * (1.0 + NEAR)
        return out


class _Where(DocIdSet):
    """Documents passing a status test, read from the date columns (never a set built up
    front: the test runs only on documents the search actually visits)."""

    def __init__(self, searcher: Searcher, status: str, today: int) -> None:
        reader = searcher.reader()
        self.searcher = searcher
        self.status = status
        self.today = today
        self.effective = reader.column_reader("effective")
        self.withdrawn = reader.column_reader("withdrawn")

    def __bool__(self) -> bool:
        return True

    def __contains__(self, docnum: Any) -> bool:
        withdrawn = self.withdrawn[docnum] or NEVER
        if self.status in ("replaced", "abolished"):
            if withdrawn > self.today:
                return False
            ended = self.searcher.stored_fields(docnum).get("end_kind") or "abolished"
            return ended == self.status
        if withdrawn <= self.today:
            return False
        upcoming = (self.effective[docnum] or 0) > self.today
        return upcoming if self.status == "upcoming" else not upcoming


def _tags(params: SearchParams) -> list[tuple[str, str | int]]:
    """The filters other than status, as (field, value) pairs."""
    out: list[tuple[str, str | int]] = []
    for name in ("kind", "level", "nature"):
        value = getattr(params, name)
        if value:
            out.append((name, str(value).strip().lower()))
    if params.org:
        out.append(("org", params.org.strip().upper()))
    for name in ("ics", "region"):
        value = getattr(params, name)
        if value:
            out.append((name, value.strip()))
    if params.industry:
        out.append(("industry", params.industry.strip().upper()))
    if params.year:
        out.append(("year", int(params.year)))
    return out


def _tag_query(tags: list[tuple[str, str | int]]) -> Any:
    parts = [Q.NumericRange(f, v, v, constantscore=False) if f == "year" else Q.Term(f, v)
             for f, v in tags]
    return None if not parts else parts[0] if len(parts) == 1 else _AllOf(parts)


class _RequireMatcher(RequireMatcher):
    def __init__(self, a: Any, b: Any) -> None:
        self.a = a
        self.b = b
        WrappingMatcher.__init__(self, _Intersection(a, b))

    def skip_to_quality(self, minquality: float) -> int:
        # Whoosh's own realigns even when the skip landed on the required side's document
        # (an assertion error); only the scored side skips, then the two are realigned.
        skipped = self.a.skip_to_quality(minquality)
        child = self.child
        if child.a.is_active() and child.b.is_active() and child.a.id() != child.b.id():
            child._find_next()
        return int(skipped)


class _Require(Q.Require):
    """Documents of ``a`` that are also in ``b``, scored by ``a`` alone (a filter)."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        return _RequireMatcher(self.a.matcher(searcher, context),
                               self.b.matcher(searcher, searcher.boolean_context()))


def _tags_hold(tags: list[tuple[str, str | int]], stored: dict[str, Any]) -> bool:
    """The tag filters, evaluated on a document's stored fields."""
    for name, value in tags:
        have = stored.get(name)
        if name in ("ics", "region", "industry"):
            if value not in (have or "").split():
                return False
        elif have != value:
            return False
    return True


def _upper(q: Any, reader: Any) -> int:
    """At least as many documents as ``q`` can match (cheap: from term statistics)."""
    if isinstance(q, Q.Every):
        return int(reader.doc_count_all())
    if isinstance(q, Q.Require):
        return min(_upper(q.a, reader), _upper(q.b, reader))
    if isinstance(q, Q.And):
        return min(_upper(s, reader) for s in q.subqueries)
    if isinstance(q, Q.AndMaybe | Q.AndNot):
        return _upper(q.a, reader)
    try:
        return int(q.estimate_size(reader))
    except (NotImplementedError, AttributeError):
        return int(reader.doc_count_all())


