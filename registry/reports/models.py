"""Per-year facts about an enterprise: what an adoption rate for a past year must use."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
