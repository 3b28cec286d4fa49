"""The audit log: who did what to which record and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from registry.accounts.models import User
from registry.declarations.models import AuditEntry
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.standards.services import Page


def record(actor: User | None, action: str, entity: str, entity_id: int,
           enterprise: Enterprise | None = None, **detail: Any) -> AuditEntry:
    """Add one entry in the caller's transaction."""
    entry = AuditEntry(
        user_id=actor.id if actor else None, actor=actor.email if actor else "system",
        action=action, entity=entity, entity_id=entity_id,
        enterprise_id=enterprise.id if enterprise else None,
        region_code=enterprise.region_code if enterprise else None, detail=detail)
    db.session.add(entry)
    return entry


def entries_for(user: User, *, region: str | None = None, enterprise_id: int | None = None,
                page: int = 1, per_page: int = 50) -> Page:
    """Entries a user may read: administrators all, officers their region, members their own."""
    from sqlalchemy import func

    from registry.enterprises.services import region_prefix
    from registry.errors import Forbidden

    stmt = select(AuditEntry)
    if user.role == "officer":
        if not user.region_code:
            raise Forbidden("该监管账号未设置管辖地区")
        stmt = stmt.where(AuditEntry.region_code.like(region_prefix(user.region_code) + "%"))
    elif user.role == "member":
        stmt = stmt.where(AuditEntry.enterprise_id == user.enterprise_id)
    elif user.role != "admin":
        raise Forbidden("没有权限查看审计日志")
    if region:
        stmt = stmt.where(AuditEntry.region_code.like(region_prefix(region) + "%"))
    if enterprise_id:
        stmt = stmt.where(AuditEntry.enterprise_id == enterprise_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(stmt.order_by(AuditEntry.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(rows), total, page, per_page)
