"""Standard numbers (标准编号): parsing, canonical writing and search keys.

Covers Chinese national (GB, GB/T, GB/Z), industry (JB/T …), local (DB33/T, DB3301/T),
group (T/ZZB), enterprise (Q/ABC) and international/foreign numbers (ISO, IEC, EN, ASTM …),
including dual numbers such as ``GB/T 19001-2016/ISO 9001:2015``. Pure stdlib, no Flask.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

__all__ = [
    "NumberError",
    "StandardNumber",
    "canonical",
    "compact",
    "industry_sectors",
    "parse",
    "partial_key",
    "provinces",
    "try_parse",
]

_DATA_DIR = Path(__file__).parent / "data"

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d\u30fc\uff70"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_TRANS: dict[int, str | None] = {ord(c): "-" for c in _DASHES}
_TRANS.update({ord("\u3002"): ".", ord("\u2215"): "/", ord("\u2044"): "/"})
_TRANS.update(dict.fromkeys(map(ord, _INVISIBLE)))
_COMPACT_TRANS = {**_TRANS, ord(":"): "-", ord("/"): None}

_NATURES = {None: "mandatory", "T": "recommended", "Z": "guidance"}

# International / foreign publishers. A number may chain several ("BS EN ISO", "ISO/IEC").
# fmt: off
_PRIMARY = ["ISO", "IEC", "ITU-T", "ITU-R", "EN", "ASTM", "JIS", "DIN", "BS", "ANSI", "IEEE",
            "NF", "UL", "API", "ASME", "SAE", "CSA", "KS", "GOST", "ETSI", "CISPR", "AS", "NZS",
            "UNE"]
# fmt: on
_SECONDARY = ["ISO", "IEC", "EN", "IEEE", "ASTM", "ASME", "UL", "NZS", "TR", "TS", "PAS"]
_DASH_YEAR = {"ANSI", "IEEE", "ASME"}  # 'IEEE 802.11-2020'; ISO style is 'ISO 9001:2015'
_SPACE_AFTER = {"BS", "DIN", "NF", "EN", "UNE"}  # "BS EN", "EN ISO" vs "ISO/IEC", "AS/NZS"


def _alternation(names: list[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))


_SEC_ALT = _alternation(_SECONDARY)
_PUB_RE = re.compile(rf"({_alternation(_PRIMARY)})((?:[ /]?(?:{_SEC_ALT}))*)")
_GB_RE = re.compile(r"GB(?:[ /]?([TZ]))?(?![A-Z/])")
_DB_INDUSTRY_RE = re.compile(r"DB ?/?([TZ])(?![A-Z/])")
_DB_LOCAL_RE = re.compile(r"DB ?([0-9]+)(?:[ /]?([TZ])(?![A-Z/]))?")
_INDUSTRY_RE = re.compile(r"([A-Z]{2})(?:[ /]?([TZ]))?(?![A-Z/])")
_CN_SEQ_RE = re.compile(r"[0-9]+(?:\.[0-9]+)*")
_INTL_SEQ_RE = re.compile(r"(?:[A-Z]{1,3}\.?)?[0-9]+(?:[.\-][0-9]+)*")
_ASTM_SEQ_RE = re.compile(r"[A-Z]{0,2}[0-9]+[A-Z]?(?:/[A-Z]{0,2}[0-9]+[A-Z]?)?")
_JIS_SEQ_RE = re.compile(r"([A-Z]) ?([0-9]+(?:-[0-9]+)*)")
_TRAILING_YEAR_RE = re.compile(r"(.+)-([0-9]{4})")
_PARTIAL_RE = re.compile(r"([0-9]+(?:[.\-][0-9]+)*?)(?:[-: ]([0-9]{4}|[0-9]{2}))?")
_ORG_RUN_RE = re.compile(r"[0-9A-Z]*")


class NumberError(ValueError):
    """A text that is not a valid standard number; ``message`` says why, in Chinese."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class StandardNumber:
    """A parsed standard number; equality ignores how the year was written."""

    level: str
    prefix: str
    nature: str | None
    org: str | None
    sequence: str
    year: int | None
    year_text: str | None = field(compare=False)
    suffix: str | None
    adopted: tuple[StandardNumber, ...] = ()

    def __str__(self) -> str:
        return self.canonical

    @property
    def canonical(self) -> str:
        """Canonical writing, e.g. 'GB/T 19001-2016', 'ISO 9001:2015', 'ASTM D638-14'."""
        text = self.base
        if self.year is not None:
            text += self._year_part(self.year)
        return text + (self.suffix or "")

    @property
    def base(self) -> str:
        """Canonical writing without the year, e.g. 'GB/T 19001'."""
        return f"{self.prefix} {self.sequence}"

    @property
    def dual(self) -> str:
        """Number plus adopted international numbers: 'GB/T 19001-2016/ISO 9001:2015'."""
        return "/".join([self.canonical, *(a.canonical for a in self.adopted)])

    @property
    def key(self) -> str:
        """Compact lookup key of the full number, e.g. 'GBT19001-2016'."""
        return compact(self.canonical)

    @property
    def base_key(self) -> str:
        """Compact lookup key without the year, e.g. 'GBT19001'."""
        return compact(self.base)

    @property
    def seq_key(self) -> str:
        """Compact sequence without prefix, e.g. '19001' or '4706.1'."""
        return compact(self.sequence)

    @property
    def is_zhejiang_made(self) -> bool:
        """Whether this is a 浙江制造 group standard (T/ZZB)."""
        return self.level == "group" and self.org == "ZZB"

    def _year_part(self, year: int) -> str:
        if self.prefix == "ASTM":
            return f"-{year % 100:02d}"
        if self.level != "international" or re.split("[ /]", self.prefix)[0] in _DASH_YEAR:
            return f"-{year}"
        return f":{year}"

    def variants(self) -> list[str]:
        """Every compact writing a user may type that should find this number."""
        writings = [self.canonical, self.base, self.sequence]
        if self.year is not None:
            years = {self.year_text or str(self.year), str(self.year)}
            if self.level != "international" and self.year < 1995 or self.prefix == "ASTM":
                years.add(f"{self.year % 100:02d}")
            for y in sorted(years, key=len, reverse=True):
                writings += [f"{self.base}-{y}", f"{self.sequence}-{y}"]
        if self.adopted:
            writings.append(self.dual)
            for a in self.adopted:
                writings += [a.canonical, a.base]
        out: list[str] = []
        for w in writings:
            k = compact(w)
            if k and k not in out:
                out.append(k)
        return out


