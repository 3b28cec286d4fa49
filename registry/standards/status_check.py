"""Bulk status check: for each typed number, its status and the edition now in force instead.

The look-ups are batched (one query per column and 500 values) but choose exactly what
``services.find_standard`` would for each line; the successor walk stays per replaced or
abolished edition (``services.latest_successor``), once per edition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.errors import NotFound, ValidationError
from registry.extensions import db
from registry.standards.models import Standard
from registry.standards.services import (
    candidate_filter,
    find_standard,
    latest_successor,
    pick_edition,
)


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
    found = find_standards(lines)
    successors: dict[int, Standard | None] = {}
    out: list[StatusRow] = []
    for text in lines:
        row = StatusRow(input=text)
        std = found[text]
        if isinstance(std, str):
            row.message = std
            out.append(row)
            continue
        row.found, row.number, row.title_zh = True, std.number, std.title_zh
        row.status = std.status
        row.status_label = std.status_label
        if row.status in ("replaced", "abolished"):
            if std.id not in successors:
                successors[std.id] = latest_successor(std)
            newer = successors[std.id]
            if newer is not None:
                row.current_edition, row.current_title = newer.number, newer.title_zh
        out.append(row)
    return out


def find_standards(texts: Sequence[str], chunk: int = 500) -> dict[str, Standard | str]:
    """``find_standard(text).standard`` for each text, or the message of its error.

    Candidates are loaded a column at a time (in id order, as the one-number query returns
    them on SQLite) and chosen by ``services.pick_edition``; text that is no number at all
    goes through ``find_standard`` itself for its message (it needs no query).
    """
    out: dict[str, Standard | str] = {}
    matches: dict[str, tuple[str, str, int | None]] = {}  # text -> (column name, value, year)
    for text in dict.fromkeys(texts):
        match = candidate_filter(text)
        if match is not None:
            matches[text] = (match[0].key, match[1], match[2])
            continue
        try:
            out[text] = find_standard(text).standard
        except (NotFound, ValidationError) as exc:
            out[text] = exc.message
    held: dict[tuple[str, str], list[Standard]] = {}
    for name in sorted({name for name, _, _ in matches.values()}):
        column = getattr(Standard, name)
        values = list(dict.fromkeys(v for n, v, _ in matches.values() if n == name))
        for i in range(0, len(values), chunk):
            stmt = (select(Standard).where(column.in_(values[i:i + chunk]))
                    .options(selectinload(Standard.replaces)).order_by(Standard.id))
            for std in db.session.scalars(stmt):
                held.setdefault((name, getattr(std, name)), []).append(std)
    for text, (name, value, year) in matches.items():
        candidates = [s for s in held.get((name, value), []) if year is None or s.year == year]
        if not candidates:
            out[text] = f"目录中没有标准“{text.strip()}”"
        else:
            out[text] = pick_edition(candidates, exact=name == "number_key")
    return out
