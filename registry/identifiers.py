"""Unified social credit codes (GB 32100-2015), region codes (GB/T 2260), industries (GB/T 4754).

Pure Python, no Flask. Region names come from ``data/regions.tsv`` (source named there).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).parent / "data"

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
AUTHORITIES = {"1": "机构编制", "2": "外交", "3": "司法行政", "4": "文化", "5": "民政",
               "6": "旅游", "7": "宗教", "8": "工会", "9": "工商", "A": "中央军委改革和编制办公室",
               "N": "农业", "Y": "其他"}


class IdentifierError(ValueError):
    """An invalid code; ``message`` says what is wrong, in Chinese; ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


def _table(name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (_DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, label, *_ = line.split("\t")
        out[code.strip()] = label.strip()
    return out


@cache
def regions() -> dict[str, str]:
    """Every known GB/T 2260 code (6 digits) -> name."""
    return _table("regions.tsv")


@cache
def industries() -> dict[str, str]:
    """GB/T 4754-2017 sections and manufacturing divisions -> name."""
    return _table("industries_4754.tsv")


# GB/T 4754-2017: the divisions (two digits, first and last) of each section (门类)
SECTION_DIVISIONS = ((1, 5, "A"), (6, 12, "B"), (13, 43, "C"), (44, 46, "D"), (47, 50, "E"),
                     (51, 52, "F"), (53, 60, "G"), (61, 62, "H"), (63, 65, "I"), (66, 69, "J"),
                     (70, 70, "K"), (71, 72, "L"), (73, 75, "M"), (76, 79, "N"), (80, 82, "O"),
                     (83, 83, "P"), (84, 85, "Q"), (86, 90, "R"), (91, 96, "S"), (97, 97, "T"))


def industry_section(code: str) -> str | None:
    """'38' -> 'C', 'C' -> 'C', '385' -> 'C' (by its division); None when unknown."""
    code = code.strip().upper()
    if code in industries() and code.isalpha():
        return code
    div = code[:2]
    if div.isdigit():
        n = int(div)
        for lo, hi, sec in SECTION_DIVISIONS:
            if lo <= n <= hi:
                return sec
    return None


def industry_name(code: str) -> str | None:
    code = code.strip().upper()
    return industries().get(code) or industries().get(code[:2])


def region_chain(code: str) -> list[str]:
    """'330683' -> ['330000', '330600', '330683'] (the codes that contain it, itself last)."""
    code = code.strip()
    chain = [code[:2] + "0000"]
    if code[2:4] != "00":
        chain.append(code[:4] + "00")
    if code[4:] != "00":
        chain.append(code)
    return list(dict.fromkeys(chain))


def region_name(code: str) -> str | None:
    """Full name, e.g. '浙江省绍兴市嵊州市'; None when the code is unknown."""
    table = regions()
    if code not in table:
        return None
    names = [table.get(c, "") for c in region_chain(code)]
    return "".join(n for n in names if n and n != "市辖区")


def check_region(code: str) -> str:
    """Validate a 6-digit GB/T 2260 code: the province must exist; city and county must
    exist wherever the table covers that province (it covers all of China)."""
    if len(code) != 6 or not code.isdigit():
        raise IdentifierError("region_format", f"地区代码“{code}”应为 6 位数字")
    table = regions()
    province = code[:2] + "0000"
    if province not in table:
        raise IdentifierError("region_unknown", f"地区代码“{code}”的省级代码 {code[:2]} 不存在")
    for part in region_chain(code)[1:]:
        if part not in table:
            raise IdentifierError("region_unknown",
                                  f"地区代码 {part} 不是 {table[province]} 的有效市/县代码")
    return code


def check_character(body17: str) -> str:
    """The check character for the first 17 characters of a credit code."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(body17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


@dataclass(frozen=True)
class CreditCode:
    code: str
    authority: str
    kind: str
    region: str
    organisation: str

    @property
    def region_name(self) -> str | None:
        return region_name(self.region)


def parse_credit_code(text: str) -> CreditCode:
    """Validate a unified social credit code (checksum, alphabet, region) and split it."""
    code = unicodedata.normalize("NFKC", text or "").strip().upper().replace(" ", "")
    if len(code) != 18:
        raise IdentifierError("credit_code_length",
                              f"统一社会信用代码应为 18 位，现为 {len(code)} 位")
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        raise IdentifierError("credit_code_chars",
                              f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、Z、S、V）")
    if code[0] not in AUTHORITIES:
        raise IdentifierError("credit_code_authority", f"登记管理部门代码“{code[0]}”无效")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise IdentifierError("credit_code_checksum",
                              f"统一社会信用代码校验位错误：应为 {expected}，实为 {code[17]}")
    region = code[2:8]
    try:
        check_region(region)
    except IdentifierError as exc:
        raise IdentifierError("credit_code_region", f"统一社会信用代码中的{exc.message}") from exc
    return CreditCode(code, code[0], code[1], region, code[8:17])


def make_credit_code(authority: str, kind: str, region: str, organisation: str) -> str:
    """Compose a valid code (used by the demo data generator)."""
    body = f"{authority}{kind}{region}{organisation}"
    if len(body) != 17:
        raise ValueError("need 17 characters before the check character")
    return body + check_character(body)


def region_prefix(code: str) -> str:
    """The code's prefix that every region inside it shares: '330000' -> '33',
    '330600' -> '3306', '330683' -> '330683'."""
    code = code.strip()
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def region_covers(scope: str | None, code: str | None) -> bool:
    """Does region ``scope`` contain region ``code`` (itself included)?"""
    return bool(scope and code and code.startswith(region_prefix(scope)))
