"""Catalogue use cases: look up, list, create/update (upsert), walk editions.

Bulk writing (the import) is in ``bulk``, the bulk status check in ``status_check``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from registry import numbers
from registry.errors import Conflict, NotFound, ValidationError
from registry.extensions import db
from registry.paging import Page, paginate
from registry.standards.bulk import (
    SCALAR_FIELDS,
    adoption_rows,
    close_validity,
    identity_fields,
    replacement_rows,
    with_children,
)
from registry.standards.bulk import insert_standards as insert_standards  # re-exported
from registry.standards.bulk import link_chains as link_chains  # re-exported
from registry.standards.bulk import standards_by_keys as standards_by_keys  # re-exported
from registry.standards.models import Adoption, Replacement, Standard, StandardICS

LEVEL_ORDER = ("national", "industry", "local", "group", "enterprise", "international")


@dataclass
class Lookup:
    """A look-up by number: the edition found and the other editions of the same standard."""

    standard: Standard
    other_editions: list[Standard] = field(default_factory=list)


def _pick_current(editions: Sequence[Standard], day: dt.date | None = None) -> Standard:
    """The edition in force (else the upcoming one, else the newest)."""
    rank = {"current": 0, "upcoming": 1, "replaced": 2, "abolished": 3}
    return sorted(editions, key=lambda s: (rank[s.status_on(day)], -(s.year or 0),
                                           LEVEL_ORDER.index(s.level)))[0]


def _level_rank(s: Standard) -> int:
    return LEVEL_ORDER.index(s.level) if s.level in LEVEL_ORDER else len(LEVEL_ORDER)


def candidate_filter(text: str) -> tuple[InstrumentedAttribute[str], str, int | None] | None:
    """What a typed number matches: (column, value, year or None); None if it cannot match.

    A full number with a year is one edition (``number_key``), without a year its family
    (``base_key``); a prefix-less '19001-2016' is a sequence (``seq_key``), with that year.
    """
    parsed = numbers.try_parse(text)
    if parsed is not None:
        if parsed.year is not None:
            return Standard.number_key, parsed.key, None
        return Standard.base_key, parsed.base_key, None
    partial = numbers.partial_key(text)
    if partial is None:
        return None
    return Standard.seq_key, partial[0], partial[1]


def candidates_for(text: str) -> list[Standard]:
    """Every catalogue edition the typed number could mean (exact edition first)."""
    match = candidate_filter(text)
    if match is None:
        return []
    column, value, year = match
    stmt = select(Standard).where(column == value)
    if year is not None:
        stmt = stmt.where(Standard.year == year)
    return list(db.session.scalars(with_children(stmt)).all())


def pick_edition(found: Sequence[Standard], exact: bool) -> Standard:
    """The edition a look-up means: the exact one, else the best-level family's current one."""
    if exact:
        return found[0]
    # Prefer the national standard when a bare sequence matches several families.
    best_level = min(_level_rank(s) for s in found)
    return _pick_current([s for s in found if _level_rank(s) == best_level])


def find_standard(text: str) -> Lookup:
    """Look a standard up by any writing of its number; without a year, the current edition."""
    if not text or not text.strip():
        raise ValidationError("请输入标准编号", {"number": ["请输入标准编号"]})
    parsed = numbers.try_parse(text)
    if parsed is None and numbers.partial_key(text) is None:
        try:
            numbers.parse(text)
        except numbers.NumberError as exc:
            raise NotFound(f"未找到标准“{text}”：{exc.message}",
                           {"number": [exc.message]}) from exc
    found = candidates_for(text)
    if not found:
        raise NotFound(f"目录中没有标准“{text.strip()}”")
    chosen = pick_edition(found, parsed is not None and parsed.year is not None)
    others = editions_of(chosen)
    return Lookup(chosen, [s for s in others if s.id != chosen.id])


def get_standard(number: str) -> Standard:
    """The edition with exactly this number (any writing), or NotFound."""
    parsed = numbers.try_parse(number)
    row = None
    if parsed is not None:
        row = db.session.scalar(
            with_children(select(Standard).where(Standard.number_key == parsed.key)))
    if row is None:
        raise NotFound(f"目录中没有标准“{number}”")
    return row


