"""An enterprise that declares the standards its products execute."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from registry import identifiers
from registry.extensions import db


class Enterprise(db.Model):  # type: ignore[name-defined]
    """企业: identified by its unified social credit code."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # GB/T 2260
    industry_code: Mapped[str] = mapped_column(String(4), index=True)  # GB/T 4754
    above_scale: Mapped[bool] = mapped_column(default=False, index=True)  # 规模以上
    # 浙江制造 / 品字标 certificates: [{"kind", "number", "standard", "valid_until"}]
    certificates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    address: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(50), default="signup")  # 'demo' = generated
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now())

    @property
    def region_name(self) -> str:
        return identifiers.region_name(self.region_code) or self.region_code

    @property
    def industry_name(self) -> str:
        return identifiers.industry_name(self.industry_code) or self.industry_code

    @property
    def industry_section(self) -> str | None:
        return identifiers.industry_section(self.industry_code)

    @property
    def region_chain(self) -> list[str]:
        return identifiers.region_chain(self.region_code)

    @property
    def search_title(self) -> str:
        return self.name

    @property
    def search_body(self) -> str:
        return f"{self.credit_code} · {self.region_name} · {self.industry_name}"

    @property
    def url(self) -> str:
        return f"/enterprises/{self.credit_code}"

    def __repr__(self) -> str:
        return f"<Enterprise {self.credit_code} {self.name}>"
