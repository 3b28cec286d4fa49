"""The import itself: validate every row, then upsert by canonical number, all or nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError as SchemaError

from registry import labels, numbers
from registry.extensions import db
from registry.spreadsheets import RowError, TableError
from registry.spreadsheets.columns import error_code, schema_messages
from registry.standards import bulk, services
from registry.standards.importing.mapping import COLUMNS
from registry.standards.models import Standard
from registry.standards.schemas import StandardInSchema

BATCH_SIZE = 2000

# Values the database cannot hold are errors here, not a failed flush on PostgreSQL.
_MAX_LEN = {c.key: c.type.length for c in Standard.__table__.columns
            if getattr(c.type, "length", None)}


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    source: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0  # predecessors whose validity a successor in the import closed
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors



# -- validating rows ----------------------------------------------------------------------

_SUBFIELDS = {"number": "编号", "degree": "采用程度", "title": "名称"}
_NATURE_WORD = re.compile(r"应为 (mandatory|recommended|guidance)\b")


def _zh(line: str) -> str:
    """The schema's nature check names the nature by its code: say it in Chinese."""
    return _NATURE_WORD.sub(lambda m: "应为" + labels.chinese(labels.NATURE)[m[1]], line)


class _RowLoader:
    """Maps, cleans and validates rows; one instance per import (caches the schema)."""

    def __init__(self) -> None:
        self.schema = StandardInSchema()

    def load(self, raw: Any, row: int = 0) -> tuple[dict[str, Any] | None,
                                                    numbers.StandardNumber | None,
                                                    list[RowError]]:
        """(data restricted to the row's columns or None, parsed number if any, errors)."""
        if not isinstance(raw, dict):
            return None, None, [RowError(row, "", "应为一条记录（JSON 对象）", "invalid_row")]
        mapped = COLUMNS.map_row(row, raw)
        values, errors = mapped.values, mapped.errors
        payload = {k: v for k, v in values.items()
                   if k not in mapped.bad and not (v is None and k in COLUMNS.required)}
        number = values.get("number")
        parsed = numbers.try_parse(number) if isinstance(number, str) else None

        def label(name: str) -> str:
            return mapped.labels.get(name) or COLUMNS.label(name)

        try:
            loaded = self.schema.load(payload)
        except SchemaError as exc:
            msgs = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
            for name, sub in msgs.items():
                column = "" if name == "_schema" else label(name)
                errors.extend(RowError(row, column, _zh(m), error_code(m))
                              for m in schema_messages(sub, _SUBFIELDS, payload.get(name)))
            return None, parsed, errors
        if errors or parsed is None:
            return None, parsed, errors
        for name, limit in _MAX_LEN.items():
            text = parsed.canonical if name == "number" else loaded.get(name)
            if isinstance(text, str) and len(text) > limit:
                errors.append(RowError(row, label(name), f"长度不能超过 {limit} 个字符",
                                       "invalid_value"))
        if errors:
            return None, parsed, errors
        data = {k: loaded[k] for k in values if k in loaded}
        data["number"] = loaded["number"]
        # An empty withdrawal cell never clears a date the replacement chain supplied.
        for k in ("withdrawn_on", "end_kind", "status"):
            if data.get(k, "") is None:
                del data[k]
        return data, parsed, []


# -- importing ----------------------------------------------------------------------------

def import_standards(rows: Iterable[tuple[int, Any]], *, source: str, dry_run: bool = False,
                     progress: Callable[[int], None] | None = None,
                     batch_size: int = BATCH_SIZE) -> ImportReport:
    """Validate every row, then upsert by canonical number; all or nothing (flushes only)."""
    report = ImportReport(source=source, dry_run=dry_run)
    loader = _RowLoader()
    today = dt.date.today()
    seen: dict[str, int] = {}
    touched: set[str] = set()
    batch: list[tuple[dict[str, Any], numbers.StandardNumber]] = []
    ticks = 0
    savepoint = db.session.begin_nested()
    try:
        for row, raw in _guard(rows, report):
            report.rows += 1
            data, parsed, errors = loader.load(raw, row)
            if parsed is not None:
                first = seen.setdefault(parsed.key, row)
                if first != row:
                    errors = [RowError(row, _label_for(raw, "number"),
                                       f"标准号 {parsed.canonical} 与第 {first} 行重复",
                                       "duplicate_row"), *errors]
            if errors:
                report.errors.extend(errors)
                batch.clear()
            elif not report.errors and data is not None and parsed is not None:
                batch.append((data, parsed))
                if len(batch) >= batch_size:
                    _write(batch, source, today, report, touched)
            ticks += 1
            if progress is not None and ticks >= 200:
                progress(ticks)
                ticks = 0
        if not report.errors:
            _write(batch, source, today, report, touched)
            report.linked = bulk.link_chains(touched)
    except BaseException:
        savepoint.rollback()
        db.session.expire_all()
        raise
    if progress is not None and ticks:
        progress(ticks)
    if report.errors or dry_run:
        savepoint.rollback()
        # rows inserted and rolled back here may have their ids reused later (SQLite);
        # objects loaded meanwhile must not survive with the rolled-back state
        db.session.expire_all()
    else:
        savepoint.commit()
    if report.errors:
        report.created = report.updated = report.unchanged = report.linked = 0
    elif report.rows == 0:
        report.warnings.append("文件中没有数据行")
    return report


def _guard(rows: Iterable[tuple[int, Any]], report: ImportReport) -> Iterator[tuple[int, Any]]:
    """Pass rows through; a file that breaks mid-way becomes an error of the report."""
    last = 0
    try:
        for row, raw in rows:
            last = row
            yield row, raw
    except TableError as exc:
        report.errors.extend(dataclasses.replace(e, row=e.row or last + 1)
                             for e in exc.row_errors)


def _label_for(raw: Any, name: str) -> str:
    if isinstance(raw, dict):
        for header in raw:
            if isinstance(header, str) and COLUMNS.resolve(header) == name:
                return header
    return COLUMNS.label(name)


def _write(batch: list[tuple[dict[str, Any], numbers.StandardNumber]], source: str,
           today: dt.date, report: ImportReport, touched: set[str]) -> None:
    if not batch:
        return
    held = bulk.standards_by_keys(p.key for _, p in batch)
    new: list[tuple[numbers.StandardNumber, dict[str, Any]]] = []
    for data, parsed in batch:
        std = held.get(parsed.key)
        if std is None:
            new.append((parsed, data))
        elif services.apply_fields(std, data, today):
            report.updated += 1
        else:
            report.unchanged += 1
            continue
        touched.add(parsed.key)
    db.session.flush()
    report.created += bulk.insert_standards(new, source, today)
    batch.clear()