def editions_of(standard: Standard) -> list[Standard]:
    """Every catalogue edition with the same number family, newest first."""
    rows = db.session.scalars(
        select(Standard).where(Standard.base_key == standard.base_key)
    ).all()
    return sorted(rows, key=lambda s: -(s.year or 0))


def successors_of(standard: Standard) -> list[Standard]:
    """Editions that replace this one (代替它的标准)."""
    return list(db.session.scalars(
        select(Standard).join(Replacement, Replacement.successor_id == Standard.id)
        .where(Replacement.predecessor_key == standard.number_key)
        .order_by(Standard.effective_on)
    ).all())


def predecessors_of(standard: Standard) -> list[tuple[str, Standard | None]]:
    """The numbers this edition replaces, with the catalogue record where there is one."""
    keys = [r.predecessor_key for r in standard.replaces]
    held = {s.number_key: s for s in db.session.scalars(
        select(Standard).where(Standard.number_key.in_(keys)))} if keys else {}
    return [(r.predecessor_number, held.get(r.predecessor_key)) for r in standard.replaces]


def chain_of(standard: Standard, limit: int = 50) -> list[Standard]:
    """The replacement chain through this edition, oldest first (walks both ways)."""
    chain = [standard]
    seen = {standard.id}
    cur = standard
    while len(chain) < limit:
        earlier = [s for _, s in predecessors_of(cur) if s is not None and s.id not in seen]
        if not earlier:
            break
        cur = max(earlier, key=lambda s: (s.effective_on or dt.date.min))
        chain.insert(0, cur)
        seen.add(cur.id)
    cur = standard
    while len(chain) < limit:
        later = [s for s in successors_of(cur) if s.id not in seen]
        if not later:
            break
        cur = later[0]
        chain.append(cur)
        seen.add(cur.id)
    return chain


def latest_successor(standard: Standard) -> Standard | None:
    """Follow 'replaced by' to the end of the chain; None when nothing replaces it."""
    chain = chain_of(standard)
    idx = next(i for i, s in enumerate(chain) if s.id == standard.id)
    return chain[-1] if idx < len(chain) - 1 else None


# -- listing ------------------------------------------------------------------------------

def status_clause(status: str, day: dt.date | None = None) -> Any:
    """SQL condition for the derived status on ``day``."""
    day = day or dt.date.today()
    ended = and_(Standard.withdrawn_on.is_not(None), Standard.withdrawn_on <= day)
    if status == "replaced":
        return and_(ended, Standard.end_kind == "replaced")
    if status == "abolished":
        return and_(ended, or_(Standard.end_kind.is_(None), Standard.end_kind != "replaced"))
    not_ended = or_(Standard.withdrawn_on.is_(None), Standard.withdrawn_on > day)
    if status == "upcoming":
        return and_(not_ended, Standard.effective_on > day)
    return and_(not_ended, or_(Standard.effective_on.is_(None), Standard.effective_on <= day))


def list_standards(*, q: str | None = None, level: str | None = None,
                   status: str | None = None, nature: str | None = None,
                   ics: str | None = None, org: str | None = None,
                   page: int = 1, per_page: int = 20) -> Page:
    """Filtered, paginated catalogue in number order."""
    stmt = select(Standard)
    if level == "zzb":
        stmt = stmt.where(Standard.level == "group", Standard.org == "ZZB")
    elif level:
        stmt = stmt.where(Standard.level == level)
    if status:
        stmt = stmt.where(status_clause(status))
    if nature:
        stmt = stmt.where(Standard.nature == nature)
    if org:
        stmt = stmt.where(Standard.org == org.strip().upper())
    if ics:
        code = ics.strip()
        stmt = stmt.where(Standard.id.in_(
            select(StandardICS.standard_id).where(
                or_(StandardICS.code == code, StandardICS.code.like(code + ".%")))))
    if q and q.strip():
        term = q.strip()
        key = numbers.compact(term)
        stmt = stmt.where(or_(Standard.number_key.like(f"%{_escape(key)}%", escape="\\"),
                              Standard.title_zh.like(f"%{_escape(term)}%", escape="\\"),
                              Standard.title_en.like(f"%{_escape(term)}%", escape="\\")))
    return paginate(with_children(stmt), page, per_page, Standard.level, Standard.prefix,
                    Standard.seq_key, Standard.year.desc())


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- writing ------------------------------------------------------------------------------

