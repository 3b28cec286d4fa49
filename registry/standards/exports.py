"""The results of a bulk status check as CSV (UTF-8 with BOM, for Excel) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l

from registry.standards.status_check import StatusRow

COLUMNS = (
    _l("输入"),
    _l("是否找到"),
    _l("标准号"),
    _l("标准名称"),
    _l("状态"),
    _l("代替它的现行标准"),
    _l("现行标准名称"),
    _l("说明"),
)

# Spreadsheets run a cell starting with these as a formula; user input must stay text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def status_table(rows: Sequence[StatusRow], status_text: Mapping[str, Any]) -> list[list[str]]:
    """Header and one line per checked number, labels in the request's language."""
    yes, no = str(_l("是")), str(_l("否"))
    table = [[str(c) for c in COLUMNS]]
    for r in rows:
        table.append(
            [
                r.input,
                yes if r.found else no,
                r.number or "",
                r.title_zh or "",
                str(status_text.get(r.status or "", "")),
                r.current_edition or "",
                r.current_title or "",
                r.message or "",
            ]
        )
    return table


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def to_csv(table: Sequence[Sequence[str]]) -> bytes:
    """CSV encoded UTF-8 with a BOM so that Excel shows the Chinese text."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in table:
        writer.writerow([_safe(c) for c in row])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(table: Sequence[Sequence[str]], sheet_title: str) -> bytes:
    """One sheet, header row bold and frozen, every cell stored as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_title[:31]
    widths: dict[int, int] = {}
    for r_idx, row in enumerate(table, start=1):
        for c_idx, value in enumerate(row, start=1):
            cell = ws.cell(row=r_idx, column=c_idx, value=value)
            cell.data_type = "s"  # never a formula, whatever the user typed
            if r_idx == 1:
                cell.font = Font(bold=True)
            # CJK characters are about twice as wide as Latin ones
            width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in value)
            widths[c_idx] = max(widths.get(c_idx, 0), width)
    for c_idx, width in widths.items():
        ws.column_dimensions[get_column_letter(c_idx)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
