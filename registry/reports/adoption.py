"""The adoption rate (采标率): figures for a region × industry × year, in SQL aggregates.

One query builds the products a definition counts (``_products``: main products in force at
the year's end, with the enterprise's yearly record and whether they adopt); one GROUP BY
over it gives every cell of a region × industry matrix, and the breakdowns and the total are
sums of those cells (every enterprise lies in exactly one cell, so even the enterprise
counts add up). The drill-down (``drilldown.py``) pages the same rows.

Scope (who sees what) is decided here, not in the faces: ``access_for(viewer, region)``.
Officers overseeing the region and administrators see everything ("full"); everyone else
sees the public aggregates: counts and rates, no output values, no output-weighted rate of a
cell with fewer than ``PUBLIC_MIN_ENTERPRISES`` enterprises, drill-down rows without output
values — except an enterprise's own members, who see their own products' values.

Extension points: ``figures_for(scope)`` is the figure a plan indicator binds to (no viewer:
the plan decides who reads it); ``Scope.enterprise_ids`` restricts to a list (an industrial
park); ``matrix``/``trend`` feed charts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, null, select, union_all

from registry import identifiers
from registry.accounts.models import User
from registry.declarations.models import Declaration, DeclarationEdition
from registry.enterprises.models import Enterprise
from registry.enterprises.services import industry_clause
from registry.errors import ValidationError
from registry.extensions import db, utcnow
from registry.identifiers import region_prefix
from registry.reports.counting import adopting_flag, in_force_at, in_force_edition
from registry.reports.definitions import (
    ADOPTION_V1,
    PUBLIC_MIN_ENTERPRISES,
    Definition,
)
from registry.reports.models import EnterpriseYear
from registry.reports.scoping import (
    Scope,
    access_for,
    child_region_code,
    child_regions,
    industry_key,
    industry_label,
    region_key,
)
from registry.reports.summary import AdoptionFact, AdoptionSummaryState

WEIGHTS = ("both", "count", "output")
STATUSES = ("counted", "adopting", "not_adopting", "excluded", "all")
TREND_YEARS = 5


# -- figures ---------------------------------------------------------------------------------

@dataclass
class Figures:
    """The counts behind one rate (one cell, one row, the total)."""

    products: int = 0  # main products counted (denominator)
    adopting: int = 0  # of them adopting (numerator)
    valued: int = 0  # counted products with an output value
    output: float | None = 0.0  # their output value (万元)
    output_adopting: float | None = 0.0  # of it, adopting products'
    enterprises: int = 0  # above-scale enterprises with counted products
    excluded_products: int = 0  # main products of enterprises not counted in that year
    not_above: int = 0  # enterprises recorded as not above-scale that year
    no_record: int = 0  # enterprises without a record for that year
    redacted: bool = False  # output sums left out (the public's view)
    redacted_output_rate: float | None = None  # the output-weighted rate the public may see

    def __add__(self, other: Figures) -> Figures:
        def add(a: float | None, b: float | None) -> float | None:
            return None if a is None or b is None else a + b

        return Figures(
            self.products + other.products, self.adopting + other.adopting,
            self.valued + other.valued, add(self.output, other.output),
            add(self.output_adopting, other.output_adopting),
            self.enterprises + other.enterprises,
            self.excluded_products + other.excluded_products,
            self.not_above + other.not_above, self.no_record + other.no_record)

    @property
    def rate(self) -> float | None:
        """Count-weighted rate (0–1); None without products."""
        return self.adopting / self.products if self.products else None

    @property
    def unvalued(self) -> int:
        return self.products - self.valued

    @property
    def output_rate(self) -> float | None:
        """Output-weighted rate (0–1); None without output values (or not shown)."""
        if self.redacted:
            return self.redacted_output_rate
        if not self.output:
            return None
        return (self.output_adopting or 0.0) / self.output

    def as_dict(self) -> dict[str, Any]:
        return {"products": self.products, "adopting": self.adopting,
                "rate": _round(self.rate), "valued": self.valued, "unvalued": self.unvalued,
                "output": _round(self.output, 4), "output_adopting": _round(self.output_adopting, 4),
                "output_rate": _round(self.output_rate), "enterprises": self.enterprises,
                "excluded_products": self.excluded_products, "not_above": self.not_above,
                "no_record": self.no_record}


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def _public(fig: Figures) -> Figures:
    """What the public sees of a cell: no output sums; the output-weighted rate only where
    at least ``PUBLIC_MIN_ENTERPRISES`` enterprises share it."""
    rate = fig.output_rate if fig.enterprises >= PUBLIC_MIN_ENTERPRISES else None
    return replace(fig, output=None, output_adopting=None, redacted=True,
                   redacted_output_rate=rate)


# -- the products a definition counts ----------------------------------------------------------

def products_query(scope: Scope, definition: Definition = ADOPTION_V1) -> Select[Any]:
    """One row per main product in force at the year's end in ``scope``: the enterprise's
    yearly record (above-scale or not, or none) and whether the product adopts."""
    cutoff = definition.year_end(scope.year)
    ed = DeclarationEdition
    stmt = (
        select(Declaration.id.label("declaration_id"), ed.id.label("edition_id"),
               Enterprise.id.label("enterprise_id"), Enterprise.region_code,
               Enterprise.industry_code, EnterpriseYear.above_scale.label("above"),
               EnterpriseYear.id.label("record_id"), adopting_flag(ed).label("adopting"),
               ed.annual_output_value.label("value"))
        .select_from(Declaration)
        .join(Enterprise, Enterprise.id == Declaration.enterprise_id)
        .join(ed, and_(ed.declaration_id == Declaration.id,
                       ed.number == in_force_edition(cutoff)))
        .outerjoin(EnterpriseYear, and_(EnterpriseYear.enterprise_id == Enterprise.id,
                                        EnterpriseYear.year == scope.year))
        .where(*in_force_at(cutoff), ed.is_main_product.is_(True),
               Enterprise.region_code.startswith(region_prefix(scope.region), autoescape=True)))
    if scope.industry:
        stmt = stmt.where(industry_clause(scope.industry))
    if scope.enterprise_ids is not None:
        stmt = stmt.where(Enterprise.id.in_(sorted(scope.enterprise_ids)))
    return stmt


def _counted(p: Any) -> Any:
    return p.c.above.is_(True)


def _aggregates(p: Any) -> list[Any]:
    counted = _counted(p)
    adopting = p.c.adopting == 1
    valued = p.c.value.is_not(None)
    return [
        func.sum(case((counted, 1), else_=0)).label("products"),
        func.sum(case((and_(counted, adopting), 1), else_=0)).label("adopting"),
        func.sum(case((and_(counted, valued), 1), else_=0)).label("valued"),
        func.sum(case((and_(counted, valued), p.c.value), else_=literal(0.0))).label("output"),
        func.sum(case((and_(counted, adopting, valued), p.c.value),
                      else_=literal(0.0))).label("output_adopting"),
        func.count(func.distinct(case((counted, p.c.enterprise_id)))).label("enterprises"),
        func.sum(case((counted, 0), else_=1)).label("excluded_products"),
        func.count(func.distinct(case((and_(p.c.record_id.is_not(None), ~counted),
                                       p.c.enterprise_id)))).label("not_above"),
        func.count(func.distinct(case((p.c.record_id.is_(None), p.c.enterprise_id))))
        .label("no_record"),
    ]


def _figures(row: Any) -> Figures:
    return Figures(int(row.products or 0), int(row.adopting or 0), int(row.valued or 0),
                   float(row.output or 0.0), float(row.output_adopting or 0.0),
                   int(row.enterprises or 0), int(row.excluded_products or 0),
                   int(row.not_above or 0), int(row.no_record or 0))


# -- the report ------------------------------------------------------------------------------

@dataclass
class Cell:
    region: str | None
    industry: str | None
    figures: Figures

    @property
    def region_name(self) -> str:
        if self.region is None:
            return ""
        return identifiers.regions().get(self.region) or self.region

    @property
    def industry_name(self) -> str:
        return industry_label(self.industry) if self.industry else ""

    def as_dict(self) -> dict[str, Any]:
        return {"region": self.region, "region_name": self.region_name,
                "industry": self.industry, "industry_name": self.industry_name,
                **self.figures.as_dict()}


@dataclass
class AdoptionReport:
    definition: Definition
    scope: Scope
    weight: str
    access: str  # 'full' | 'public'
    extracted_at: dt.datetime
    total: Figures
    by_region: list[Cell]
    by_industry: list[Cell]
    matrix: list[Cell]
    trend: list[Cell] = field(default_factory=list)  # region=None, industry=None, year in .year

    @property
    def industries(self) -> list[str]:
        return [c.industry or "" for c in self.by_industry]

    def cell(self, region: str, industry: str) -> Figures | None:
        for c in self.matrix:
            if c.region == region and c.industry == industry:
                return c.figures
        return None

    @property
    def headline(self) -> float | None:
        return self.total.output_rate if self.weight == "output" else self.total.rate

    def filters(self) -> dict[str, Any]:
        return scope_filters(self.scope, weight=self.weight)

    def as_dict(self) -> dict[str, Any]:
        """The report as the API answers it (and the exports write it)."""
        return {"definition": self.definition.as_dict(), "filters": self.filters(),
                "access": self.access, "extracted_at": self.extracted_at,
                "total": self.total.as_dict(),
                "by_region": [c.as_dict() for c in self.by_region],
                "by_industry": [c.as_dict() for c in self.by_industry],
                "matrix": [c.as_dict() for c in self.matrix],
                "trend": [c.as_dict() for c in self.trend]}


def scope_filters(scope: Scope, **extra: Any) -> dict[str, Any]:
    """The filters a figure was computed for, named (every face and export shows them)."""
    return {"region": scope.region, "region_name": scope.region_name,
            "industry": scope.industry, "industry_name": scope.industry_name,
            "year": scope.year, **extra}


def summary_query(scope: Scope, *keys: Any) -> Select[Any]:
    """The same aggregates as ``_aggregates`` over ``summary.AdoptionFact`` (one row per
    enterprise and year, its region, industry and yearly record copied in): a GROUP BY over
    ~one row per enterprise, read from the covering index ``ix_adoption_facts_report``,
    instead of one per declaration. The caller picks the year."""
    f = AdoptionFact
    counted = f.above.is_(True)

    def when(cond: Any, value: Any, other: Any = 0) -> Any:
        return func.sum(case((cond, value), else_=other))

    return summary_rows(scope, *keys,
                        when(counted, f.products).label("products"),
                        when(counted, f.adopting).label("adopting"),
                        when(counted, f.valued).label("valued"),
                        when(counted, f.output, literal(0.0)).label("output"),
                        when(counted, f.output_adopting, literal(0.0)).label("output_adopting"),
                        when(counted, 1).label("enterprises"),
                        when(counted, 0, f.products).label("excluded_products"),
                        when(f.above.is_(False), 1).label("not_above"),
                        when(f.above.is_(None), 1).label("no_record"))


def summary_rows(scope: Scope, *columns: Any) -> Select[Any]:
    """``columns`` over the summary's rows in ``scope`` (any year: the caller picks)."""
    f = AdoptionFact
    stmt = select(*columns).select_from(f).where(
        f.region_code.startswith(region_prefix(scope.region), autoescape=True))
    if scope.industry:
        stmt = stmt.where(industry_clause(scope.industry, f.industry_code))
    if scope.enterprise_ids is not None:
        stmt = stmt.where(f.enterprise_id.in_(sorted(scope.enterprise_ids)))
    return stmt


