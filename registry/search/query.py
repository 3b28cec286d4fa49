"""Query planning over the Whoosh index: parse, filter, score, facet, suggest.

Planning rules (measured with bench/search.py on a million documents): number look-ups
are single rare terms and go first; text words become an AND of per-word alternatives
across fields. Nothing visits every match of a common word: only the top of the ranking
is scored (Whoosh skips blocks that cannot enter it, ``optimize=True``); the total is
counted when small and otherwise estimated from evenly spread windows of the index, whose
matches are also the sample the facets are counted (and scaled) from; filters are
intersected term by term, the status is read from the date columns of visited documents
only; sorting by date looks at recent windows first, browsing walks the number order.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as Q
from whoosh.collectors import FilterCollector, TopCollector
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

from registry import numbers
from registry.search.analysis import EnglishTokenizer, bigrams, is_cjk, jieba_words, normalise
from registry.search.index import NEVER, date_int
from registry.standards.models import LEVELS as STANDARD_LEVELS

FACETS = ("kind", "level", "status", "nature", "org", "ics", "year", "region", "industry")
SORTS = ("relevance", "number", "date")
FACET_SAMPLE = 200  # matches whose facets are counted (then scaled) when there are more
EXACT_COUNT = 1000  # totals are counted when at most about this many documents could match
COUNT_VISITS = 1500  # else matches are looked for in this share of the index (as if) ...
MIN_SAMPLE = 20  # ... widened until it holds at least this many, to estimate from
WINDOWS = 32  # evenly spread stretches of the index those matches come from
RERANK = 40  # best-scored candidates re-ranked by status (the first pages stay stable)
SCORE_KNOWN = 3000  # matches already listed by the count are scored where they are
NEAR = 0.25  # a block is scored only if it may beat the page's cut-off by this much
# days back from today (negative: ahead; upcoming editions come first) tried in turn when
# sorting by date
DATE_WINDOWS = (-365, -270, -180, -90, -30, 0, 30, 182, 730, 3650, None)
SORT_ALL = 5000  # browsing more matches than this walks the number order instead of sorting
WALK_BUDGET = 3000  # documents that walk may look at before sorting after all
STATUS_RANK = {"current": 0, "upcoming": 1, "replaced": 2, "abolished": 3}
STATUS_WEIGHT = {"current": 1.0, "upcoming": 0.9, "replaced": 0.55, "abolished": 0.5}


@dataclass(frozen=True)
class SearchParams:
    """Everything a search can be asked (hashable: it is the cache key)."""

    q: str = ""
    kind: str | None = None
    level: str | None = None
    status: str | None = None
    nature: str | None = None
    org: str | None = None
    ics: str | None = None
    year: int | None = None
    region: str | None = None
    industry: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    facets: bool = True
    today: dt.date | None = None


@dataclass
class Hit:
    entity: str
    entity_id: int
    score: float
    status: str | None = None


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    total_exact: bool
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    facets_exact: bool = True
    did_you_mean: str | None = None
    terms: list[str] = field(default_factory=list)  # words to highlight
    number_terms: list[str] = field(default_factory=list)


@dataclass
class Plan:
    query: Any
    numbers: list[str]  # normalised keys
    words: list[str]
    phrases: list[str]
    highlight: list[str]


def status_of(fields: dict[str, Any], today: int) -> str:
    """Status from the stored dates, as of ``today`` (never stored in the index)."""
    withdrawn = fields.get("withdrawn") or NEVER
    if withdrawn <= today:
        return "replaced" if fields.get("end_kind") == "replaced" else "abolished"
    if (fields.get("effective") or 0) > today:
        return "upcoming"
    return "current"


_NUMBERISH = re.compile(r"[0-9]")


def _split(text: str) -> tuple[list[str], list[str]]:
    """Quoted phrases and the remaining tokens."""
    text = normalise(text).replace("“", '"').replace("”", '"')
    phrases = [p.strip() for p in re.findall(r'"([^"]+)"', text) if p.strip()]
    rest = re.sub(r'"[^"]*"', " ", text)
    try:
        tokens = shlex.split(rest.replace("'", " "))
    except ValueError:
        tokens = rest.split()
    return phrases, tokens


def _find_numbers(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Greedy: the longest run of tokens (up to 3) that parses as a number is a number."""
    keys: list[str] = []
    words: list[str] = []
    i = 0
    while i < len(tokens):
        for n in (3, 2, 1):
            chunk = " ".join(tokens[i:i + n])
            if n > len(tokens) - i or not _NUMBERISH.search(chunk):
                continue
            if is_cjk(chunk):
                continue
            parsed = numbers.try_parse(chunk)
            if parsed is not None:
                keys.append(parsed.key.lower())
                i += n
                break
            if n == 1 and numbers.partial_key(chunk) is not None:
                keys.append(numbers.compact(chunk).lower())
                i += 1
                break
        else:
            words.append(tokens[i])
            i += 1
    return keys, words


