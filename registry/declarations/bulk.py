"""Bulk filing (批量声明): one spreadsheet row per product, all rows filed or none.

``read_table`` turns a CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX upload into
``(row_number, {header: cell})`` pairs numbered as the spreadsheet shows them (the header
is row 1). ``file_declarations`` maps every row onto ``DeclarationInSchema``, runs
``check_declaration`` on it, collects every problem per row and column, and only when no
row has an error files them all through ``services.create_declaration`` inside one
savepoint. ``template_bytes`` gives the empty template (XLSX or CSV) for download.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError as SchemaError

from registry import numbers
from registry.accounts.models import User
from registry.declarations.bulk_table import (  # noqa: F401  (re-exported: bulk.X)
    _ALIASES,
    _DIRECTIONS,
    _FALSE,
    _IND_LABELS,
    _IND_PARTS,
    _ITEM_SPLIT,
    _LIST_SPLIT,
    _MAX_CANONICAL,
    _PART_SPLIT,
    _TRUE,
    _WS,
    HEADERS,
    LABELS,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    SOURCE,
    TEMPLATE_COLUMNS,
    TEMPLATE_TYPES,
    BulkFileError,
    BulkRejected,
    BulkReport,
    RowError,
    Table,
    _csv_rows,
    _decode,
    _file_error,
    _xlsx_rows,
    read_table,
    resolve_header,
    template_bytes,
)
from registry.declarations.checks import Check, check_declaration
from registry.declarations.schemas import DeclarationInSchema
from registry.enterprises.models import Enterprise
from registry.enterprises.services import require_act_for
from registry.errors import RegistryError
from registry.extensions import db
from registry.schema_zh import to_chinese

# -- cells to schema input ----------------------------------------------------------------

def _text(value: Any) -> str | None:
    """A cell as one line of text; None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _WS.sub(" ", str(value)).strip()
    return text or None


def _number(text: str) -> float:
    clean = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "")
    try:
        number = float(clean)
    except ValueError:
        raise ValueError(f"“{text}”不是数字") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"“{text}”不是有限的数字")
    return number


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise ValueError(f"“{value}”无效，应为 是 或 否")
    text = _text(value)
    if text is None:
        return None
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(f"“{text}”无效，应为 是 或 否")


def _indicator(text: str, k: int) -> dict[str, Any]:
    parts = [p.strip() for p in _PART_SPLIT.split(text)]
    if len(parts) > len(_IND_PARTS):
        raise ValueError(f"第 {k} 项“{text}”超过 {len(_IND_PARTS)} 段（{'|'.join(_IND_PARTS)}）")
    if len(parts) < 2 or not parts[1]:
        raise ValueError(f"第 {k} 项“{text}”应至少有 名称|值 两段，如 噪声|52|dB(A)|越小越好")
    name, raw, *rest = parts + [""] * (len(_IND_PARTS) - len(parts))
    unit, direction, method, ref_std, ref_value = rest
    raw = unicodedata.normalize("NFKC", raw)
    inferred = None
    for sign, word in ((">=", "higher"), ("<=", "lower"), ("≥", "higher"), ("≤", "lower"),
                       (">", "higher"), ("<", "lower")):
        if raw.startswith(sign):
            raw, inferred = raw[len(sign):].strip(), word
            break
    if raw.endswith("%") and not unit:
        raw, unit = raw[:-1].strip(), "%"
    out: dict[str, Any] = {"name": name or None}
    try:
        out["value"] = _number(raw)
    except ValueError as exc:
        raise ValueError(f"第 {k} 项“{name}”的值{exc}") from None
    if unit:
        out["unit"] = unit
    if direction:
        way = _DIRECTIONS.get(direction.lower())
        if way is None:
            raise ValueError(f"第 {k} 项“{name}”的方向“{direction}”无效，应为 越大越好、越小越好 或 无")
        out["direction"] = way
    elif inferred:
        out["direction"] = inferred
    if method:
        out["test_method"] = method
    if ref_std:
        out["ref_standard"] = ref_std
    if ref_value:
        try:
            out["ref_value"] = _number(unicodedata.normalize("NFKC", ref_value).lstrip("≥≤<>="))
        except ValueError as exc:
            raise ValueError(f"第 {k} 项“{name}”的参考值{exc}") from None
    return out


