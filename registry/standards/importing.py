"""Bulk import of catalogue records: the CSV/XLSX template and the national platform's JSON.

``read_file`` turns a file into ``(row_number, {header: value})`` pairs; ``import_standards``
maps headers to ``StandardInSchema`` fields, cleans and validates every row, and upserts by
canonical number inside one savepoint, so a file with any bad row writes nothing.
``write_template`` writes records back in the template format (CSV or XLSX).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import html
import json
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from marshmallow import ValidationError as SchemaError

from registry import numbers
from registry.errors import ValidationError
from registry.extensions import db
from registry.standards import services
from registry.standards.models import NATURE_LABELS, STATUS_LABELS, Standard
from registry.standards.schemas import StandardInSchema

# -- the template -------------------------------------------------------------------------

#: Template columns in order: (Chinese header, StandardInSchema field, what it accepts).
TEMPLATE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("标准号", "number",
     "必填，须带年代号。全角、无空格、em dash 等写法均可，导入时规范为 GB/T 19001-2016"),
    ("中文名称", "title_zh", "必填。标准中文名称"),
    ("英文名称", "title_en", "英文名称"),
    ("标准性质", "nature", "强制性 / 推荐性 / 指导性；须与编号相符（GB 为强制性，GB/T 为推荐性）"),
    ("状态", "status", "即将实施 / 现行 / 被代替 / 废止"),
    ("发布日期", "issued_on", "YYYY-MM-DD、YYYY/MM/DD、YYYYMMDD 或 Excel 日期单元格"),
    ("实施日期", "effective_on", "同发布日期；不得早于发布日期"),
    ("废止日期", "withdrawn_on", "同发布日期；不得早于实施日期"),
    ("ICS", "ics", "ICS 分类号，如 03.120.10；多个用 ; ；或 , 分隔"),
    ("CCS", "ccs", "中国标准文献分类号，如 A00"),
    ("发布单位", "issuing_body", "如 国家市场监督管理总局、国家标准化管理委员会"),
    ("主管部门", "responsible_dept", "如 国家标准化管理委员会"),
    ("归口单位", "technical_committee", "如 全国质量管理和质量保证标准化技术委员会（TC 151）"),
    ("起草单位", "drafting_orgs", "多个用 ；或 、分隔"),
    ("起草人", "drafters", "多个用 ；、或 ，分隔"),
    ("备案号", "filing_no", "行业标准、地方标准的备案号"),
    ("公告号", "notice_no", "发布公告号"),
    ("代替标准", "replaces", "本标准代替的标准编号，多个用 ；分隔"),
    ("采用国际标准", "adoptions",
     "编号加采用程度 IDT/MOD/NEQ，多个用 ；分隔，如 ISO 9001:2015 IDT"),
    ("适用范围", "scope", "适用范围文字，可换行"),
    ("全文链接", "full_text_url", "以 http:// 或 https:// 开头的网址"),
)

FIELD_LABELS: dict[str, str] = {f: h for h, f, _ in TEMPLATE_COLUMNS} | {"end_kind": "终止方式"}

# Other spellings of a header (compared after _header_key): English field names, the
# national platform's JSON keys and common Chinese variants.
_ALIASES: dict[str, str] = {
    "标准编号": "number", "std_code": "number",
    "标准名称": "title_zh", "中文标准名称": "title_zh", "标准中文名称": "title_zh",
    "c_c_name": "title_zh", "c_name": "title_zh",
    "英文标准名称": "title_en", "标准英文名称": "title_en", "e_name": "title_en",
    "性质": "nature", "std_nature": "nature",
    "标准状态": "status", "state": "status",
    "批准日期": "issued_on", "issue_date": "issued_on",
    "act_date": "effective_on",
    "作废日期": "withdrawn_on",
    "ics分类号": "ics", "ics号": "ics", "国际标准分类号": "ics",
    "ccs分类号": "ccs", "中国标准分类号": "ccs", "中标分类号": "ccs",
    "发布部门": "issuing_body", "charge_dept": "responsible_dept",
    "技术归口单位": "technical_committee", "归口": "technical_committee",
    "record_no": "filing_no", "备案编号": "filing_no",
    "公告编号": "notice_no",
    "代替": "replaces", "代替标准号": "replaces", "revise_std_codes": "replaces",
    "采用标准": "adoptions", "采标": "adoptions",
    "范围": "scope", "链接": "full_text_url",
    "终止方式": "end_kind",
}

_REQUIRED = ("number", "title_zh")
_DATES = frozenset({"issued_on", "effective_on", "withdrawn_on"})
_SPLIT = {
    "ics": re.compile(r"[;；,，、\s]+"),
    "drafting_orgs": re.compile(r"[;；、\n]+"),
    "drafters": re.compile(r"[;；、,，\n]+"),
    "replaces": re.compile(r"[;；,，、\n]+"),
}
# Values the database cannot hold are errors here, not a failed flush on PostgreSQL.
_MAX_LEN = {c.key: c.type.length for c in Standard.__table__.columns
            if getattr(c.type, "length", None)}

_NATURE_WORDS = {
    "强制性": "mandatory", "强制": "mandatory", "推荐性": "recommended", "推荐": "recommended",
    "指导性": "guidance", "指导性技术文件": "guidance", "指导": "guidance",
}
_STATUS_WORDS = {
    "即将实施": "upcoming", "尚未实施": "upcoming", "未实施": "upcoming",
    "现行": "current", "现行有效": "current", "有效": "current",
    "被代替": "replaced", "被替代": "replaced", "已被代替": "replaced",
    "废止": "abolished", "已废止": "abolished", "作废": "abolished",
    "withdrawn": "abolished",
}
_END_WORDS = {"被代替": "replaced", "代替": "replaced", "废止": "abolished"}
_ENUMS: dict[str, tuple[dict[str, str], tuple[str, ...], str]] = {
    "nature": (_NATURE_WORDS, tuple(NATURE_LABELS), "强制性、推荐性 或 指导性"),
    "status": (_STATUS_WORDS, tuple(STATUS_LABELS), "即将实施、现行、被代替 或 废止"),
    "end_kind": (_END_WORDS, ("replaced", "abolished"), "被代替 或 废止"),
}
_DEGREES = {"IDT": "IDT", "等同": "IDT", "等同采用": "IDT", "MOD": "MOD", "修改": "MOD",
            "修改采用": "MOD", "NEQ": "NEQ", "非等效": "NEQ", "非等效采用": "NEQ"}
_DEG_ALT = "|".join(sorted(_DEGREES, key=len, reverse=True))
_ADOPT_TAIL = re.compile(rf"^(?P<num>.+?)[\s,，:：]*[(（]?(?P<deg>{_DEG_ALT})[)）]?$", re.I)
_ADOPT_HEAD = re.compile(rf"^[(（]?(?P<deg>{_DEG_ALT})[)）]?[\s,，:：]+(?P<num>.+)$", re.I)
_DEG_TOKEN = re.compile(rf"(?:{_DEG_ALT})", re.I)

_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9:_-]*(?:\s[^<>]*)?/?>")
_WS_RE = re.compile(r"\s+")
_DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T][0-9:.+\-Z ]*)?")
_CHINA = dt.timezone(dt.timedelta(hours=8))  # the national platform's epoch values are CST

BATCH_SIZE = 2000


# -- results ------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class RowError:
    """One problem in an import file: row number (0 = the file itself), column, message."""

    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    source: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0  # predecessors whose validity a successor in the import closed
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


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


def _open_workbook(path: Path) -> Any:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # files saved by WPS/Excel add-ins often trip openpyxl's style/extension warnings
        warnings.simplefilter("ignore")
        try:
            return load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException ...
            raise ImportFileError(f"无法读取 XLSX 文件：{exc}") from exc


def _read_xlsx(path: Path) -> RowSource:
    wb = _open_workbook(path)
    try:
        ws = wb.worksheets[0]
        total = ws.max_row - 1 if ws.max_row else None
        # the stored dimension is often wrong in files from other tools: read what is there
        ws.reset_dimensions()
        first = next(ws.iter_rows(max_row=1, values_only=True), ())
        headers = ["" if v is None else str(v).strip() for v in first]
    finally:
        wb.close()
    if not any(headers):
        raise ImportFileError("第一张工作表为空或第一行不是列名")
    _check_headers(headers)

    def rows() -> Iterator[tuple[int, Any]]:
        book = _open_workbook(path)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()
            for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True),
                                            start=2):
                if any(v is not None and str(v).strip() for v in values):
                    yield number, _as_row(headers, values)
        finally:
            book.close()

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


# -- cleaning values ----------------------------------------------------------------------

def _header_key(header: str) -> str:
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    text = re.sub(r"[(（\[【].*?[)）\]】]", "", text)  # '标准号（必填）'
    return re.sub(r"[\s*＊]+", "", text)


@cache
def resolve_header(header: str) -> str | None:
    """The schema field a column header (Chinese, English or national-JSON key) stands for."""
    key = _header_key(header)
    if not key:
        return None
    for h, f, _ in TEMPLATE_COLUMNS:
        if key in (_header_key(h), f):
            return f
    if key == "end_kind":
        return "end_kind"
    return _ALIASES.get(key)


def clean_text(value: Any, *, multiline: bool = False) -> str | None:
    """A cell as text without HTML (the platform's ``<sacinfo>`` highlights); None if empty."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    elif isinstance(value, dt.datetime):
        value = value.date().isoformat()
    elif isinstance(value, dt.date):
        value = value.isoformat()
    elif not isinstance(value, str):
        value = str(value)
    if "<" in value:
        value = _TAG_RE.sub("", value)
    if "&" in value:
        value = html.unescape(value)
    if multiline:
        lines = [_WS_RE.sub(" ", line).strip() for line in value.splitlines()]
        value = "\n".join(lines).strip()
    else:
        value = _WS_RE.sub(" ", value).strip()
    return value or None


def parse_date(value: Any) -> dt.date | None:
    """A date from text, an Excel cell, YYYYMMDD or epoch milliseconds; ValueError if not."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        return _date_from_number(value)
    text = clean_text(value)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text)
    if re.fullmatch(r"-?\d+(\.0+)?", text):
        return _date_from_number(float(text) if "." in text else int(text))
    m = _DATE_RE.fullmatch(text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise ValueError(f"日期“{text}”不存在") from None
    raise ValueError(f"日期“{text}”无法识别，应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD")


def _date_from_number(value: float) -> dt.date:
    n = int(value)
    if 19000101 <= n <= 21001231:  # YYYYMMDD
        try:
            return dt.date(n // 10000, n // 100 % 100, n % 100)
        except ValueError:
            raise ValueError(f"日期“{n}”不存在") from None
    if abs(n) >= 10**11:  # epoch milliseconds (the national platform's JSON)
        return dt.datetime.fromtimestamp(n / 1000, tz=_CHINA).date()
    if abs(n) >= 10**8:  # epoch seconds
        return dt.datetime.fromtimestamp(n, tz=_CHINA).date()
    if 1 <= n <= 2958465:  # an Excel serial day number in a cell without a date format
        from openpyxl.utils.datetime import from_excel

        return from_excel(n).date()
    raise ValueError(f"日期“{value}”无法识别，应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD")


def _enum(name: str, value: Any) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    words, allowed, hint = _ENUMS[name]
    if text in words:
        return words[text]
    low = text.lower()
    if low in allowed:
        return low
    if low in words:
        return words[low]
    raise ValueError(f"“{text}”无效，应为 {hint}")


def _split(name: str, value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for item in items:
        text = clean_text(item)
        if text is None:
            continue
        if name == "ics":
            text = re.sub(r"^ICS\s*", "", unicodedata.normalize("NFKC", text), flags=re.I)
        for part in _SPLIT[name].split(text):
            part = part.strip()
            # two drafters may share a name; a repeated code or organisation is a slip
            if part and (name == "drafters" or part not in out):
                out.append(part)
    return out


def _ccs(value: Any) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text).upper()
    return re.sub(r"^CCS\s*|\s+", "", text) or None


def _adoption(text: str) -> dict[str, Any]:
    m = _ADOPT_TAIL.match(text) or _ADOPT_HEAD.match(text)
    if not m:
        raise ValueError(f"“{text}”缺少采用程度（IDT、MOD 或 NEQ），应如 ISO 9001:2015 IDT")
    deg = m["deg"]
    return {"number": m["num"].strip(" ,，:："),
            "degree": _DEGREES.get(deg.upper()) or _DEGREES[deg], "title": None}


def _adoptions(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, dict):
            out.append({k: clean_text(v) for k, v in item.items()})
            continue
        text = clean_text(item)
        if text is None:
            continue
        for chunk in re.split(r"[;；\n]+", text):
            chunk = chunk.strip()
            if not chunk:
                continue
            parts = ([p for p in re.split(r"[,，、]", chunk) if p.strip()]
                     if len(_DEG_TOKEN.findall(chunk)) > 1 else [chunk])
            out.extend(_adoption(p.strip()) for p in parts)
    return out


def convert(name: str, value: Any) -> Any:
    """One cell as the value the schema field ``name`` expects; ValueError (Chinese) if bad."""
    if name in _DATES:
        return parse_date(value)
    if name in _ENUMS:
        return _enum(name, value)
    if name in _SPLIT:
        return _split(name, value)
    if name == "adoptions":
        return _adoptions(value)
    if name == "ccs":
        return _ccs(value)
    return clean_text(value, multiline=name == "scope")


# -- validating rows ----------------------------------------------------------------------

_EN_MESSAGES = (
    (re.compile(r"Missing data for required field\."), "必填项"),
    (re.compile(r"Field may not be null\."), "不能为空"),
    (re.compile(r"Not a valid URL\."), "不是有效的网址（应以 http:// 或 https:// 开头）"),
    (re.compile(r"Longer than maximum length (\d+)\."), r"长度不能超过 \1 个字符"),
    (re.compile(r"Length must be between 1 and (\d+)\."), r"不能为空，且长度不能超过 \1 个字符"),
    (re.compile(r"Shorter than minimum length \d+\."), "不能为空"),
    (re.compile(r"Not a valid string\."), "应为文本"),
    (re.compile(r"Not a valid list\."), "应为列表"),
    (re.compile(r"Not a valid date\."), "日期格式无效"),
    (re.compile(r"Must be one of: .*"), "取值无效"),
    (re.compile(r"Unknown field\."), "未知字段"),
    (re.compile(r"Invalid input type\."), "类型无效"),
    (re.compile(r"String does not match expected pattern\."), "格式不正确"),
)
_SUBFIELDS = {"number": "编号", "degree": "采用程度", "title": "名称"}


def _zh(message: str) -> str:
    for pattern, repl in _EN_MESSAGES:
        if pattern.fullmatch(message):
            return pattern.sub(repl, message)
    return re.sub(r"应为 (mandatory|recommended|guidance)\b",
                  lambda m: "应为" + NATURE_LABELS[m[1]], message)


def _flatten(messages: Any, prefix: str = "", value: Any = None) -> Iterator[str]:
    if isinstance(messages, dict):
        for key, sub in messages.items():
            item = None
            if isinstance(key, int):
                item = value[key] if isinstance(value, list) and key < len(value) else None
                shown = item.get("number") if isinstance(item, dict) else item
                label = f"“{shown}”" if isinstance(shown, str) else f"第 {key + 1} 项"
            else:
                label = _SUBFIELDS.get(str(key), str(key))
                item = value.get(key) if isinstance(value, dict) else None
            yield from _flatten(sub, f"{prefix}{label}：", item)
    elif isinstance(messages, list | tuple):
        for sub in messages:
            yield from _flatten(sub, prefix)
    else:
        yield prefix + _zh(str(messages))


class _RowLoader:
    """Maps, cleans and validates rows; one instance per import (caches the schema)."""

    def __init__(self) -> None:
        self.schema = StandardInSchema()

    def load(self, raw: Any) -> tuple[dict[str, Any] | None, numbers.StandardNumber | None,
                                      list[tuple[str, str]]]:
        """(data restricted to the row's columns or None, parsed number if any, errors)."""
        if not isinstance(raw, dict):
            return None, None, [("", "应为一条记录（JSON 对象）")]
        values: dict[str, Any] = {}
        labels: dict[str, str] = {}
        errors: list[tuple[str, str]] = []
        bad: set[str] = set()
        for header, value in raw.items():
            name = resolve_header(header) if isinstance(header, str) else None
            if name is None or (name in values and values[name] not in (None, [])):
                continue  # unknown column, or a second spelling of one already filled
            labels[name] = header
            try:
                values[name] = convert(name, value)
            except ValueError as exc:
                errors.append((header, str(exc)))
                bad.add(name)
                values[name] = None
        payload = {k: v for k, v in values.items()
                   if k not in bad and not (v is None and k in _REQUIRED)}
        number = values.get("number")
        parsed = numbers.try_parse(number) if isinstance(number, str) else None
        try:
            loaded = self.schema.load(payload)
        except SchemaError as exc:
            msgs = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
            for name, sub in msgs.items():
                label = "" if name == "_schema" else labels.get(name, FIELD_LABELS.get(name, name))
                errors.extend((label, m) for m in _flatten(sub, "", payload.get(name)))
            return None, parsed, errors
        if errors or parsed is None:
            return None, parsed, errors
        for name, limit in _MAX_LEN.items():
            text = parsed.canonical if name == "number" else loaded.get(name)
            if isinstance(text, str) and len(text) > limit:
                errors.append((labels.get(name, FIELD_LABELS.get(name, name)),
                               f"长度不能超过 {limit} 个字符"))
        if errors:
            return None, parsed, errors
        data = {k: loaded[k] for k in values if k in loaded}
        data["number"] = loaded["number"]
        # An empty withdrawal cell never clears a date the replacement chain supplied.
        for k in ("withdrawn_on", "end_kind", "status"):
            if data.get(k, "") is None:
                del data[k]
        return data, parsed, []


# -- importing ----------------------------------------------------------------------------

def import_standards(rows: Iterable[tuple[int, Any]], *, source: str, dry_run: bool = False,
                     progress: Callable[[int], None] | None = None,
                     batch_size: int = BATCH_SIZE) -> ImportReport:
    """Validate every row, then upsert by canonical number; all or nothing (flushes only)."""
    report = ImportReport(source=source, dry_run=dry_run)
    loader = _RowLoader()
    today = dt.date.today()
    seen: dict[str, int] = {}
    touched: set[str] = set()
    batch: list[tuple[dict[str, Any], numbers.StandardNumber]] = []
    ticks = 0
    savepoint = db.session.begin_nested()
    try:
        for row, raw in _guard(rows, report):
            report.rows += 1
            data, parsed, errors = loader.load(raw)
            if parsed is not None:
                first = seen.setdefault(parsed.key, row)
                if first != row:
                    errors = [(_label_for(raw, "number"),
                               f"标准号 {parsed.canonical} 与第 {first} 行重复"), *errors]
            if errors:
                report.errors.extend(RowError(row, f, m) for f, m in errors)
                batch.clear()
            elif not report.errors and data is not None and parsed is not None:
                batch.append((data, parsed))
                if len(batch) >= batch_size:
                    _write(batch, source, today, report, touched)
            ticks += 1
            if progress is not None and ticks >= 200:
                progress(ticks)
                ticks = 0
        if not report.errors:
            _write(batch, source, today, report, touched)
            report.linked = services.link_chains(touched)
    except BaseException:
        savepoint.rollback()
        db.session.expire_all()
        raise
    if progress is not None and ticks:
        progress(ticks)
    if report.errors or dry_run:
        savepoint.rollback()
        # rows inserted and rolled back here may have their ids reused later (SQLite);
        # objects loaded meanwhile must not survive with the rolled-back state
        db.session.expire_all()
    else:
        savepoint.commit()
    if report.errors:
        report.created = report.updated = report.unchanged = report.linked = 0
    elif report.rows == 0:
        report.warnings.append("文件中没有数据行")
    return report


def _guard(rows: Iterable[tuple[int, Any]], report: ImportReport) -> Iterator[tuple[int, Any]]:
    """Pass rows through; a file that breaks mid-way becomes an error of the report."""
    last = 0
    try:
        for row, raw in rows:
            last = row
            yield row, raw
    except ImportFileError as exc:
        report.errors.extend(RowError(e.row or last + 1, e.field, e.message)
                             for e in exc.row_errors)


def _label_for(raw: Any, name: str) -> str:
    if isinstance(raw, dict):
        for header in raw:
            if isinstance(header, str) and resolve_header(header) == name:
                return header
    return FIELD_LABELS[name]


def _write(batch: list[tuple[dict[str, Any], numbers.StandardNumber]], source: str,
           today: dt.date, report: ImportReport, touched: set[str]) -> None:
    if not batch:
        return
    held = services.standards_by_keys(p.key for _, p in batch)
    new: list[tuple[numbers.StandardNumber, dict[str, Any]]] = []
    for data, parsed in batch:
        std = held.get(parsed.key)
        if std is None:
            new.append((parsed, data))
        elif services.apply_fields(std, data, today):
            report.updated += 1
        else:
            report.unchanged += 1
            continue
        touched.add(parsed.key)
    db.session.flush()
    report.created += services.insert_standards(new, source, today)
    batch.clear()


# -- writing the template -----------------------------------------------------------------

def template_row(record: dict[str, Any]) -> list[Any]:
    """A StandardInSchema-shaped record as the template's cells (dates stay dates)."""
    out: list[Any] = []
    for _, name, _ in TEMPLATE_COLUMNS:
        value = record.get(name)
        if name == "status" and value is None and record.get("end_kind") and \
                record.get("withdrawn_on") and record["withdrawn_on"] <= dt.date.today():
            value = record["end_kind"]
        if value is None or value == []:
            out.append(None)
        elif name == "nature":
            out.append(NATURE_LABELS.get(value, value))
        elif name == "status":
            out.append(STATUS_LABELS.get(value, value))
        elif name == "ics":
            out.append("; ".join(value))
        elif name == "adoptions":
            out.append("; ".join(f"{a['number']} {a['degree']}" for a in value))
        elif isinstance(value, list | tuple):
            out.append("；".join(value))
        else:
            out.append(value)
    return out


def write_template(path: str | Path, records: Iterable[dict[str, Any]] = ()) -> int:
    """Write records in the template format, CSV (UTF-8 with BOM) or XLSX by extension."""
    path = Path(path)
    headers = [h for h, _, _ in TEMPLATE_COLUMNS]
    count = 0
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("标准")
        ws.freeze_panes = "A2"
        for letter, width in zip("ABCDEFGHIJKLMNOPQRSTU", (22, 36, 36, 10, 10, 12, 12, 12, 16,
                                                           8, 24, 24, 24, 30, 20, 14, 14, 22,
                                                           28, 40, 30), strict=True):
            ws.column_dimensions[letter].width = width
        bold = Font(bold=True)
        cells = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = bold
            cells.append(cell)
        ws.append(cells)
        for record in records:
            ws.append(template_row(record))
            count += 1
        notes = wb.create_sheet("填写说明")
        notes.append(["列名", "必填", "填写说明"])
        for h, name, hint in TEMPLATE_COLUMNS:
            notes.append([h, "是" if name in _REQUIRED else "", hint])
        wb.save(path)
        return count
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for record in records:
            writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date)
                             else v for v in template_row(record)])
            count += 1
    return count


def write_errors_csv(path: str | Path, errors: Iterable[RowError]) -> None:
    """The error report as CSV (行, 列, 错误), UTF-8 with BOM so Excel shows Chinese."""
    with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["行", "列", "错误"])
        for e in errors:
            writer.writerow([e.row, e.field, e.message])
