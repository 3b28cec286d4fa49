"""Reading a table a person sends: CSV/TSV/TXT, XLSX or JSON rows, from bytes or a path.

``read_table(source, columns, filename=...)`` checks the file and its header row up front
(``TableError`` with ``RowError``s: file type, encoding, damage, missing or repeated
columns) and returns a ``Table``: iterate it for ``(row_number, {header: cell})`` pairs
numbered as the spreadsheet shows them (header row 1; JSON rows from 1), blank rows
skipped, short rows padded with None. A path is streamed and re-read on each iteration, so
100,000 rows need no more memory than one.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import IO, Any

from registry.errors import ValidationError
from registry.spreadsheets.columns import Columns, RowError
from registry.spreadsheets.decoding import (
    UnreadableFile,
    text_encoding,
    xlsx_rows,
    xlsx_stored_rows,
)
from registry.spreadsheets.writing import unquote_row

KINDS = ("csv", "xlsx", "json")
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # a legacy .xls (or .doc) whatever its name


class TableError(ValidationError):
    """The file as a whole cannot be used; ``row_errors`` says why (row 0 or 1)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors[0].message, {e.key: [e.text] for e in errors})
        self.row_errors = errors


Rows = Iterator[tuple[int, Any]]


class Table:
    """The rows of one file: iterate for ``(row_number, {header: cell})``."""

    def __init__(self, kind: str, headers: list[str], total: int | None,
                 rows: Callable[[], Rows], warnings: list[str] | None = None) -> None:
        self.kind, self.headers, self.total = kind, headers, total
        self.warnings = warnings or []
        self._rows = rows

    def __iter__(self) -> Rows:
        return self._rows()

    @cached_property
    def rows(self) -> list[tuple[int, Any]]:
        """All the rows in memory (for files of bounded size: uploads)."""
        return list(self)


def read_table(source: bytes | str | Path, columns: Columns, *, filename: str = "",
               kinds: Sequence[str] = KINDS,
               error: type[TableError] = TableError) -> Table:
    """Open a table (bytes of an upload named ``filename``, or a path); ``error`` when the
    file or its header row cannot be used, and from the iteration when damage shows later."""
    if not isinstance(source, bytes):
        source = Path(source)
        filename = filename or source.name
    kind = _kind(source, filename, kinds, error)
    try:
        if kind == "json":
            return _json_table(source)
        if kind == "xlsx":
            headers, total, rows = _xlsx(source)
        else:
            headers, total, rows = _csv(source)
    except UnreadableFile as exc:
        raise _error(error, "file_unreadable", exc.message) from exc
    problems, unknown = columns.check_headers(headers)
    if problems:
        raise error(problems)
    warnings = ["已忽略未识别的列：" + "、".join(unknown)] if unknown else []
    return Table(kind, headers, total, _guarded(rows, error), warnings)


def read_or_errors(read: Callable[[], Table]) -> tuple[Table | None, list[RowError]]:
    """``(table, [])``, or ``(None, why the file cannot be used)`` (for commands that report
    a file's problems like its rows')."""
    try:
        return read(), []
    except TableError as exc:
        return None, exc.row_errors


def _error(error: type[TableError], code: str, message: str) -> TableError:
    return error([RowError(0, "", message, code)])


def _kind(source: bytes | Path, filename: str, kinds: Sequence[str],
          error: type[TableError]) -> str:
    name = filename.lower()
    suffix = name[name.rfind("."):] if "." in name else ""
    if isinstance(source, bytes):
        head = source[:4]
    else:
        with source.open("rb") as fh:
            head = fh.read(4)
    if name.endswith((".xlsx", ".xlsm")) or head == _ZIP_MAGIC:
        kind = "xlsx"
    elif suffix == ".xls" or head == _OLE_MAGIC:
        raise _error(error, "file_type", "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV")
    elif suffix == ".json":
        kind = "json"
    elif suffix in _TEXT_SUFFIXES or not name:
        kind = "csv"
    else:
        kind = ""
    if kind not in kinds:
        *most, last = [k.upper() for k in kinds]
        shown = f"{'、'.join(most)} 或 {last}" if most else last
        raise _error(error, "file_type", f"不支持的文件类型“{suffix or filename}”，请使用 {shown} 文件")
    return kind


def _guarded(rows: Callable[[], Rows], error: type[TableError]) -> Callable[[], Rows]:
    def read() -> Rows:
        try:
            yield from rows()
        except UnreadableFile as exc:
            raise _error(error, "file_unreadable", exc.message) from exc
    return read


def _binary(source: bytes | Path) -> IO[bytes]:
    return io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")


def _as_row(headers: list[str], values: Sequence[Any]) -> dict[str, Any]:
    """Cells by header; a short record's missing cells are None (blank)."""
    return {h: values[i] if i < len(values) else None for i, h in enumerate(headers)}


def _csv(source: bytes | Path) -> tuple[list[str], int, Callable[[], Rows]]:
    with _binary(source) as fh:
        encoding = text_encoding(fh)
        text = io.TextIOWrapper(fh, encoding=encoding, newline="")
        first = text.readline()
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        text.seek(0)
        try:
            reader = csv.reader(text, delimiter=delimiter)
            headers = [h.strip() for h in next(reader, [])]
            total = sum(1 for _ in reader)
        except csv.Error as exc:
            raise UnreadableFile(f"CSV 格式有误（{exc}）") from exc
        text.detach()
    if not any(headers):
        raise UnreadableFile("文件为空或第一行不是列名")

    def rows() -> Rows:
        with _binary(source) as fh, io.TextIOWrapper(fh, encoding=encoding, newline="") as text:
            reader = csv.reader(text, delimiter=delimiter)
            next(reader, None)
            try:
                for number, record in enumerate(reader, start=2):
                    if any(cell.strip() for cell in record):
                        yield number, _as_row(headers, unquote_row(record))
            except csv.Error as exc:
                raise UnreadableFile(f"CSV 格式有误（{exc}）") from exc

    return headers, total, rows


def _xlsx(source: bytes | Path) -> tuple[list[str], int | None, Callable[[], Rows]]:
    values = xlsx_rows(source)
    first = next(values, ())
    values.close()
    headers = ["" if v is None else str(v).strip() for v in first]
    if not any(headers):
        raise UnreadableFile("第一张工作表为空或第一行不是列名")
    stored = xlsx_stored_rows(source)

    def rows() -> Rows:
        for number, cells in enumerate(xlsx_rows(source, min_row=2), start=2):
            if any(v is not None and str(v).strip() for v in cells):
                yield number, _as_row(headers, cells)

    return headers, stored - 1 if stored else None, rows


def _json_table(source: bytes | Path) -> Table:
    """``{"rows": [...]}`` (the national platform's export) or a list of row objects."""
    with _binary(source) as fh:
        encoding = text_encoding(fh)
        try:
            data = json.loads(fh.read().decode(encoding))
        except (ValueError, RecursionError) as exc:  # JSONDecodeError; nesting too deep
            raise UnreadableFile(f"JSON 格式有误（{str(exc)[:120]}）") from exc
    found = data.get("rows") if isinstance(data, dict) else data
    if not isinstance(found, list):
        raise UnreadableFile('JSON 文件应为平台导出格式 {"rows": [...]} 或记录的列表')
    items: list[Any] = found

    def rows() -> Rows:
        yield from enumerate(items, start=1)

    return Table("json", [], len(items), rows)
