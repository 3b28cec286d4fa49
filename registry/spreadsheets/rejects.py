"""What failed, for the person to fix: the error list (行, 列, 代码, 错误) and the reject
file — the input rows that failed, as they were read, with their row number first and their
errors in a last column — as CSV or XLSX (by the file's suffix)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from registry.spreadsheets.columns import RowError
from registry.spreadsheets.writing import Sheet, write_csv, write_xlsx

ERROR_HEADER = ("行", "列", "代码", "错误")
REJECT_ROW, REJECT_ERRORS = "原行号", "错误"


def _write(path: str | Path, title: str, header: Sequence[Any],
           rows: Iterable[Sequence[Any]]) -> int:
    if Path(path).suffix.lower() == ".xlsx":
        sheet = Sheet(title, header, rows)
        write_xlsx(path, [sheet])
        return sheet.written
    return write_csv(path, header, rows)


def write_errors(path: str | Path, errors: Iterable[RowError]) -> int:
    """The error list, one line per error (CSV, or XLSX for a ``.xlsx`` path)."""
    return _write(path, "错误", ERROR_HEADER,
                  ([e.row, e.column, e.code, e.message] for e in errors))


def reject_rows(headers: Sequence[str], rows: Iterable[tuple[int, Any]],
                errors: Iterable[RowError]) -> tuple[list[str], list[list[Any]]]:
    """(header, lines) of the reject file: each failed row's number, cells and errors."""
    by_row: dict[int, list[str]] = {}
    for e in sorted(errors):
        if e.row:
            by_row.setdefault(e.row, []).append(f"{e.column}：{e.text}" if e.column else e.text)
    failed = [(n, raw) for n, raw in rows if n in by_row]
    columns = list(headers)
    if not columns:  # JSON rows: every key any failed row has, in order of appearance
        keys = (k for _, raw in failed if isinstance(raw, dict) for k in raw)
        columns = list(dict.fromkeys(str(k) for k in keys))
    lines = [[n, *[_cell(raw, h) for h in columns], "；".join(by_row[n])] for n, raw in failed]
    return [REJECT_ROW, *columns, REJECT_ERRORS], lines


def write_rejects(path: str | Path, headers: Sequence[str], rows: Iterable[tuple[int, Any]],
                  errors: Iterable[RowError]) -> int:
    """The reject file (CSV, or XLSX for a ``.xlsx`` path); the number of rows in it."""
    header, lines = reject_rows(headers, rows, errors)
    return _write(path, "未通过的行", header, lines)


def _cell(raw: Any, header: str) -> Any:
    if not isinstance(raw, dict):
        return None
    value = raw.get(header)
    if value is None or isinstance(value, str | int | float | dt.date):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)  # a JSON row's list or object
