"""JSON API: 企业 Enterprises — profiles, their declarations and watch flags; the audit log."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import RAISE

from registry import audit
from registry.apisupport import (
    BEARER,
    error_doc,
    error_docs,
    login_required,
    optional_user,
    setup_api_blueprint,
    signed_in,
)
from registry.declarations import services as declarations
from registry.declarations.schemas import (
    AuditArgsSchema,
    AuditPageSchema,
    DeclarationPageSchema,
    EnterpriseDeclarationArgsSchema,
    FlagArgsSchema,
    FlagPageSchema,
)
from registry.enterprises import services
from registry.enterprises.models import Enterprise
from registry.enterprises.schemas import (
    EnterpriseListArgsSchema,
    EnterpriseOutSchema,
    EnterprisePageSchema,
    EnterpriseUpdateSchema,
)
from registry.errors import Forbidden, NotFound
from registry.extensions import db
from registry.paging import Page, envelope

blp = Blueprint("enterprises_api", __name__, url_prefix="/api/v1", description="企业 Enterprises")
setup_api_blueprint(blp)

_CODE_PARAM = [{"in": "path", "name": "credit_code", "required": True, "schema": {"type": "string"},
                "description": "统一社会信用代码（18 位）"}]


@blp.route("/enterprises", methods=["GET"])
@blp.arguments(EnterpriseListArgsSchema, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, EnterprisePageSchema)
def list_enterprises(**filters: Any) -> dict[str, Any]:
    """List enterprises by name.

    `q` matches a name fragment or a whole credit code; `region` a GB/T 2260 code and every
    region under it (330600 covers 3306xx); `industry` a GB/T 4754 section (C: divisions
    13–43) or division. `per_page` is 1–100.
    """
    optional_user()  # a token that is not valid is still a 401
    return envelope(services.list_enterprises(**filters))


@blp.route("/enterprises/<credit_code>", methods=["GET"], parameters=_CODE_PARAM)
@blp.response(200, EnterpriseOutSchema)
@error_doc(blp, 404)
def get_enterprise(credit_code: str) -> Enterprise:
    """An enterprise's public record (404 when unknown; an invalid code says why)."""
    optional_user()
    return services.get_enterprise(credit_code)


@blp.route("/enterprises/<credit_code>", methods=["PATCH"], parameters=_CODE_PARAM)
@blp.doc(security=BEARER)
@login_required
@blp.arguments(EnterpriseUpdateSchema)
@blp.response(200, EnterpriseOutSchema)
@error_docs(blp, 401, 403, 404)
def update_enterprise(data: dict[str, Any], credit_code: str) -> Enterprise:
    """Change an enterprise's details (its own members and administrators).

    The credit code never changes; region and industry are checked as at sign-up.
    """
    user = signed_in()
    ent = services.get_enterprise(credit_code)
    services.require_act_for(user, ent)
    services.update_enterprise(ent, data, actor=user)
    db.session.commit()
    return ent


@blp.route("/enterprises/<credit_code>/declarations", methods=["GET"], parameters=_CODE_PARAM)
@blp.arguments(EnterpriseDeclarationArgsSchema, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, DeclarationPageSchema)
@error_doc(blp, 404)
def enterprise_declarations(credit_code: str, **filters: Any) -> dict[str, Any]:
    """An enterprise's declarations, newest first.

    Everyone sees the published and withdrawn ones; the enterprise's own members (and
    administrators) also see their drafts. A bearer token is optional.
    """
    viewer = optional_user()
    ent = services.get_enterprise(credit_code)
    return envelope(declarations.list_declarations(enterprise=ent, viewer=viewer, **filters))


@blp.route("/enterprises/<credit_code>/flags", methods=["GET"], parameters=_CODE_PARAM)
@blp.doc(security=BEARER)
@login_required
@blp.arguments(FlagArgsSchema, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, FlagPageSchema)
@error_docs(blp, 401, 403, 404)
def enterprise_flags(credit_code: str, resolved: bool, page: int,
                     per_page: int) -> dict[str, Any]:
    """Watch flags: declarations citing a standard since replaced (with its successor named)
    or abolished. Open flags only unless `resolved=true`.

    For the enterprise's own members, administrators and the bureau officers whose region
    covers the enterprise.
    """
    user = signed_in()
    ent = services.get_enterprise(credit_code)
    if not (services.can_act_for(user, ent) or services.can_oversee(user, ent.region_code)):
        raise Forbidden("只有本企业、管理员和辖区监管人员可以查看")
    return envelope(declarations.flags_for(ent, include_resolved=resolved, page=page,
                                           per_page=per_page))


@blp.route("/audit", methods=["GET"])
@blp.doc(security=BEARER)
@login_required
@blp.arguments(AuditArgsSchema, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, AuditPageSchema)
@error_docs(blp, 401, 403)
def audit_log(region: str | None, enterprise: str | None, page: int,
              per_page: int) -> dict[str, Any]:
    """The audit log, newest first: who did what to which record and when.

    Administrators read everything; bureau officers the entries of their region and every
    region under it (asking for a region outside it is 403); members their own enterprise's.
    Filters: `region` (2, 4 or 6 digits), `enterprise` (credit code).
    """
    user = signed_in()
    enterprise_id = None
    if enterprise:
        try:
            enterprise_id = services.get_enterprise(enterprise).id
        except NotFound:
            return envelope(Page([], 0, page, per_page))
    result = audit.entries_for(user, region=region, enterprise_id=enterprise_id, page=page,
                               per_page=per_page)
    codes = audit.credit_codes(result.items)
    items = [{"id": e.id, "at": e.at, "actor": e.actor, "action": e.action,
              "action_label": audit.action_label(e.action), "entity": e.entity,
              "entity_id": e.entity_id, "region_code": e.region_code,
              "enterprise": codes.get(e.enterprise_id) if e.enterprise_id else None,
              "detail": e.detail or {}}
             for e in result.items]
    return envelope(result, items)