def usable(year: int) -> Any:
    """1 when the summary may answer for ``year`` (built, not stale, covers it), else 0 —
    asked inside the report's own statement, so the fast path costs no extra query."""
    st = AdoptionSummaryState
    return (select(func.count()).where(st.id == 1, st.stale.is_(False), st.horizon >= year)
            .scalar_subquery())


def _try_summary(scope: Scope, definition: Definition, use_summary: bool) -> bool:
    return use_summary and definition is ADOPTION_V1


def matrix(scope: Scope, definition: Definition = ADOPTION_V1,
           use_summary: bool = True) -> dict[tuple[str, str], Figures]:
    """Figures per (sub-region, sub-industry) cell — one GROUP BY query over the summary
    (``summary.AdoptionFact``); a second one over the live products when the summary may not
    answer (not built, stale, or the year after its horizon)."""
    if _try_summary(scope, definition, use_summary):
        rkey = region_key(scope.region, AdoptionFact.region_code).label("rkey")
        ikey = industry_key(scope.industry, AdoptionFact.industry_code).label("ikey")
        cells = (summary_query(scope, rkey, ikey).add_columns(literal(1).label("usable"))
                 .where(AdoptionFact.year == scope.year).group_by(rkey, ikey))
        n = len(cells.selected_columns)
        sentinel = select(*[null()] * (n - 1), usable(scope.year))  # always one row
        rows: list[Any] = list(db.session.execute(union_all(cells, sentinel)).all())
        if any(r.rkey is None and r.usable for r in rows):
            return {(child_region_code(r.rkey), r.ikey): _figures(r)
                    for r in rows if r.rkey is not None}
    p = products_query(scope, definition).subquery()
    rkey = region_key(scope.region, p.c.region_code).label("rkey")
    ikey = industry_key(scope.industry, p.c.industry_code).label("ikey")
    live = db.session.execute(select(rkey, ikey, *_aggregates(p)).group_by(rkey, ikey))
    return {(child_region_code(r.rkey), r.ikey): _figures(r) for r in live}


