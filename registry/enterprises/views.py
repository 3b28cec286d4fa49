"""Enterprise pages: list, public profile with declarations, dashboard, edit, audit log, feed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select

from registry import audit, labels
from registry.accounts.auth import page_user
from registry.accounts.views import current, field_errors
from registry.declarations import feeds
from registry.declarations import services as declarations
from registry.declarations.watch import open_flags_for
from registry.enterprises import services
from registry.enterprises.models import Enterprise
from registry.enterprises.schemas import EnterpriseUpdateSchema
from registry.errors import Forbidden, RegistryError
from registry.extensions import db
from registry.fields import load_form
from registry.reports.spotchecks import results_for_enterprise
from registry.standards.views import _page_links as page_links

bp = Blueprint("enterprises", __name__)

CERTIFICATE_KINDS = ("浙江制造", "品字标")
def _page_arg() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


@bp.get("/enterprises")
def index() -> Any:
    """Public list of enterprises: search by name or credit code, filter by region, industry."""
    q = request.args.get("q", "").strip()
    region = request.args.get("region", "").strip()
    industry = request.args.get("industry", "").strip().upper()
    error = None
    if region and not (region.isdigit() and len(region) in (2, 4, 6)):
        error, region = gettext("地区代码应为 2、4 或 6 位数字，如 330000、330683"), ""
    page = services.list_enterprises(q=q or None, region=region or None, industry=industry or None,
                                     page=_page_arg(), per_page=20)
    filters = {k: v for k, v in (("q", q), ("region", region), ("industry", industry)) if v}
    return render_template("enterprises/list.html", page=page, q=q, region=region,
                           industry=industry, filters=filters, error=error,
                           page_links=page_links(page.page, page.pages)), (400 if error else 200)


@bp.get("/enterprises/<credit_code>")
def profile(credit_code: str) -> Any:
    """An enterprise's public page: who it is and everything it has declared."""
    ent = services.get_enterprise(credit_code)
    user = page_user()
    page = declarations.list_declarations(enterprise=ent, viewer=user, page=_page_arg(),
                                          per_page=50)
    return render_template("enterprises/profile.html", ent=ent, page=page,
                           own=services.can_act_for(user, ent),
                           page_links=page_links(page.page, page.pages))


@bp.get("/enterprises/<credit_code>/feed.atom")
def feed(credit_code: str) -> Response:
    """Atom feed: the enterprise's declarations published, amended, withdrawn, flagged."""
    ent = services.get_enterprise(credit_code)
    return Response(feeds.enterprise_feed(ent), mimetype="application/atom+xml")


@bp.get("/dashboard")
@login_required
def dashboard() -> Any:
    """The member's enterprise: drafts, declarations, open watch flags, quick links."""
    user = current()
    ent = user.enterprise
    if ent is None:
        # officers and administrators have no enterprise of their own
        return render_template("enterprises/dashboard.html", ent=None, user=user)
    lists = {state: declarations.list_declarations(enterprise=ent, viewer=user, state=state,
                                                   per_page=200).items
             for state in ("draft", "published", "withdrawn")}
    return render_template("enterprises/dashboard.html", ent=ent, user=user, lists=lists,
                           flags=open_flags_for(ent.id),
                           spot_results=results_for_enterprise(ent, user))


def _certificates(form: Any) -> list[dict[str, Any]]:
    rows = zip(form.getlist("cert_kind"), form.getlist("cert_number"),
               form.getlist("cert_standard"), form.getlist("cert_valid_until"), strict=False)
    out = []
    for kind, number, standard, valid_until in rows:
        if number.strip() or standard.strip():
            out.append({"kind": kind.strip(), "number": number.strip(),
                        "standard": standard.strip(), "valid_until": valid_until.strip() or None})
    return out


_CERT_LABELS = {"kind": _l("类别"), "number": _l("证书编号"), "standard": _l("依据标准"),
                "valid_until": _l("有效期至")}


def _certificate_rows(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """'certificates.0.valid_until' messages shown under the certificates table, by row."""
    out: dict[str, list[str]] = {}
    for key, msgs in errors.items():
        parts = key.split(".")
        if parts[0] == "certificates" and len(parts) == 3 and parts[1].isdigit():
            label = _CERT_LABELS.get(parts[2], parts[2])
            out.setdefault("certificates", []).extend(
                gettext("第 %(row)s 行 · %(field)s：%(msg)s", row=int(parts[1]) + 1, field=label, msg=m)
                for m in msgs)
        else:
            out.setdefault(key, []).extend(msgs)
    return out


@bp.route("/enterprises/<credit_code>/edit", methods=["GET", "POST"])
@login_required
def edit(credit_code: str) -> Any:
    """Change an enterprise's details (its own members, administrators)."""
    ent = services.get_enterprise(credit_code)
    user = current()
    if not services.can_act_for(user, ent):
        raise Forbidden(gettext("只能修改本企业的信息"))
    if request.method == "GET":
        form = {"name": ent.name, "region_code": ent.region_code,
                "industry_code": ent.industry_code, "above_scale": ent.above_scale,
                "address": ent.address or ""}
        return render_template("enterprises/edit.html", ent=ent, form=form,
                               certificates=list(ent.certificates or []), errors={},
                               kinds=CERTIFICATE_KINDS)
    f = request.form
    form = {"name": f.get("name", "").strip(), "region_code": f.get("region_code", "").strip(),
            "industry_code": f.get("industry_code", "").strip(),
            "above_scale": f.get("above_scale") == "on",
            "address": f.get("address", "").strip() or None}
    certificates = _certificates(f)
    try:
        # the same schema as PATCH /api/v1/enterprises/<code>: one set of field rules
        data = load_form(EnterpriseUpdateSchema(), {**form, "certificates": certificates})
        services.update_enterprise(ent, data, actor=user)
    except RegistryError as exc:
        db.session.rollback()
        return render_template("enterprises/edit.html", ent=ent, form=form,
                               certificates=certificates, errors=_certificate_rows(field_errors(exc)),
                               kinds=CERTIFICATE_KINDS), 422
    db.session.commit()
    flash(gettext("企业信息已保存"), "success")
    return redirect(url_for("enterprises.profile", credit_code=ent.credit_code))


@bp.get("/audit")
@login_required
def audit_log() -> Any:
    """The audit log: officers their region, administrators everything, members their own."""
    user = current()
    region = request.args.get("region", "").strip()
    if region and not region.isdigit():
        abort(400)
    page = audit.entries_for(user, region=region or None, page=_page_arg(), per_page=50)
    ids = {e.enterprise_id for e in page.items if e.enterprise_id}
    names = {row.id: row for row in db.session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.credit_code)
        .where(Enterprise.id.in_(ids)))} if ids else {}
    filters = {"region": region} if region else {}
    return render_template("enterprises/audit.html", page=page, enterprises=names, user=user,
                           region=region, filters=filters, action_text=labels.AUDIT_ACTION,
                           action_label=audit.action_label,
                           page_links=page_links(page.page, page.pages))
