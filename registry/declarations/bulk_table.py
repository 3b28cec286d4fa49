"""Bulk filing: the template, its columns, and reading CSV/XLSX files into rows."""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from registry.errors import ValidationError
from registry.spreadsheets import UnreadableFile, decode_text, xlsx_rows
from registry.standards.importing.mapping import header_key

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

# Other spellings of a header (after header_key): schema field names and common variants.
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


@cache
def resolve_header(header: str) -> str | None:
    """The field a column header (Chinese, a variant or the schema field name) stands for."""
    key = header_key(header)
    if not key:
        return None
    for h, f, *_ in TEMPLATE_COLUMNS:
        if key in (header_key(h), f):
            return f
    return _ALIASES.get(key)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM when it decodes, else GB18030."""
    try:
        return decode_text(data)
    except UnreadableFile as exc:
        raise _file_error("file_encoding", exc.message) from exc


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
    try:
        values = xlsx_rows(data)
        first = next(values, ())
        headers = ["" if v is None else str(v).strip() for v in first]
        if not any(headers):
            values.close()
            raise _file_error("file_empty", "第一张工作表为空或第一行不是列名")
        rows = [(number, dict(zip(headers, row, strict=False)))
                for number, row in enumerate(values, start=2)
                if any(v is not None and str(v).strip() for v in row)]
    except UnreadableFile as exc:
        raise _file_error("file_unreadable", exc.message) from exc
    return headers, rows


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
