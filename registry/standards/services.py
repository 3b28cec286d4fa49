"""Catalogue use cases: look up, list, create/update (upsert), walk editions, status check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, func, insert, or_, select
from sqlalchemy.orm import aliased, selectinload

from registry import numbers
from registry.errors import NotFound, ValidationError
from registry.extensions import db
from registry.search.outbox import record_changes
from registry.standards.models import Adoption, Replacement, Standard, StandardICS

LEVEL_ORDER = ("national", "industry", "local", "group", "enterprise", "international")


@dataclass
class Page:
    """One page of a result list."""

    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class Lookup:
    """A look-up by number: the edition found and the other editions of the same standard."""

    standard: Standard
    other_editions: list[Standard] = field(default_factory=list)


def _with_children(stmt: Select[Any]) -> Select[Any]:
    return stmt.options(selectinload(Standard.ics_codes), selectinload(Standard.adoptions),
                        selectinload(Standard.replaces))


def _pick_current(editions: Sequence[Standard], day: dt.date | None = None) -> Standard:
    """The edition in force (else the upcoming one, else the newest)."""
    rank = {"current": 0, "upcoming": 1, "replaced": 2, "abolished": 3}
    return sorted(editions, key=lambda s: (rank[s.status_on(day)], -(s.year or 0),
                                           LEVEL_ORDER.index(s.level)))[0]


def _level_rank(s: Standard) -> int:
    return LEVEL_ORDER.index(s.level) if s.level in LEVEL_ORDER else len(LEVEL_ORDER)


def candidates_for(text: str) -> list[Standard]:
    """Every catalogue edition the typed number could mean (exact edition first)."""
    parsed = numbers.try_parse(text)
    if parsed is not None:
        if parsed.year is not None:
            keys = [parsed.key] + [a.key for a in parsed.adopted]
            exact = db.session.scalars(
                _with_children(select(Standard).where(Standard.number_key == parsed.key))
            ).all()
            if exact:
                return list(exact)
            del keys
            return []
        return list(db.session.scalars(
            _with_children(select(Standard).where(Standard.base_key == parsed.base_key))
        ).all())
    partial = numbers.partial_key(text)
    if partial is None:
        return []
    seq, year = partial
    stmt = select(Standard).where(Standard.seq_key == seq)
    if year is not None:
        stmt = stmt.where(Standard.year == year)
    return list(db.session.scalars(_with_children(stmt)).all())


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
    if parsed is not None and parsed.year is not None:
        chosen = found[0]
    else:
        # Prefer the national standard when a bare sequence matches several families.
        best_level = min(_level_rank(s) for s in found)
        family = [s for s in found if _level_rank(s) == best_level]
        chosen = _pick_current(family)
    others = editions_of(chosen)
    return Lookup(chosen, [s for s in others if s.id != chosen.id])


def get_standard(number: str) -> Standard:
    """The edition with exactly this number (any writing), or NotFound."""
    parsed = numbers.try_parse(number)
    row = None
    if parsed is not None:
        row = db.session.scalar(
            _with_children(select(Standard).where(Standard.number_key == parsed.key)))
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
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        _with_children(stmt.order_by(Standard.level, Standard.prefix, Standard.seq_key,
                                     Standard.year.desc()))
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(list(rows), total, page, per_page)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- writing ------------------------------------------------------------------------------

_SCALARS = ("title_zh", "title_en", "issued_on", "effective_on", "withdrawn_on", "end_kind",
            "ccs", "issuing_body", "responsible_dept", "technical_committee", "drafting_orgs",
            "drafters", "filing_no", "notice_no", "scope", "full_text_url")


def identity_fields(parsed: numbers.StandardNumber) -> dict[str, Any]:
    """The columns a record derives from its number."""
    return {
        "number": parsed.canonical, "number_key": parsed.key, "base_key": parsed.base_key,
        "seq_key": parsed.seq_key, "dual_number": parsed.dual if parsed.adopted else None,
        "level": parsed.level, "prefix": parsed.prefix, "nature": parsed.nature,
        "org": parsed.org, "year": parsed.year,
    }


def new_standard(number: str, source: str) -> Standard:
    """An empty record with the identity fields derived from its number."""
    return Standard(**identity_fields(numbers.parse(number)), title_zh="", source=source,
                    drafting_orgs=[], drafters=[])


def _adoption_rows(data: dict[str, Any]) -> list[tuple[str, str, str, str, str | None]]:
    """(number, key, base key, degree, title) of each adopted standard in ``data``."""
    wanted = []
    for a in data["adoptions"]:
        p = numbers.parse(a["number"])
        wanted.append((p.dual if p.adopted else p.canonical, p.key, p.base_key,
                       a["degree"], a.get("title")))
    return wanted


def _replacement_rows(data: dict[str, Any], own_key: str) -> list[tuple[str, str]]:
    """(number, key) of each edition ``data`` replaces: no self-reference, no repeats."""
    wanted: list[tuple[str, str]] = []
    for item in data["replaces"]:
        p = numbers.parse(item)
        if p.key != own_key and p.key not in {k for _, k in wanted}:
            wanted.append((p.canonical, p.key))
    return wanted


def apply_fields(std: Standard, data: dict[str, Any], today: dt.date | None = None) -> bool:
    """Copy validated fields onto ``std``; True when anything changed."""
    today = today or dt.date.today()
    changed = False
    for name in _SCALARS:
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
        wanted = _adoption_rows(data)
        have = [(a.number, a.number_key, a.base_key, a.degree, a.title) for a in std.adoptions]
        if wanted != have:
            std.adoptions = [Adoption(number=n, number_key=k, base_key=b, degree=d, title=t)
                             for n, k, b, d, t in wanted]
            changed = True
    if "replaces" in data:
        wanted_r = _replacement_rows(data, std.number_key)
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


def close_validity(old: Standard, successor_effective_on: dt.date) -> bool:
    """End ``old`` where a successor takes effect (unless a real date says otherwise)."""
    changed = False
    if old.withdrawn_on is None or old.withdrawn_on_estimated:
        changed = old.withdrawn_on != successor_effective_on or old.withdrawn_on_estimated
        old.withdrawn_on = successor_effective_on
        old.withdrawn_on_estimated = False
    if old.end_kind is None or \
            old.end_kind == "abolished" and old.withdrawn_on == successor_effective_on:
        old.end_kind = "replaced"
        changed = True
    return changed


# -- bulk writing (import) ----------------------------------------------------------------

def standards_by_keys(keys: Iterable[str], chunk: int = 500) -> dict[str, Standard]:
    """The records with these number keys, children loaded, by key (a few queries per 500)."""
    wanted = list(dict.fromkeys(keys))
    held: dict[str, Standard] = {}
    for i in range(0, len(wanted), chunk):
        rows = db.session.scalars(_with_children(
            select(Standard).where(Standard.number_key.in_(wanted[i:i + chunk])))).all()
        held.update((s.number_key, s) for s in rows)
    return held


def insert_standards(items: Sequence[tuple[numbers.StandardNumber, dict[str, Any]]],
                     source: str, today: dt.date | None = None) -> int:
    """Bulk-create records whose numbers are not catalogued yet; returns how many.

    The result equals ``new_standard`` + ``apply_fields`` for each item, written with
    multi-row INSERTs instead of a unit-of-work flush (about three times faster), and the
    change-feed rows the flush hook would have written are recorded here. The replacement
    chain is left to ``link_chains``.
    """
    if not items:
        return 0
    today = today or dt.date.today()
    db.session.flush()  # pending ORM work first: the bulk rows must not jump the queue
    rows = []
    for parsed, data in items:
        row = identity_fields(parsed)
        row.update(source=source, title_zh="", drafting_orgs=[], drafters=[],
                   withdrawn_on_estimated=False)
        for name in _SCALARS:
            row[name] = data.get(name, [] if name in ("drafting_orgs", "drafters") else None)
        status = data.get("status")
        if status in ("replaced", "abolished"):
            row["end_kind"] = status
            if row["withdrawn_on"] is None:
                row["withdrawn_on"], row["withdrawn_on_estimated"] = today, True
        rows.append(row)
    # Core INSERT of the table: the ORM bulk path leaves out None values, so rows with
    # different empty fields would go one statement each. RETURNING comes back in any
    # order (asking for parameter order costs SQLite one INSERT per row): map it by key.
    table = Standard.__table__
    result = db.session.execute(insert(table).returning(table.c.number_key, table.c.id), rows)
    id_of: dict[str, int] = {key: std_id for key, std_id in result}
    ids = list(id_of.values())
    ics, adoptions, replaces = [], [], []
    for parsed, data in items:
        std_id = id_of[parsed.key]
        ics += [{"standard_id": std_id, "code": c, "position": i}
                for i, c in enumerate(dict.fromkeys(data.get("ics", ())))]
        if "adoptions" in data:
            adoptions += [{"standard_id": std_id, "number": n, "number_key": k, "base_key": b,
                           "degree": d, "title": t} for n, k, b, d, t in _adoption_rows(data)]
        if "replaces" in data:
            replaces += [{"successor_id": std_id, "predecessor_number": n, "predecessor_key": k}
                         for n, k in _replacement_rows(data, parsed.key)]
    for model, values in ((StandardICS, ics), (Adoption, adoptions), (Replacement, replaces)):
        if values:
            db.session.execute(insert(model.__table__), values)
    record_changes(db.session(), {("standard", i): "upsert" for i in ids})
    return len(ids)


def link_chains(keys: Collection[str], chunk: int = 500) -> int:
    """Set-based ``link_chain`` for every replacement pair with an end in ``keys``.

    Returns how many predecessors had their validity closed. One query finds the pairs
    whose predecessor is still open (or only estimated); successors apply in effective order.
    """
    if not keys:
        return 0
    old, new = aliased(Standard), aliased(Standard)
    stmt = (
        select(old.id, old.number_key, new.number_key, new.effective_on)
        .select_from(Replacement)
        .join(new, new.id == Replacement.successor_id)
        .join(old, old.number_key == Replacement.predecessor_key)
        .where(new.effective_on.is_not(None), old.id != new.id,
               or_(old.withdrawn_on.is_(None), old.withdrawn_on_estimated.is_(True),
                   old.end_kind.is_(None), old.end_kind == "abolished"))
    )
    if len(keys) <= 1000:
        stmt = stmt.where(or_(old.number_key.in_(list(keys)), new.number_key.in_(list(keys))))
    pending: dict[int, list[dt.date]] = {}
    for old_id, old_key, new_key, effective_on in db.session.execute(stmt):
        if effective_on is not None and (old_key in keys or new_key in keys):
            pending.setdefault(old_id, []).append(effective_on)
    ids = list(pending)
    changed = 0
    for i in range(0, len(ids), chunk):
        for std in db.session.scalars(select(Standard).where(Standard.id.in_(ids[i:i + chunk]))):
            results = [close_validity(std, day) for day in sorted(pending[std.id])]
            changed += any(results)
    db.session.flush()
    return changed


def upsert_standard(data: dict[str, Any], source: str = "api") -> tuple[Standard, str]:
    """Create or update by canonical number; returns (record, 'created'|'updated'|'unchanged')."""
    parsed = numbers.parse(data["number"])
    std = db.session.scalar(
        _with_children(select(Standard).where(Standard.number_key == parsed.key)))
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
    from registry.errors import Conflict

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


# -- bulk status check --------------------------------------------------------------------

@dataclass
class StatusRow:
    """One line of a bulk status check."""

    input: str
    found: bool = False
    number: str | None = None
    title_zh: str | None = None
    status: str | None = None
    status_label: str | None = None
    current_edition: str | None = None
    current_title: str | None = None
    message: str | None = None


def check_statuses(inputs: Sequence[str], max_items: int = 5000) -> list[StatusRow]:
    """For each typed number: found?, its status, and the edition now in force instead."""
    lines = [s.strip() for s in inputs if s and s.strip()]
    if not lines:
        raise ValidationError("请至少输入一个标准编号", {"numbers": ["请至少输入一个标准编号"]})
    if len(lines) > max_items:
        raise ValidationError(f"一次最多检查 {max_items} 个编号",
                              {"numbers": [f"一次最多检查 {max_items} 个编号"]})
    out: list[StatusRow] = []
    for text in lines:
        row = StatusRow(input=text)
        try:
            look = find_standard(text)
        except NotFound as exc:
            row.message = exc.message
            out.append(row)
            continue
        except ValidationError as exc:
            row.message = exc.message
            out.append(row)
            continue
        std = look.standard
        row.found, row.number, row.title_zh = True, std.number, std.title_zh
        row.status = std.status
        row.status_label = std.status_label
        if row.status in ("replaced", "abolished"):
            newer = latest_successor(std)
            if newer is not None:
                row.current_edition, row.current_title = newer.number, newer.title_zh
        out.append(row)
    return out
