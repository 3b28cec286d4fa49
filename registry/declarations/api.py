"""JSON API: 自我声明 Declarations — file, check, publish, amend/revise, withdraw, compare.

Drafts are visible only to the enterprise's own members and administrators: anyone else
gets 404 for them (not 403), so their existence is not revealed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import jsonify, url_for
from flask_smorest import Blueprint
from marshmallow import RAISE
from werkzeug.wrappers import Response

from registry.accounts.api import (
    BEARER,
    error_doc,
    login_required,
    optional_user,
    setup_api_blueprint,
    signed_in,
)
from registry.accounts.models import User
from registry.declarations import services
from registry.declarations.checks import Check, check_declaration, errors_of
from registry.declarations.models import Declaration, DeclarationEdition
from registry.declarations.schemas import (
    AmendApiInSchema,
    CheckFailedSchema,
    CheckResultSchema,
    DeclarationCheckInSchema,
    DeclarationCreateSchema,
    DeclarationListArgsSchema,
    DeclarationOutSchema,
    DeclarationPageSchema,
    DeclarationPatchSchema,
    DeclarationWithChecksSchema,
    DiffArgsSchema,
    DiffOutSchema,
    WithdrawInSchema,
)
from registry.enterprises import services as enterprises
from registry.enterprises.api import envelope
from registry.enterprises.models import Enterprise
from registry.errors import Forbidden, NotFound, ValidationError, error_body
from registry.extensions import db
from registry.standards import services as catalogue
from registry.standards.services import Page

blp = Blueprint("declarations_api", __name__, url_prefix="/api/v1", description="自我声明 Declarations")
setup_api_blueprint(blp)

F = TypeVar("F", bound=Callable[..., Any])


def answers_check_failed(fn: F) -> F:
    """Answer CheckFailed as the error contract (422, code check_failed) plus ``checks``."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except services.CheckFailed as exc:
            db.session.rollback()
            body = error_body(exc.status, exc.code, exc.message, exc.errors)
            body["checks"] = [c.as_dict() for c in exc.checks]
            response: Response = jsonify(body)
            response.status_code = exc.status
            return response

    return wrapper  # type: ignore[return-value]


def _check_failed_doc(fn: F) -> F:
    return blp.alt_response(
        422, schema=CheckFailedSchema,
        description="未通过检查（code 为 check_failed，checks 列出全部检查结果），或数据格式错误")(fn)


class _EditionView:
    """An edition as one reader sees it: the output value only for those entitled to it."""

    def __init__(self, edition: DeclarationEdition, show_output: bool) -> None:
        self._edition = edition
        self.published = edition.published_at is not None
        self.annual_output_value = edition.annual_output_value if show_output else None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._edition, name)


class _DeclarationView:
    """A declaration with the editions ``viewer`` may see (and, after a save, its checks)."""

    def __init__(self, decl: Declaration, viewer: User | None,
                 checks: list[Check] | None = None) -> None:
        self._decl = decl
        ent = decl.enterprise
        show = enterprises.can_act_for(viewer, ent) or enterprises.can_oversee(
            viewer, ent.region_code)
        self.editions = [_EditionView(e, show) for e in services.visible_editions(decl, viewer)]
        self.checks = [c.as_dict() for c in checks or []]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._decl, name)


def _reload(decl: Declaration, viewer: User | None) -> Declaration:
    """The declaration as stored after a commit, with its editions in order."""
    db.session.expire_all()
    return services.get_declaration(decl.id, viewer)


def _location(decl: Declaration) -> str:
    return url_for("declarations_api.get_declaration", decl_id=decl.id)


def _enterprise_for(user: User, credit_code: str | None) -> Enterprise:
    """Which enterprise a new declaration is for: a member's own, or the one named."""
    if user.role == "officer":
        raise Forbidden("监管人员不能填报声明")
    if credit_code:
        try:
            ent = enterprises.get_enterprise(credit_code)
        except NotFound as exc:
            raise ValidationError("企业不存在", {"enterprise": [exc.message]}) from exc
        enterprises.require_act_for(user, ent)
        return ent
    if user.role == "admin":
        raise ValidationError("管理员须指定企业", {"enterprise": ["请填写企业的统一社会信用代码"]})
    if user.enterprise is None:
        raise Forbidden("该账号未关联企业")
    return user.enterprise


# -- reading --------------------------------------------------------------------------------

