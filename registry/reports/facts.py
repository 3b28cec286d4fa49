"""Per-year enterprise facts: set and read an enterprise's above-scale status and output value.

Who may set them: the enterprise's own members, the officers overseeing its region, and
administrators (every change is in the audit log). Who may read them: the above-scale
status is public (as the enterprise's current flag is); the output value only for those
who may set it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from registry import audit
from registry.accounts.models import User
from registry.enterprises.models import Enterprise
from registry.enterprises.services import can_act_for, can_oversee
from registry.errors import Forbidden, ValidationError
from registry.extensions import db
from registry.reports.models import EnterpriseYear
from registry.reports.scoping import FIRST_YEAR, LAST_YEAR

MAX_OUTPUT = 1e9  # 万元: ten trillion yuan, far above any enterprise


def may_manage(user: User | None, ent: Enterprise) -> bool:
    """The enterprise's own members, officers of its region, administrators."""
    return can_act_for(user, ent) or can_oversee(user, ent.region_code)


def set_enterprise_year(ent: Enterprise, year: int, above_scale: bool,
                        output_value: float | None, actor: User | None,
                        source: str = "web") -> EnterpriseYear:
    """Record (or correct) an enterprise's facts for ``year``; audited."""
    if actor is not None and not may_manage(actor, ent):
        raise Forbidden("只有本企业、所在地区的监管人员或管理员可以填写企业年度信息")
    errors: dict[str, list[str]] = {}
    if not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = [f"年度应为 {FIRST_YEAR}–{LAST_YEAR} 之间的整数"]
    if output_value is not None and not 0 <= output_value <= MAX_OUTPUT:
        errors["output_value"] = ["年产值（万元）应为不小于 0 的数"]
    if errors:
        raise ValidationError("企业年度信息有误", errors)
    row = db.session.scalar(select(EnterpriseYear).where(
        EnterpriseYear.enterprise_id == ent.id, EnterpriseYear.year == year))
    before = None if row is None else {"above_scale": row.above_scale,
                                       "output_value": row.output_value}
    if row is None:
        row = EnterpriseYear(enterprise_id=ent.id, year=year, source=source)
        db.session.add(row)
    row.above_scale, row.output_value = bool(above_scale), output_value
    db.session.flush()
    if actor is not None:
        audit.record(actor, "enterprise.year_facts", "enterprise", ent.id, ent, year=year,
                     above_scale=bool(above_scale), output_set=output_value is not None,
                     changed=before is not None)
    return row


@dataclass
class YearFacts:
    year: int
    above_scale: bool
    output_value: float | None  # None when the viewer may not see it

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "above_scale": self.above_scale,
                "output_value": self.output_value}


def enterprise_years(ent: Enterprise, viewer: User | None) -> list[YearFacts]:
    """An enterprise's yearly facts, newest first, as ``viewer`` may see them."""
    private = may_manage(viewer, ent)
    rows = db.session.scalars(select(EnterpriseYear).where(
        EnterpriseYear.enterprise_id == ent.id).order_by(EnterpriseYear.year.desc()))
    return [YearFacts(r.year, r.above_scale, r.output_value if private else None) for r in rows]
