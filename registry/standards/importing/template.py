"""Writing records in the import template's format (CSV or XLSX), and the error report."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from registry import labels
from registry.standards.importing.mapping import _REQUIRED, TEMPLATE_COLUMNS
from registry.standards.importing.readers import RowError


def template_row(record: dict[str, Any]) -> list[Any]:
    """A StandardInSchema-shaped record as the template's cells (dates stay dates)."""
    out: list[Any] = []
    for _, name, _ in TEMPLATE_COLUMNS:
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


def write_template(path: str | Path, records: Iterable[dict[str, Any]] = ()) -> int:
    """Write records in the template format, CSV (UTF-8 with BOM) or XLSX by extension."""
    path = Path(path)
    headers = [h for h, _, _ in TEMPLATE_COLUMNS]
    count = 0
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("标准")
        ws.freeze_panes = "A2"
        for letter, width in zip("ABCDEFGHIJKLMNOPQRSTU", (22, 36, 36, 10, 10, 12, 12, 12, 16,
                                                           8, 24, 24, 24, 30, 20, 14, 14, 22,
                                                           28, 40, 30), strict=True):
            ws.column_dimensions[letter].width = width
        bold = Font(bold=True)
        cells = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = bold
            cells.append(cell)
        ws.append(cells)
        for record in records:
            ws.append(template_row(record))
            count += 1
        notes = wb.create_sheet("填写说明")
        notes.append(["列名", "必填", "填写说明"])
        for h, name, hint in TEMPLATE_COLUMNS:
            notes.append([h, "是" if name in _REQUIRED else "", hint])
        wb.save(path)
        return count
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for record in records:
            writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date)
                             else v for v in template_row(record)])
            count += 1
    return count


def write_errors_csv(path: str | Path, errors: Iterable[RowError]) -> None:
    """The error report as CSV (行, 列, 错误), UTF-8 with BOM so Excel shows Chinese."""
    with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["行", "列", "错误"])
        for e in errors:
            writer.writerow([e.row, e.field, e.message])