@blp.route("/declarations", methods=["GET"])
@blp.arguments(DeclarationListArgsSchema, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, DeclarationPageSchema)
def list_declarations(enterprise: str | None, standard: str | None, state: str | None,
                      page: int, per_page: int) -> dict[str, Any]:
    """Published and withdrawn declarations, newest first.

    Filters: `enterprise` (credit code; its own members and administrators also see its
    drafts), `standard` (any writing of a number: declarations whose current edition cites
    it), `state`. An unknown enterprise or standard gives an empty page.
    """
    viewer = optional_user()
    empty = envelope(Page([], 0, page, per_page))
    ent = std = None
    try:
        if enterprise:
            ent = enterprises.get_enterprise(enterprise)
        if standard:
            std = catalogue.find_standard(standard).standard
    except NotFound:
        return empty
    return envelope(services.list_declarations(enterprise=ent, viewer=viewer, state=state,
                                               standard=std, page=page, per_page=per_page))


@blp.route("/declarations/<int:decl_id>", methods=["GET"])
@blp.response(200, DeclarationOutSchema)
@error_doc(blp, 404)
def get_declaration(decl_id: int) -> _DeclarationView:
    """A declaration with every published edition, oldest first (a bearer token is optional).

    The enterprise's own members and administrators also see the draft; for anyone else a
    draft is 404. The annual output value is shown only to the enterprise, administrators
    and the officers of its region.
    """
    viewer = optional_user()
    return _DeclarationView(services.get_declaration(decl_id, viewer), viewer)


@blp.route("/declarations/<int:decl_id>/diff", methods=["GET"])
@blp.arguments(DiffArgsSchema, location="query", unknown=RAISE)
@blp.response(200, DiffOutSchema)
@error_doc(blp, 404)
def diff_declaration(args: dict[str, Any], decl_id: int) -> dict[str, Any]:
    """What changed between two editions: `?from=1&to=2` (default: the current edition
    against the one before it). Changed fields, cited standards (removed → old, added →
    new) and indicators (`indicator:<name>`, by name)."""
    viewer = optional_user()
    decl = services.get_declaration(decl_id, viewer)
    visible = services.visible_editions(decl, viewer)
    to_number = args.get("to")
    if to_number is None:
        current = decl.current_edition
        to_number = current.number if current is not None else visible[-1].number
    new = services.find_edition(decl, to_number, viewer)
    from_number = args.get("from_")
    if from_number is None:
        earlier = [e.number for e in visible if e.number < new.number]
        if not earlier:
            raise ValidationError("没有更早的版本可比较", {"from": ["该声明只有一个版本"]})
        from_number = earlier[-1]
    old = services.find_edition(decl, from_number, viewer)
    return {"from_": old.number, "to": new.number, "changes": services.diff_editions(old, new)}


# -- checking ---------------------------------------------------------------------------------

@blp.route("/declarations/check", methods=["POST"])
@blp.arguments(DeclarationCheckInSchema)
@blp.response(200, CheckResultSchema)
def check(data: dict[str, Any]) -> dict[str, Any]:
    """Run the submission checks without saving anything (the form calls it as one types).

    Public: no token needed. `ok` is false when any check is an error (publishing would be
    refused); warnings do not block. Each check has a stable `code`, a `level`, the `field`
    it concerns (e.g. `standards.0`, `indicators.2.value`), a Chinese `message` and, where
    there is one, a `suggestion` (e.g. the edition that replaced a cited standard). Malformed
    input (not a number where one is needed …) is a 422 validation error.
    """
    optional_user()
    attachment = data.pop("attachment", None)
    checks = check_declaration(data, attachment)
    return {"checks": [c.as_dict() for c in checks], "ok": not errors_of(checks)}


# -- writing ----------------------------------------------------------------------------------

@blp.route("/declarations", methods=["POST"])
@blp.doc(security=BEARER)
@login_required
@blp.arguments(DeclarationCreateSchema)
@blp.response(201, DeclarationWithChecksSchema, headers={
    "Location": {"description": "URL of the new declaration", "schema": {"type": "string"}}})
