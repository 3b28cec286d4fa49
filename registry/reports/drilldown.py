"""The drill-down of the adoption rate: the main products behind a figure, paged, each with
its standards, the adoption that made it count or the reason it did not, and its output
value for those who may see it (the same rows ``adoption.products_query`` counts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, null, select, union_all
from sqlalchemy.orm import selectinload

from registry import identifiers
from registry.accounts.models import User
from registry.declarations.models import Declaration, DeclarationEdition, EditionStandard
from registry.enterprises.models import Enterprise
from registry.errors import ValidationError
from registry.extensions import db
from registry.paging import Page
from registry.reports.adoption import STATUSES, products_query, summary_rows, usable
from registry.reports.definitions import ADOPTION_V1, COUNTING_DEGREES, Definition
from registry.reports.models import EnterpriseYear
from registry.reports.scoping import Scope, access_for
from registry.reports.summary import AdoptionFact
from registry.standards.models import Standard

REASONS = {
    "IDT": ("等同采用国际/国外标准", "adopts an international/foreign standard identically (IDT)"),
    "MOD": ("修改采用国际/国外标准", "adopts an international/foreign standard modified (MOD)"),
    "intl_direct": ("直接按国际/国外标准生产", "made directly to an international/foreign standard"),
    "intl_cited": ("执行的标准为国际/国外标准", "executes an international/foreign standard"),
    "neq_only": ("仅非等效采用（NEQ），不计为采标", "only not-equivalent (NEQ) adoptions: not counted"),
    "no_adoption": ("所执行标准未采用国际/国外标准", "no executed standard adopts one"),
    "not_above_scale": ("该年度非规模以上企业，不计入", "enterprise not above-scale that year: not counted"),
    "no_year_record": ("企业缺少该年度记录，不计入", "no yearly record of the enterprise: not counted"),
}


@dataclass
class ProductRow:
    """One main product in the drill-down: why it counts, or why not."""

    declaration_id: int
    edition_number: int
    product_name: str
    model: str | None
    enterprise_name: str
    credit_code: str
    region_code: str
    industry_code: str
    scale: str  # 'above' | 'not_above' | 'no_record'
    counted: bool
    adopting: bool
    reason: str
    standards: list[dict[str, Any]]
    intl_standard: str | None
    output_value: float | None  # None when the viewer may not see it
    published_at: dt.datetime | None

    @property
    def reason_zh(self) -> str:
        return REASONS[self.reason][0]

    @property
    def reason_en(self) -> str:
        return REASONS[self.reason][1]

    @property
    def region_name(self) -> str:
        return identifiers.region_name(self.region_code) or self.region_code

    def as_dict(self) -> dict[str, Any]:
        return {"declaration_id": self.declaration_id, "edition": self.edition_number,
                "product_name": self.product_name, "model": self.model,
                "enterprise_name": self.enterprise_name, "credit_code": self.credit_code,
                "region_code": self.region_code, "region_name": self.region_name,
                "industry_code": self.industry_code, "scale": self.scale,
                "counted": self.counted, "adopting": self.adopting, "reason": self.reason,
                "reason_zh": self.reason_zh, "reason_en": self.reason_en,
                "standards": self.standards, "intl_standard": self.intl_standard,
                "output_value": self.output_value, "published_at": self.published_at}


def _reason(row: Any, edition: DeclarationEdition) -> str:
    if row.record_id is None:
        return "no_year_record"
    if not row.above:
        return "not_above_scale"
    degrees = {a.degree for s in edition.standards for a in s.standard.adoptions}
    if row.adopting:
        for degree in COUNTING_DEGREES:
            if degree in degrees:
                return degree
        if edition.intl_standard:
            return "intl_direct"
        return "intl_cited"
    return "neq_only" if "NEQ" in degrees else "no_adoption"


def _standards(edition: DeclarationEdition) -> list[dict[str, Any]]:
    return [{"number": s.number, "level": s.standard.level,
             "adoptions": [{"number": a.number, "degree": a.degree,
                            "counts": a.degree in COUNTING_DEGREES}
                           for a in s.standard.adoptions]}
            for s in edition.standards]


def _summary_window(scope: Scope, status: str, enterprise: Enterprise | None, offset: int,
                    per_page: int) -> tuple[int, list[int], int] | None:
    """From the summary, in one statement: the number of products with ``status``, the
    enterprises whose products fill rows ``offset`` … ``offset + per_page`` of the page order
    (region, enterprise name, declaration), with every enterprise of the same region and
    name (their products interleave by declaration), and how many products come before
    them. None when the summary may not answer (then the caller counts live)."""
    f = AdoptionFact
    counted = f.above.is_(True)
    n = {"counted": case((counted, f.products), else_=0),
         "adopting": case((counted, f.adopting), else_=0),
         "not_adopting": case((counted, f.products - f.adopting), else_=0),
         "excluded": case((counted, 0), else_=f.products), "all": f.products}[status]
    per = (summary_rows(scope, f.enterprise_id.label("id"), f.region_code.label("r"),
                        f.name.label("name"), n.label("n"))
           .where(f.year == scope.year, n > 0))
    if enterprise is not None:
        per = per.where(f.enterprise_id == enterprise.id)
    p = per.subquery()
    # products before each (region, name) group, and the group's own
    g = (select(p.c.r, p.c.name, func.sum(p.c.n).label("n"))
         .group_by(p.c.r, p.c.name).subquery())
    cum = (select(g.c.r, g.c.name, g.c.n,
                  (func.sum(g.c.n).over(order_by=(g.c.r, g.c.name)) - g.c.n).label("before"))
           .subquery())
    hit = (select(p.c.id, cum.c.before, null().label("total"))
           .join(cum, and_(cum.c.r == p.c.r, cum.c.name == p.c.name))
           .where(cum.c.before < offset + per_page, cum.c.before + cum.c.n > offset))
    head = select(null(), null(),
                  select(func.coalesce(func.sum(p.c.n), 0)).scalar_subquery()) \
        .where(usable(scope.year) > 0)
    rows = db.session.execute(union_all(head, hit)).all()
    if not any(r[0] is None for r in rows):
        return None  # the summary may not answer: no head row
    total = next(int(r[2]) for r in rows if r[0] is None)
    found = [(int(r[0]), int(r[1])) for r in rows if r[0] is not None]
    return total, [i for i, _ in found], min((b for _, b in found), default=offset)


def adoption_products(viewer: User | None, scope: Scope, *, status: str = "counted",
                      enterprise: Enterprise | None = None, page: int = 1,
                      per_page: int = 20, definition: Definition = ADOPTION_V1) -> Page:
    """The main products behind a figure (a cell: ``scope``'s region and industry), paged;
    output values only for those who may see them (a constant number of queries)."""
    if status not in STATUSES:
        raise ValidationError("筛选条件有误", {"status": [f"应为 {' / '.join(STATUSES)} 之一"]})
    stmt = products_query(scope, definition)
    if enterprise is not None:
        stmt = stmt.where(Enterprise.id == enterprise.id)
    counted = EnterpriseYear.above_scale.is_(True)
    adopting = stmt.selected_columns.adopting == 1
    filters: dict[str, list[Any]] = {
        "counted": [counted], "adopting": [counted, adopting],
        "not_adopting": [counted, ~adopting], "excluded": [~counted], "all": []}
    where = filters[status]
    stmt = stmt.where(*where)
    order = (Enterprise.region_code, Enterprise.name, Declaration.id)
    offset = (page - 1) * per_page
    window = _summary_window(scope, status, enterprise, offset, per_page) \
        if definition is ADOPTION_V1 else None
    if window is not None:
        total, ids, base = window
        rows = db.session.execute(
            stmt.where(Enterprise.id.in_(ids)).order_by(*order)
            .limit(per_page).offset(offset - base)).all() if ids else []
    else:
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = db.session.execute(stmt.order_by(*order).limit(per_page).offset(offset)).all()
    editions = {e.id: e for e in db.session.scalars(
        select(DeclarationEdition).where(DeclarationEdition.id.in_([r.edition_id for r in rows]))
        .options(selectinload(DeclarationEdition.standards).selectinload(EditionStandard.standard)
                 .selectinload(Standard.adoptions)))} if rows else {}
    ents = {e.id: e for e in db.session.scalars(
        select(Enterprise).where(Enterprise.id.in_({r.enterprise_id for r in rows})))} if rows else {}
    full = access_for(viewer, scope.region) == "full"
    own = viewer.enterprise_id if viewer is not None and viewer.role == "member" else None
    items = []
    for r in rows:
        ed, ent = editions[r.edition_id], ents[r.enterprise_id]
        scale = "no_record" if r.record_id is None else ("above" if r.above else "not_above")
        items.append(ProductRow(
            r.declaration_id, ed.number, ed.product_name, ed.model, ent.name, ent.credit_code,
            ent.region_code, ent.industry_code, scale, scale == "above", bool(r.adopting),
            _reason(r, ed), _standards(ed), ed.intl_standard,
            r.value if full or own == ent.id else None, ed.published_at))
    return Page(items, int(total), page, per_page)
