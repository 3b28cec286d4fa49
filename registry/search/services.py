"""Search use cases shared by the page and the API: search, suggest, highlight."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from marshmallow import ValidationError as SchemaError

from registry.errors import RegistryError, ValidationError
from registry.search.backend import IndexUnavailable, backend_for
from registry.search.documents import load_standards
from registry.search.query import SearchParams, SearchResult
from registry.search.schemas import SearchArgsSchema

# entity -> loader of rows by ids (declarations and enterprises register theirs)
LOADERS: dict[str, Callable[[Sequence[int]], dict[int, Any]]] = {}


def _load_standards(ids: Sequence[int]) -> dict[int, Any]:
    return {r.id: r for r in load_standards(ids)}


LOADERS["standard"] = _load_standards


@dataclass
class Item:
    entity: str
    record: Any
    score: float
    title_html: Markup
    snippet_html: Markup


@dataclass
class SearchPage:
    params: SearchParams
    items: list[Item]
    total: int
    total_exact: bool
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    facets_exact: bool = True
    did_you_mean: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.params.per_page))


def make_params(args: Any) -> SearchParams:
    """Validated search parameters from query-string arguments (raises the 422 contract)."""
    try:
        data = SearchArgsSchema().load(dict(args.items()) if hasattr(args, "items") else args)
    except SchemaError as exc:
        raise ValidationError("搜索参数有误", exc.normalized_messages()) from exc
    data["q"] = data["q"].strip()
    return SearchParams(**data, today=dt.date.today())


def search(params: SearchParams) -> SearchPage:
    """Run a search and load the hits from the database in ranking order."""
    try:
        result: SearchResult = backend_for().search(params)
    except IndexUnavailable as exc:
        err = RegistryError(str(exc))
        err.status, err.code = 503, "index_unavailable"
        raise err from exc
    by_entity: dict[str, list[int]] = {}
    for hit in result.hits:
        by_entity.setdefault(hit.entity, []).append(hit.entity_id)
    loaded = {e: LOADERS[e](ids) for e, ids in by_entity.items() if e in LOADERS}
    items: list[Item] = []
    marks = result.terms
    for hit in result.hits:
        record = loaded.get(hit.entity, {}).get(hit.entity_id)
        if record is None:  # deleted since indexing; the updater will catch up
            continue
        title, body = _texts(hit.entity, record)
        items.append(Item(hit.entity, record, hit.score, highlight(title, marks),
                          snippet(body, marks)))
    return SearchPage(params, items, result.total, result.total_exact, result.facets,
                      result.facets_exact, result.did_you_mean)


def _texts(entity: str, record: Any) -> tuple[str, str]:
    if entity == "standard":
        body = " ".join(filter(None, [record.title_en, record.scope]))
        return record.title_zh, body
    return getattr(record, "search_title", str(record)), getattr(record, "search_body", "")


def suggest(prefix: str, limit: int = 10) -> list[dict[str, Any]]:
    """Type-ahead entries: number and title of the best prefix matches."""
    if not prefix.strip():
        return []
    try:
        found = backend_for().suggest(prefix.strip()[:100], limit)
    except IndexUnavailable:
        return []
    ids = [i for e, i in found if e == "standard"]
    rows = _load_standards(ids) if ids else {}
    out = []
    for entity, ident in found:
        row = rows.get(ident) if entity == "standard" else None
        if row is not None:
            out.append({"kind": "standard", "number": row.number, "title": row.title_zh,
                        "status": row.status})
    return out


def _pattern(marks: Sequence[str]) -> re.Pattern[str] | None:
    words = sorted({m for m in marks if m and m.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def highlight(text: str | None, marks: Sequence[str]) -> Markup:
    """Escape ``text`` and wrap every searched word in <mark>."""
    text = text or ""
    pat = _pattern(marks)
    if pat is None:
        return Markup(escape(text))
    out, last = [], 0
    for m in pat.finditer(text):
        out.append(escape(text[last:m.start()]))
        out.append(Markup("<mark>") + escape(m.group()) + Markup("</mark>"))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(text: str | None, marks: Sequence[str], width: int = 120) -> Markup:
    """A window of ``text`` around the first match, highlighted."""
    text = text or ""
    pat = _pattern(marks)
    start = 0
    if pat is not None:
        m = pat.search(text)
        if m:
            start = max(0, m.start() - width // 3)
    piece = text[start:start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return Markup(escape(prefix)) + highlight(piece, marks) + Markup(escape(suffix))