def new_standard(number: str, source: str) -> Standard:
    """An empty record with the identity fields derived from its number."""
    return Standard(**identity_fields(numbers.parse(number)), title_zh="", source=source,
                    drafting_orgs=[], drafters=[])


def apply_fields(std: Standard, data: dict[str, Any], today: dt.date | None = None) -> bool:
    """Copy validated fields onto ``std``; True when anything changed."""
    today = today or dt.date.today()
    changed = False
    for name in SCALAR_FIELDS:
        if name in data and getattr(std, name) != data[name]:
            setattr(std, name, data[name])
            changed = True
    status = data.get("status")
    if status in ("replaced", "abolished"):
        if std.end_kind != status:
            std.end_kind = status
            changed = True
        if std.withdrawn_on is None:
            # the source says it is no longer in force but gives no date: record the date we
            # learnt it, marked as an estimate
            std.withdrawn_on, std.withdrawn_on_estimated = today, True
            changed = True
    elif "withdrawn_on" in data and data["withdrawn_on"] is not None \
            and std.withdrawn_on_estimated:
        std.withdrawn_on_estimated = False
        changed = True
    if "ics" in data and std.ics != data["ics"]:
        std.ics_codes = [StandardICS(code=c, position=i)
                         for i, c in enumerate(dict.fromkeys(data["ics"]))]
        changed = True
    if "adoptions" in data:
        wanted = adoption_rows(data)
        have = [(a.number, a.number_key, a.base_key, a.degree, a.title) for a in std.adoptions]
        if wanted != have:
            std.adoptions = [Adoption(number=n, number_key=k, base_key=b, degree=d, title=t)
                             for n, k, b, d, t in wanted]
            changed = True
    if "replaces" in data:
        wanted_r = replacement_rows(data, std.number_key)
        if wanted_r != [(r.predecessor_number, r.predecessor_key) for r in std.replaces]:
            std.replaces = [Replacement(predecessor_number=n, predecessor_key=k)
                            for n, k in wanted_r]
            changed = True
    return changed


def link_chain(std: Standard, predecessors: Iterable[Standard] = (),
               successors: Iterable[Standard] = ()) -> None:
    """Close the predecessors' validity where this edition takes over, and this one's."""
    for old in predecessors:
        _end_by(old, std)
    for new in successors:
        _end_by(std, new)


def _end_by(old: Standard, new: Standard) -> None:
    if new.effective_on is None:
        return
    close_validity(old, new.effective_on)


def upsert_standard(data: dict[str, Any], source: str = "api") -> tuple[Standard, str]:
    """Create or update by canonical number; returns (record, 'created'|'updated'|'unchanged')."""
    parsed = numbers.parse(data["number"])
    std = db.session.scalar(
        with_children(select(Standard).where(Standard.number_key == parsed.key)))
    outcome = "updated"
    if std is None:
        std = new_standard(data["number"], source)
        db.session.add(std)
        outcome = "created"
    changed = apply_fields(std, data)
    if outcome == "updated" and not changed:
        return std, "unchanged"
    db.session.flush()
    preds = [s for _, s in predecessors_of(std) if s is not None]
    link_chain(std, preds, successors_of(std))
    db.session.flush()
    return std, outcome


def create_standard(data: dict[str, Any], source: str = "api") -> Standard:
    """Create a new record; a number already catalogued is a conflict."""
    parsed = numbers.parse(data["number"])
    if db.session.scalar(select(Standard.id).where(Standard.number_key == parsed.key)):
        raise Conflict(f"标准 {parsed.canonical} 已存在", {"number": ["该编号已存在"]})
    std, _ = upsert_standard(data, source)
    return std


def update_standard(std: Standard, data: dict[str, Any]) -> Standard:
    """Apply a partial update to an existing record."""
    if apply_fields(std, data):
        db.session.flush()
        link_chain(std, [s for _, s in predecessors_of(std) if s is not None],
                   successors_of(std))
        db.session.flush()
    return std

