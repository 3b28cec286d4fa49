"""Bulk filing (批量声明): one spreadsheet row per product, all rows filed or none.

``read_table`` turns a CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX upload into
``(row_number, {header: cell})`` pairs numbered as the spreadsheet shows them (the header
is row 1). ``file_declarations`` maps every row onto ``DeclarationInSchema``, runs
``check_declaration`` on it, collects every problem per row and column, and only when no
row has an error files them all through ``services.create_declaration`` inside one
savepoint. ``template_bytes`` gives the empty template (XLSX or CSV) for download.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from marshmallow import ValidationError as SchemaError

from registry import numbers
from registry.accounts.models import User
from registry.declarations.checks import Check, check_declaration
from registry.declarations.schemas import DeclarationInSchema
from registry.enterprises.models import Enterprise
from registry.enterprises.services import require_act_for
from registry.errors import RegistryError, ValidationError
from registry.extensions import db

MAX_ROWS = 5000  # per file: larger batches should be split (one transaction holds them all)
SOURCE = "bulk"

#: Template columns in order: (Chinese header, field, meaning, example).
TEMPLATE_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("产品名称", "product_name", "必填。产品或服务名称", "吸油烟机"),
    ("型号", "model", "产品型号，同一产品的不同型号分行填写", "CXW-200-A1"),
    ("类别", "category", "产品类别", "厨房电器"),
    ("规格", "spec", "规格", "侧吸式 20 m³/min"),
    ("条码", "barcode", "商品条码，8–14 位数字（Excel 中请设为文本格式）", "6901234567892"),
    ("主导产品", "is_main_product", "是 / 否（空为否）；计入主导产品采标率", "是"),
    ("年产值", "annual_output_value", "万元，数字；用于按产值加权的采标率", "1250.5"),
    ("执行标准", "standards",
     "执行的国家、行业、地方、团体标准编号，须在标准目录中且现行；多个用 ；或 ; 分隔",
     "GB/T 17713-2022；GB 4706.28-2008"),
    ("企业标准编号", "ent_std_number", "执行本企业标准时填写，形如 Q/ABC 001-2024",
     "Q/ZJSL 002-2024"),
    ("企业标准名称", "ent_std_title", "填写企业标准编号时必填", "吸油烟机"),
    ("指标", "indicators",
     "功能和性能指标，每项为 名称|值|单位|方向|检测方法|参考标准|参考值，多项用 ；分隔。"
     "方向为 越大越好 / 越小越好 / 无（空为越大越好）；填了参考标准就须填参考值。"
     "执行企业标准的必须填写",
     "排风量|21|m³/min|越大越好|GB/T 17713-2022 6.3|GB/T 17713-2022|15；"
     "噪声|52|dB(A)|越小越好|GB/T 17713-2022 6.6|GB/T 17713-2022|71"),
    ("采用国际标准", "intl_standard", "直接按国际或国外先进标准生产时填写其编号", "IEC 60335-2-31:2014"),
    ("低于推荐性标准的明示", "lower_statement",
     "指标低于所引推荐性国家/行业标准时必须说明（不得低于强制性标准）", ""),
)
HEADERS = tuple(h for h, *_ in TEMPLATE_COLUMNS)
LABELS: dict[str, str] = {f: h for h, f, *_ in TEMPLATE_COLUMNS}
REQUIRED_COLUMNS = ("product_name",)

# Other spellings of a header (after _header_key): schema field names and common variants.
_ALIASES: dict[str, str] = {
    "产品或服务名称": "product_name", "产品服务名称": "product_name", "名称": "product_name",
    "产品型号": "model", "规格型号": "model", "产品类别": "category", "产品规格": "spec",
    "商品条码": "barcode", "条形码": "barcode", "是否主导产品": "is_main_product",
    "产值": "annual_output_value", "年产值万元": "annual_output_value",
    "执行标准号": "standards", "执行标准编号": "standards", "标准号": "standards",
    "企业标准号": "ent_std_number",
    "功能指标和性能指标": "indicators", "功能和性能指标": "indicators", "性能指标": "indicators",
    "技术指标": "indicators", "国际标准": "intl_standard", "采用的国际标准": "intl_standard",
    "明示": "lower_statement", "低于推荐性标准明示": "lower_statement",
    "enterprise_standard": "enterprise_standard",
}

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "主导", "主导产品"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "非主导"}
_DIRECTIONS = {
    "越大越好": "higher", "越高越好": "higher", "大": "higher", "高": "higher", "higher": "higher",
    "≥": "higher", ">=": "higher", "↑": "higher", "望大": "higher",
    "越小越好": "lower", "越低越好": "lower", "小": "lower", "低": "lower", "lower": "lower",
    "≤": "lower", "<=": "lower", "↓": "lower", "望小": "lower",
    "无": "none", "none": "none", "-": "none", "不适用": "none",
}
_LIST_SPLIT = re.compile(r"[;；,，、\n]+")
_ITEM_SPLIT = re.compile(r"[;；\n]+")
_PART_SPLIT = re.compile(r"[|｜]")
_WS = re.compile(r"\s+")
_IND_PARTS = ("名称", "值", "单位", "方向", "检测方法", "参考标准", "参考值")
_IND_LABELS = {"name": "名称", "value": "值", "unit": "单位", "direction": "方向",
               "test_method": "检测方法", "ref_standard": "参考标准", "ref_value": "参考值"}
_EN_MESSAGES = (
    (re.compile(r"Missing data for required field\."), "必填项"),
    (re.compile(r"Field may not be null\."), "不能为空"),
    (re.compile(r"Not a valid number\."), "应为数字"),
    (re.compile(r"Not a valid boolean\."), "应为 是 或 否"),
    (re.compile(r"Not a valid string\."), "应为文本"),
    (re.compile(r"Not a valid list\."), "应为列表"),
    (re.compile(r"Invalid input type\."), "类型无效"),
    (re.compile(r"Unknown field\."), "未知字段"),
    (re.compile(r"Longer than maximum length (\d+)\."), r"长度不能超过 \1 个字符"),
    (re.compile(r"Length must be between 1 and (\d+)\."), r"不能为空，且长度不能超过 \1 个字符"),
    (re.compile(r"Shorter than minimum length \d+\."), "不能为空"),
    (re.compile(r"Special numeric values \(nan or infinity\) are not permitted\."), "应为有限的数字"),
)
# stored lengths the schema does not limit (PostgreSQL would refuse them at flush)
_MAX_CANONICAL = {"ent_std_number": 120, "intl_standard": 120}


# -- results ------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class RowError:
    """One problem: row as the spreadsheet numbers it (0 = the file), column, code, message."""

    row: int
    column: str
    code: str
    message: str

    @property
    def key(self) -> str:
        """The API's error key: ``row N`` or ``row N.column`` (``file`` for the file)."""
        base = f"row {self.row}" if self.row else "file"
        return f"{base}.{self.column}" if self.column else base

    @property
    def text(self) -> str:
        return f"[{self.code}] {self.message}"


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


