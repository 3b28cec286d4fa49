"""Spot checks (抽查): reproducible random samples of published declarations, their results,
the conformity rate.

The population of a draw is the declarations of the region (and everything under it;
optionally one industry) that are **published** at the moment of the draw, ordered by id.
The draw stores its seed, the population's definition, size and a SHA-256 digest of its
sorted ids, the sample size and the weighting: the same seed over the same population gives
the same sample (``sample_ids`` is a pure function of them).

Unweighted: ``random.Random(seed).sample(ids, n)``. Weighted: a declaration the registry
already questions counts ``weight_factor`` times (default 3) in a weighted sample without
replacement (Efraimidis–Spirakis: each id gets the key ``u ** (1 / w)`` with ``u`` from the
seeded generator in id order; the ``n`` largest keys are drawn). A declaration is
*questioned* when it has an open watch flag (a cited standard was replaced or abolished),
when its current edition cites a catalogue standard withdrawn on or before the draw's day,
or when it executes its own enterprise standard and lists no indicators.

Conformity rate = conforming ÷ results recorded. For plan indicators and the region/period
rate only **unweighted** draws count: a weighted sample over-represents questioned
declarations on purpose, so its rate is shown per draw but would bias a regional figure.

Scope: officers draw and record for their region and everything under it, administrators
for any; an enterprise's members see their own declarations' results; the public sees none
(only the aggregate rate, through a published plan).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, select

from registry import audit, identifiers
from registry.accounts.models import User
from registry.declarations.models import (
    Declaration,
    DeclarationEdition,
    EditionStandard,
    Indicator,
    WatchFlag,
)
from registry.enterprises.models import Enterprise
from registry.enterprises.services import can_oversee, industry_clause
from registry.errors import Forbidden, NotFound, ValidationError
from registry.extensions import db, utcnow
from registry.identifiers import region_prefix
from registry.paging import Page, paginate
from registry.reports.models import SpotCheckDraw, SpotCheckItem
from registry.standards.models import Standard

FINDINGS = ("below_mandatory", "cites_withdrawn", "invalid_number_or_name",
            "missing_indicators", "wrong_structure", "other")
RESULTS = ("conforming", "nonconforming")
DEFAULT_WEIGHT = 3.0
MAX_SAMPLE = 500
MAX_SEED = 2**53


# -- who may -----------------------------------------------------------------------------------

def require_oversee(user: User | None, region: str) -> None:
    if user is None or user.role not in ("officer", "admin") or not can_oversee(user, region):
        raise Forbidden("只能对本辖区（及下级地区）的声明抽查")


# -- the population and the sample ---------------------------------------------------------------

def _population_stmt(region: str, industry: str | None) -> Any:
    stmt = (select(Declaration.id).join(Enterprise, Enterprise.id == Declaration.enterprise_id)
            .where(Declaration.state == "published",
                   Enterprise.region_code.startswith(region_prefix(region), autoescape=True)))
    if industry:
        stmt = stmt.where(industry_clause(industry))
    return stmt


def questioned_clause(on: dt.date) -> Any:
    """SQL: the registry already questions this declaration (see the module docstring)."""
    flagged = exists().where(WatchFlag.declaration_id == Declaration.id,
                             WatchFlag.resolved_at.is_(None))
    withdrawn = exists().where(
        EditionStandard.edition_id == Declaration.current_edition_id,
        EditionStandard.standard_id == Standard.id,
        Standard.withdrawn_on.is_not(None), Standard.withdrawn_on <= on)
    no_indicators = exists().where(
        DeclarationEdition.id == Declaration.current_edition_id,
        DeclarationEdition.ent_std_number.is_not(None),
        ~exists().where(Indicator.edition_id == DeclarationEdition.id))
    return flagged | withdrawn | no_indicators


def population(region: str, industry: str | None, on: dt.date) -> list[tuple[int, bool]]:
    """(declaration id, questioned) of the population, in id order."""
    stmt = _population_stmt(region, industry).add_columns(questioned_clause(on))
    return [(r[0], bool(r[1])) for r in db.session.execute(stmt.order_by(Declaration.id))]


def digest(ids: Sequence[int]) -> str:
    return hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode()).hexdigest()


def sample_ids(pop: Sequence[tuple[int, bool]], size: int, seed: int,
               weight_factor: float | None = None) -> list[int]:
    """The sample (in draw order): pure in (population, size, seed, weighting)."""
    ordered = sorted(pop)
    rng = random.Random(seed)
    size = min(size, len(ordered))
    if not weight_factor or weight_factor == 1.0:
        return rng.sample([i for i, _ in ordered], size)
    keyed = [(rng.random() ** (1.0 / (weight_factor if q else 1.0)), i) for i, q in ordered]
    keyed.sort(reverse=True)
    return [i for _, i in keyed[:size]]


def draw(user: User, region: str, size: int, *, industry: str | None = None,
         seed: int | None = None, weighted: bool = False,
         weight_factor: float = DEFAULT_WEIGHT, title: str | None = None,
         source: str = "web") -> SpotCheckDraw:
    """Draw a sample of the region's published declarations (audited)."""
    errors: dict[str, list[str]] = {}
    try:
        identifiers.check_region(region)
    except identifiers.IdentifierError as exc:
        errors["region"] = [f"[{exc.code}] {exc.message}"]
    if not 1 <= size <= MAX_SAMPLE:
        errors["sample_size"] = [f"抽样数应为 1 到 {MAX_SAMPLE} 之间的整数"]
    if seed is not None and not 0 <= seed < MAX_SEED:
        errors["seed"] = ["随机种子应为 0 到 2^53 之间的整数"]
    if weighted and not 1.0 < weight_factor <= 100.0:
        errors["weight_factor"] = ["加权倍数应大于 1、不超过 100"]
    if errors:
        raise ValidationError("抽查条件有误", errors)
    require_oversee(user, region)
    now = utcnow()
    pop = population(region, industry, now.date())
    if not pop:
        raise ValidationError("抽查条件有误", {"region": ["该地区没有已公开的声明"]})
    seed = secrets.randbelow(MAX_SEED) if seed is None else seed
    factor = weight_factor if weighted else 1.0
    chosen = sample_ids(pop, size, seed, factor if weighted else None)
    questioned = dict(pop)
    row = SpotCheckDraw(
        region_code=region, title=title, seed=seed, population_size=len(pop),
        population_digest=digest([i for i, _ in pop]), sample_size=len(chosen),
        weighted=weighted, weight_factor=factor, drawn_at=now, drawn_by_id=user.id,
        source=source,
        population={"region": region, "industry": industry, "state": "published",
                    "as_of": now.replace(microsecond=0).isoformat(), "order": "declaration id",
                    "questioned": sum(1 for _, q in pop if q)})
    editions = {r[0]: r[1] for r in db.session.execute(
        select(Declaration.id, Declaration.current_edition_id)
        .where(Declaration.id.in_(chosen)))} if chosen else {}
    row.items = [SpotCheckItem(position=n, declaration_id=i, edition_id=editions.get(i),
                               questioned=questioned[i], findings=[])
                 for n, i in enumerate(chosen, 1)]
    db.session.add(row)
    db.session.flush()
    entry = audit.record(user, "spotcheck.draw", "spot_check_draw", row.id, region=region,
                         seed=seed, population_size=len(pop), sample_size=len(chosen),
                         weighted=weighted)
    entry.region_code = region
    return row


