"""Records in the import template's format (CSV or XLSX, with its 填写说明 sheet)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from registry import labels
from registry.spreadsheets import templates
from registry.standards.importing.mapping import COLUMNS


def template_row(record: dict[str, Any]) -> list[Any]:
    """A StandardInSchema-shaped record as the template's cells (dates stay dates)."""
    out: list[Any] = []
    for column in COLUMNS.template:
        name = column.field
        value = record.get(name)
        if name == "status" and value is None and record.get("end_kind") and \
                record.get("withdrawn_on") and record["withdrawn_on"] <= dt.date.today():
            value = record["end_kind"]
        if value is None or value == []:
            out.append(None)
        elif name == "nature":
            out.append(labels.chinese(labels.NATURE).get(value, value))
        elif name == "status":
            out.append(labels.chinese(labels.STATUS).get(value, value))
        elif name == "ics":
            out.append("; ".join(value))
        elif name == "adoptions":
            out.append("; ".join(f"{a['number']} {a['degree']}" for a in value))
        elif isinstance(value, list | tuple):
            out.append("；".join(value))
        else:
            out.append(value)
    return out


def write_template(path: str | Path, records: Iterable[dict[str, Any]] = (), *,
                   example: bool = False) -> int:
    """Write records in the template format, CSV (UTF-8 with BOM) or XLSX by extension;
    the number of records written."""
    path = Path(path)
    fmt = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
    return templates.write_template(path, COLUMNS, fmt, title="标准", example=example,
                                    rows=(template_row(r) for r in records))
