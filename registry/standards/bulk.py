"""Writing catalogue records in bulk (the import), and the record shape the single path shares.

``identity_fields``, ``adoption_rows`` and ``replacement_rows`` derive rows from a number and
validated data; ``insert_standards`` writes new records with multi-row INSERTs and
``link_chains`` closes predecessors' validity set-based; ``close_validity`` is the rule both
this and ``services.link_chain`` apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import Select, insert, or_, select
from sqlalchemy.orm import aliased, selectinload

from registry import numbers
from registry.extensions import db
from registry.search.outbox import record_changes
from registry.standards.models import Adoption, Replacement, Standard, StandardICS

#: The plain columns ``apply_fields`` and ``insert_standards`` copy from validated data.
SCALAR_FIELDS = ("title_zh", "title_en", "issued_on", "effective_on", "withdrawn_on",
                 "end_kind", "ccs", "issuing_body", "responsible_dept", "technical_committee",
                 "drafting_orgs", "drafters", "filing_no", "notice_no", "scope", "full_text_url")


def with_children(stmt: Select[Any]) -> Select[Any]:
    """``stmt`` loading each record's ICS codes, adoptions and replaced numbers with it."""
    return stmt.options(selectinload(Standard.ics_codes), selectinload(Standard.adoptions),
                        selectinload(Standard.replaces))


def identity_fields(parsed: numbers.StandardNumber) -> dict[str, Any]:
    """The columns a record derives from its number."""
    return {
        "number": parsed.canonical, "number_key": parsed.key, "base_key": parsed.base_key,
        "seq_key": parsed.seq_key, "dual_number": parsed.dual if parsed.adopted else None,
        "level": parsed.level, "prefix": parsed.prefix, "nature": parsed.nature,
        "org": parsed.org, "year": parsed.year,
    }


def adoption_rows(data: dict[str, Any]) -> list[tuple[str, str, str, str, str | None]]:
    """(number, key, base key, degree, title) of each adopted standard in ``data``."""
    wanted = []
    for a in data["adoptions"]:
        p = numbers.parse(a["number"])
        wanted.append((p.dual if p.adopted else p.canonical, p.key, p.base_key,
                       a["degree"], a.get("title")))
    return wanted


def replacement_rows(data: dict[str, Any], own_key: str) -> list[tuple[str, str]]:
    """(number, key) of each edition ``data`` replaces: no self-reference, no repeats."""
    wanted: list[tuple[str, str]] = []
    for item in data["replaces"]:
        p = numbers.parse(item)
        if p.key != own_key and p.key not in {k for _, k in wanted}:
            wanted.append((p.canonical, p.key))
    return wanted


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


def standards_by_keys(keys: Iterable[str], chunk: int = 500) -> dict[str, Standard]:
    """The records with these number keys, children loaded, by key (a few queries per 500)."""
    wanted = list(dict.fromkeys(keys))
    held: dict[str, Standard] = {}
    for i in range(0, len(wanted), chunk):
        rows = db.session.scalars(with_children(
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
        for name in SCALAR_FIELDS:
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
                           "degree": d, "title": t} for n, k, b, d, t in adoption_rows(data)]
        if "replaces" in data:
            replaces += [{"successor_id": std_id, "predecessor_number": n, "predecessor_key": k}
                         for n, k in replacement_rows(data, parsed.key)]
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

