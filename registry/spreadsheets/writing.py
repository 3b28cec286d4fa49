"""Writing tables for people: CSV (UTF-8 with a BOM, so that Excel shows Chinese) and XLSX.

Every export — the bulk status check, templates, error lists, reject files, reports and
rankings — writes through here, so none can hand a spreadsheet a formula: a CSV text cell
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets an apostrophe
(``neutralise``; ``unquote`` takes it off again when such a file is read back), and an
XLSX text cell is always stored as text. XLSX sheets are written in openpyxl's write-only
mode (100,000 rows in constant memory).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

_FORMULA = frozenset("=+-@\t\r")
_QUOTED = _FORMULA | {"'"}


def neutralise(cell: str) -> str:
    """A CSV text cell no spreadsheet runs as a formula (an apostrophe in front of a leading
    =, +, -, @, tab or CR; also in front of an apostrophe before one, so ``unquote`` is exact)."""
    if cell[:1] in _FORMULA or (cell[:1] == "'" and cell[1:2] in _QUOTED):
        return "'" + cell
    return cell


def unquote(cell: str) -> str:
    """The text ``neutralise`` was given (a cell read from a CSV file)."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in _QUOTED else cell


def unquote_row(cells: list[str]) -> list[str]:
    """``unquote`` on every cell (inlined: a CSV import reads millions of cells)."""
    return [c[1:] if c[:1] == "'" and c[1:2] in _QUOTED else c for c in cells]


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_csv(target: str | Path | IO[bytes], header: Sequence[Any],
              rows: Iterable[Sequence[Any]] = (), *, before: Sequence[Sequence[Any]] = (),
              after: Sequence[Sequence[Any]] = ()) -> int:
    """Header and rows as CSV (UTF-8 with BOM, CRLF, dates ISO, formulas neutralised) to a
    path or a binary file; the number of rows written after the header. ``before`` and
    ``after``: lines above the table and below it, each block set off by a blank line (a
    report's definition, filters and time of extraction: a CSV holds one table only)."""
    if isinstance(target, str | Path):
        with Path(target).open("wb") as fh:
            return write_csv(fh, header, rows, before=before, after=after)
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    count = 0
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        for line in before:
            writer.writerow([_csv_cell(c) for c in line])
        if before:
            writer.writerow([])
        writer.writerow([_csv_cell(c) for c in header])
        for row in rows:
            writer.writerow([_csv_cell(c) for c in row])
            count += 1
        if after:
            writer.writerow([])
        for line in after:
            writer.writerow([_csv_cell(c) for c in line])
        text.flush()
    finally:
        text.detach()  # the caller's file stays open
    return count


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]] = (), *,
              before: Sequence[Sequence[Any]] = (),
              after: Sequence[Sequence[Any]] = ()) -> bytes:
    """``write_csv`` into bytes (a download)."""
    buf = io.BytesIO()
    write_csv(buf, header, rows, before=before, after=after)
    return buf.getvalue()


@dataclass
class Sheet:
    """One XLSX worksheet: a bold, frozen header row and the rows under it."""

    title: str
    header: Sequence[Any]
    rows: Iterable[Sequence[Any]] = ()
    widths: Sequence[int] | None = None  # None: fitted to the cells (rows then held in memory)
    freeze: str | None = "A2"
    text_columns: Sequence[int] = ()  # 0-based: formatted as text (what people type stays text)
    choices: Mapping[int, Sequence[str]] = field(default_factory=dict)  # drop-down lists
    choice_rows: int = 5000  # how many rows under the header the drop-down lists cover
    wrap: bool = False  # wrap text, top-aligned (notes)
    percent_columns: Sequence[int] = ()  # 0-based: fractions shown as percentages (0.0%)
    written: int = 0  # rows written after the header


def write_xlsx(target: str | Path | IO[bytes], sheets: Sequence[Sheet]) -> None:
    """The sheets as one workbook, to a path or a binary file."""
    # openpyxl (0.1 s to import) only when a workbook is written, not at every start-up
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook(write_only=True)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title[:31])
        rows = sheet.rows
        widths = sheet.widths
        if widths is None:
            rows = [list(r) for r in rows]
            widths = _fitted_widths([sheet.header, *rows])
        for i, width in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = width
        for i in sheet.text_columns:
            ws.column_dimensions[get_column_letter(i + 1)].number_format = "@"
        for i, options in sheet.choices.items():
            letter = get_column_letter(i + 1)
            choice = DataValidation(type="list", formula1='"' + ",".join(options) + '"',
                                    allow_blank=True)
            choice.add(f"{letter}2:{letter}{sheet.choice_rows + 1}")
            ws.data_validations.append(choice)
        if sheet.freeze:
            ws.freeze_panes = sheet.freeze

        def cell(value: Any, style: Any = None, font: Any = None, ws: Any = ws) -> Any:
            if isinstance(value, str):
                if ILLEGAL_CHARACTERS_RE.search(value):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if value[:1] in ("=", "#") or style or font:
                    c = WriteOnlyCell(ws, value=value)
                    c.data_type = "s"  # never a formula or an error value, whatever was typed
                    if style is not None:
                        c.alignment = style
                    if font is not None:
                        c.font = font
                    return c
            return value

        ws.append([cell(h, font=bold) for h in sheet.header])
        style = wrap if sheet.wrap else None
        percent = set(sheet.percent_columns)
        for row in rows:
            cells = [cell(v, style) for v in row]
            for i in percent:
                if i < len(cells) and isinstance(cells[i], int | float):
                    cells[i] = WriteOnlyCell(ws, value=cells[i])
                    cells[i].number_format = "0.0%"
            ws.append(cells)
            sheet.written += 1
    wb.save(target)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """``write_xlsx`` into bytes (a download)."""
    buf = io.BytesIO()
    write_xlsx(buf, sheets)
    return buf.getvalue()


def _fitted_widths(rows: Sequence[Sequence[Any]]) -> list[int]:
    widths: list[int] = []
    for row in rows:
        for i, value in enumerate(row):
            text = "" if value is None else str(value)
            # CJK characters are about twice as wide as Latin ones
            width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
            if i == len(widths):
                widths.append(0)
            widths[i] = max(widths[i], width)
    return [min(max(w + 2, 8), 60) for w in widths]
