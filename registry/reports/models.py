"""Per-year facts about an enterprise: what an adoption rate for a past year must use."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.declarations.models import DeclarationEdition
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


# Indexes the adoption report's queries need on other domains' tables, declared here (with
# the queries that need them) so that their models stay as they are:
# - the edition in force at a year's end: the highest-numbered edition of a declaration
#   published before a cut-off, found per declaration by one index seek;
# - "does a cited standard adopt with IDT/MOD": answered from the index alone.
Index("ix_edition_in_force", DeclarationEdition.declaration_id, DeclarationEdition.published_at,
      DeclarationEdition.number)
Index("ix_adoptions_standard_degree", Adoption.standard_id, Adoption.degree)
