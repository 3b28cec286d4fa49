"""JSON API: 统计报表 Reports — the adoption rate, its drill-down, enterprises' yearly facts.

Every answer carries the definition it was computed with (name, version, rules in Chinese
and English), the filters and the time of extraction. What a caller sees is decided by
``registry.reports.adoption`` (officers of the region and administrators: everything; the
public: aggregates without output values; members: their own products' values too).
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import RAISE

from registry.apisupport import (
    BEARER,
    error_docs,
    login_required,
    optional_user,
    setup_api_blueprint,
    signed_in,
)
from registry.enterprises.services import get_enterprise
from registry.errors import NotFound, ValidationError
from registry.extensions import db, utcnow
from registry.paging import envelope
from registry.reports import adoption, drilldown, facts, scoping
from registry.reports.definitions import ADOPTION_V1
from registry.reports.schemas import (
    AdoptionArgsSchema,
    AdoptionProductArgsSchema,
    AdoptionProductPageSchema,
    AdoptionReportSchema,
    EnterpriseYearInSchema,
    EnterpriseYearListSchema,
    EnterpriseYearSchema,
)

blp = Blueprint("reports_api", __name__, url_prefix="/api/v1", description="统计报表 Reports")
setup_api_blueprint(blp)

_CODE_PARAM = [{"in": "path", "name": "credit_code", "required": True,
                "schema": {"type": "string"}, "description": "统一社会信用代码（18 位）"}]
_YEAR_PARAM = [*_CODE_PARAM, {"in": "path", "name": "year", "required": True,
                              "schema": {"type": "integer"}, "description": "年度"}]


@blp.route("/reports/adoption", methods=["GET"])
@blp.arguments(AdoptionArgsSchema, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, AdoptionReportSchema)
@error_docs(blp, 401)
def adoption_report(region: str | None, industry: str | None, year: int | None, weight: str,
                    trend: bool) -> dict[str, Any]:
    """The adoption rate (采标率) of a region, an industry and a year.

    Numerator, denominator and rate, counted by main products and weighted by output value;
    broken down by sub-region (province → cities, city → counties), by industry (sections →
    divisions → groups) and as a region × industry matrix; the 5-year trend. The
    `definition` says exactly what was counted. Officers overseeing the region and
    administrators get `access: full` (output sums); everyone else the public aggregates.
    """
    viewer = optional_user()
    scope = scoping.resolve_scope(viewer, region, year, industry)
    return adoption.adoption_report(viewer, scope, weight, with_trend=trend).as_dict()


@blp.route("/reports/adoption/products", methods=["GET"])
@blp.arguments(AdoptionProductArgsSchema, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, AdoptionProductPageSchema)
@error_docs(blp, 401)
def adoption_products(region: str | None, industry: str | None, year: int | None,
                      status: str, enterprise: str | None, page: int,
                      per_page: int) -> dict[str, Any]:
    """The main products behind a figure (drill-down from any cell), paged.

    Each with its standards, the adoption that made it count (or the reason it did not) and
    — for those who may see it — its output value.
    """
    viewer = optional_user()
    scope = scoping.resolve_scope(viewer, region, year, industry)
    ent = None
    if enterprise:
        try:
            ent = get_enterprise(enterprise)
        except NotFound as exc:
            raise ValidationError("企业不存在", {"enterprise": [exc.message]}) from exc
    result = drilldown.adoption_products(viewer, scope, status=status, enterprise=ent,
                                        page=page, per_page=per_page)
    body = envelope(result, [row.as_dict() for row in result.items])
    body.update(definition=ADOPTION_V1.as_dict(), access=scoping.access_for(viewer, scope.region),
                extracted_at=utcnow(),
                filters=adoption.scope_filters(scope, status=status,
                                               enterprise=ent.credit_code if ent else None))
    return body


@blp.route("/enterprises/<credit_code>/years", methods=["GET"], parameters=_CODE_PARAM)
@blp.response(200, EnterpriseYearListSchema)
@error_docs(blp, 401, 404)
def enterprise_years(credit_code: str) -> dict[str, Any]:
    """An enterprise's yearly facts (above-scale status; the output value only for the
    enterprise itself, officers of its region and administrators), newest first."""
    viewer = optional_user()
    ent = get_enterprise(credit_code)
    return {"items": [f.as_dict() for f in facts.enterprise_years(ent, viewer)]}


@blp.route("/enterprises/<credit_code>/years/<int:year>", methods=["PUT"],
           parameters=_YEAR_PARAM)
@blp.doc(security=BEARER)
@login_required
@blp.arguments(EnterpriseYearInSchema)
@blp.response(200, EnterpriseYearSchema)
@error_docs(blp, 401, 403, 404)
def set_enterprise_year(data: dict[str, Any], credit_code: str, year: int) -> dict[str, Any]:
    """Record an enterprise's facts for a year (its members, officers of its region,
    administrators; audited): above-scale (规模以上) and output value (万元)."""
    user = signed_in()
    ent = get_enterprise(credit_code)
    row = facts.set_enterprise_year(ent, year, data["above_scale"], data["output_value"], user)
    db.session.commit()
    return {"year": row.year, "above_scale": row.above_scale, "output_value": row.output_value}
