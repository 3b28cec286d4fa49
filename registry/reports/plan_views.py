"""Pages of plans (规划) and spot checks (抽查): the plan list, a plan with its indicators'
progress and its CSV/XLSX download, the officers' forms (plan, indicator, hand value), the
draw form, a draw with its result forms. The forms load the API's schemas
(``fields.load_form``); who sees and does what is decided by ``plans`` and ``spotchecks``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext
from flask_login import login_required

from registry import identifiers, labels
from registry.accounts.auth import page_user
from registry.accounts.views import current, field_errors
from registry.enterprises.views import _page_arg
from registry.errors import Forbidden, NotFound, RegistryError
from registry.extensions import db, utcnow
from registry.fields import load_form
from registry.reports import plans, report_charts, spotchecks
from registry.reports.computations import COMPUTATIONS, LEVELS
from registry.reports.plan_exports import plan_export
from registry.reports.plan_schemas import (
    PlanIndicatorInSchema,
    PlanInSchema,
    PlanPatchSchema,
    SpotCheckDrawInSchema,
    SpotCheckResultInSchema,
)
from registry.reports.views import FORMATS
from registry.standards.views import _page_links as page_links

bp = Blueprint("plans", __name__)


@bp.record_once
def _globals(state: BlueprintSetupState) -> None:
    state.app.jinja_env.globals.update(
        plan_kind_text=labels.PLAN_KIND, plan_status_text=labels.PLAN_STATUS,
        spotcheck_result_text=labels.SPOTCHECK_RESULT,
        spotcheck_finding_text=labels.SPOTCHECK_FINDING, plan_comparisons=plans.COMPARISONS,
        region_label=region_label)


def region_label(code: str) -> str:
    return identifiers.region_name(code) or code


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# -- plans --------------------------------------------------------------------------------------

@bp.get("/reports/plans")
def plan_list() -> Any:
    """Plans the viewer may see, newest period first."""
    viewer = page_user()
    page = plans.list_plans(viewer, page=_page_arg(), per_page=20)
    return render_template("reports/plans.html", page=page,
                           may_create=viewer is not None and viewer.role in ("officer", "admin"),
                           page_links=page_links(page.page, page.pages))


@bp.get("/reports/plans/<int:plan_id>")
def plan_detail(plan_id: int) -> Any:
    """A plan, its indicators and their progress as of today."""
    viewer = page_user()
    plan = plans.get_plan(plan_id, viewer)
    rows = plans.plan_progress(plan)
    return render_template("reports/plan.html", plan=plan, rows=rows,
                           chart=report_charts.plan_chart(plan, rows) if rows else None,
                           editable=plans.can_edit(viewer, plan.region_code),
                           computations=COMPUTATIONS, definition=plans.PLAN_PROGRESS_V1,
                           as_of=plans.today())


@bp.get("/reports/plans/<int:plan_id>/export.<fmt>")
def plan_download(plan_id: int, fmt: str) -> Response:
    """The plan's progress as CSV or XLSX (the same numbers as the page and the API)."""
    if fmt not in FORMATS:
        raise NotFound("不支持的格式")
    viewer = page_user()
    plan = plans.get_plan(plan_id, viewer)
    on = plans.today()
    access = "full" if plans.can_edit(viewer, plan.region_code) else "public"
    body = plan_export(plan, plans.plan_progress(plan, on), on, access, utcnow(), fmt)
    resp = Response(body, mimetype=FORMATS[fmt])
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    resp.headers["Content-Disposition"] = f'attachment; filename="plan-{plan.id}-{stamp}.{fmt}"'
    return resp


def _plan_form() -> dict[str, Any]:
    f = request.form
    return {"name": f.get("name", "").strip(), "region_code": f.get("region_code", "").strip(),
            "period_start": f.get("period_start", "").strip(),
            "period_end": f.get("period_end", "").strip(),
            "source_document": _blank(f.get("source_document")),
            "published": f.get("published") == "on"}