def _word_clause(word: str) -> tuple[Any, list[str]]:
    """One typed word: an alternative over the fields that may hold it."""
    alts: list[Any] = []
    marks: list[str] = []
    if is_cjk(word):
        segs = [w for w, _ in jieba_words(word)]
        marks.extend(segs)
        if segs:
            alts.append(Q.And([Q.Term("title", s) for s in segs]))
            alts.append(Q.And([Q.Term("body", s) for s in segs]))
        grams = bigrams(word)
        if grams:
            alts.append(Q.And([Q.Term("title_bi", g) for g in grams]))
            alts.append(Q.And([Q.Term("body_bi", g) for g in grams]))
    else:
        w = word.lower()
        marks.append(w)
        parts = [t.text for t in EnglishTokenizer()(w)] or [w]  # 'high-strength' -> 2 terms
        for field in ("title_en", "title", "body"):
            alts.append(Q.And([Q.Term(field, t) for t in parts]) if len(parts) > 1
                        else Q.Term(field, parts[0]))
        if _NUMBERISH.search(w):  # codes that are not standard numbers (credit codes …)
            alts.append(Q.Term("numkeys", numbers.compact(word).lower()))
    return (Q.Or(alts) if alts else Q.NullQuery), marks


def plan(text: str) -> Plan:
    """Turn typed text into a Whoosh query."""
    phrases, tokens = _split(text)
    keys, words = _find_numbers(tokens)
    clauses: list[Any] = []
    marks: list[str] = []
    for key in keys:
        clauses.append(Q.Or([Q.Term("numkeys", key), Q.Term("adopt", key),
                             Q.Term("cites", key)]))
    for word in words:
        clause, m = _word_clause(word)
        clauses.append(clause)
        marks.extend(m)
    for phrase in phrases:
        grams = bigrams(phrase)
        en = [t for t in re.findall(r"[a-z0-9]+", phrase)]
        alts = []
        if grams:
            alts.append(Q.Phrase("title_bi", grams) if len(grams) > 1 else Q.Term("title_bi", grams[0]))
            # body text has no positions (index size): all its bigrams must occur
            alts.append(Q.And([Q.Term("body_bi", g) for g in grams]))
        if en and not is_cjk(phrase):
            alts.append(Q.Phrase("title_en", en) if len(en) > 1 else Q.Term("title_en", en[0]))
        if alts:
            clauses.append(Q.Or(alts))
            marks.append(phrase)
    if not clauses:
        query: Any = Q.Every()
    elif len(clauses) == 1:
        query = clauses[0]
    else:
        query = Q.And(clauses)
    if words and not keys and not phrases and len(words) > 1:
        # several words typed in title order: reward titles that hold them exactly so
        # (an exact title query finds its record first, not every shorter title)
        exact = " ".join(words)
        grams = bigrams(exact)
        if is_cjk(exact) and len(grams) > 1:
            # slop 2: the bigram field leaves one position free between runs of characters
            query = Q.AndMaybe(query, Q.Phrase("title_bi", grams, slop=2, boost=4.0))
        elif not is_cjk(exact):
            en = [t.text for t in EnglishTokenizer()(exact)]
            if len(en) > 1:
                query = Q.AndMaybe(query, Q.Phrase("title_en", en, boost=4.0))
    elif len(words) == 1 and is_cjk(words[0]) and len(bigrams(words[0])) > 1:
        query = Q.AndMaybe(query, Q.Phrase("title_bi", bigrams(words[0]), boost=2.0))
    return Plan(query, keys, words, phrases, marks)


