"""JSON API: 规划与抽查 Plans and spot checks — plans with their indicators' live progress,
spot-check draws and results. Who sees and does what is decided in ``plans`` and
``spotchecks`` (officers: their region and below; the public: published plans' progress;
enterprises: their own results)."""

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
from registry.extensions import db, utcnow
from registry.paging import envelope
from registry.reports import plans, spotchecks
from registry.reports.computations import COMPUTATIONS
from registry.reports.plan_schemas import (
    ConformityArgsSchema,
    PlanArgsSchema,
    PlanComputationListSchema,
    PlanIndicatorInSchema,
    PlanInSchema,
    PlanPageSchema,
    PlanPatchSchema,
    PlanProgressSchema,
    PlanSchema,
    RegionConformitySchema,
    SpotCheckArgsSchema,
    SpotCheckDrawInSchema,
    SpotCheckDrawPageSchema,
    SpotCheckDrawSchema,
    SpotCheckItemListSchema,
    SpotCheckItemSchema,
    SpotCheckResultInSchema,
)

blp = Blueprint("plans_api", __name__, url_prefix="/api/v1",
                description="规划与抽查 Plans and spot checks")
setup_api_blueprint(blp)


def _id(name: str, text: str) -> list[dict[str, Any]]:
    return [{"in": "path", "name": name, "required": True, "schema": {"type": "integer"},
             "description": text}]


_PLAN = _id("plan_id", "规划编号")
_IND = [*_PLAN, *_id("indicator_id", "指标编号")]
_DRAW = _id("draw_id", "抽查编号")
_ITEM = [*_DRAW, *_id("item_id", "样本编号")]


def _plan_answer(plan: Any, viewer: Any) -> dict[str, Any]:
    out = plans.plan_dict(plan, viewer)
    out["extracted_at"] = utcnow()
    return out


@blp.route("/plans", methods=["GET"])
@blp.arguments(PlanArgsSchema, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, PlanPageSchema)
@error_docs(blp, 401)
def list_plans(region: str | None, page: int, per_page: int) -> dict[str, Any]:
    """Plans: published ones for everyone; officers also their region's drafts."""
    viewer = optional_user()
    result = plans.list_plans(viewer, region, page, per_page)
    return envelope(result, [plans.plan_dict(p, viewer, with_progress=False)
                             for p in result.items])


@blp.route("/plans/computations", methods=["GET"])
@blp.response(200, PlanComputationListSchema)
def computations() -> dict[str, Any]:
    """The computations an indicator can be bound to, each with how it counts."""
    return {"items": [c.as_dict() for c in COMPUTATIONS.values()]}


@blp.route("/plans", methods=["POST"])
@blp.doc(security=BEARER)
@login_required
@blp.arguments(PlanInSchema)
@blp.response(201, PlanSchema)
@error_docs(blp, 401, 403)
def create_plan(data: dict[str, Any]) -> dict[str, Any]:
    """Record a plan with its indicators (officers of the region, administrators; audited)."""
    user = signed_in()
    plan = plans.create_plan(data, user)
    db.session.commit()
    return _plan_answer(plan, user)


@blp.route("/plans/<int:plan_id>", methods=["GET"], parameters=_PLAN)
@blp.response(200, PlanSchema)
@error_docs(blp, 401, 404)
def get_plan(plan_id: int) -> dict[str, Any]:
    """A plan with each indicator's value, target, progress and status (met, on_track,
    behind, no_value) as of today."""
    viewer = optional_user()
    return _plan_answer(plans.get_plan(plan_id, viewer), viewer)


@blp.route("/plans/<int:plan_id>", methods=["PATCH"], parameters=_PLAN)
@blp.doc(security=BEARER)
@login_required
@blp.arguments(PlanPatchSchema)
@blp.response(200, PlanSchema)
@error_docs(blp, 401, 403, 404)
def update_plan(data: dict[str, Any], plan_id: int) -> dict[str, Any]:
    """Change a plan's fields (indicators through their own endpoints)."""
    user = signed_in()
    plan = plans.get_plan(plan_id, user)
    data.pop("indicators", None)
    plans.update_plan(plan, data, user)
    db.session.commit()
    return _plan_answer(plan, user)


@blp.route("/plans/<int:plan_id>/indicators", methods=["POST"], parameters=_PLAN)
@blp.doc(security=BEARER)
@login_required
@blp.arguments(PlanIndicatorInSchema)
@blp.response(201, PlanProgressSchema)
@error_docs(blp, 401, 403, 404)
def add_indicator(data: dict[str, Any], plan_id: int) -> dict[str, Any]:
    """Add an indicator: bound to a computation, or with a hand value, evidence and date."""
    user = signed_in()
    plan = plans.get_plan(plan_id, user)
    ind = plans.add_indicator(plan, data, user)
    db.session.commit()
    return plans.progress(ind).as_dict()


