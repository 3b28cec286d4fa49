"""A table's columns and its rows' errors: the part of a spreadsheet a domain describes.

A domain declares its ``Columns`` once — header, field, notes, example, synonyms, whether
required — with one ``parse(field, cell)`` function; reading (header synonyms → fields,
missing and duplicate columns), row mapping (cells → field values, one ``RowError`` per bad
cell) and the template's notes sheet all follow from it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from registry.schema_zh import to_chinese

_NOTE_RE = re.compile(r"[(（\[【].*?[)）\]】]")
_MARK_RE = re.compile(r"[\s*＊]+")


def header_key(header: Any) -> str:
    """A column header compared loosely: NFKC, lower case, no spaces, asterisks or
    bracketed notes ('标准号（必填）', '年产值（万元）')."""
    text = unicodedata.normalize("NFKC", str(header or "")).strip().lower()
    return _MARK_RE.sub("", _NOTE_RE.sub("", text))


@dataclass(frozen=True, order=True)
class RowError:
    """One problem: the row as the spreadsheet numbers it (header row 1; JSON rows from 1;
    0 = the file itself), the column as the file names it, the Chinese message, a code."""

    row: int
    column: str
    message: str
    code: str = ""

    @property
    def field(self) -> str:
        """The column (the catalogue import's older name for it)."""
        return self.column

    @property
    def key(self) -> str:
        """The API's error key: ``row N`` or ``row N.column`` (``file`` for the file)."""
        base = f"row {self.row}" if self.row else "file"
        return f"{base}.{self.column}" if self.column else base

    @property
    def text(self) -> str:
        """``[code] message`` (the message alone without a code)."""
        return f"[{self.code}] {self.message}" if self.code else self.message


@dataclass(frozen=True)
class Column:
    """One column of a domain's table."""

    header: str  # the template's (Chinese) header
    field: str  # the schema field it fills
    note: str = ""  # 填写说明
    example: str = ""  # 示例 (the template's example row)
    required: bool = False  # the column must be in the file
    synonyms: tuple[str, ...] = ()  # other headers (compared by header_key), JSON keys
    width: int = 16  # XLSX template column width
    text: bool = False  # XLSX template: the column is formatted as text (barcodes)
    choices: tuple[str, ...] = ()  # XLSX template: a drop-down list
    in_template: bool = True  # False: accepted when present, not offered in the template


@dataclass
class MappedRow:
    """A row's cells as field values, the header each field came from, and bad cells."""

    values: dict[str, Any]
    labels: dict[str, str]
    errors: list[RowError] = field(default_factory=list)
    bad: set[str] = field(default_factory=set)  # fields whose cell could not be parsed


class Columns:
    """A domain's columns: header resolution, labels, and mapping a row's cells."""

    def __init__(self, columns: Iterable[Column], parse: Callable[[str, Any], Any]) -> None:
        self.all = tuple(columns)
        self.template = tuple(c for c in self.all if c.in_template)
        self.headers = tuple(c.header for c in self.template)
        self.labels: dict[str, str] = {c.field: c.header for c in self.all}
        self.required = tuple(c.field for c in self.all if c.required)
        self.parse = parse
        self._keys: dict[str, str] = {}  # header_key -> field; headers and fields win
        for names in ([(n, c.field) for c in self.all for n in (c.header, c.field)],
                      [(n, c.field) for c in self.all for n in c.synonyms]):
            for name, f in names:
                self._keys.setdefault(header_key(name), f)
        self._resolved: dict[str, str | None] = {}

    def resolve(self, header: str) -> str | None:
        """The field a header stands for (template header, field name or synonym), or None."""
        try:
            return self._resolved[header]
        except KeyError:
            found = self._keys.get(header_key(header)) if header_key(header) else None
            if len(self._resolved) < 10_000:  # headers of hostile files must not grow it forever
                self._resolved[header] = found
            return found

    def label(self, name: str) -> str:
        """The template's header of a field (the field's name if it has none)."""
        return self.labels.get(name, name)

    def check_headers(self, headers: Iterable[str]) -> tuple[list[RowError], list[str]]:
        """(missing or repeated columns, headers no column knows) of a header row."""
        errors: list[RowError] = []
        seen: dict[str, str] = {}
        unknown: list[str] = []
        for h in headers:
            name = self.resolve(h)
            if name is None:
                if h.strip():
                    unknown.append(h)
                continue
            if name in seen:
                errors.append(RowError(1, h, f"与“{seen[name]}”列重复（都表示{self.label(name)}）",
                                       "duplicate_column"))
            seen[name] = h
        errors.extend(RowError(1, self.label(f), f"缺少“{self.label(f)}”列", "missing_column")
                      for f in self.required if f not in seen)
        return errors, unknown

    def map_row(self, number: int, raw: Mapping[Any, Any], *, strict: bool = False) -> MappedRow:
        """Cells by field, parsed; a cell that does not parse is a RowError (``invalid_value``).

        A second spelling of a column already filled is ignored; a header no column knows is
        ignored, or with ``strict`` (JSON rows) an ``unknown_field`` error.
        """
        row = MappedRow({}, {})
        values = row.values
        for key, cell in raw.items():
            name = self.resolve(key) if isinstance(key, str) else None
            if name is None:
                if strict:
                    row.errors.append(RowError(number, str(key), "未知字段", "unknown_field"))
                continue
            if name in values and values[name] not in (None, []):
                continue
            row.labels[name] = str(key)
            try:
                values[name] = self.parse(name, cell)
            except ValueError as exc:
                row.errors.append(RowError(number, str(key), str(exc), "invalid_value"))
                row.bad.add(name)
                values[name] = None
        return row


def error_code(message: str) -> str:
    """``required`` for a missing value's message, else ``invalid_value``."""
    return "required" if message.endswith(("必填项", "不能为空")) else "invalid_value"


def schema_messages(messages: Any, sublabels: Mapping[str, str], value: Any = None,
                    prefix: str = "") -> Iterator[str]:
    """A marshmallow error tree as Chinese lines, each prefixed with where it is: a list item
    by its number or text (“GB/T 1-2000”：) or position (第 2 项：), a nested key by its label."""
    if isinstance(messages, dict):
        for key, sub in messages.items():
            item = None
            if isinstance(key, int):
                item = value[key] if isinstance(value, list) and key < len(value) else None
                shown = item.get("number") if isinstance(item, dict) else item
                label = f"“{shown}”" if isinstance(shown, str) and shown else f"第 {key + 1} 项"
            else:
                label = sublabels.get(str(key), str(key))
                item = value.get(key) if isinstance(value, dict) else None
            yield from schema_messages(sub, sublabels, item, f"{prefix}{label}：")
    elif isinstance(messages, list | tuple):
        for sub in messages:
            yield from schema_messages(sub, sublabels, value, prefix)
    else:
        yield prefix + to_chinese(str(messages))