class BulkFileError(ValidationError):
    """The file as a whole cannot be read (format, encoding, columns, size)."""

    code = "bulk_file_invalid"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors[0].message, {e.key: [e.text] for e in errors})
        self.row_errors = errors


class BulkRejected(ValidationError):
    """At least one row has an error: nothing was filed (``errors`` per row and column)."""

    code = "bulk_rejected"

    def __init__(self, report: BulkReport) -> None:
        rows = len({e.row for e in report.errors})
        super().__init__(f"{rows} 行有错误，未提交任何声明；请按提示修改后重新上传",
                         report.error_map())
        self.report = report


# -- reading files ------------------------------------------------------------------------

@dataclass
class Table:
    """The rows of one upload: ``(row_number, {header: cell})`` plus reading warnings."""

    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    warnings: list[str] = field(default_factory=list)


def _header_key(header: Any) -> str:
    text = unicodedata.normalize("NFKC", str(header or "")).strip().lower()
    text = re.sub(r"[(（\[【].*?[)）\]】]", "", text)  # '年产值（万元）', '主导产品(是/否)'
    return re.sub(r"[\s*＊]+", "", text)


@cache
def resolve_header(header: str) -> str | None:
    """The field a column header (Chinese, a variant or the schema field name) stands for."""
    key = _header_key(header)
    if not key:
        return None
    for h, f, *_ in TEMPLATE_COLUMNS:
        if key in (_header_key(h), f):
            return f
    return _ALIASES.get(key)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM when it decodes, else GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8")
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise _file_error("file_encoding",
                              "无法识别文件编码，请保存为 UTF-8 或 GB18030 编码的 CSV") from exc


def _file_error(code: str, message: str, row: int = 0, column: str = "") -> BulkFileError:
    return BulkFileError([RowError(row, column, code, message)])


