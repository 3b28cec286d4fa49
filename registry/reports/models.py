"""Per-year facts about an enterprise: what an adoption rate for a past year must use."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, Float, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.declarations.models import Declaration
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.standards.models import Adoption


class EnterpriseYear(db.Model):  # type: ignore[name-defined]
    """An enterprise's facts for one calendar year: above-scale (规模以上) or not, and its
    annual output value (万元, the enterprise's whole output; optional)."""

    __tablename__ = "enterprise_years"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column()
    above_scale: Mapped[bool] = mapped_column(default=False)
    output_value: Mapped[float | None] = mapped_column(Float)  # 万元
    source: Mapped[str] = mapped_column(String(50), default="web")  # 'demo' = generated
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now())

    enterprise: Mapped[Enterprise] = relationship()

    __table_args__ = (
        Index("ix_enterprise_years_pair", "enterprise_id", "year", unique=True),
        # the report joins the above-scale enterprises of one year
        Index("ix_enterprise_years_year", "year", "above_scale", "enterprise_id"),
    )


# An index the adoption report's queries need on another domain's table, declared here (with
# the queries that need it) so that its model stays as it is: "does a cited standard adopt
# with IDT/MOD" is answered from the index alone. (The edition in force at a year's end is
# found through ix_edition_number: a declaration has few editions.)
Index("ix_adoptions_standard_degree", Adoption.standard_id, Adoption.degree)


# -- plans (规划) and their indicators ------------------------------------------------------------

class Plan(db.Model):  # type: ignore[name-defined]
    """A bureau's plan (规划): a name, a period, a region, the document it comes from."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    source_document: Mapped[str | None] = mapped_column(String(300))
    published: Mapped[bool] = mapped_column(default=False)  # the public sees published plans
    source: Mapped[str] = mapped_column(String(50), default="web")  # 'demo' = an example
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now())

    indicators: Mapped[list[PlanIndicator]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by="PlanIndicator.position, PlanIndicator.id")


class PlanIndicator(db.Model):  # type: ignore[name-defined]
    """One indicator of a plan: bound to a named computation (``computation`` + ``params``)
    or entered by hand (``manual_value`` with ``evidence`` and ``value_date``)."""

    __tablename__ = "plan_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(20))
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    comparison: Mapped[str] = mapped_column(String(2), default="ge")  # ge | le | gt | lt
    kind: Mapped[str] = mapped_column(String(10), default="expected")  # binding | expected
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    computation: Mapped[str | None] = mapped_column(String(40))  # None = entered by hand
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    manual_value: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[str | None] = mapped_column(Text)
    value_date: Mapped[dt.date | None] = mapped_column(Date)

    plan: Mapped[Plan] = relationship(back_populates="indicators")


# -- spot checks (抽查) ----------------------------------------------------------------------------

class SpotCheckDraw(db.Model):  # type: ignore[name-defined]
    """A reproducible random sample of published declarations of a region: the seed, the
    population's definition, size and digest, the sample size and the weighting are stored."""

    __tablename__ = "spot_check_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    seed: Mapped[int] = mapped_column(BigInteger)
    population: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # its definition
    population_size: Mapped[int] = mapped_column()
    population_digest: Mapped[str] = mapped_column(String(64))  # sha256 of the sorted ids
    sample_size: Mapped[int] = mapped_column()
    weighted: Mapped[bool] = mapped_column(default=False)
    weight_factor: Mapped[float] = mapped_column(Float, default=1.0)
    drawn_at: Mapped[dt.datetime] = mapped_column(DateTime)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(50), default="web")

    items: Mapped[list[SpotCheckItem]] = relationship(
        back_populates="draw", cascade="all, delete-orphan",
        order_by="SpotCheckItem.position")


class SpotCheckItem(db.Model):  # type: ignore[name-defined]
    """One sampled declaration and, once recorded, its result."""

    __tablename__ = "spot_check_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("spot_check_draws.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int] = mapped_column()
    declaration_id: Mapped[int] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE"), index=True)
    edition_id: Mapped[int | None] = mapped_column(
        ForeignKey("declaration_editions.id", ondelete="SET NULL"))  # the edition drawn
    questioned: Mapped[bool] = mapped_column(default=False)  # weighted up at the draw
    result: Mapped[str | None] = mapped_column(String(16))  # conforming | nonconforming
    findings: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    draw: Mapped[SpotCheckDraw] = relationship(back_populates="items")
    declaration: Mapped[Declaration] = relationship()
