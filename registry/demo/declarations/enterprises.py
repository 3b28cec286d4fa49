"""Demo enterprises: spread over Zhejiang's counties, named, coded and given products.

Names end in ``（示例）``; credit codes are valid but invented. Enterprise ``i`` of a seed is
the same whatever the count, and the first ones cover every county, city by city.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cache
from random import Random
from typing import Any

from registry import identifiers
from registry.demo.declarations.products import _DIVISION_OF_TOPIC, PROFILES, Profile, _topics

NAME_MARK = "（示例）"  # appended to every invented enterprise name
# merged districts whose successor code is in the table: new companies register there
SUPERSEDED_REGIONS = frozenset({"330103", "330104", "330185", "330204"})
BRAND_CHARS = "恒达华越新瑞泰宏信安嘉诚联创正通明睿鼎盛金源丰利德康博远凯科航亿腾杰锦飞中天美佳"
STREETS = ("经济开发区", "工业园区", "高新技术产业园区", "科技城", "滨海新区", "城东工业功能区")


# -- regions ----------------------------------------------------------------------------------

@cache
def zhejiang_counties() -> tuple[str, ...]:
    """Every county-level code of Zhejiang in the region table (districts, cities, counties)."""
    table = identifiers.regions()
    return tuple(c for c in sorted(table)
                 if c.startswith("33") and c[4:] != "00" and table[c] != "市辖区"
                 and c not in SUPERSEDED_REGIONS)


@cache
def _spread() -> tuple[str, ...]:
    """The counties interleaved city by city, so the first eleven enterprises cover 11 cities."""
    by_city: dict[str, list[str]] = {}
    for code in zhejiang_counties():
        by_city.setdefault(code[:4], []).append(code)
    out: list[str] = []
    queues = list(by_city.values())
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return tuple(out)


def _place(code: str) -> str:
    """'330683' 嵊州市 -> '嵊州'; '330108' 滨江区 -> '滨江'; 景宁畲族自治县 -> '景宁'."""
    name = identifiers.regions()[code]
    for tail in ("畲族自治县", "自治县", "市", "区", "县"):
        if name.endswith(tail) and len(name) > len(tail) + 1:
            return name[: -len(tail)]
    return name


# -- enterprises ------------------------------------------------------------------------------

@dataclass
class EnterpriseSpec:
    """One generated enterprise and the products it makes."""

    index: int
    name: str
    credit_code: str
    region_code: str
    industry_code: str
    above_scale: bool
    address: str
    profile: Profile
    abbr: str  # initials for model numbers and Q/ numbers
    products: list[tuple[str, str]]  # (topic key, product noun), main product first
    founded: dt.date
    weight: float
    certificates: list[dict[str, Any]] = field(default_factory=list)
    zzb: str | None = None  # the T/ZZB standard behind a 品字标 certificate


def _nouns(profile: Profile) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, allowed in profile.topics:
        topic = _topics().get(key)
        names = [n for n, _ in topic.nouns] if topic is not None else list(allowed or ())
        out.extend((key, n) for n in names if allowed is None or n in allowed)
    return out


# pinyin initials of the characters invented names use (Q/ numbers and model prefixes)
_INITIALS = dict(zip(
    BRAND_CHARS + "厨具电器家服饰领带制衣针织机气动力械泵业阀门轴承精工紧固件"
    "标准五医药生物疗用品材料化高分子技智能光汽车部配",
    "HDHYXRTHXAJCLCZTMRDSJYFLDKBYKKHYTJJFZTMJ"
    "CJDQJFSLDZYZZJQDLXBYFMZCJGJGJBZWYYSWLYPCLHGFZJZNGQCBP", strict=True))


def _initials(text: str) -> str:
    return "".join(_INITIALS.get(ch, "X") for ch in text)


def generate_enterprises(n: int, seed: int = 0) -> list[EnterpriseSpec]:
    """``n`` invented enterprises; enterprise ``i`` is the same whatever ``n`` is."""
    spread = _spread()
    counties = zhejiang_counties()
    out: list[EnterpriseSpec] = []
    names: set[str] = set()
    codes: set[str] = set()
    for i in range(n):
        rng = Random(f"{seed}:enterprise:{i}")
        if i < len(spread):  # every county first
            region = spread[i]
            weights = [p.weight * (1 + dict(p.clusters).get(region, 0)) for p in PROFILES]
            profile = rng.choices(PROFILES, weights)[0]
        else:
            profile = rng.choices(PROFILES, [p.weight for p in PROFILES])[0]
            bonus = dict(profile.clusters)
            region = rng.choices(counties, [1 + bonus.get(c, 0) for c in counties])[0]
        above = rng.random() < 0.4
        trade = rng.choice(profile.trades)
        place = _place(region)
        while True:
            brand = "".join(rng.sample(BRAND_CHARS, 2))
            form = "股份有限公司" if above and rng.random() < 0.3 else "有限公司"
            prefix = "浙江" if above and rng.random() < 0.35 else place
            name = f"{prefix}{brand}{trade}{form}{NAME_MARK}"
            if name not in names:
                names.add(name)
                break
        while True:
            org = "MA" + "".join(rng.choice(identifiers.ALPHABET) for _ in range(7))
            code = identifiers.make_credit_code("9", "1", region, org)
            if code not in codes:
                codes.add(code)
                break
        nouns = _nouns(profile)
        products = rng.sample(nouns, min(len(nouns), 1 + int(rng.random() * (4 if above else 2))))
        topic = products[0][0]
        division = _DIVISION_OF_TOPIC.get((profile.key, topic), profile.division)
        founded = dt.date(1995, 1, 1) + dt.timedelta(days=int(rng.random() * 365 * 24))
        street = rng.choice(STREETS)
        road = f"{rng.choice(BRAND_CHARS)}{rng.choice('东南西北兴业创新')}路"
        address = f"{identifiers.region_name(region)}{street}{road}{1 + int(rng.random() * 399)}号"
        weight = (3.0 if above else 1.0) * math.exp(rng.gauss(0, 0.6))
        out.append(EnterpriseSpec(
            index=i, name=name, credit_code=code, region_code=region, industry_code=division,
            above_scale=above, address=address, profile=profile,
            abbr=_initials(brand + trade)[:4], products=products, founded=founded,
            weight=weight))
    return out