@blp.route("/plans/<int:plan_id>/indicators/<int:indicator_id>", methods=["PUT"],
           parameters=_IND)
@blp.doc(security=BEARER)
@login_required
@blp.arguments(PlanIndicatorInSchema)
@blp.response(200, PlanProgressSchema)
@error_docs(blp, 401, 403, 404)
def update_indicator(data: dict[str, Any], plan_id: int, indicator_id: int) -> dict[str, Any]:
    """Replace an indicator (including its hand-entered value)."""
    user = signed_in()
    plan = plans.get_plan(plan_id, user)
    ind = plans.update_indicator(plans.get_indicator(plan, indicator_id), data, user)
    db.session.commit()
    return plans.progress(ind).as_dict()


# -- spot checks ------------------------------------------------------------------------------

@blp.route("/spot-checks", methods=["GET"])
@blp.doc(security=BEARER)
@login_required
@blp.arguments(SpotCheckArgsSchema, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, SpotCheckDrawPageSchema)
@error_docs(blp, 401, 403)
def list_draws(page: int, per_page: int) -> dict[str, Any]:
    """Spot-check draws of the officer's region and below (administrators: all)."""
    result = spotchecks.list_draws(signed_in(), page, per_page)
    return envelope(result, [spotchecks.draw_dict(d, with_items=False) for d in result.items])


@blp.route("/spot-checks", methods=["POST"])
@blp.doc(security=BEARER)
@login_required
@blp.arguments(SpotCheckDrawInSchema)
@blp.response(201, SpotCheckDrawSchema)
@error_docs(blp, 401, 403)
def create_draw(data: dict[str, Any]) -> dict[str, Any]:
    """Draw a reproducible random sample of the region's published declarations (the seed,
    the population's definition, size and digest are stored; audited)."""
    user = signed_in()
    row = spotchecks.draw(user, data["region_code"], data["sample_size"],
                          industry=data["industry"], seed=data["seed"],
                          weighted=data["weighted"], weight_factor=data["weight_factor"],
                          title=data["title"])
    db.session.commit()
    return spotchecks.draw_dict(row)


@blp.route("/spot-checks/conformity", methods=["GET"])
@blp.doc(security=BEARER)
@login_required
@blp.arguments(ConformityArgsSchema, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, RegionConformitySchema)
@error_docs(blp, 401, 403)
def conformity(region: str, start: Any, end: Any) -> dict[str, Any]:
    """The conformity rate of a region (and below) over results recorded from `from` to `to`
    (Beijing days), unweighted draws only — what the plan indicator counts."""
    spotchecks.require_oversee(signed_in(), region)
    out = spotchecks.region_conformity(region, start, end).as_dict()
    out.update(region=region, start=start.isoformat(), end=end.isoformat(),
               weighted_draws="excluded")
    return out


@blp.route("/spot-checks/<int:draw_id>", methods=["GET"], parameters=_DRAW)
@blp.doc(security=BEARER)
@login_required
@blp.response(200, SpotCheckDrawSchema)
@error_docs(blp, 401, 404)
def get_draw(draw_id: int) -> dict[str, Any]:
    """A draw with its sample, results and conformity rate."""
    return spotchecks.draw_dict(spotchecks.get_draw(draw_id, signed_in()))


@blp.route("/spot-checks/<int:draw_id>/items/<int:item_id>", methods=["PUT"], parameters=_ITEM)
@blp.doc(security=BEARER)
@login_required
@blp.arguments(SpotCheckResultInSchema)
@blp.response(200, SpotCheckItemSchema)
@error_docs(blp, 401, 403, 404)
def record_result(data: dict[str, Any], draw_id: int, item_id: int) -> dict[str, Any]:
    """Record a sampled declaration's result: conforming or not, finding codes, a note."""
    user = signed_in()
    item = spotchecks.get_item(spotchecks.get_draw(draw_id, user), item_id)
    spotchecks.record_result(item, user, data["result"], data["findings"], data["note"])
    db.session.commit()
    return spotchecks.item_dict(item)


@blp.route("/enterprises/<credit_code>/spot-checks", methods=["GET"],
           parameters=[{"in": "path", "name": "credit_code", "required": True,
                        "schema": {"type": "string"}, "description": "统一社会信用代码"}])
@blp.doc(security=BEARER)
@login_required
@blp.response(200, SpotCheckItemListSchema)
@error_docs(blp, 401, 403, 404)
def enterprise_results(credit_code: str) -> dict[str, Any]:
    """An enterprise's spot-check results (its members, officers of its region, admins)."""
    ent = get_enterprise(credit_code)
    return {"items": [spotchecks.item_dict(i)
                      for i in spotchecks.results_for_enterprise(ent, signed_in())]}