def _indicators(value: Any) -> Any:
    if isinstance(value, list):
        return value  # already structured (JSON rows): the schema checks it
    if value is None:
        return []
    text = str(value)
    items = [i.strip() for i in _ITEM_SPLIT.split(text) if i.strip()]
    return [_indicator(item, k) for k, item in enumerate(items, start=1)]


def _standards(value: Any) -> Any:
    if isinstance(value, list):
        return value
    text = _text(value)
    if text is None:
        return []
    return list(dict.fromkeys(p.strip() for p in _LIST_SPLIT.split(text) if p.strip()))


def _convert(name: str, value: Any) -> Any:
    """One cell as the value the schema expects; ValueError with a Chinese message if bad."""
    if name == "is_main_product":
        return _bool(value)
    if name == "annual_output_value":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        text = _text(value)
        return None if text is None else _number(text.removesuffix("万元").strip())
    if name == "standards":
        return _standards(value)
    if name == "indicators":
        return _indicators(value)
    if name == "enterprise_standard":
        return value if isinstance(value, dict) or value is None else _text(value)
    if name == "lower_statement":
        return None if value is None else (str(value).strip() or None)
    return _text(value)


def _zh(message: str) -> str:
    return to_chinese(message)


def _schema_code(message: str) -> str:
    return "required" if message.endswith(("必填项", "不能为空")) else "invalid_value"


def _flatten(messages: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(messages, dict):
        for key, sub in messages.items():
            if isinstance(key, int):
                label = f"第 {key + 1} 项"
            else:
                label = _IND_LABELS.get(str(key)) or {"number": "编号", "title": "名称"}.get(
                    str(key), str(key))
            yield from _flatten(sub, f"{prefix}{label}：")
    elif isinstance(messages, list | tuple):
        for sub in messages:
            yield from _flatten(sub, prefix)
    else:
        yield prefix + _zh(str(messages))


@dataclass
class _Row:
    number: int
    labels: dict[str, str]  # field -> the header or key the row used for it
    data: dict[str, Any] | None = None  # as loaded by DeclarationInSchema
    errors: list[RowError] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def label(self, name: str) -> str:
        if name in ("enterprise_standard", "ent_std_number", "ent_std_title"):
            name = name if name != "enterprise_standard" else "ent_std_number"
            return self.labels.get("enterprise_standard") or self.labels.get(name) or LABELS[name]
        return self.labels.get(name) or LABELS.get(name, name)

    def error(self, name: str, code: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.label(name), code, message))


class RowLoader:
    """Maps a row (template headers or schema field names) onto DeclarationInSchema data."""

    def __init__(self, *, strict_keys: bool = False) -> None:
        self.schema = DeclarationInSchema()
        self.strict_keys = strict_keys  # JSON rows: an unknown key is an error, not ignored

    def load(self, number: int, raw: Any) -> _Row:
        row = _Row(number, {})
        if not isinstance(raw, dict):
            row.errors.append(RowError(number, "", "invalid_row", "应为一条记录（JSON 对象）"))
            return row
        values: dict[str, Any] = {}
        for key, cell in raw.items():
            name = resolve_header(key) if isinstance(key, str) else None
            if name is None:
                if self.strict_keys:
                    row.errors.append(RowError(number, str(key), "unknown_field", "未知字段"))
                continue
            if name in values and values[name] not in (None, []):
                continue  # a second spelling of a column already filled
            row.labels[name] = str(key)
            try:
                values[name] = _convert(name, cell)
            except ValueError as exc:
                row.error(name, "invalid_value", str(exc))
                values[name] = None
        payload = {k: v for k, v in values.items()
                   if v is not None and k not in ("ent_std_number", "ent_std_title")}
        own_number, own_title = values.get("ent_std_number"), values.get("ent_std_title")
        if own_number or own_title:
            payload["enterprise_standard"] = {"number": own_number, "title": own_title}
        if row.errors:
            return row
        try:
            row.data = self.schema.load(payload)
        except SchemaError as exc:
            msgs = exc.messages if isinstance(exc.messages, dict) else {"": exc.messages}
            for name, sub in msgs.items():
                if name == "enterprise_standard" and isinstance(sub, dict):
                    for part, column in (("number", "ent_std_number"), ("title", "ent_std_title")):
                        for m in _flatten(sub.get(part, [])):
                            row.error(column, _schema_code(m), m)
                    continue
                for m in _flatten(sub):
                    row.error(name, _schema_code(m), m)
            return row
        own = row.data.get("enterprise_standard") or {}
        for name, text in (("ent_std_number", own.get("number")),
                           ("intl_standard", row.data.get("intl_standard"))):
            limit = _MAX_CANONICAL[name]
            parsed = numbers.try_parse(text) if text else None
            if text and len(parsed.canonical if parsed else text) > limit:
                row.error(name, "invalid_value", f"长度不能超过 {limit} 个字符")
        if row.errors:
            row.data = None
        return row


