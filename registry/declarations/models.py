"""A declaration, its editions (each immutable once published), cited standards, indicators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Index, LargeBinary, String, Text, func
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from registry import labels
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.standards.models import Standard

STATES = ("draft", "published", "withdrawn")
EDITION_KINDS = ("initial", "amendment", "revision")  # 首次 / 修改 / 修订
DIRECTIONS = ("higher", "lower", "none")  # which way is better


class Declaration(db.Model):  # type: ignore[name-defined]
    """One product's (or service's) self-declaration; its content lives in editions."""

    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    # the edition the public sees (None until first published)
    current_edition_id: Mapped[int | None] = mapped_column(
        ForeignKey("declaration_editions.id", use_alter=True, ondelete="SET NULL"))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    first_published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    source: Mapped[str] = mapped_column(String(50), default="web")  # 'demo' = generated
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now())

    enterprise: Mapped[Enterprise] = relationship()
    editions: Mapped[list[DeclarationEdition]] = relationship(
        back_populates="declaration", foreign_keys="DeclarationEdition.declaration_id",
        order_by="DeclarationEdition.number", cascade="all, delete-orphan")
    current_edition: Mapped[DeclarationEdition | None] = relationship(
        foreign_keys=[current_edition_id], post_update=True)
    flags: Mapped[list[WatchFlag]] = relationship(back_populates="declaration",
                                                  order_by="WatchFlag.id")

    @property
    def draft(self) -> DeclarationEdition | None:
        """The edition being prepared, if any."""
        return next((e for e in reversed(self.editions) if e.published_at is None), None)

    @property
    def published_editions(self) -> list[DeclarationEdition]:
        return [e for e in self.editions if e.published_at is not None]

    @property
    def latest(self) -> DeclarationEdition | None:
        return self.current_edition or (self.editions[-1] if self.editions else None)

    @property
    def state_label(self) -> str:
        return labels.text(labels.DECLARATION_STATE, self.state)

    @property
    def open_flags(self) -> list[WatchFlag]:
        return [f for f in self.flags if f.resolved_at is None]

    # what search results show
    @property
    def search_title(self) -> str:
        ed = self.latest
        return " ".join(filter(None, [ed.product_name, ed.model])) if ed else ""

    @property
    def search_body(self) -> str:
        ed = self.latest
        nums = "、".join(s.number for s in ed.standards) if ed else ""
        return f"{self.enterprise.name} · {nums}" if nums else self.enterprise.name

    @property
    def url(self) -> str:
        return f"/declarations/{self.id}"


class DeclarationEdition(db.Model):  # type: ignore[name-defined]
    """One edition of a declaration; never changed after it is published."""

    __tablename__ = "declaration_editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)  # 1, 2, 3 … within the declaration
    kind: Mapped[str] = mapped_column(String(12), default="initial")
    change_note: Mapped[str | None] = mapped_column(Text)
    product_name: Mapped[str] = mapped_column(String(200), index=True)
    model: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(100))
    spec: Mapped[str | None] = mapped_column(String(200))
    barcode: Mapped[str | None] = mapped_column(String(32))
    is_main_product: Mapped[bool] = mapped_column(default=False)  # 主导产品
    annual_output_value: Mapped[float | None] = mapped_column(Float)  # 万元, for weighting
    intl_standard: Mapped[str | None] = mapped_column(String(120))  # made directly to
    lower_statement: Mapped[str | None] = mapped_column(Text)  # 低于推荐性标准的明示
    ent_std_number: Mapped[str | None] = mapped_column(String(120))  # Q/… own standard
    ent_std_title: Mapped[str | None] = mapped_column(String(300))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_size: Mapped[int | None] = mapped_column()
    attachment: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    declaration: Mapped[Declaration] = relationship(
        back_populates="editions", foreign_keys=[declaration_id])
    standards: Mapped[list[EditionStandard]] = relationship(
        back_populates="edition", order_by="EditionStandard.position",
        cascade="all, delete-orphan")
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="edition", order_by="Indicator.position", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_edition_number", "declaration_id", "number", unique=True),)

    @property
    def kind_label(self) -> str:
        return labels.text(labels.EDITION_KIND, self.kind)

    def snapshot(self) -> dict[str, Any]:
        """The edition's content as plain data (for diffs between editions)."""
        return {
            "product_name": self.product_name, "model": self.model, "category": self.category,
            "spec": self.spec, "barcode": self.barcode, "is_main_product": self.is_main_product,
            "annual_output_value": self.annual_output_value,
            "intl_standard": self.intl_standard, "lower_statement": self.lower_statement,
            "ent_std_number": self.ent_std_number, "ent_std_title": self.ent_std_title,
            "attachment_name": self.attachment_name,
            "standards": [s.number for s in self.standards],
            "indicators": [i.as_dict() for i in self.indicators],
        }


class EditionStandard(db.Model):  # type: ignore[name-defined]
    """A catalogue standard an edition executes (picked by number, never free text)."""

    __tablename__ = "edition_standards"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("declaration_editions.id", ondelete="CASCADE"), index=True)
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standards.id", ondelete="RESTRICT"), index=True)
    number: Mapped[str] = mapped_column(String(80))  # as catalogued when declared
    position: Mapped[int] = mapped_column(default=0)
    edition: Mapped[DeclarationEdition] = relationship(back_populates="standards")
    standard: Mapped[Standard] = relationship()


class Indicator(db.Model):  # type: ignore[name-defined]
    """A functional or performance indicator, with the reference standard's value."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("declaration_editions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200), index=True)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(8), default="higher")
    test_method: Mapped[str | None] = mapped_column(String(200))
    ref_standard: Mapped[str | None] = mapped_column(String(80))  # canonical number
    ref_value: Mapped[float | None] = mapped_column(Float)
    edition: Mapped[DeclarationEdition] = relationship(back_populates="indicators")

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "unit": self.unit,
                "direction": self.direction, "test_method": self.test_method,
                "ref_standard": self.ref_standard, "ref_value": self.ref_value}


class WatchFlag(db.Model):  # type: ignore[name-defined]
    """A declaration cites a standard that has been replaced or abolished."""

    __tablename__ = "watch_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE"), index=True)
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standards.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(12))  # 'replaced' | 'abolished'
    effective_on: Mapped[dt.date | None] = mapped_column()  # when it stops being in force
    successor: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    declaration: Mapped[Declaration] = relationship(back_populates="flags")
    standard: Mapped[Standard] = relationship()

    __table_args__ = (Index("ix_watch_pair", "declaration_id", "standard_id", "event",
                            unique=True),)