@_check_failed_doc
@error_doc(blp, 401)
@error_doc(blp, 403)
@answers_check_failed
def create_declaration(data: dict[str, Any]) -> tuple[_DeclarationView, dict[str, str]]:
    """File a declaration: saved as a draft, or published at once with `"publish": true`.

    Members file for their own enterprise (`enterprise` may be left out); administrators
    name the enterprise by credit code. Publishing runs every check and refuses on any error
    (422 `check_failed`, nothing saved); a draft is refused only for numbers that cannot be
    stored (`standard_number_invalid`, `standard_unknown`) or a bad attachment. The answer
    lists every check, warnings included.
    """
    user = signed_in()
    ent = _enterprise_for(user, data.pop("enterprise"))
    publish = data.pop("publish")
    attachment = data.pop("attachment", None)
    decl, checks = services.create_declaration(ent, data, user, attachment, publish=publish,
                                               source="api")
    db.session.commit()
    decl = _reload(decl, user)
    return _DeclarationView(decl, user, checks), {"Location": _location(decl)}


@blp.route("/declarations/<int:decl_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@login_required
@blp.arguments(DeclarationPatchSchema())
@blp.response(200, DeclarationWithChecksSchema)
@_check_failed_doc
@error_doc(blp, 401)
@error_doc(blp, 403)
@error_doc(blp, 404)
@error_doc(blp, 409)
@answers_check_failed
def update_declaration(data: dict[str, Any], decl_id: int) -> _DeclarationView:
    """Change the draft: fields left out keep their value (a published declaration changes
    only through amend, 409)."""
    user = signed_in()
    decl = services.get_declaration(decl_id, user)
    attachment = data.pop("attachment", None)
    draft = decl.draft
    merged = {**services.edition_data(draft), **data} if draft is not None else data
    checks = services.update_draft(decl, merged, user, attachment)
    db.session.commit()
    return _DeclarationView(_reload(decl, user), user, checks)


@blp.route("/declarations/<int:decl_id>/publish", methods=["POST"])
@blp.doc(security=BEARER)
@login_required
@blp.response(200, DeclarationWithChecksSchema)
@_check_failed_doc
@error_doc(blp, 401)
@error_doc(blp, 403)
@error_doc(blp, 404)
@error_doc(blp, 409)
@answers_check_failed
def publish_declaration(decl_id: int) -> _DeclarationView:
    """Publish the draft once every check passes (on any error nothing changes: 422)."""
    user = signed_in()
    decl = services.get_declaration(decl_id, user)
    checks = services.publish_declaration(decl, user)
    db.session.commit()
    return _DeclarationView(_reload(decl, user), user, checks)


@blp.route("/declarations/<int:decl_id>/amend", methods=["POST"])
@blp.doc(security=BEARER)
@login_required
@blp.arguments(AmendApiInSchema)
@blp.response(200, DeclarationWithChecksSchema)
@_check_failed_doc
@error_doc(blp, 401)
@error_doc(blp, 403)
@error_doc(blp, 404)
@error_doc(blp, 409)
@answers_check_failed
def amend_declaration(data: dict[str, Any], decl_id: int) -> _DeclarationView:
    """Publish a new edition with the full content: `kind` amendment (修改) or revision
    (修订, a new edition of the standard). Earlier editions stay readable; the attachment
    carries over unless a new one is sent."""
    user = signed_in()
    decl = services.get_declaration(decl_id, user)
    kind = data.pop("kind")
    attachment = data.pop("attachment", None)
    checks = services.amend_declaration(decl, data, user, kind=kind, attachment=attachment)
    db.session.commit()
    return _DeclarationView(_reload(decl, user), user, checks)


@blp.route("/declarations/<int:decl_id>/withdraw", methods=["POST"])
@blp.doc(security=BEARER)
@login_required
@blp.arguments(WithdrawInSchema)
@blp.response(200, DeclarationOutSchema)
@error_doc(blp, 401)
@error_doc(blp, 403)
@error_doc(blp, 404)
@error_doc(blp, 409)
def withdraw_declaration(data: dict[str, Any], decl_id: int) -> _DeclarationView:
    """Withdraw (废止) a published declaration with a reason; every edition stays readable."""
    user = signed_in()
    decl = services.get_declaration(decl_id, user)
    services.withdraw_declaration(decl, data["reason"], user)
    db.session.commit()
    return _DeclarationView(_reload(decl, user), user)


@blp.route("/declarations/<int:decl_id>", methods=["DELETE"])
@blp.doc(security=BEARER)
@login_required
@blp.response(204)
@error_doc(blp, 401)
@error_doc(blp, 403)
@error_doc(blp, 404)
@error_doc(blp, 409)
def delete_declaration(decl_id: int) -> None:
    """Discard a draft that was never published (anything once published is 409: withdraw
    it instead)."""
    user = signed_in()
    decl = services.get_declaration(decl_id, user)
    services.delete_draft(decl, user)
    db.session.commit()