def figures_for(scope: Scope, definition: Definition = ADOPTION_V1,
                use_summary: bool = True) -> Figures:
    """The whole scope's figures, unredacted (plan indicators bind to this; one query, over
    the summary when it may answer)."""
    if _try_summary(scope, definition, use_summary):
        row = db.session.execute(summary_query(scope).add_columns(
            usable(scope.year).label("usable")).where(AdoptionFact.year == scope.year)).one()
        if row.usable:
            return _figures(row)
    p = products_query(scope, definition).subquery()
    return _figures(db.session.execute(select(*_aggregates(p))).one())


def trend(scope: Scope, years: int = TREND_YEARS, definition: Definition = ADOPTION_V1,
          use_summary: bool = True) -> dict[int, Figures]:
    """The scope's figures for ``years`` years up to ``scope.year`` (one query each)."""
    return {y: figures_for(replace(scope, year=y), definition, use_summary)
            for y in range(scope.year - years + 1, scope.year + 1)}


def adoption_report(viewer: User | None, scope: Scope, weight: str = "both",
                    with_trend: bool = True, definition: Definition = ADOPTION_V1,
                    trusted: bool = False, use_summary: bool = True) -> AdoptionReport:
    """The report as ``viewer`` may see it (see the module's docstring for the scope rules);
    ``trusted``: in full whoever asks (the command line, which holds the database)."""
    if weight not in WEIGHTS:
        raise ValidationError("统计口径有误", {"weight": [f"应为 {' / '.join(WEIGHTS)} 之一"]})
    access = "full" if trusted else access_for(viewer, scope.region)
    show = (lambda f: f) if access == "full" else _public
    cells = matrix(scope, definition, use_summary)
    by_region: dict[str, Figures] = {r: Figures() for r in child_regions(scope.region)}
    by_industry: dict[str, Figures] = {}
    for (r, i), fig in cells.items():
        by_region[r] = by_region.get(r, Figures()) + fig
        by_industry[i] = by_industry.get(i, Figures()) + fig
    total = sum(cells.values(), Figures())
    years = trend(scope, definition=definition, use_summary=use_summary) if with_trend else {}
    return AdoptionReport(
        definition, scope, weight, access, utcnow(), show(total),
        [Cell(r, None, show(f)) for r, f in sorted(by_region.items())],
        [Cell(None, i, show(f)) for i, f in sorted(by_industry.items())],
        [Cell(r, i, show(f)) for (r, i), f in sorted(cells.items())],
        [_YearCell(None, None, show(f), year=y) for y, f in years.items()])


@dataclass
class _YearCell(Cell):
    year: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, **self.figures.as_dict()}