def _facet_values(fields: dict[str, Any], today: int) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in ("kind", "level", "nature", "org"):
        if fields.get(name):
            out[name] = [fields[name]]
    if fields.get("ics"):
        out["ics"] = [c for c in fields["ics"].split() if "." not in c]  # top-level classes
    if fields.get("year"):
        out["year"] = [str(fields["year"])]
    for name in ("region", "industry"):
        if fields.get(name):
            out[name] = fields[name].split()[:2]
    if fields.get("kind") == "standard":
        out["status"] = [status_of(fields, today)]
    return out


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


@dataclass
class _Count:
    total: int
    exact: bool
    sample: list[int]  # documents for the facet counts, spread over the match set
    every: list[int] | None = None  # all matches, when counted one by one


def _matching(searcher: Searcher, q: Any, where: _Where | None,
              windows: list[tuple[int, int]] | None) -> list[int]:
    """Matching documents (global numbers), all or only those inside the windows."""
    out: list[int] = []
    if isinstance(q, Q.Every):  # its matcher would list every document first
        reader = searcher.reader()
        for lo, hi in windows or [(0, reader.doc_count_all())]:
            out.extend(d for d in range(lo, min(hi, reader.doc_count_all()))
                       if not reader.is_deleted(d) and (where is None or d in where))
        return out
    for sub, offset in searcher.leaf_searchers():
        size = sub.reader().doc_count_all()
        m = q.matcher(sub, sub.boolean_context())
        spans = [(0, size)] if windows is None else [
            (max(lo - offset, 0), min(hi - offset, size)) for lo, hi in windows
            if hi > offset and lo < offset + size]
        for lo, hi in spans:
            if not m.is_active():
                break
            if m.id() < lo:
                m.skip_to(lo)
            while m.is_active() and m.id() < hi:
                docnum = m.id() + offset
                if where is None or docnum in where:
                    out.append(docnum)
                m.next()
    return out