# -- reading ----------------------------------------------------------------------------------

def get_draw(draw_id: int, viewer: User | None) -> SpotCheckDraw:
    row = db.session.get(SpotCheckDraw, draw_id)
    if row is None:
        raise NotFound("抽查不存在")
    if not can_oversee(viewer, row.region_code):
        # outside their region a draw does not exist for them (no probing of ids)
        raise NotFound("抽查不存在")
    return row


def list_draws(viewer: User, page: int = 1, per_page: int = 20) -> Page:
    """Officers: draws of their region and below; administrators: all."""
    if viewer.role not in ("officer", "admin"):
        raise Forbidden("只有监管人员和管理员可以查看抽查")
    stmt = select(SpotCheckDraw)
    if viewer.role == "officer":
        stmt = stmt.where(SpotCheckDraw.region_code.startswith(
            region_prefix(viewer.region_code or "-"), autoescape=True))
    return paginate(stmt, page, per_page, SpotCheckDraw.drawn_at.desc(), SpotCheckDraw.id.desc())


def results_for_enterprise(ent: Enterprise, viewer: User | None) -> list[SpotCheckItem]:
    """An enterprise's recorded results, newest first: its members, officers of its region,
    administrators."""
    own = viewer is not None and viewer.role == "member" and viewer.enterprise_id == ent.id
    if not own and not can_oversee(viewer, ent.region_code):
        raise Forbidden("只能查看本企业的抽查结果")
    stmt = (select(SpotCheckItem).join(Declaration, Declaration.id == SpotCheckItem.declaration_id)
            .where(Declaration.enterprise_id == ent.id, SpotCheckItem.result.is_not(None))
            .order_by(SpotCheckItem.checked_at.desc(), SpotCheckItem.id.desc()))
    return list(db.session.scalars(stmt))