def read_table(data: bytes, filename: str) -> Table:
    """Read an uploaded .csv/.txt or .xlsx file; BulkFileError when it cannot be used."""
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        headers, rows = _xlsx_rows(data)
    elif name.endswith(".xls"):
        raise _file_error("file_type", "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV")
    elif name.endswith((".csv", ".txt", ".tsv")) or not name:
        headers, rows = _csv_rows(data)
    else:
        raise _file_error("file_type", f"不支持的文件类型“{filename}”，请上传 CSV 或 XLSX 文件")
    table = Table(headers, rows)
    problems: list[RowError] = []
    seen: dict[str, str] = {}
    unknown = []
    for h in headers:
        f = resolve_header(h)
        if f is None:
            if h.strip():
                unknown.append(h)
            continue
        if f in seen:
            problems.append(RowError(1, h, "duplicate_column",
                                     f"与“{seen[f]}”列重复（都表示{LABELS.get(f, f)}）"))
        seen[f] = h
    for f in REQUIRED_COLUMNS:
        if f not in seen:
            problems.append(RowError(1, LABELS[f], "missing_column", f"缺少“{LABELS[f]}”列"))
    if problems:
        raise BulkFileError(problems)
    if unknown:
        table.warnings.append("已忽略未识别的列：" + "、".join(unknown))
    if not rows:
        raise _file_error("no_rows", "文件中没有数据行（第 1 行为列名，数据从第 2 行开始）")
    if len(rows) > MAX_ROWS:
        raise _file_error("too_many_rows", f"一次最多提交 {MAX_ROWS} 行，本文件有 {len(rows)} 行，请分批上传")
    return table


def _csv_rows(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _file_error("file_unreadable", f"无法读取 CSV 文件：{exc}") from exc
    if not records or not any(c.strip() for c in records[0]):
        raise _file_error("file_empty", "文件为空或第一行不是列名")
    headers = [h.strip() for h in records[0]]
    rows = [(number, dict(zip(headers, record, strict=False)))
            for number, record in enumerate(records[1:], start=2)
            if any(cell.strip() for cell in record)]
    return headers, rows


def _xlsx_rows(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # WPS/Excel add-ins trip openpyxl's style warnings
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # BadZipFile, KeyError, InvalidFileException ...
            raise _file_error("file_unreadable", f"无法读取 XLSX 文件：{exc}") from exc
    try:
        ws = wb.worksheets[0]
        values = ws.iter_rows(values_only=True)
        first = next(values, ())
        headers = ["" if v is None else str(v).strip() for v in first]
        if not any(headers):
            raise _file_error("file_empty", "第一张工作表为空或第一行不是列名")
        rows = [(number, dict(zip(headers, row, strict=False)))
                for number, row in enumerate(values, start=2)
                if any(v is not None and str(v).strip() for v in row)]
    finally:
        wb.close()
    return headers, rows


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
    for pattern, repl in _EN_MESSAGES:
        if pattern.fullmatch(message):
            return pattern.sub(repl, message)
    return message


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


# -- the template -------------------------------------------------------------------------

def template_bytes(fmt: str = "xlsx", *, example: bool = False) -> bytes:
    """The empty template as XLSX (with a 填写说明 sheet) or CSV (UTF-8 with BOM)."""
    fmt = fmt.lower()
    if fmt == "csv":
        buf = io.StringIO(newline="")
        writer = csv.writer(buf)
        writer.writerow(HEADERS)
        if example:
            writer.writerow([ex for *_, ex in TEMPLATE_COLUMNS])
        return codecs.BOM_UTF8 + buf.getvalue().encode("utf-8")
    if fmt != "xlsx":
        raise ValidationError("模板格式应为 xlsx 或 csv", {"format": ["应为 xlsx 或 csv"]})
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "声明"
    ws.append(list(HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = (20, 16, 14, 16, 16, 10, 12, 32, 20, 20, 60, 22, 30)
    for i, width in enumerate(widths, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = width
    barcode = ws.cell(row=1, column=HEADERS.index("条码") + 1).column_letter
    for r in range(2, 1002):  # text, so Excel keeps 13-digit barcodes and leading zeros
        ws[f"{barcode}{r}"].number_format = "@"
    main = ws.cell(row=1, column=HEADERS.index("主导产品") + 1).column_letter
    choice = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    choice.add(f"{main}2:{main}{MAX_ROWS + 1}")
    ws.add_data_validation(choice)
    if example:
        ws.append([ex or None for *_, ex in TEMPLATE_COLUMNS])
    ws.freeze_panes = "B2"
    notes = wb.create_sheet("填写说明")
    notes.append(["列名", "必填", "填写说明", "示例"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for h, name, hint, ex in TEMPLATE_COLUMNS:
        notes.append([h, "是" if name in REQUIRED_COLUMNS else "", hint, ex])
    notes.append([])
    notes.append(["说明", "", "每行一个产品（型号）；第 1 行为列名，不要改动。"
                  "任何一行有错误时整个文件都不会提交，错误清单按表格行号列出。", ""])
    for letter, width in zip("ABCD", (22, 6, 70, 50), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


TEMPLATE_TYPES = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "declarations-template.xlsx", "企业标准自我声明批量模板.xlsx"),
    "csv": ("text/csv; charset=utf-8", "declarations-template.csv", "企业标准自我声明批量模板.csv"),
}