@bp.route("/reports/plans/new", methods=["GET", "POST"])
@login_required
def plan_new() -> Any:
    """Record a plan (officers of the region, administrators)."""
    user = current()
    if request.method == "GET":
        if user.role not in ("officer", "admin"):
            raise Forbidden("只有监管人员和管理员可以制定规划")
        form = {"region_code": user.region_code or "", "published": False}
        return render_template("reports/plan_form.html", plan=None, form=form, errors={})
    form = _plan_form()
    try:
        # the same schema as POST /api/v1/plans: one set of rules
        data = load_form(PlanInSchema(), form, "规划信息有误")
        plan = plans.create_plan(data, user)
    except RegistryError as exc:
        db.session.rollback()
        return render_template("reports/plan_form.html", plan=None, form=form,
                               errors=form_errors(exc)), exc_status(exc)
    db.session.commit()
    flash(gettext("规划已保存"), "success")
    return redirect(url_for("plans.plan_detail", plan_id=plan.id))


def form_errors(exc: RegistryError) -> dict[str, list[str]]:
    """The service's field errors for the form: a list item's message ('findings.0',
    'params.enterprises.2') shown under its list's input."""
    out: dict[str, list[str]] = {}
    for key, msgs in field_errors(exc).items():
        parts = key.split(".")
        while len(parts) > 1 and parts[-1].isdigit():
            parts.pop()
        out.setdefault(".".join(parts), []).extend(msgs)
    return out


def exc_status(exc: RegistryError) -> int:
    return int(getattr(exc, "status", 422))


