"""Reading import files: CSV/TSV (UTF-8, UTF-16 or GB18030), XLSX and the national JSON.

``read_file`` checks the header row up front and returns a ``RowSource`` that yields
``(row_number, {header: value})`` pairs when iterated (re-reading the file each time).
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.errors import ValidationError
from registry.spreadsheets import UnreadableFile, xlsx_rows, xlsx_stored_rows
from registry.standards.importing.mapping import _REQUIRED, FIELD_LABELS, resolve_header


@dataclass(frozen=True, order=True)
class RowError:
    """One problem in an import file: row number (0 = the file itself), column, message."""

    row: int
    field: str
    message: str


class ImportFileError(ValidationError):
    """The file as a whole cannot be read (format, encoding, missing columns)."""

    def __init__(self, message: str, errors: list[RowError] | None = None) -> None:
        super().__init__(message, {"file": [message]})
        self.row_errors = errors or [RowError(0, "", message)]


# -- reading files ------------------------------------------------------------------------

class RowSource:
    """The rows of one file: iterate for ``(row_number, {header: value})``."""

    def __init__(self, path: Path, kind: str, total: int | None, headers: list[str],
                 rows: Callable[[], Iterator[tuple[int, Any]]]) -> None:
        self.path, self.kind, self.total, self.headers = path, kind, total, headers
        self._rows = rows
        self.warnings: list[str] = []
        unknown = [h for h in headers if h.strip() and resolve_header(h) is None]
        if unknown:
            self.warnings.append("已忽略未识别的列：" + "、".join(unknown))

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        return self._rows()


def read_file(path: str | Path) -> RowSource:
    """Open a .csv/.txt/.tsv, .xlsx or .json import file; ImportFileError when unreadable."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".json":
        return _read_json(path)
    if suffix == ".xls":
        raise ImportFileError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV")
    raise ImportFileError(f"不支持的文件类型“{suffix or path.name}”，请使用 CSV、XLSX 或 JSON")


def _check_headers(headers: list[str]) -> None:
    seen: dict[str, str] = {}
    errors = []
    for h in headers:
        f = resolve_header(h)
        if f is None:
            continue
        if f in seen:
            errors.append(RowError(1, h, f"与“{seen[f]}”列重复（都表示{FIELD_LABELS[f]}）"))
        seen[f] = h
    for f in _REQUIRED:
        if f not in seen:
            errors.append(RowError(1, FIELD_LABELS[f], f"缺少“{FIELD_LABELS[f]}”列"))
    if errors:
        raise ImportFileError(errors[0].message, errors)


def _encoding(path: Path) -> str:
    """utf-8 (with or without BOM) when the whole file decodes as such, else GB18030."""
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _read_csv(path: Path) -> RowSource:
    encoding = _encoding(path)
    try:
        with path.open(encoding=encoding, newline="") as fh:
            first = fh.readline()
            delimiter = "\t" if first.count("\t") > first.count(",") else ","
            fh.seek(0)
            reader = csv.reader(fh, delimiter=delimiter)
            headers = [h.strip() for h in next(reader, [])]
            total = sum(1 for _ in reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportFileError(f"无法读取 CSV 文件：{exc}") from exc
    if not any(headers):
        raise ImportFileError("文件为空或第一行不是列名")
    _check_headers(headers)

    def rows() -> Iterator[tuple[int, Any]]:
        try:
            with path.open(encoding=encoding, newline="") as fh:
                reader = csv.reader(fh, delimiter=delimiter)
                next(reader, None)
                for number, record in enumerate(reader, start=2):
                    if any(cell.strip() for cell in record):
                        yield number, _as_row(headers, record)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ImportFileError(f"无法读取 CSV 文件：{exc}") from exc

    return RowSource(path, "csv", total, headers, rows)


def _as_row(headers: list[str], values: Sequence[Any]) -> dict[str, Any]:
    """Cells by header; a short record's missing cells are empty (they clear, like blanks)."""
    return {h: values[i] if i < len(values) else None for i, h in enumerate(headers)}


def _read_xlsx(path: Path) -> RowSource:
    try:
        values = xlsx_rows(path)
        first = next(values, ())
        values.close()
    except UnreadableFile as exc:
        raise ImportFileError(exc.message) from exc
    headers = ["" if v is None else str(v).strip() for v in first]
    stored = xlsx_stored_rows(path)
    total = stored - 1 if stored else None
    if not any(headers):
        raise ImportFileError("第一张工作表为空或第一行不是列名")
    _check_headers(headers)

    def rows() -> Iterator[tuple[int, Any]]:
        try:
            for number, values in enumerate(xlsx_rows(path, min_row=2), start=2):
                if any(v is not None and str(v).strip() for v in values):
                    yield number, _as_row(headers, values)
        except UnreadableFile as exc:
            raise ImportFileError(exc.message) from exc

    return RowSource(path, "xlsx", total, headers, rows)


def _read_json(path: Path) -> RowSource:
    try:
        with path.open(encoding="utf-8-sig") as fh:
            data = json.load(fh)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ImportFileError(f"无法读取 JSON 文件：{exc}") from exc
    rows_data = data.get("rows") if isinstance(data, dict) else data
    if not isinstance(rows_data, list):
        raise ImportFileError('JSON 文件应为平台导出格式 {"rows": [...]} 或记录的列表')

    def rows() -> Iterator[tuple[int, Any]]:
        yield from enumerate(rows_data, start=1)

    return RowSource(path, "json", len(rows_data), [], rows)