def _check_column(check: Check) -> str:
    """The field (hence column) a check's ``field`` path points into: 'indicators.2.value' ->
    'indicators'; the own standard's number has a column of its own."""
    if check.field.startswith("enterprise_standard.number"):
        return "ent_std_number"
    return check.field.split(".", 1)[0]


def _check_message(check: Check, data: dict[str, Any]) -> str:
    parts = check.field.split(".")
    if parts[0] == "indicators" and len(parts) > 1 and parts[1].isdigit():
        i = int(parts[1])
        name = (data.get("indicators") or [{}] * (i + 1))[i].get("name", "")
        return f"第 {i + 1} 项指标“{name}”：{check.message}"
    return check.message


def load_rows(rows: Iterable[tuple[int, Any]], *, strict_keys: bool = False) -> list[_Row]:
    """Load and check every row (no writing): schema, then ``check_declaration``."""
    loader = RowLoader(strict_keys=strict_keys)
    out: list[_Row] = []
    seen: dict[tuple[Any, ...], int] = {}
    for number, raw in rows:
        row = loader.load(number, raw)
        if row.data is not None:
            ident = (row.data["product_name"], row.data.get("model"), row.data.get("spec"))
            first = seen.setdefault(ident, number)
            if first != number:
                row.error("product_name", "duplicate_row",
                          f"与第 {first} 行的产品名称、型号和规格相同")
            row.checks = check_declaration(row.data)
            for c in row.checks:
                if c.level == "error":
                    row.error(_check_column(c), c.code, _check_message(c, row.data))
        out.append(row)
    return out


def file_declarations(enterprise: Enterprise, rows: Iterable[tuple[int, Any]],
                      actor: User | None, *, publish: bool = True, dry_run: bool = False,
                      strict_keys: bool = False, source: str = SOURCE) -> BulkReport:
    """Check every row; file all of them (published by default) only if none has an error.

    Flushes but never commits; with ``dry_run`` or any error nothing is written. Each row is
    filed through ``services.create_declaration`` so audit entries, watch flags and the
    change feed are exactly those of a single filing.
    """
    from registry.declarations import services

    require_act_for(actor, enterprise)
    report = BulkReport(dry_run=dry_run, publish=publish)
    loaded = load_rows(rows, strict_keys=strict_keys)
    report.rows = len(loaded)
    for row in loaded:
        report.errors.extend(row.errors)
        if row.data is not None:
            report.warnings.extend(
                RowError(row.number, row.label(_check_column(c)), c.code,
                         _check_message(c, row.data))
                for c in row.checks if c.level != "error")
    if not loaded and not report.errors:
        report.errors.append(RowError(0, "", "no_rows", "没有数据行"))
    if report.errors or dry_run:
        return report
    savepoint = db.session.begin_nested()
    try:
        for row in loaded:
            assert row.data is not None
            try:
                decl, _ = services.create_declaration(enterprise, row.data, actor,
                                                      publish=publish, source=source)
            except RegistryError as exc:
                for key, messages in (exc.errors or {"": [exc.message]}).items():
                    column = row.label(key.split(".", 1)[0]) if key else ""
                    report.errors.extend(RowError(row.number, column, exc.code, m)
                                         for m in messages)
                break
            report.created.append(decl.id)
    except BaseException:
        savepoint.rollback()
        raise
    if report.errors:
        savepoint.rollback()
        report.created.clear()
    else:
        savepoint.commit()
    return report


