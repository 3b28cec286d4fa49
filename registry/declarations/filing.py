"""Filing pages: new declaration, edit a draft, publish, amend or revise, withdraw.

Each view calls one service (or two, in one transaction), commits on success and on any
refusal rolls back and shows the form again with the messages: nothing is half-saved.
Routed by ``views.bp``.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from registry.accounts.models import User
from registry.accounts.views import current, field_errors
from registry.declarations import forms, services
from registry.declarations.checks import MAX_ATTACHMENT, errors_of
from registry.declarations.models import Declaration
from registry.declarations.schemas import WithdrawInSchema
from registry.declarations.services import CheckFailed
from registry.enterprises.models import Enterprise
from registry.enterprises.services import can_act_for
from registry.errors import Forbidden, RegistryError
from registry.extensions import db
from registry.fields import load_form

BLANK_STANDARD_ROWS = 2
BLANK_INDICATOR_ROWS = 3


def _acting_enterprise(user: User) -> Enterprise:
    """Members file for their enterprise; administrators name one (``?enterprise=<code>``)."""
    return services.filing_enterprise(user, request.values.get("enterprise") or None)


def _own_declaration(decl_id: int, user: User) -> Declaration:
    decl = services.get_declaration(decl_id, user)
    if not can_act_for(user, decl.enterprise):
        raise Forbidden(gettext("只能办理本企业的声明"))
    return decl


def _attachment() -> tuple[str, bytes] | None:
    upload = request.files.get("attachment")
    if upload is None or not upload.filename:
        return None
    return upload.filename, upload.read()


def _padded(raw: dict[str, Any]) -> dict[str, Any]:
    """Leave blank rows to type into."""
    raw = dict(raw)
    raw["standards"] = list(raw["standards"]) + [""] * max(
        1, BLANK_STANDARD_ROWS - len(raw["standards"]))
    blank = dict.fromkeys(forms.INDICATOR_KEYS, "")
    raw["indicators"] = list(raw["indicators"]) + [dict(blank)] * max(
        1, BLANK_INDICATOR_ROWS - len(raw["indicators"]))
    return raw


def _form(mode: str, ent: Enterprise, raw: dict[str, Any], *, decl: Declaration | None = None,
          errors: dict[str, list[str]] | None = None, checks: list[dict[str, Any]] | None = None,
          kind: str = "amendment", status: int = 200) -> Any:
    action = {"new": url_for("declarations.new", enterprise=ent.credit_code),
              "edit": url_for("declarations.edit", decl_id=decl.id) if decl else "",
              "amend": url_for("declarations.amend", decl_id=decl.id) if decl else ""}[mode]
    errors = dict(errors or {})
    for c in checks or []:
        if c["level"] == "error":
            errors.setdefault(c["field"], []).append(c["message"])
    return render_template("declarations/form.html", mode=mode, ent=ent, decl=decl,
                           raw=_padded(raw), errors=errors, checks=checks, kind=kind,
                           action=action, max_attachment=MAX_ATTACHMENT), status


def _refused(exc: RegistryError, parsed: forms.ParsedForm) -> dict[str, Any]:
    """A refusal as form context: the checks (renumbered to the page) or the field errors."""
    db.session.rollback()
    if isinstance(exc, CheckFailed):
        return {"checks": forms.checks_on_page(parsed, exc.checks)}
    return {"errors": field_errors(exc)}


def _saved(decl: Declaration, checks: list[Any], published: bool) -> Any:
    db.session.commit()
    if published:
        flash(gettext("声明已公开"), "success")
    else:
        n = len(errors_of(checks))
        flash(gettext("草稿已保存") + (gettext("；公开前还需解决 %(n)s 个问题", n=n) if n else ""),
              "success" if not n else "info")
    return redirect(url_for("declarations.detail", decl_id=decl.id))


@login_required
def new() -> Any:
    """A new declaration, saved as a draft (保存草稿) or published at once (公开声明)."""
    user = current()
    ent = _acting_enterprise(user)
    if request.method == "GET":
        return _form("new", ent, forms.empty_raw())
    parsed = forms.parse(request.form)
    data, errors = forms.load(parsed)
    if data is None:
        return _form("new", ent, parsed.raw, errors=errors, status=422)
    publish = request.form.get("action") == "publish"
    try:
        decl, checks = services.create_declaration(ent, data, user, _attachment(), publish=publish)
    except RegistryError as exc:
        return _form("new", ent, parsed.raw, status=422, **_refused(exc, parsed))
    return _saved(decl, checks, publish)


@login_required
def edit(decl_id: int) -> Any:
    """Change a draft; optionally publish it in the same step."""
    user = current()
    decl = _own_declaration(decl_id, user)
    draft = decl.draft
    if draft is None:
        flash(gettext("已公开的声明不能直接修改，请提交修改或修订（将生成新版本）"), "info")
        return redirect(url_for("declarations.amend", decl_id=decl.id))
    ent = decl.enterprise
    if request.method == "GET":
        return _form("edit", ent, forms.raw_from_data(services.edition_data(draft)), decl=decl)
    parsed = forms.parse(request.form)
    data, errors = forms.load(parsed)
    if data is None:
        return _form("edit", ent, parsed.raw, decl=decl, errors=errors, status=422)
    publish = request.form.get("action") == "publish"
    try:
        checks = services.update_draft(decl, data, user, _attachment())
        if publish:
            checks = services.publish_declaration(decl, user)
    except RegistryError as exc:
        return _form("edit", ent, parsed.raw, decl=decl, status=422, **_refused(exc, parsed))
    return _saved(decl, checks, publish)


@login_required
def publish(decl_id: int) -> Any:
    """Publish a draft as it stands (from the declaration's page)."""
    user = current()
    decl = _own_declaration(decl_id, user)
    try:
        checks = services.publish_declaration(decl, user)
    except CheckFailed as exc:
        db.session.rollback()
        decl = _own_declaration(decl_id, user)
        draft = decl.draft
        assert draft is not None
        parsed = forms.parse_data(services.edition_data(draft))
        return _form("edit", decl.enterprise, parsed.raw, decl=decl, status=422,
                     checks=forms.checks_on_page(parsed, exc.checks))
    return _saved(decl, checks, True)


@login_required
def delete(decl_id: int) -> Any:
    """Discard a draft that was never published."""
    user = current()
    decl = _own_declaration(decl_id, user)
    services.delete_draft(decl, user)
    db.session.commit()
    flash(gettext("草稿已删除"), "info")
    return redirect(url_for("enterprises.dashboard"))


@login_required
def amend(decl_id: int) -> Any:
    """A new edition of a published declaration: 修改 (amendment) or 修订 (revision)."""
    user = current()
    decl = _own_declaration(decl_id, user)
    ent = decl.enterprise
    if decl.state != "published" or decl.current_edition is None:
        flash(gettext("只有已公开的声明可以修改或修订"), "info")
        return redirect(url_for("declarations.detail", decl_id=decl.id))
    if request.method == "GET":
        raw = forms.raw_from_data(services.edition_data(decl.current_edition))
        old, new_number = request.args.get("replace", ""), request.args.get("with", "")
        if old and new_number:  # from a watch flag: put the successor in its place
            raw["standards"] = [new_number if s == old else s for s in raw["standards"]]
        return _form("amend", ent, raw, decl=decl)
    kind = request.form.get("kind", "amendment")
    parsed = forms.parse(request.form)
    data, errors = forms.load(parsed)
    if data is None:
        return _form("amend", ent, parsed.raw, decl=decl, errors=errors, kind=kind, status=422)
    try:  # the service says whether the kind is one (the API's schema names the same two)
        checks = services.amend_declaration(decl, data, user, kind=kind, attachment=_attachment())
    except RegistryError as exc:
        return _form("amend", ent, parsed.raw, decl=decl, kind=kind, status=422,
                     **_refused(exc, parsed))
    return _saved(decl, checks, True)


@login_required
def withdraw(decl_id: int) -> Any:
    """Withdraw (废止) a published declaration, giving the reason; its editions stay public."""
    user = current()
    decl = _own_declaration(decl_id, user)
    if request.method == "GET":
        return render_template("declarations/withdraw.html", decl=decl, reason="", errors={})
    reason = request.form.get("reason", "").strip()
    try:
        # the same schema as POST /api/v1/declarations/<id>/withdraw
        data = load_form(WithdrawInSchema(), {"reason": reason})
        services.withdraw_declaration(decl, data["reason"], user)
    except RegistryError as exc:
        db.session.rollback()
        return render_template("declarations/withdraw.html", decl=decl, reason=reason,
                               errors=field_errors(exc)), 422
    db.session.commit()
    flash(gettext("声明已废止"), "info")
    return redirect(url_for("declarations.detail", decl_id=decl.id))
