"""Bulk filing (批量声明): one spreadsheet row per product, all rows filed or none.

``bulk_table.read_table`` turns an upload into ``(row_number, {header: cell})`` pairs
numbered as the spreadsheet shows them (the header is row 1). ``file_declarations`` maps
every row onto ``DeclarationInSchema`` (``RowLoader``), runs ``check_declaration`` on it,
collects every problem per row and column, and only when no row has an error files them
all through ``services.create_declaration`` inside one savepoint.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError as SchemaError

from registry import numbers
from registry.accounts.models import User
from registry.declarations import services
from registry.declarations.bulk_table import COLUMNS
from registry.declarations.checks import Check, check_declaration
from registry.declarations.schemas import DeclarationInSchema
from registry.enterprises.models import Enterprise
from registry.enterprises.services import require_act_for
from registry.errors import RegistryError, ValidationError
from registry.extensions import db
from registry.spreadsheets import RowError
from registry.spreadsheets.columns import error_code, schema_messages

SOURCE = "bulk"
_SUBFIELDS = {"name": "名称", "value": "值", "unit": "单位", "direction": "方向",
              "test_method": "检测方法", "ref_standard": "参考标准", "ref_value": "参考值",
              "number": "编号", "title": "名称"}
# stored lengths the schema does not limit (PostgreSQL would refuse them at flush)
_MAX_CANONICAL = {"ent_std_number": 120, "intl_standard": 120}


# -- results ------------------------------------------------------------------------------

@dataclass
class BulkReport:
    """What a bulk filing did (or, with ``dry_run`` or any error, would have done)."""

    rows: int = 0
    dry_run: bool = False
    publish: bool = True
    created: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_map(self) -> dict[str, list[str]]:
        """``{"row N.column": ["[code] message", ...]}``, the API's ``errors`` object."""
        out: dict[str, list[str]] = {}
        for e in sorted(self.errors):
            out.setdefault(e.key, []).append(e.text)
        return out


class BulkRejected(ValidationError):
    """At least one row has an error: nothing was filed (``errors`` per row and column)."""

    code = "bulk_rejected"

    def __init__(self, report: BulkReport) -> None:
        rows = len({e.row for e in report.errors})
        super().__init__(f"{rows} 行有错误，未提交任何声明；请按提示修改后重新上传",
                         report.error_map())
        self.report = report


# -- loading rows -------------------------------------------------------------------------

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
            return (self.labels.get("enterprise_standard") or self.labels.get(name)
                    or COLUMNS.label(name))
        return self.labels.get(name) or COLUMNS.label(name)

    def error(self, name: str, code: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.label(name), message, code))


class RowLoader:
    """Maps a row (template headers or schema field names) onto DeclarationInSchema data."""

    def __init__(self, *, strict_keys: bool = False) -> None:
        self.schema = DeclarationInSchema()
        self.strict_keys = strict_keys  # JSON rows: an unknown key is an error, not ignored

    def load(self, number: int, raw: Any) -> _Row:
        row = _Row(number, {})
        if not isinstance(raw, dict):
            row.errors.append(RowError(number, "", "应为一条记录（JSON 对象）", "invalid_row"))
            return row
        mapped = COLUMNS.map_row(number, raw, strict=self.strict_keys)
        values, row.labels, row.errors = mapped.values, mapped.labels, mapped.errors
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
                        for m in schema_messages(sub.get(part, []), _SUBFIELDS):
                            row.error(column, error_code(m), m)
                    continue
                for m in schema_messages(sub, _SUBFIELDS, payload.get(name)):
                    row.error(name, error_code(m), m)
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
    require_act_for(actor, enterprise)
    report = BulkReport(dry_run=dry_run, publish=publish)
    loaded = load_rows(rows, strict_keys=strict_keys)
    report.rows = len(loaded)
    for row in loaded:
        report.errors.extend(row.errors)
        if row.data is not None:
            report.warnings.extend(
                RowError(row.number, row.label(_check_column(c)), _check_message(c, row.data),
                         c.code)
                for c in row.checks if c.level != "error")
    if not loaded and not report.errors:
        report.errors.append(RowError(0, "", "没有数据行", "no_rows"))
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
                    report.errors.extend(RowError(row.number, column, m, exc.code)
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


