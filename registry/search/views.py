"""The search page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for

from registry.errors import ValidationError
from registry.search import services

bp = Blueprint("search", __name__)

FACET_ORDER = ("level", "status", "nature", "ics", "org", "year", "kind", "region", "industry")


def _url_with(**changes: Any) -> str:
    args = {k: v for k, v in request.args.items() if k not in ("page", "lang")}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for("search.search_page", **args)  # type: ignore[arg-type]


@bp.get("/search")
def search_page() -> Any:
    """Search page: query, facets, highlights, paging; every filter lives in the URL."""
    try:
        params = services.make_params(request.args)
    except ValidationError as exc:
        return render_template("search/search.html", page=None, errors=exc.errors,
                               q=request.args.get("q", ""), url_with=_url_with,
                               facet_order=FACET_ORDER), 400
    page = services.search(params) if (params.q or _has_filter(params)) else None
    return render_template("search/search.html", page=page, errors={}, q=params.q,
                           params=params, url_with=_url_with, facet_order=FACET_ORDER)


def _has_filter(params: services.SearchParams) -> bool:
    return any(getattr(params, f) for f in ("kind", "level", "status", "nature", "org", "ics",
                                            "year", "region", "industry"))
