"""The change feed (transactional outbox) that keeps the index in step with the database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db


class ChangeFeed(db.Model):  # type: ignore[name-defined]
    """One searchable row changed: written in the same transaction as the change."""

    __tablename__ = "change_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))  # 'standard', 'declaration', 'enterprise'
    entity_id: Mapped[int] = mapped_column()
    op: Mapped[str] = mapped_column(String(8))  # 'upsert' | 'delete'
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
