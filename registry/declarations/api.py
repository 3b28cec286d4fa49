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

from registry.accounts.models import User
from registry.apisupport import (
    BEARER,
    error_doc,
    error_docs,
    login_required,
    optional_user,
    setup_api_blueprint,
    signed_in,
)
from registry.declarations import services
from registry.declarations.checks import Check, check_declaration, errors_of
from registry.declarations.models import Declaration
from registry.declarations.reading import DeclarationView, compare_editions, read_declaration
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
from registry.errors import NotFound, error_body
from registry.extensions import db
from registry.paging import Page, envelope
from registry.standards import services as catalogue

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


def _reload(decl: Declaration, viewer: User | None,
            checks: list[Check] | None = None) -> DeclarationView:
    """The declaration as stored after a commit, as ``viewer`` may see it."""
    db.session.expire_all()
    return read_declaration(decl.id, viewer, checks)


def _location(decl: Declaration) -> str:
    return url_for("declarations_api.get_declaration", decl_id=decl.id)


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
def get_declaration(decl_id: int) -> DeclarationView:
    """A declaration with every published edition, oldest first (a bearer token is optional).

    The enterprise's own members and administrators also see the draft; for anyone else a
    draft is 404. The annual output value is shown only to the enterprise, administrators
    and the officers of its region.
    """
    return read_declaration(decl_id, optional_user())


@blp.route("/declarations/<int:decl_id>/diff", methods=["GET"])
@blp.arguments(DiffArgsSchema, location="query", unknown=RAISE)
@blp.response(200, DiffOutSchema)
@error_doc(blp, 404)
def diff_declaration(args: dict[str, Any], decl_id: int) -> dict[str, Any]:
    """What changed between two editions: `?from=1&to=2` (default: the current edition
    against the one before it). Changed fields, cited standards (removed → old, added →
    new) and indicators (`indicator:<name>`, by name)."""
    found = compare_editions(read_declaration(decl_id, optional_user()),
                             args.get("from_"), args.get("to"))
    return {"from_": found.old.number, "to": found.new.number, "changes": found.changes}


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
@error_docs(blp, 401, 403)
@answers_check_failed
def create_declaration(data: dict[str, Any]) -> tuple[DeclarationView, dict[str, str]]:
    """File a declaration: saved as a draft, or published at once with `"publish": true`.

    Members file for their own enterprise (`enterprise` may be left out); administrators
    name the enterprise by credit code. Publishing runs every check and refuses on any error
    (422 `check_failed`, nothing saved); a draft is refused only for numbers that cannot be
    stored (`standard_number_invalid`, `standard_unknown`) or a bad attachment. The answer
    lists every check, warnings included.
    """
    user = signed_in()
    ent = services.filing_enterprise(user, data.pop("enterprise"))
    publish = data.pop("publish")
    attachment = data.pop("attachment", None)
    decl, checks = services.create_declaration(ent, data, user, attachment, publish=publish,
                                               source="api")
    db.session.commit()
    return _reload(decl, user, checks), {"Location": _location(decl)}


@blp.route("/declarations/<int:decl_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@login_required
@blp.arguments(DeclarationPatchSchema())
@blp.response(200, DeclarationWithChecksSchema)
@_check_failed_doc
@error_docs(blp, 401, 403, 404, 409)
@answers_check_failed
def update_declaration(data: dict[str, Any], decl_id: int) -> DeclarationView:
    """Change the draft: fields left out keep their value (a published declaration changes
    only through amend, 409)."""
    user = signed_in()
    decl = services.get_declaration(decl_id, user)
    attachment = data.pop("attachment", None)
    draft = decl.draft
    merged = {**services.edition_data(draft), **data} if draft is not None else data
    checks = services.update_draft(decl, merged, user, attachment)
    db.session.commit()
    return _reload(decl, user, checks)


@blp.route("/declarations/<int:decl_id>/publish", methods=["POST"])
@blp.doc(security=BEARER)
@login_required
@blp.response(200, DeclarationWithChecksSchema)
@_check_failed_doc
@error_docs(blp, 401, 403, 404, 409)
@answers_check_failed
def publish_declaration(decl_id: int) -> DeclarationView:
    """Publish the draft once every check passes (on any error nothing changes: 422)."""
    user = signed_in()
    decl = services.get_declaration(decl_id, user)
    checks = services.publish_declaration(decl, user)
    db.session.commit()
    return _reload(decl, user, checks)


@blp.route("/declarations/<int:decl_id>/amend", methods=["POST"])
@blp.doc(security=BEARER)
@login_required
@blp.arguments(AmendApiInSchema)
@blp.response(200, DeclarationWithChecksSchema)
@_check_failed_doc
@error_docs(blp, 401, 403, 404, 409)
@answers_check_failed
def amend_declaration(data: dict[str, Any], decl_id: int) -> DeclarationView:
    """Publish a new edition with the full content: `kind` amendment (修改) or revision
    (修订, a new edition of the standard). Earlier editions stay readable; the attachment
    carries over unless a new one is sent."""
    user = signed_in()
    decl = services.get_declaration(decl_id, user)
    kind = data.pop("kind")
    attachment = data.pop("attachment", None)
    checks = services.amend_declaration(decl, data, user, kind=kind, attachment=attachment)
    db.session.commit()
    return _reload(decl, user, checks)


@blp.route("/declarations/<int:decl_id>/withdraw", methods=["POST"])
@blp.doc(security=BEARER)
@login_required
@blp.arguments(WithdrawInSchema)
@blp.response(200, DeclarationOutSchema)
@error_docs(blp, 401, 403, 404, 409)
def withdraw_declaration(data: dict[str, Any], decl_id: int) -> DeclarationView:
    """Withdraw (废止) a published declaration with a reason; every edition stays readable."""
    user = signed_in()
    decl = services.get_declaration(decl_id, user)
    services.withdraw_declaration(decl, data["reason"], user)
    db.session.commit()
    return _reload(decl, user)


@blp.route("/declarations/<int:decl_id>", methods=["DELETE"])
@blp.doc(security=BEARER)
@login_required
@blp.response(204)
@error_docs(blp, 401, 403, 404, 409)
def delete_declaration(decl_id: int) -> None:
    """Discard a draft that was never published (anything once published is 409: withdraw
    it instead)."""
    user = signed_in()
    decl = services.get_declaration(decl_id, user)
    services.delete_draft(decl, user)
    db.session.commit()
