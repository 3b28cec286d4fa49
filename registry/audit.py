"""The audit log: who did what to which record and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from registry import labels
from registry.accounts.models import User
from registry.enterprises.models import Enterprise
from registry.errors import Forbidden
from registry.extensions import db
from registry.identifiers import region_covers, region_prefix
from registry.paging import Page, paginate


class AuditEntry(db.Model):  # type: ignore[name-defined]
    """Who did what to which record, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now(), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(200))  # email at the time (survives deletion)
    action: Mapped[str] = mapped_column(String(40), index=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column()
    enterprise_id: Mapped[int | None] = mapped_column(index=True)
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)


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


def action_label(action: str) -> str:
    """The Chinese name of an audit action (the action itself when unnamed)."""
    return labels.text(labels.AUDIT_ACTION, action)


def entries_for(user: User, *, region: str | None = None, enterprise_id: int | None = None,
                page: int = 1, per_page: int = 50) -> Page:
    """Entries a user may read: administrators all, officers their region, members their own.

    Asking for a region outside an officer's scope, or for another enterprise than a
    member's own, is refused (403) rather than answered with an empty page.
    """
    stmt = select(AuditEntry)
    if user.role == "officer":
        if not user.region_code:
            raise Forbidden("该监管账号未设置管辖地区")
        if region and not (region_covers(user.region_code, region)
                           or region_covers(region, user.region_code)):
            raise Forbidden("只能查看本辖区的审计日志")
        stmt = stmt.where(AuditEntry.region_code.startswith(region_prefix(user.region_code),
                                                             autoescape=True))
    elif user.role == "member":
        if user.enterprise_id is None:
            raise Forbidden("该账号未关联企业")
        if enterprise_id is not None and enterprise_id != user.enterprise_id:
            raise Forbidden("只能查看本企业的审计日志")
        stmt = stmt.where(AuditEntry.enterprise_id == user.enterprise_id)
    elif user.role != "admin":
        raise Forbidden("没有权限查看审计日志")
    if region:
        stmt = stmt.where(AuditEntry.region_code.startswith(region_prefix(region), autoescape=True))
    if enterprise_id:
        stmt = stmt.where(AuditEntry.enterprise_id == enterprise_id)
    return paginate(stmt, page, per_page, AuditEntry.id.desc())


def credit_codes(entries: list[AuditEntry]) -> dict[int, str]:
    """Enterprise id -> credit code for the enterprises named in ``entries`` (one query)."""
    ids = {e.enterprise_id for e in entries if e.enterprise_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(Enterprise.id, Enterprise.credit_code)
                              .where(Enterprise.id.in_(ids)))
    return {r[0]: r[1] for r in rows}
