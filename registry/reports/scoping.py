"""What a report is asked for — a region (and everything under it), an industry, a year —
checked once for every face; who may see it in full; and the keys of its breakdowns (the
sub-regions one level down, the industries one level down) as SQL expressions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, literal

from registry import identifiers
from registry.accounts.models import User
from registry.enterprises.services import can_oversee
from registry.errors import ValidationError
from registry.identifiers import region_prefix

FIRST_YEAR, LAST_YEAR = 1990, 2100
DEFAULT_REGION = "330000"  # 浙江省


# -- what is asked --------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """What to count: a region (and everything under it), an industry, a year; optionally
    only some enterprises (an industrial park's list, for plan indicators)."""

    region: str
    year: int
    industry: str | None = None
    enterprise_ids: frozenset[int] | None = None

    @property
    def region_name(self) -> str:
        return identifiers.region_name(self.region) or self.region

    @property
    def industry_name(self) -> str | None:
        return industry_label(self.industry) if self.industry else None


def make_scope(region: str | None, year: int | None, industry: str | None = None) -> Scope:
    """A checked scope (422 naming the field that is wrong)."""
    errors: dict[str, list[str]] = {}
    code = (region or "").strip()
    try:
        identifiers.check_region(code)
    except identifiers.IdentifierError as exc:
        errors["region"] = [f"[{exc.code}] {exc.message}"]
    ind = (industry or "").strip().upper() or None
    if ind is not None and not valid_industry(ind):
        errors["industry"] = ["[industry_unknown] 行业应为 GB/T 4754 门类（A–T）、大类（2 位）或中类（3 位）"]
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = [f"年度应为 {FIRST_YEAR}–{LAST_YEAR} 之间的整数"]
    if errors:
        raise ValidationError("统计条件有误", errors)
    return Scope(code, int(year or 0), ind)


def resolve_scope(viewer: User | None, region: str | None, year: int | None,
                  industry: str | None = None, today: dt.date | None = None) -> Scope:
    """A scope from a face's arguments, with the defaults: an officer's own region (else the
    province, 330000) and the last complete year."""
    if not region:
        region = viewer.region_code if viewer is not None and viewer.role == "officer" \
            and viewer.region_code else DEFAULT_REGION
    return make_scope(region, year if year is not None else default_year(today), industry)


def valid_industry(code: str) -> bool:
    if len(code) == 1:
        return code.isalpha() and identifiers.industry_section(code) == code
    return code.isdigit() and 2 <= len(code) <= 4 and identifiers.industry_section(code) is not None


def industry_label(code: str) -> str:
    name = identifiers.industry_name(code)
    if name is None:
        return code
    return name if len(code) <= 2 else f"{name}（{code}）"


def default_year(today: dt.date | None = None) -> int:
    """The last complete year (what a bureau reports on)."""
    return (today or dt.date.today()).year - 1


# -- access ----------------------------------------------------------------------------------

def access_for(viewer: User | None, region: str) -> str:
    """'full' for administrators and officers overseeing ``region``; 'public' for the rest."""
    return "full" if can_oversee(viewer, region) else "public"


# -- breakdown keys ----------------------------------------------------------------------------

def child_region_length(region: str) -> int:
    """How many digits name a sub-region: province → 4 (cities), city → 6 (counties),
    county → 6 (itself)."""
    return min(len(region_prefix(region)) + 2, 6)


def child_region_code(prefix: str) -> str:
    return prefix.ljust(6, "0")


def child_regions(region: str) -> list[str]:
    """The sub-regions the table of GB/T 2260 codes knows (市辖区 placeholders left out)."""
    size = child_region_length(region)
    prefix = region_prefix(region)
    if size == len(prefix):
        return [region]
    table = identifiers.regions()
    return sorted(c for c in table
                  if c.startswith(prefix) and c != region and table[c] != "市辖区"
                  and c[size:] == "0" * (6 - size))


def industry_key(industry: str | None, column: Any) -> Any:
    """SQL expression of the industry one level below ``industry`` (sections when None)."""
    if industry is None:
        head = func.substr(column, 1, 2)
        return case(*[(head.in_([f"{n:02d}" for n in range(lo, hi + 1)]), literal(sec))
                      for lo, hi, sec in identifiers.SECTION_DIVISIONS], else_=func.substr(column, 1, 1))
    return func.substr(column, 1, min(len(industry) + 1, 4) if industry.isdigit() else 2)


def region_key(region: str, column: Any) -> Any:
    return func.substr(column, 1, child_region_length(region))
