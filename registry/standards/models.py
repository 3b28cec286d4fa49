"""Catalogue models: a standard, its ICS codes, adoptions and the replacement chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry import labels
from registry.extensions import db

LEVELS = ("national", "industry", "local", "group", "enterprise", "international")
NATURES = ("mandatory", "recommended", "guidance")
STATUSES = ("upcoming", "current", "replaced", "abolished")
DEGREES = ("IDT", "MOD", "NEQ")
END_KINDS = ("replaced", "abolished")



def _today() -> dt.date:
    return dt.date.today()


class Standard(db.Model):  # type: ignore[name-defined]
    """One edition of a standard, identified by its canonical number."""

    __tablename__ = "standards"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(80), unique=True)  # canonical 'GB/T 19001-2016'
    number_key: Mapped[str] = mapped_column(String(80), unique=True)  # 'GBT19001-2016'
    base_key: Mapped[str] = mapped_column(String(80), index=True)  # 'GBT19001'
    seq_key: Mapped[str] = mapped_column(String(40), index=True)  # '19001'
    dual_number: Mapped[str | None] = mapped_column(String(160))
    level: Mapped[str] = mapped_column(String(16), index=True)
    prefix: Mapped[str] = mapped_column(String(40))
    nature: Mapped[str | None] = mapped_column(String(16), index=True)
    org: Mapped[str | None] = mapped_column(String(40), index=True)  # sector/province/org code
    year: Mapped[int | None] = mapped_column(index=True)

    title_zh: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str | None] = mapped_column(String(500))

    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    effective_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    # When a source said "no longer in force" without a date, withdrawn_on is the date we
    # learnt it (an upper bound) and this flag says so.
    withdrawn_on_estimated: Mapped[bool] = mapped_column(default=False)
    end_kind: Mapped[str | None] = mapped_column(String(16))  # 'replaced' | 'abolished'

    ccs: Mapped[str | None] = mapped_column(String(16), index=True)
    issuing_body: Mapped[str | None] = mapped_column(String(300))
    responsible_dept: Mapped[str | None] = mapped_column(String(300))
    technical_committee: Mapped[str | None] = mapped_column(String(300))
    drafting_orgs: Mapped[list[str]] = mapped_column(JSON, default=list)
    drafters: Mapped[list[str]] = mapped_column(JSON, default=list)
    filing_no: Mapped[str | None] = mapped_column(String(80))
    notice_no: Mapped[str | None] = mapped_column(String(80))
    scope: Mapped[str | None] = mapped_column(Text)
    full_text_url: Mapped[str | None] = mapped_column(String(500))
    # Where the record came from: 'import:<file>', 'api', 'demo' (generated, not real), ...
    source: Mapped[str] = mapped_column(String(200), default="manual")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now()
    )

    ics_codes: Mapped[list[StandardICS]] = relationship(
        back_populates="standard", cascade="all, delete-orphan", order_by="StandardICS.position"
    )
    adoptions: Mapped[list[Adoption]] = relationship(
        back_populates="standard", cascade="all, delete-orphan", order_by="Adoption.id"
    )
    replaces: Mapped[list[Replacement]] = relationship(
        back_populates="successor", cascade="all, delete-orphan", order_by="Replacement.id"
    )

    # -- derived -----------------------------------------------------------------
    def status_on(self, day: dt.date | None = None) -> str:
        """Status on ``day`` (default today), derived from the dates."""
        day = day or _today()
        if self.withdrawn_on is not None and self.withdrawn_on <= day:
            return "replaced" if self.end_kind == "replaced" else "abolished"
        if self.effective_on is not None and self.effective_on > day:
            return "upcoming"
        return "current"

    @property
    def status(self) -> str:
        return self.status_on()

    @property
    def status_label(self) -> str:
        return labels.text(labels.STATUS, self.status)

    @property
    def is_zhejiang_made(self) -> bool:
        return self.level == "group" and self.org == "ZZB"

    @property
    def level_label(self) -> str:
        return labels.text(labels.LEVEL, "zzb" if self.is_zhejiang_made else self.level)

    @property
    def nature_label(self) -> str | None:
        return labels.text(labels.NATURE, self.nature) if self.nature in labels.NATURE else None

    @property
    def ics(self) -> list[str]:
        return [row.code for row in self.ics_codes]

    @property
    def replaces_numbers(self) -> list[str]:
        return [row.predecessor_number for row in self.replaces]

    def __repr__(self) -> str:
        return f"<Standard {self.number}>"


class StandardICS(db.Model):  # type: ignore[name-defined]
    """One ICS code of a standard (a standard may have several)."""

    __tablename__ = "standard_ics"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20), index=True)
    position: Mapped[int] = mapped_column(default=0)
    standard: Mapped[Standard] = relationship(back_populates="ics_codes")

    __table_args__ = (Index("ix_standard_ics_standard_code", "standard_id", "code", unique=True),)


class Adoption(db.Model):  # type: ignore[name-defined]
    """An international or foreign standard this standard adopts, with its degree."""

    __tablename__ = "adoptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standards.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(120))  # canonical 'ISO 9001:2015'
    number_key: Mapped[str] = mapped_column(String(120), index=True)  # 'ISO9001-2015'
    base_key: Mapped[str] = mapped_column(String(120), index=True)  # 'ISO9001'
    degree: Mapped[str] = mapped_column(String(3))  # IDT | MOD | NEQ
    title: Mapped[str | None] = mapped_column(String(500))
    standard: Mapped[Standard] = relationship(back_populates="adoptions")

    @property
    def degree_label(self) -> str:
        return labels.text(labels.DEGREE, self.degree)


class Replacement(db.Model):  # type: ignore[name-defined]
    """``successor`` replaces the edition numbered ``predecessor_number`` (代替).

    Linked by number, not id, so a chain survives imports in any order and may name
    editions the catalogue does not hold.
    """

    __tablename__ = "replacements"

    id: Mapped[int] = mapped_column(primary_key=True)
    successor_id: Mapped[int] = mapped_column(
        ForeignKey("standards.id", ondelete="CASCADE"), index=True
    )
    predecessor_number: Mapped[str] = mapped_column(String(80))
    predecessor_key: Mapped[str] = mapped_column(String(80), index=True)
    successor: Mapped[Standard] = relationship(back_populates="replaces")

    __table_args__ = (
        Index("ix_replacements_pair", "successor_id", "predecessor_key", unique=True),
    )


def as_plain(standard: Standard) -> dict[str, Any]:
    """A dict of the record's own fields, for diffing and change detection."""
    cols = {c.key: getattr(standard, c.key) for c in Standard.__table__.columns}
    for k in ("id", "created_at", "updated_at"):
        cols.pop(k, None)
    cols["ics"] = standard.ics
    cols["adoptions"] = [(a.number, a.degree, a.title) for a in standard.adoptions]
    cols["replaces"] = standard.replaces_numbers
    return cols
