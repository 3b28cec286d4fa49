"""A domain's template, from its ``Columns``: CSV (header, optional example row, rows) or
XLSX (the same on a first sheet — widths, text columns and drop-down lists from the columns
— and a second sheet, 填写说明, with every column's notes and example)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from registry.errors import ValidationError
from registry.spreadsheets.columns import Columns
from registry.spreadsheets.writing import Sheet, write_csv, write_xlsx

FORMATS = ("xlsx", "csv")
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
NOTES_TITLE = "填写说明"


def template_format(fmt: str) -> str:
    """``xlsx`` or ``csv`` (any case); ValidationError (``format``) for anything else."""
    fmt = (fmt or "").strip().lower()
    if fmt not in FORMATS:
        raise ValidationError("模板格式应为 xlsx 或 csv", {"format": ["应为 xlsx 或 csv"]})
    return fmt


def notes_sheet(columns: Columns, footer: str = "") -> Sheet:
    """One line per template column: 列名, 必填, 填写说明, 示例 (and a closing remark)."""
    rows: list[Sequence[Any]] = [[c.header, "是" if c.required else "", c.note, c.example]
                                 for c in columns.template]
    if footer:
        rows += [[], ["说明", "", footer, ""]]
    return Sheet(NOTES_TITLE, ["列名", "必填", "填写说明", "示例"], rows,
                 widths=(22, 6, 70, 50), freeze=None, wrap=True)


def write_template(target: str | Path | IO[bytes], columns: Columns, fmt: str, *,
                   title: str, rows: Iterable[Sequence[Any]] = (), example: bool = False,
                   footer: str = "", freeze: str = "A2") -> int:
    """The template (header row, the example row if asked, then ``rows``) as CSV or XLSX
    to a path or a binary file; the number of ``rows`` written."""
    fmt = template_format(fmt)
    if example:
        rows = _after([c.example or None for c in columns.template], rows)
    if fmt == "csv":
        written = write_csv(target, columns.headers, rows)
    else:
        template = columns.template
        main = Sheet(title, columns.headers, rows, widths=[c.width for c in template],
                     freeze=freeze, text_columns=[i for i, c in enumerate(template) if c.text],
                     choices={i: c.choices for i, c in enumerate(template) if c.choices})
        write_xlsx(target, [main, notes_sheet(columns, footer)])
        written = main.written
    return written - 1 if example else written


def _after(first: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
    yield first
    yield from rows
