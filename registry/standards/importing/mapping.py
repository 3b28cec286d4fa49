"""The catalogue's table: its columns (``COLUMNS``) and the cell parsers behind them.

``COLUMNS.resolve`` maps a column header (template Chinese, a variant, the English field
name or a key of the national platform's JSON) to a ``StandardInSchema`` field; ``convert``
turns one cell into the value that field expects (``<sacinfo>`` highlights stripped, dates
parsed, words mapped). Reading, templates and error files are ``registry.spreadsheets``'.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from typing import Any

from registry import labels
from registry.spreadsheets import Column, Columns

# -- the columns --------------------------------------------------------------------------

def _column(header: str, name: str, note: str, example: str = "", width: int = 16,
            synonyms: tuple[str, ...] = (), **kw: Any) -> Column:
    return Column(header, name, note, example, synonyms=synonyms, width=width, **kw)


#: The template's columns in order, then 终止方式 (accepted, not offered). Synonyms: other
#: Chinese headers, English field names (always accepted) and the national platform's keys.
_COLUMNS = (
    _column("标准号", "number",
            "必填，须带年代号。全角、无空格、em dash 等写法均可，导入时规范为 GB/T 19001-2016",
            "GB/T 19001-2016", 22, ("标准编号", "std_code"), required=True),
    _column("中文名称", "title_zh", "必填。标准中文名称", "质量管理体系 要求", 36,
            ("标准名称", "中文标准名称", "标准中文名称", "c_c_name", "c_name"), required=True),
    _column("英文名称", "title_en", "英文名称", "Quality management systems—Requirements", 36,
            ("英文标准名称", "标准英文名称", "e_name")),
    _column("标准性质", "nature", "强制性 / 推荐性 / 指导性；须与编号相符（GB 为强制性，GB/T 为推荐性）",
            "推荐性", 10, ("性质", "std_nature")),
    _column("状态", "status", "即将实施 / 现行 / 被代替 / 废止", "现行", 10, ("标准状态", "state")),
    _column("发布日期", "issued_on", "YYYY-MM-DD、YYYY/MM/DD、YYYYMMDD 或 Excel 日期单元格",
            "2016-12-30", 12, ("批准日期", "issue_date")),
    _column("实施日期", "effective_on", "同发布日期；不得早于发布日期", "2017-07-01", 12,
            ("act_date",)),
    _column("废止日期", "withdrawn_on", "同发布日期；不得早于实施日期", "", 12, ("作废日期",)),
    _column("ICS", "ics", "ICS 分类号，如 03.120.10；多个用 ; ；或 , 分隔", "03.120.10", 16,
            ("ics分类号", "ics号", "国际标准分类号")),
    _column("CCS", "ccs", "中国标准文献分类号，如 A00", "A00", 8,
            ("ccs分类号", "中国标准分类号", "中标分类号")),
    _column("发布单位", "issuing_body", "如 国家市场监督管理总局、国家标准化管理委员会",
            "国家质量监督检验检疫总局；国家标准化管理委员会", 24, ("发布部门",)),
    _column("主管部门", "responsible_dept", "如 国家标准化管理委员会", "国家标准化管理委员会", 24,
            ("charge_dept",)),
    _column("归口单位", "technical_committee", "如 全国质量管理和质量保证标准化技术委员会（TC 151）",
            "全国质量管理和质量保证标准化技术委员会（TC 151）", 24, ("技术归口单位", "归口")),
    _column("起草单位", "drafting_orgs", "多个用 ；或 、分隔", "中国标准化研究院；中国合格评定国家认可中心",
            30),
    _column("起草人", "drafters", "多个用 ；、或 ，分隔", "张三、李四", 20),
    _column("备案号", "filing_no", "行业标准、地方标准的备案号", "", 14, ("record_no", "备案编号")),
    _column("公告号", "notice_no", "发布公告号", "", 14, ("公告编号",)),
    _column("代替标准", "replaces", "本标准代替的标准编号，多个用 ；分隔", "GB/T 19001-2008", 22,
            ("代替", "代替标准号", "revise_std_codes")),
    _column("采用国际标准", "adoptions",
            "编号加采用程度 IDT/MOD/NEQ，多个用 ；分隔，如 ISO 9001:2015 IDT", "ISO 9001:2015 IDT",
            28, ("采用标准", "采标")),
    _column("适用范围", "scope", "适用范围文字，可换行", "本标准为下列组织规定了质量管理体系要求。", 40,
            ("范围",)),
    _column("全文链接", "full_text_url", "以 http:// 或 https:// 开头的网址",
            "https://openstd.samr.gov.cn/", 30, ("链接",)),
    _column("终止方式", "end_kind", "被代替 / 废止：有将来废止日期的标准届时如何终止",
            in_template=False),
)

_DATES = frozenset({"issued_on", "effective_on", "withdrawn_on"})
_SPLIT = {
    "ics": re.compile(r"[;；,，、\s]+"),
    "drafting_orgs": re.compile(r"[;；、\n]+"),
    "drafters": re.compile(r"[;；、,，\n]+"),
    "replaces": re.compile(r"[;；,，、\n]+"),
}

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
    "nature": (_NATURE_WORDS, tuple(labels.NATURE), "强制性、推荐性 或 指导性"),
    "status": (_STATUS_WORDS, tuple(labels.STATUS), "即将实施、现行、被代替 或 废止"),
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

# -- cleaning values ----------------------------------------------------------------------

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
        # openpyxl is imported where a file needs it (about 120 ms; the app never loads it)
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



#: The catalogue's table: columns, header resolution, row mapping (``convert`` parses).
COLUMNS = Columns(_COLUMNS, convert)