def _count(searcher: Searcher, q: Any, where: _Where | None) -> _Count:
    """The number of matches and a spread-out sample of them for the facets.

    Counted one by one when at most about ``EXACT_COUNT`` documents could match; else
    estimated from the matches in evenly spread windows of the document space, widened
    until they hold enough (a rare combination of common words is not cheap to count).
    """
    reader = searcher.reader()
    q = _matching_part(q)
    if isinstance(q, Q.Every) and where is None:
        total = searcher.doc_count()
        step = max(1, reader.doc_count_all() // FACET_SAMPLE)
        sample = [d for d in range(0, reader.doc_count_all(), step) if not reader.is_deleted(d)]
        return _Count(total, True, sample[:FACET_SAMPLE])
    n = reader.doc_count_all()
    upper = _upper(q, reader)
    cover = 1.0 if upper <= EXACT_COUNT else COUNT_VISITS / upper
    while True:
        if cover >= 0.5:
            found = _matching(searcher, q, where, None)
            return _Count(len(found), True, _spread(found, FACET_SAMPLE), found)
        width = max(1, int(n * cover / WINDOWS))
        windows = [(i * n // WINDOWS, i * n // WINDOWS + width) for i in range(WINDOWS)]
        found = _matching(searcher, q, where, windows)
        if len(found) >= MIN_SAMPLE:
            covered = sum(hi - lo for lo, hi in windows)
            total = round(len(found) * n / covered)
            return _Count(total, False, _spread(found, FACET_SAMPLE))
        cover *= 4  # too few to estimate from: look at more of the index


def _matching_part(q: Any) -> Any:
    """``q`` without the optional parts that only add to scores (they cost, match nothing)."""
    if isinstance(q, Q.AndMaybe):
        return _matching_part(q.a)
    if isinstance(q, _Require):
        return _Require(_matching_part(q.a), q.b)
    return q


def _spread(docs: list[int], k: int) -> list[int]:
    if len(docs) <= k:
        return docs
    return [docs[i * len(docs) // k] for i in range(k)]


def _score_known(searcher: Searcher, q: Any, docs: list[int],
                 want: int) -> list[tuple[int, float]]:
    """The best of documents already known to match, each scored where it is."""
    scored: list[tuple[int, float]] = []
    for sub, offset in searcher.leaf_searchers():
        size = sub.reader().doc_count_all()
        local = [d - offset for d in docs if offset <= d < offset + size]
        if not local:
            continue
        m = q.matcher(sub, sub.context())
        for d in local:
            if not m.is_active():
                break
            if m.id() < d:
                m.skip_to(d)
            if m.is_active() and m.id() == d:
                scored.append((d + offset, m.score()))
    # Whoosh's order: higher score first, then the lower document number
    return heapq.nsmallest(max(want, RERANK), scored, key=lambda ds: (-ds[1], ds[0]))


def _ranked(searcher: Searcher, q: Any, where: _Where | None,
            want: int) -> list[tuple[int, float]]:
    # Only the top is scored exactly (Whoosh skips blocks that cannot enter it); the few
    # extra candidates let current editions overtake replaced ones of similar score.
    collector: Any = _NearTop(limit=max(want, RERANK))
    if where is not None:
        collector = FilterCollector(collector, allow=where)
    searcher.search_with_collector(q, collector)
    results = collector.results()
    return [(results.docnum(i), results.score(i) or 0.0)
            for i in range(results.scored_length())]


def _by_date(searcher: Searcher, q: Any, where: _Where | None, want: int,
             today: dt.date) -> list[int]:
    """Newest first. Sorting collects every match, so look at recent windows first: the
    newest ``want`` documents of a window are the newest of all when it holds that many."""
    q = _matching_part(q)  # no scores needed
    for days in DATE_WINDOWS:
        qq = q
        if days is not None:
            # listed: stepping through the union of a range's terms for every candidate
            # of a common word costs more than listing them once
            since = _Listed("effective", date_int(today - dt.timedelta(days=days)), None,
                            constantscore=False)
            qq = since if isinstance(q, Q.Every) else _Require(q, since)
        found = _sorted(searcher, qq, where, want, "effective", reverse=True)
        if days is None or len(found) >= want:
            return found
    return []


def _sorted(searcher: Searcher, q: Any, where: _Where | None, want: int, key: str,
            reverse: bool = False) -> list[int]:
    """The first ``want`` matches in ``key`` order (nothing scored)."""
    collector = searcher.collector(limit=want, sortedby=key, reverse=reverse, filter=where)
    searcher.search_with_collector(q, collector, context=searcher.boolean_context())
    results = collector.results()
    return [results.docnum(i) for i in range(results.scored_length())]


def _walk_prefixes(tags: list[tuple[str, str | int]]) -> list[str]:
    """Where in the number order the documents a filter allows can start."""
    values = dict(tags)
    level = values.get("level")
    if level == "zzb":
        return ["group|T/ZZB|"]
    if level:
        return [f"{level}|"]
    kind = values.get("kind")
    if kind in ("declaration", "enterprise"):
        return [f"{kind}|"]
    if kind == "standard" or any(f in values for f in ("nature", "org", "ics")):
        return [f"{lv}|" for lv in sorted(STANDARD_LEVELS)]
    return [""]


def _by_number(searcher: Searcher, q: Any, where: _Where | None, want: int,
               tags: list[tuple[str, str | int]], total: int, browsing: bool) -> list[int]:
    """In number order. Few matches are sorted; when browsing many, the number order of
    the index itself (the ``sortnum`` terms) is walked until a page is found."""
    if browsing and total > SORT_ALL:
        found = _walk(searcher, tags, where, want)
        if found is not None:
            return found
    return _sorted(searcher, _matching_part(q), where, want, "sortnum")


def _walk(searcher: Searcher, tags: list[tuple[str, str | int]], where: _Where | None,
          want: int) -> list[int] | None:
    reader = searcher.reader()
    out: list[int] = []
    visited = 0
    for prefix in _walk_prefixes(tags):
        for fieldname, btext in reader.terms_from("sortnum", prefix):
            text = btext.decode() if isinstance(btext, bytes) else btext
            if fieldname != "sortnum" or not text.startswith(prefix):
                break
            for docnum in reader.postings("sortnum", btext).all_ids():
                visited += 1
                if (not tags or _tags_hold(tags, searcher.stored_fields(docnum))) and \
                        (where is None or docnum in where):
                    out.append(docnum)
            if len(out) >= want:
                return out[:want]
            if visited > WALK_BUDGET:
                return None  # sparse here: sorting the matches is cheaper
    return out


def run(searcher: Searcher, params: SearchParams) -> SearchResult:
    """Execute a search: the page of hits, totals, facets, did-you-mean."""
    day = params.today or dt.date.today()
    today = date_int(day)
    p = plan(params.q)
    tags = _tags(params)
    tag_q = _tag_query(tags)
    where = _Where(searcher, params.status, today) if params.status else None
    browsing = isinstance(p.query, Q.Every)
    text_q = _rarest_first(p.query)
    q = text_q if tag_q is None else tag_q if browsing else _Require(text_q, tag_q)
    count = _count(searcher, q, where)
    want = params.page * params.per_page
    scored: list[tuple[int, float]] = []
    if count.total:
        if params.sort == "date":
            scored = [(d, 0.0) for d in _by_date(searcher, q, where, want, day)]
        elif params.sort == "number" or browsing:
            scored = [(d, 0.0) for d in _by_number(searcher, q, where, want, tags,
                                                  count.total, browsing)]
        elif count.every is not None and len(count.every) <= SCORE_KNOWN:
            scored = _score_known(searcher, q, count.every, want)
        else:
            scored = _ranked(searcher, q, where, want)
    hits: list[Hit] = []
    for docnum, score in scored:
        stored = searcher.stored_fields(docnum)
        kind, _, ident = stored["id"].partition(":")
        status = status_of(stored, today) if kind == "standard" else None
        hits.append(Hit(kind, int(ident), score, status))
    if params.sort == "relevance" and not browsing:
        # current editions ahead of replaced ones with a similar score
        hits.sort(key=lambda h: -(h.score * STATUS_WEIGHT.get(h.status or "current", 1.0)))
    total = max(count.total, len(hits))
    facet_counts: dict[str, dict[str, int]] = {}
    if params.facets:
        for docnum in count.sample:
            for name, values in _facet_values(searcher.stored_fields(docnum), today).items():
                bucket = facet_counts.setdefault(name, {})
                for v in values:
                    bucket[v] = bucket.get(v, 0) + 1
    facets_exact = count.exact and len(count.sample) == total
    if not facets_exact and count.sample:
        scale = total / len(count.sample)  # estimates for the whole match set
        facet_counts = {k: {v: max(1, round(c * scale)) for v, c in b.items()}
                        for k, b in facet_counts.items()}
    result = SearchResult(
        hits=hits[(params.page - 1) * params.per_page: want], total=total,
        total_exact=count.exact,
        facets={k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))
                for k, v in facet_counts.items()},
        facets_exact=facets_exact,
        terms=p.highlight, number_terms=p.numbers,
    )
    if total == 0 and p.numbers:
        result.did_you_mean = did_you_mean(searcher, params.q, p.numbers)
    return result


def did_you_mean(searcher: Searcher, text: str, keys: list[str]) -> str | None:
    """A corrected number for a misspelt one (edit distance over the number keys)."""
    leaves = [sub.reader() for sub, _ in searcher.leaf_searchers()]
    for key in keys:
        # Candidates share the prefix letters and the first digit; each segment is asked
        # on its own because only a segment reader walks its terms with an automaton
        # (Whoosh's multi-segment reader measures the distance to every key).
        head = min(len(key), len(key) - len(key.lstrip("abcdefghijklmnopqrstuvwxyz/")) + 1)
        for dist in (1, 2):
            found: dict[str, int] = {}
            for reader in leaves:
                for word in reader.terms_within("numkeys", key, dist, prefix=head):
                    if word != key:
                        found[word] = found.get(word, 0) + reader.doc_frequency("numkeys", word)
            if found:
                fixed = min(found, key=lambda w: (-found[w], w))
                parsed = numbers.try_parse(fixed)
                return parsed.canonical if parsed else fixed.upper()
    del text
    return None


def suggest(searcher: Searcher, prefix: str, limit: int = 10) -> list[tuple[str, int]]:
    """Type-ahead: documents whose number or title starts with what was typed."""
    text = prefix.strip()
    if not text:
        return []
    alts: list[Any] = []
    key = numbers.compact(text).lower()
    if key:
        alts.append(Q.Prefix("numkeys", key))
    if is_cjk(text):
        grams = bigrams(text)
        if grams:
            alts.append(Q.And([Q.Term("title_bi", g) for g in grams]))
    else:
        words = re.findall(r"[a-z0-9]+", normalise(text))
        if words:
            alts.append(Q.And([Q.Term("title_en", w) for w in words[:-1]]
                              + [Q.Prefix("title_en", words[-1])]))
    if not alts:
        return []
    results = searcher.search(Q.Or(alts), limit=limit, terms=False, optimize=True)
    out = []
    for i in range(results.scored_length()):
        kind, _, ident = searcher.stored_fields(results.docnum(i))["id"].partition(":")
        out.append((kind, int(ident)))
    return out
