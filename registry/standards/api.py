"""JSON API of the catalogue under /api/v1.

Numbers travel in the path (``/api/v1/standards/GB%2FT%2019001-2016``): the ``path``
converter accepts the slash that WSGI servers decode from ``%2F``, and any writing of the
number (full-width, em dash, no prefix, no year) finds the record.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import quote

from flask import current_app, url_for
from flask_smorest import Blueprint
from marshmallow import RAISE

from registry import numbers
from registry.apisupport import BEARER, error_doc, error_docs, require_role, setup_api_blueprint
from registry.errors import ValidationError
from registry.extensions import db
from registry.paging import envelope
from registry.standards import services, status_check
from registry.standards.models import Standard
from registry.standards.schemas import (
    StandardInSchema,
    StandardListArgsSchema,
    StandardOutSchema,
    StandardPageSchema,
    StandardUpdateSchema,
    StatusCheckInSchema,
    StatusCheckOutSchema,
)

blp = Blueprint("standards_api", __name__, url_prefix="/api/v1", description="标准目录 Catalogue")

_NUMBER_PARAM = [
    {
        "in": "path",
        "name": "number",
        "description": "标准编号的任一写法，URL 编码（如 GB%2FT%2019001-2016、GBT19001-2016、"
        "19001-2016、19001、GB%2FT%2019001）；不带年代号时返回现行版本",
        "schema": {"type": "string"},
        "required": True,
    }
]


# the number is data, not a path: no redirect that merges a doubled slash
_NUMBER_ROUTE: dict[str, Any] = {"parameters": _NUMBER_PARAM, "merge_slashes": False}


setup_api_blueprint(blp)


class _Detail:
    """A standard plus its edition neighbours, for StandardOutSchema."""

    def __init__(self, standard: Standard, other_editions: list[Standard]) -> None:
        self._standard = standard
        self.other_editions = [s.number for s in other_editions]
        self.replaced_by = [s.number for s in services.successors_of(standard)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._standard, name)


def _location(standard: Standard) -> str:
    return url_for(".list_standards") + "/" + quote(standard.number, safe="")


# -- reading ------------------------------------------------------------------------------


@blp.route("/standards", methods=["GET"])
@blp.arguments(StandardListArgsSchema, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, StandardPageSchema)
def list_standards(**filters: Any) -> dict[str, Any]:
    """List the catalogue.

    Filters: level (national, industry, local, group, enterprise, international, or zzb for
    浙江制造), status (derived from today's date), nature, ics (a code and its children),
    org (sector, province or organisation code), q (number fragment or title words).
    Sorted by number; `per_page` is 1–100.
    """
    return envelope(services.list_standards(**filters))


@blp.route("/standards/<path:number>", methods=["GET"], **_NUMBER_ROUTE)
@blp.response(200, StandardOutSchema)
@error_doc(blp, 404)
def get_standard(number: str) -> _Detail:
    """Look a standard up by any writing of its number.

    With a year the exact edition answers; without one, the edition now in force (else the
    upcoming, else the newest). `other_editions` names the catalogue's other editions,
    `replaces` and `replaced_by` the replacement chain.
    """
    look = services.find_standard(number)
    return _Detail(look.standard, look.other_editions)


@blp.route("/standards/status-check", methods=["POST"])
@blp.arguments(StatusCheckInSchema)
@blp.response(200, StatusCheckOutSchema)
def check_status(data: dict[str, Any]) -> dict[str, Any]:
    """Bulk status check: is each number in the catalogue, in force, and what replaced it.

    Up to 5000 numbers, one row each in input order (blank lines skipped).
    """
    rows = status_check.check_statuses(
        data["numbers"], max_items=current_app.config["STATUS_CHECK_MAX"]
    )
    counts = Counter(row.status for row in rows if row.found)
    found = sum(1 for row in rows if row.found)
    summary = {"found": found, "not_found": len(rows) - found}
    summary.update({s: counts.get(s, 0) for s in ("current", "replaced", "abolished", "upcoming")})
    return {"items": rows, "summary": summary}


# -- writing (administrators, bearer token) ------------------------------------------------


@blp.route("/standards", methods=["POST"])
@blp.doc(security=BEARER)
@require_role("admin")
@blp.arguments(StandardInSchema)
@blp.response(
    201,
    StandardOutSchema,
    headers={"Location": {"description": "URL of the new record", "schema": {"type": "string"}}},
)
@error_docs(blp, 401, 403, 409)
def create_standard(data: dict[str, Any]) -> tuple[_Detail, dict[str, str]]:
    """Add an edition to the catalogue (administrators).

    A number already catalogued is a conflict (409): change it with PATCH.
    """
    std = services.create_standard(data, source="api")
    detail = _Detail(std, [s for s in services.editions_of(std) if s.id != std.id])
    location = _location(std)
    db.session.commit()
    return detail, {"Location": location}


@blp.route("/standards/<path:number>", methods=["PATCH"], **_NUMBER_ROUTE)
@blp.doc(security=BEARER)
@require_role("admin")
@blp.arguments(StandardUpdateSchema(partial=True))
@blp.response(200, StandardOutSchema)
@error_docs(blp, 401, 403, 404)
def update_standard(data: dict[str, Any], number: str) -> _Detail:
    """Change fields of one edition (administrators); the number names the exact edition."""
    std = services.get_standard(number)
    _check_against_record(std, data)
    services.update_standard(std, data)
    detail = _Detail(std, [s for s in services.editions_of(std) if s.id != std.id])
    db.session.commit()
    return detail


def _check_against_record(std: Standard, data: dict[str, Any]) -> None:
    """The checks StandardInSchema makes on a whole record, on the record as patched."""
    issued = data.get("issued_on", std.issued_on)
    effective = data.get("effective_on", std.effective_on)
    withdrawn = data.get("withdrawn_on", std.withdrawn_on)
    errors: dict[str, list[str]] = {}
    if issued and effective and effective < issued:
        errors["effective_on"] = ["实施日期不能早于发布日期"]
    dates_touched = "withdrawn_on" in data or "effective_on" in data
    if dates_touched and withdrawn and effective and withdrawn < effective:
        errors["withdrawn_on"] = ["废止日期不能早于实施日期"]
    nature = numbers.parse(std.number).nature
    if data.get("nature") and nature and data["nature"] != nature:
        errors["nature"] = [f"标准性质与编号不符：{std.number} 应为 {nature}"]
    if errors:
        raise ValidationError("提交的数据有误", errors)