@cache
def _load_table(name: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for line in (_DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            code, _, label = line.partition("\t")
            table[code.strip()] = label.strip()
    return table


def industry_sectors() -> dict[str, str]:
    """Industry standard codes (行业标准代号) mapped to their sector, e.g. 'JB' -> '机械'."""
    return dict(_load_table("industry_codes.tsv"))


def provinces() -> dict[str, str]:
    """GB/T 2260 province codes mapped to names, e.g. '33' -> '浙江省'."""
    return dict(_load_table("provinces.tsv"))


def compact(text: str) -> str:
    """Normalise any writing to a comparable key: 'gb/t 19001—2016' -> 'GBT19001-2016'."""
    current = text
    for _ in range(8):  # NFKC/upper/space removal can interact; iterate to a fixed point
        step = unicodedata.normalize("NFKC", current).upper().translate(_COMPACT_TRANS)
        step = "".join(unicodedata.normalize("NFKC", step).split())
        if step == current:
            break
        current = step
    return current


def _clean(text: str) -> str:
    """NFKC, upper case, ASCII dashes, single spaces, no spaces around / - : ."""
    s = unicodedata.normalize("NFKC", text).upper().translate(_TRANS)
    s = " ".join(s.split())
    return re.sub(r" ?([/\-:.]) ?", r"\1", s)


def _year(text: str, *, international: bool) -> int:
    if not text:
        raise NumberError("缺少年代号（“-”之后应为年份）")
    if re.fullmatch(r"[0-9]{4}", text):
        value = int(text)
        if (1900 if international else 1950) <= value <= 2100:
            return value
    elif re.fullmatch(r"[0-9]{2}", text):
        value = int(text)
        if international:
            return 1900 + value if value >= 50 else 2000 + value
        if 50 <= value < 95:
            return 1900 + value
        raise NumberError(f"年代号“{text}”无效：两位年代号只用于1995年以前的标准")
    raise NumberError(f"年代号“{text}”无效")


def _cn_number(
    level: str,
    prefix: str,
    nature: str | None,
    org: str | None,
    tail: str,
    *,
    enterprise: bool = False,
) -> StandardNumber:
    tail = tail.strip()
    if not tail or tail[0] == "-":
        raise NumberError(f"标准代号“{prefix}”后缺少顺序号")
    m = _CN_SEQ_RE.match(tail)
    if not m or tail[m.end() :].startswith("."):
        raise NumberError(f"顺序号“{tail.split('-')[0]}”无效，应为数字（如 19001、4706.1）")
    sequence, rest = m.group(), tail[m.end() :]
    year = year_text = suffix = None
    ym = re.match(r"-([^/ ]*)|(?: )([0-9]{4})(?=/|$)", rest)
    if ym:
        year_text = ym.group(1) if ym.group(1) is not None else ym.group(2)
        year = _year(year_text.strip(), international=False)
        year_text, rest = year_text.strip(), rest[ym.end() :]
    if rest:
        if enterprise and rest in ("/J", "/G", "/Z"):
            suffix = rest
        else:
            raise NumberError(f"标准编号末尾有无法识别的内容“{rest.strip()}”")
    return StandardNumber(level, prefix, nature, org, sequence, year, year_text, suffix)


def _split_org(body: str) -> tuple[str, str]:
    """Split 'ZZB 2109-2021' / 'ZZB2109-2021' into organisation code and the rest."""
    run = _ORG_RUN_RE.match(body)
    code = run.group() if run else ""
    after = body[len(code) :]
    letters = [i for i, c in enumerate(code) if c.isalpha()]
    if after.startswith(" ") or not letters or letters[-1] == len(code) - 1:
        return code, after
    return code[: letters[-1] + 1], code[letters[-1] + 1 :] + after


def _org_number(level: str, body: str) -> StandardNumber:
    org, tail = _split_org(body)
    sign = "T" if level == "group" else "Q"
    if not org:
        what = "团体代号" if level == "group" else "企业代号"
        raise NumberError(f"“{sign}/”后缺少{what}")
    if level == "group" and not 2 <= len(org) <= 12:
        raise NumberError(f"团体代号“{org}”无效（应为2至12位字母或数字）")
    if level == "enterprise" and len(org) > 20:
        raise NumberError(f"企业代号“{org}”无效（过长）")
    if tail and not tail.startswith((" ", "-")) and not tail[0].isdigit():
        raise NumberError(f"{'团体' if level == 'group' else '企业'}代号“{org}{tail}”无效")
    return _cn_number(level, f"{sign}/{org}", None, org, tail, enterprise=level == "enterprise")


def _local_number(digits: str, nat: str | None, tail: str) -> StandardNumber:
    if nat is None and not tail.startswith(" ") and len(digits) > 2:
        digits, tail = digits[:2], digits[2:] + tail  # 'DB331091-2016' = 'DB33 1091-2016'
    if len(digits) not in (2, 4):
        raise NumberError(f"地方标准的行政区划代码“{digits}”无效（应为省级2位或市级4位）")
    if digits[:2] not in _load_table("provinces.tsv"):
        raise NumberError(f"未知的省级行政区划代码“{digits[:2]}”（DB{digits}）")
    if len(digits) == 4 and digits[2:] == "00":
        raise NumberError(f"市级行政区划代码“{digits}”无效")
    prefix = f"DB{digits}" + (f"/{nat}" if nat else "")
    return _cn_number("local", prefix, _NATURES[nat], digits, tail)


def _intl_number(m: re.Match[str], tail: str) -> StandardNumber | None:
    """International number from a publisher match; None if the tail cannot be a sequence."""
    tokens = [m.group(1), *re.findall(_SEC_ALT, m.group(2))]
    prefix = tokens[0]
    for prev, tok in zip(tokens, tokens[1:], strict=False):
        prefix += (" " if prev in _SPACE_AFTER else "/") + tok
    tail = tail.strip()
    seq_re = {"ASTM": _ASTM_SEQ_RE, "JIS": _JIS_SEQ_RE}.get(prefix, _INTL_SEQ_RE)
    sm = seq_re.match(tail)
    if tail[:1].isalpha() and not sm:
        return None  # e.g. 'ENGLISH': a word, not a publisher plus a sequence
    if not tail or tail[0] in "-:":
        raise NumberError(f"标准代号“{prefix}”后缺少顺序号")
    if not sm:
        raise NumberError(f"顺序号“{tail}”无效")
    sequence = f"{sm.group(1)} {sm.group(2)}" if prefix == "JIS" else sm.group()
    rest = tail[sm.end() :]
    year_text: str | None = None
    if ym := re.match(r"[:\-]([0-9A-Z]*)", rest):
        year_text, rest = ym[1], rest[ym.end() :]
    if rest:
        raise NumberError(f"标准编号末尾有无法识别的内容“{rest.strip()}”")
    if (
        year_text is None
        and prefix != "ASTM"
        and (tm := _TRAILING_YEAR_RE.fullmatch(sequence))
        and 1900 <= int(tm.group(2)) <= 2100
    ):  # 'ISO 9001-2015' written with a dash
        sequence, year_text = tm.group(1), tm.group(2)
    year = None if year_text is None else _year(year_text, international=True)
    if prefix == "ASTM" and year is not None and not 1950 <= year <= 2049:
        raise NumberError(f"年代号“{year_text}”无效")
    return StandardNumber("international", prefix, None, prefix, sequence, year, year_text, None)


def _parse_single(s: str) -> StandardNumber:
    sectors = _load_table("industry_codes.tsv")
    if not s:
        raise NumberError("标准编号为空")
    if s[0].isdigit():
        raise NumberError(f"缺少标准代号：“{s}”只有顺序号，请写明代号，如 GB/T {s}")
    if m := _GB_RE.match(s):
        return _cn_number(
            "national", "GB" + (f"/{m[1]}" if m[1] else ""), _NATURES[m[1]], None, s[m.end() :]
        )
    if s.startswith("DB"):
        if m := _DB_INDUSTRY_RE.match(s):
            return _cn_number("industry", f"DB/{m[1]}", _NATURES[m[1]], "DB", s[m.end() :])
        if m := _DB_LOCAL_RE.match(s):
            return _local_number(m[1], m[2], s[m.end() :])
        raise NumberError("地方标准代号“DB”后缺少行政区划代码（如 DB33/T）")
    if s.startswith(("T/", "Q/")):
        return _org_number("group" if s[0] == "T" else "enterprise", s[2:])
    m = _INDUSTRY_RE.match(s)
    if m and m[1] in sectors:
        return _cn_number(
            "industry", m[1] + (f"/{m[2]}" if m[2] else ""), _NATURES[m[2]], m[1], s[m.end() :]
        )
    if (pm := _PUB_RE.match(s)) and (number := _intl_number(pm, s[pm.end() :])):
        return number
    word = re.sub(r"[^A-Z].*", "", s, flags=re.DOTALL)  # leading letters
    if s[0] == "T" and len(word) >= 3 and word[:2] not in sectors:
        return _org_number("group", s[1:])  # 'TZZB2109-2021' written without the slash
    if m and (len(word) == 2 or s[2] in "/ "):
        raise NumberError(f"未知的行业标准代号“{m[1]}”")
    if word and any(c.isdigit() for c in s):
        code = re.match(r"[A-Z]+(?:/[A-Z]*)?", s)
        raise NumberError(f"无法识别的标准代号“{code.group() if code else word}”")
    raise NumberError(f"“{s}”不是有效的标准编号（应形如 GB/T 19001-2016）")


def _parse_adopted(s: str) -> tuple[StandardNumber, ...]:
    """One or more international numbers separated by '/'."""
    first_error: NumberError | None = None
    for i in [len(s), *_dual_splits(s)]:
        try:
            number = _parse_single(s[:i])
            if number.level != "international":
                raise NumberError(f"“{s[:i]}”不是国际标准或国外先进标准编号")
            return (number, *(_parse_adopted(s[i + 1 :]) if i < len(s) else ()))
        except NumberError as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise first_error


def _dual_splits(s: str) -> list[int]:
    return [i for i, c in enumerate(s) if c == "/" and _PUB_RE.match(s, i + 1)]


def parse(text: str) -> StandardNumber:
    """Parse any writing of a standard number; raise NumberError with a Chinese message."""
    s = _clean(text)
    if not s:
        raise NumberError("标准编号为空")
    adopted_error: NumberError | None = None
    for i in _dual_splits(s):
        try:
            main = _parse_single(s[:i])
        except NumberError:
            continue
        if main.level == "international":
            continue
        try:
            return replace(main, adopted=_parse_adopted(s[i + 1 :]))
        except NumberError as exc:
            adopted_error = adopted_error or exc
    if adopted_error is not None:
        raise adopted_error
    return _parse_single(s)


def try_parse(text: str) -> StandardNumber | None:
    """Parse, returning None instead of raising."""
    try:
        return parse(text)
    except NumberError:
        return None


def canonical(text: str) -> str:
    """Canonical writing of a number, e.g. 'gbt19001—2016' -> 'GB/T 19001-2016'."""
    return parse(text).canonical


def partial_key(text: str) -> tuple[str, int | None] | None:
    """Sequence and year of a prefix-less input: '19001-2016' -> ('19001', 2016); else None."""
    s = _clean(text)
    m = _PARTIAL_RE.fullmatch(s)
    if not m:
        return None
    sequence, year_text = m.group(1), m.group(2)
    if year_text is None:
        return sequence, None
    try:
        year = _year(year_text, international=False)
    except NumberError:
        if s.count(" ") or s.count(":"):
            return None
        return s, None  # e.g. '71-3': a part number, not a year
    return sequence, year