# -- results ----------------------------------------------------------------------------------

def record_result(item: SpotCheckItem, user: User, result: str, findings: list[str],
                  note: str | None) -> SpotCheckItem:
    """Record (or correct) one result (audited). A nonconforming result needs a finding; a
    conforming one has none."""
    require_oversee(user, item.draw.region_code)
    errors: dict[str, list[str]] = {}
    if result not in RESULTS:
        errors["result"] = ["结果应为 conforming（符合）或 nonconforming（不符合）"]
    bad = [f for f in findings if f not in FINDINGS]
    if bad:
        errors["findings"] = [f"未知的问题代码：{'、'.join(bad)}"]
    elif result == "nonconforming" and not findings:
        errors["findings"] = ["不符合时至少选择一项问题"]
    elif result == "conforming" and findings:
        errors["findings"] = ["符合时不应选择问题"]
    if errors:
        raise ValidationError("抽查结果有误", errors)
    item.result, item.findings, item.note = result, sorted(set(findings)), note
    item.checked_at, item.checked_by_id = utcnow(), user.id
    db.session.flush()
    ent = item.declaration.enterprise
    audit.record(user, "spotcheck.result", "spot_check_item", item.id, enterprise=ent,
                 draw=item.draw_id, declaration=item.declaration_id, result=result,
                 findings=item.findings)
    return item


def get_item(draw: SpotCheckDraw, item_id: int) -> SpotCheckItem:
    item = db.session.get(SpotCheckItem, item_id)
    if item is None or item.draw_id != draw.id:
        raise NotFound("抽查样本不存在")
    return item


# -- the conformity rate ----------------------------------------------------------------------

@dataclass(frozen=True)
class Conformity:
    checked: int
    conforming: int

    @property
    def rate(self) -> float | None:
        return self.conforming / self.checked if self.checked else None

    def as_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "conforming": self.conforming,
                "rate": None if self.rate is None else round(self.rate, 6)}


def _conformity(*where: Any) -> Conformity:
    checked, conforming = db.session.execute(
        select(func.count(SpotCheckItem.id),
               func.count(SpotCheckItem.id).filter(SpotCheckItem.result == "conforming"))
        .join(SpotCheckDraw, SpotCheckDraw.id == SpotCheckItem.draw_id)
        .where(SpotCheckItem.result.is_not(None), *where)).one()
    return Conformity(int(checked), int(conforming))


def draw_conformity(draw_id: int) -> Conformity:
    return _conformity(SpotCheckItem.draw_id == draw_id)


def region_conformity(region: str, start: dt.date, end: dt.date) -> Conformity:
    """Results recorded in [start, end] (Beijing days) of unweighted draws in the region and
    below (each draw's region lies inside ``region``)."""
    lo = dt.datetime.combine(start, dt.time()) - dt.timedelta(hours=8)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time()) - dt.timedelta(hours=8)
    return _conformity(
        SpotCheckDraw.region_code.startswith(region_prefix(region), autoescape=True),
        SpotCheckDraw.weighted.is_(False),
        and_(SpotCheckItem.checked_at >= lo, SpotCheckItem.checked_at < hi))


# -- as every face shows them -------------------------------------------------------------------

def item_dict(item: SpotCheckItem) -> dict[str, Any]:
    decl = item.declaration
    ed = decl.current_edition
    return {"id": item.id, "position": item.position, "draw_id": item.draw_id,
            "declaration_id": item.declaration_id, "edition_id": item.edition_id,
            "enterprise": decl.enterprise.name, "credit_code": decl.enterprise.credit_code,
            "product_name": ed.product_name if ed else None, "questioned": item.questioned,
            "result": item.result, "findings": list(item.findings or []), "note": item.note,
            "checked_at": item.checked_at}


def draw_dict(row: SpotCheckDraw, with_items: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id, "region_code": row.region_code, "title": row.title, "seed": row.seed,
        "population": dict(row.population or {}), "population_size": row.population_size,
        "population_digest": row.population_digest, "sample_size": row.sample_size,
        "weighted": row.weighted, "weight_factor": row.weight_factor, "drawn_at": row.drawn_at,
        "conformity": draw_conformity(row.id).as_dict()}
    if with_items:
        out["items"] = [item_dict(i) for i in row.items]
    return out
