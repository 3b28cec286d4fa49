"""The results of a bulk status check as a table, written as CSV or XLSX by
``registry.spreadsheets``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l

from registry.spreadsheets import Sheet, csv_bytes, xlsx_bytes
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


def to_csv(table: Sequence[Sequence[str]]) -> bytes:
    """CSV, UTF-8 with a BOM so that Excel shows the Chinese text (no cell a formula)."""
    return csv_bytes(table[0], table[1:])


def to_xlsx(table: Sequence[Sequence[str]], sheet_title: str) -> bytes:
    """One sheet, header row bold and frozen, columns fitted, every cell stored as text."""
    return xlsx_bytes([Sheet(sheet_title, table[0], table[1:])])
