"""Bulk filing's table: its columns (``COLUMNS``), the cell parsers behind them, reading an
upload (``read_table``) and the template (``template_bytes``).

Reading, row errors, the template's notes sheet and reject files are
``registry.spreadsheets``'; this module adds only what is bulk filing's own: the columns,
their parsers (是/否, numbers, indicator cells, lists of standards) and the limits of a
filing (``MAX_ROWS``, at least one row).
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from typing import Any

from registry.spreadsheets import Column, Columns, RowError, Table, TableError
from registry.spreadsheets import read_table as read_table_of
from registry.spreadsheets.templates import MIMETYPES, template_format, write_template

MAX_ROWS = 5000  # per file: larger batches should be split (one transaction holds them all)

_COLUMNS = (
    Column("产品名称", "product_name", "必填。产品或服务名称", "吸油烟机", required=True, width=20,
           synonyms=("产品或服务名称", "产品服务名称", "名称")),
    Column("型号", "model", "产品型号，同一产品的不同型号分行填写", "CXW-200-A1",
           synonyms=("产品型号", "规格型号")),
    Column("类别", "category", "产品类别", "厨房电器", width=14, synonyms=("产品类别",)),
    Column("规格", "spec", "规格", "侧吸式 20 m³/min", synonyms=("产品规格",)),
    Column("条码", "barcode", "商品条码，8–14 位数字（Excel 中请设为文本格式）", "6901234567892",
           text=True, synonyms=("商品条码", "条形码")),
    Column("主导产品", "is_main_product", "是 / 否（空为否）；计入主导产品采标率", "是", width=10,
           choices=("是", "否"), synonyms=("是否主导产品",)),
    Column("年产值", "annual_output_value", "万元，数字；用于按产值加权的采标率", "1250.5", width=12,
           synonyms=("产值", "年产值万元")),
    Column("执行标准", "standards",
           "执行的国家、行业、地方、团体标准编号，须在标准目录中且现行；多个用 ；或 ; 分隔",
           "GB/T 17713-2022；GB 4706.28-2008", width=32,
           synonyms=("执行标准号", "执行标准编号", "标准号")),
    Column("企业标准编号", "ent_std_number", "执行本企业标准时填写，形如 Q/ABC 001-2024",
           "Q/ZJSL 002-2024", width=20, synonyms=("企业标准号",)),
    Column("企业标准名称", "ent_std_title", "填写企业标准编号时必填", "吸油烟机", width=20),
    Column("指标", "indicators",
           "功能和性能指标，每项为 名称|值|单位|方向|检测方法|参考标准|参考值，多项用 ；分隔。"
           "方向为 越大越好 / 越小越好 / 无（空为越大越好）；填了参考标准就须填参考值。"
           "执行企业标准的必须填写",
           "排风量|21|m³/min|越大越好|GB/T 17713-2022 6.3|GB/T 17713-2022|15；"
           "噪声|52|dB(A)|越小越好|GB/T 17713-2022 6.6|GB/T 17713-2022|71", width=60,
           synonyms=("功能指标和性能指标", "功能和性能指标", "性能指标", "技术指标")),
    Column("采用国际标准", "intl_standard", "直接按国际或国外先进标准生产时填写其编号",
           "IEC 60335-2-31:2014", width=22, synonyms=("国际标准", "采用的国际标准")),
    Column("低于推荐性标准的明示", "lower_statement",
           "指标低于所引推荐性国家/行业标准时必须说明（不得低于强制性标准）", width=30,
           synonyms=("明示", "低于推荐性标准明示")),
    # JSON rows may give the own standard as DeclarationInSchema's object
    Column("企业标准编号", "enterprise_standard", in_template=False),
)

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


# -- cells ------------------------------------------------------------------------------

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


def parse_cell(name: str, value: Any) -> Any:
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


#: Bulk filing's table: columns, header resolution, row mapping (``parse_cell`` parses).
COLUMNS = Columns(_COLUMNS, parse_cell)
HEADERS = COLUMNS.headers


class BulkFileError(TableError):
    """The file as a whole cannot be used (format, encoding, columns, size)."""

    code = "bulk_file_invalid"


def _file_error(code: str, message: str) -> BulkFileError:
    return BulkFileError([RowError(0, "", message, code)])


def read_table(data: bytes | Path, filename: str = "") -> Table:
    """Read an upload (.csv/.txt/.tsv, .xlsx or .json) or a file, all its rows in memory;
    BulkFileError when it cannot be used (``MAX_ROWS`` at most, at least one row)."""
    table = read_table_of(data, COLUMNS, filename=filename, error=BulkFileError)
    if not table.rows:
        raise _file_error("no_rows", "文件中没有数据行（第 1 行为列名，数据从第 2 行开始）")
    if len(table.rows) > MAX_ROWS:
        raise _file_error("too_many_rows",
                          f"一次最多提交 {MAX_ROWS} 行，本文件有 {len(table.rows)} 行，请分批上传")
    return table


_FOOTER = ("每行一个产品（型号）；第 1 行为列名，不要改动。"
           "任何一行有错误时整个文件都不会提交，错误清单按表格行号列出。")
TEMPLATE_NAMES = {"xlsx": ("declarations-template.xlsx", "企业标准自我声明批量模板.xlsx"),
                  "csv": ("declarations-template.csv", "企业标准自我声明批量模板.csv")}


def template_bytes(fmt: str = "xlsx", *, example: bool = False) -> bytes:
    """The empty template as XLSX (with a 填写说明 sheet) or CSV (UTF-8 with BOM)."""
    out = io.BytesIO()
    write_template(out, COLUMNS, template_format(fmt), title="声明", example=example,
                   footer=_FOOTER, freeze="B2")
    return out.getvalue()


def template_type(fmt: str) -> tuple[str, str, str]:
    """(mimetype, ASCII file name, Chinese file name) of the template in ``fmt``."""
    fmt = template_format(fmt)
    return (MIMETYPES[fmt], *TEMPLATE_NAMES[fmt])
