"""GET /api/v1/search and GET /api/v1/suggest."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_smorest import Blueprint

from registry.search import services
from registry.search.schemas import (
    SearchArgsSchema,
    SearchResultSchema,
    SuggestArgsSchema,
    SuggestResultSchema,
)

blp = Blueprint("search_api", __name__, url_prefix="/api/v1",
                description="全文检索 Search across standards, declarations, enterprises")


def hit_json(item: services.Item) -> dict[str, Any]:
    """One search hit as the API answers it."""
    rec = item.record
    if item.entity == "standard":
        return {"kind": "standard", "number": rec.number, "title": rec.title_zh,
                "title_html": str(item.title_html), "snippet_html": str(item.snippet_html),
                "status": rec.status, "level": "zzb" if rec.is_zhejiang_made else rec.level,
                "url": url_for("standards.detail", number=rec.number),
                "score": round(item.score, 4)}
    return {"kind": item.entity, "number": getattr(rec, "number", None),
            "title": getattr(rec, "search_title", ""), "title_html": str(item.title_html),
            "snippet_html": str(item.snippet_html), "status": getattr(rec, "status", None),
            "level": None, "url": getattr(rec, "url", ""), "score": round(item.score, 4)}


def page_json(page: services.SearchPage) -> dict[str, Any]:
    return {
        "items": [hit_json(i) for i in page.items],
        "total": page.total, "total_exact": page.total_exact,
        "page": page.params.page, "per_page": page.params.per_page, "pages": page.pages,
        "facets": {k: [{"value": v, "count": c} for v, c in vals]
                   for k, vals in page.facets.items()},
        "facets_exact": page.facets_exact, "did_you_mean": page.did_you_mean,
    }


@blp.route("/search")
@blp.arguments(SearchArgsSchema, location="query", as_kwargs=True)
@blp.response(200, SearchResultSchema)
def search(**args: Any) -> Any:
    """One search over every standard (number in any form, Chinese, English, adoption).

    Filters and facets: kind, level, status, nature, org, ics, year, region, industry.
    `total_exact=false` means the total is Whoosh's estimate (cheaper on common words).
    """
    return page_json(services.search(services.make_params(args)))


@blp.route("/suggest")
@blp.arguments(SuggestArgsSchema, location="query", as_kwargs=True)
@blp.response(200, SuggestResultSchema)
def suggest(q: str, limit: int) -> Any:
    """Type-ahead on standard numbers and titles."""
    return {"items": services.suggest(q, limit)}