@bp.route("/reports/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def plan_edit(plan_id: int) -> Any:
    """Change a plan (officers of the region, administrators)."""
    user = current()
    plan = plans.get_plan(plan_id, user)
    plans.require_edit(user, plan.region_code)
    if request.method == "GET":
        form = {k: getattr(plan, k) for k in plans.PLAN_FIELDS}
        return render_template("reports/plan_form.html", plan=plan, form=form, errors={})
    form = _plan_form()
    try:
        data = load_form(PlanPatchSchema(), form, "规划信息有误")
        data.pop("indicators", None)
        plans.update_plan(plan, data, user)
    except RegistryError as exc:
        db.session.rollback()
        return render_template("reports/plan_form.html", plan=plan, form=form,
                               errors=form_errors(exc)), exc_status(exc)
    db.session.commit()
    flash(gettext("规划已保存"), "success")
    return redirect(url_for("plans.plan_detail", plan_id=plan.id))


def _indicator_form() -> dict[str, Any]:
    f = request.form
    params: dict[str, Any] = {"industry": _blank(f.get("industry"))}
    codes = [c.strip() for c in f.get("enterprises", "").replace("，", ",").replace("\n", ",")
             .split(",") if c.strip()]
    params["enterprises"] = codes or None
    params["levels"] = f.getlist("levels") or None
    return {"name": f.get("name", "").strip(), "unit": _blank(f.get("unit")),
            "baseline": _blank(f.get("baseline")), "target": f.get("target", "").strip(),
            "comparison": f.get("comparison", "ge"), "kind": f.get("kind", "expected"),
            "deadline": _blank(f.get("deadline")), "computation": _blank(f.get("computation")),
            "params": params, "manual_value": _blank(f.get("manual_value")),
            "evidence": _blank(f.get("evidence")), "value_date": _blank(f.get("value_date"))}


def _indicator_page(plan: Any, ind: Any, form: dict[str, Any], errors: dict[str, Any]) -> str:
    return render_template("reports/indicator_form.html", plan=plan, ind=ind, form=form,
                           errors=errors, computations=COMPUTATIONS, levels=LEVELS,
                           level_text=labels.LEVEL)


@bp.route("/reports/plans/<int:plan_id>/indicators/new", methods=["GET", "POST"])
@bp.route("/reports/plans/<int:plan_id>/indicators/<int:indicator_id>/edit",
          methods=["GET", "POST"])
@login_required
def indicator_form(plan_id: int, indicator_id: int | None = None) -> Any:
    """Add or change an indicator, including a value entered by hand with its evidence."""
    user = current()
    plan = plans.get_plan(plan_id, user)
    plans.require_edit(user, plan.region_code)
    ind = plans.get_indicator(plan, indicator_id) if indicator_id is not None else None
    if request.method == "GET":
        form: dict[str, Any] = {"comparison": "ge", "kind": "expected", "params": {}}
        if ind is not None:
            form = {k: getattr(ind, k) for k in plans.INDICATOR_FIELDS}
        return _indicator_page(plan, ind, form, {})
    form = _indicator_form()
    try:
        data = load_form(PlanIndicatorInSchema(), form, "规划指标有误")
        if ind is None:
            plans.add_indicator(plan, data, user)
        else:
            plans.update_indicator(ind, data, user)
    except RegistryError as exc:
        db.session.rollback()
        return _indicator_page(plan, ind, form, form_errors(exc)), exc_status(exc)
    db.session.commit()
    flash(gettext("规划指标已保存"), "success")
    return redirect(url_for("plans.plan_detail", plan_id=plan.id))


# -- spot checks ----------------------------------------------------------------------------

def _draws_page(form: dict[str, Any], errors: dict[str, Any]) -> str:
    user = current()
    page = spotchecks.list_draws(user, page=_page_arg(), per_page=20)
    return render_template("reports/spotchecks.html", page=page, form=form, errors=errors,
                           page_links=page_links(page.page, page.pages),
                           default_weight=spotchecks.DEFAULT_WEIGHT)


@bp.get("/reports/spot-checks")
@login_required
def draws() -> Any:
    """The officer's draws and the form for a new one."""
    user = current()
    return _draws_page({"region_code": user.region_code or "", "sample_size": 20}, {})


@bp.post("/reports/spot-checks")
@login_required
def draw_new() -> Any:
    """Draw a sample (the same schema and service as POST /api/v1/spot-checks)."""
    user = current()
    f = request.form
    form = {"region_code": f.get("region_code", "").strip(),
            "sample_size": f.get("sample_size", "").strip(),
            "industry": _blank(f.get("industry")), "seed": _blank(f.get("seed")),
            "weighted": f.get("weighted") == "on",
            "weight_factor": _blank(f.get("weight_factor")) or spotchecks.DEFAULT_WEIGHT,
            "title": _blank(f.get("title"))}
    try:
        data = load_form(SpotCheckDrawInSchema(), form, "抽查条件有误")
        row = spotchecks.draw(user, data["region_code"], data["sample_size"],
                              industry=data["industry"], seed=data["seed"],
                              weighted=data["weighted"], weight_factor=data["weight_factor"],
                              title=data["title"])
    except RegistryError as exc:
        db.session.rollback()
        if exc_status(exc) == 403:
            raise
        return _draws_page(form, form_errors(exc)), exc_status(exc)
    db.session.commit()
    flash(gettext("已抽取样本"), "success")
    return redirect(url_for("plans.draw_detail", draw_id=row.id))


@bp.get("/reports/spot-checks/<int:draw_id>")
@login_required
def draw_detail(draw_id: int) -> Any:
    """A draw: how it was drawn, its sample and the result forms."""
    row = spotchecks.get_draw(draw_id, current())
    return render_template("reports/spotcheck.html", draw=row,
                           conformity=spotchecks.draw_conformity(row.id),
                           findings=spotchecks.FINDINGS, errors={}, failed=None)


@bp.post("/reports/spot-checks/<int:draw_id>/items/<int:item_id>")
@login_required
def item_result(draw_id: int, item_id: int) -> Any:
    """Record one result (the same schema and service as the API's PUT)."""
    user = current()
    row = spotchecks.get_draw(draw_id, user)
    item = spotchecks.get_item(row, item_id)
    f = request.form
    form = {"result": f.get("result", ""), "findings": f.getlist("findings"),
            "note": _blank(f.get("note"))}
    try:
        data = load_form(SpotCheckResultInSchema(), form, "抽查结果有误")
        spotchecks.record_result(item, user, data["result"], data["findings"], data["note"])
    except RegistryError as exc:
        db.session.rollback()
        if exc_status(exc) == 403:
            raise
        return render_template("reports/spotcheck.html", draw=row,
                               conformity=spotchecks.draw_conformity(row.id),
                               findings=spotchecks.FINDINGS, errors=form_errors(exc),
                               failed=item.id), exc_status(exc)
    db.session.commit()
    flash(gettext("抽查结果已登记"), "success")
    return redirect(url_for("plans.draw_detail", draw_id=row.id) + f"#item-{item.id}")
