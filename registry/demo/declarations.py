"""Demo enterprises and their self-declarations, for ``registry demo`` and the benchmarks.

Everything here is invented: enterprise names end in ``（示例）``, credit codes are valid
but made up, and every row is marked ``source='demo'``. Enterprises spread over every
county-level region of Zhejiang (GB/T 2260 codes under 33) with the province's
traditional industries (GB/T 4754 divisions) clustered where they really are (集成灶 and
领带 in 嵊州, 紧固件 in 海盐, 泵 in 温岭 …). Declarations cite the demo catalogue's
standards by number, current when they were published; some adopt ISO/IEC standards,
some execute the enterprise's own Q/ standard, some were amended or revised, withdrawn,
or still cite an edition that has since been replaced (so the watch list has work).

Each declaration goes through ``DeclarationInSchema`` and ``check_declaration`` (on its
publication date) like a filed one; rows are then written in batches instead of one
``create_declaration`` call each, with the same columns, audit entries and change feed.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from random import Random
from typing import Any

from registry import identifiers

DEMO_SOURCE = "demo"
NAME_MARK = "（示例）"  # appended to every invented enterprise name
ACTOR = "demo"  # the audit log's actor for generated filings
DEFAULT_ENTERPRISES = 1500
DEFAULT_DECLARATIONS = 20_000
FIRST_DAY = dt.date(2017, 1, 1)  # the platform's declarations start here
BATCH = 100  # enterprises per commit

# merged districts whose successor code is in the table: new companies register there
SUPERSEDED_REGIONS = frozenset({"330103", "330104", "330185", "330204"})


# -- industries -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Profile:
    """An industry as the demo fills it: division, products, trade words, home counties."""

    key: str
    label: str
    division: str  # GB/T 4754-2017 division
    weight: float
    topics: tuple[tuple[str, tuple[str, ...] | None], ...]  # generator topic, nouns (None: all)
    trades: tuple[str, ...]  # trade word in the company name
    clusters: tuple[tuple[str, float], ...]  # county -> extra weight
    consumer: bool = False  # products carry barcodes


PROFILES: tuple[Profile, ...] = (
    Profile("kitchen", "智能厨电", "38", 16,
            (("kitchen", None), ("appliance", ("空气净化器", "储水式电热水器", "新风净化机"))),
            ("厨具", "厨电", "电器", "家电"),
            (("330683", 16), ("330282", 10), ("330281", 6), ("330110", 3), ("330424", 2)),
            consumer=True),
    Profile("garment", "领带服装", "18", 12,
            (("textile", ("领带", "针织T恤衫", "羊毛衫", "袜子", "羽绒服装", "婴幼儿纺织产品",
                          "围巾")),),
            ("服饰", "领带", "制衣", "针织"),
            (("330683", 12), ("330603", 8), ("330483", 6), ("330782", 5), ("330481", 4),
             ("330203", 3)), consumer=True),
    Profile("motor", "电机电气", "38", 10, (("motor", None), ("battery", None)),
            ("电机", "电气", "机电", "动力"),
            (("331081", 8), ("330382", 6), ("330522", 7), ("330784", 3), ("330723", 3))),
    Profile("machinery", "机械装备", "34", 12,
            (("valve", None), ("machine", None), ("bearing", None)),
            ("机械", "泵业", "阀门", "轴承", "精工"),
            (("331081", 8), ("330324", 8), ("330206", 6), ("331003", 4), ("330381", 3),
             ("330211", 3))),
    Profile("fastener", "紧固件", "33", 10, (("fastener", None),),
            ("紧固件", "标准件", "五金"),
            (("330424", 16), ("330784", 5), ("330482", 3), ("330212", 3), ("330381", 3))),
    Profile("pharma", "生物医药", "27", 8,
            (("medical", ("医用外科口罩", "医用防护服", "输液器", "无菌注射器")),),
            ("医药", "药业", "生物", "医疗用品"),
            (("331082", 8), ("331002", 8), ("330624", 6), ("330604", 5), ("330110", 3),
             ("330108", 3))),
    Profile("material", "新材料", "26", 14,
            (("chemical", ("水性涂料", "胶粘剂", "有机硅密封胶", "聚氯乙烯树脂")),
             ("textile", ("涤纶长丝",)),
             ("building", ("陶瓷砖", "建筑用安全玻璃", "保温装饰板", "防水卷材"))),
            ("新材料", "化工", "材料", "高分子"),
            (("330206", 6), ("330211", 6), ("330802", 5), ("330803", 5), ("330604", 5),
             ("330483", 6), ("330109", 5), ("330522", 3))),
    Profile("electronic", "电子信息", "39", 12, (("electronic", None),),
            ("电子", "科技", "智能", "光电"),
            (("330108", 12), ("330110", 6), ("330114", 4), ("330382", 4), ("330212", 3),
             ("330402", 3)), consumer=True),
    Profile("auto", "汽车零部件", "36", 6, (("auto", None),),
            ("汽车部件", "汽配", "车业"),
            (("330381", 12), ("331004", 5), ("330109", 5), ("331021", 6), ("331003", 3))),
)
# new materials span several divisions: the product decides (涤纶长丝 28, building 30)
_DIVISION_OF_TOPIC = {("material", "textile"): "28", ("material", "building"): "30"}


@dataclass(frozen=True)
class Metric:
    """An indicator as products of one kind declare it, with the reference value."""

    name: str
    unit: str | None
    direction: str  # 'higher' | 'lower' | 'none'
    ref: float  # the reference standard's value (ignored for 'none')
    digits: int


def _m(name: str, unit: str | None, direction: str, ref: float, digits: int = 1) -> Metric:
    return Metric(name, unit, direction, ref, digits)


METRICS: dict[str, tuple[Metric, ...]] = {
    "kitchen": (_m("热效率", "%", "higher", 60), _m("噪声", "dB(A)", "lower", 70, 0),
                _m("待机功率", "W", "lower", 1.0, 2), _m("泄漏电流", "mA", "lower", 0.75, 2),
                _m("输入功率偏差", "%", "lower", 10), _m("平均无故障工作时间", "h", "higher", 3000, 0)),
    "appliance": (_m("能源效率", "%", "higher", 80), _m("噪声", "dB(A)", "lower", 60, 0),
                  _m("待机功率", "W", "lower", 1.0, 2), _m("泄漏电流", "mA", "lower", 0.75, 2),
                  _m("平均无故障工作时间", "h", "higher", 3000, 0)),
    "textile": (_m("耐摩擦色牢度", "级", "higher", 3), _m("甲醛含量", "mg/kg", "lower", 75, 0),
                _m("水洗尺寸变化率", "%", "lower", 3), _m("断裂强力", "N", "higher", 200, 0),
                _m("起毛起球", "级", "higher", 3), _m("pH值", None, "none", 0)),
    "fastener": (_m("抗拉强度", "MPa", "higher", 800, 0), _m("维氏硬度", "HV", "higher", 250, 0),
                 _m("保证载荷", "kN", "higher", 38), _m("中性盐雾试验时间", "h", "higher", 48, 0),
                 _m("扭矩系数", None, "none", 0, 3)),
    "bearing": (_m("额定动载荷", "kN", "higher", 12.8), _m("振动加速度", "dB", "lower", 48),
                _m("额定寿命", "h", "higher", 20000, 0), _m("径向游隙", "μm", "none", 0, 0)),
    "motor": (_m("效率", "%", "higher", 90.2), _m("功率因数", None, "higher", 0.82, 2),
              _m("噪声", "dB(A)", "lower", 80, 0), _m("温升", "K", "lower", 80, 0),
              _m("振动速度有效值", "mm/s", "lower", 2.8), _m("堵转转矩倍数", None, "higher", 2.0, 2)),
    "battery": (_m("能量密度", "Wh/kg", "higher", 140, 0), _m("循环寿命", "次", "higher", 500, 0),
                _m("容量保持率", "%", "higher", 80), _m("月自放电率", "%", "lower", 5)),
    "valve": (_m("密封试验泄漏量", "mm³/s", "lower", 0.3, 2), _m("壳体试验压力", "MPa", "higher", 2.4),
              _m("泵效率", "%", "higher", 70), _m("必需汽蚀余量", "m", "lower", 3.5),
              _m("流阻系数", None, "lower", 0.5, 2)),
    "machine": (_m("定位精度", "mm", "lower", 0.02, 3), _m("重复定位精度", "mm", "lower", 0.01, 3),
                _m("噪声", "dB(A)", "lower", 83, 0), _m("平均无故障工作时间", "h", "higher", 800, 0),
                _m("最高转速", "r/min", "higher", 8000, 0)),
    "electronic": (_m("绝缘电阻", "MΩ", "higher", 100, 0), _m("静电放电抗扰度", "kV", "higher", 4, 0),
                   _m("待机功耗", "W", "lower", 0.5, 2), _m("平均无故障工作时间", "h", "higher", 20000, 0),
                   _m("工作温度上限", "℃", "higher", 60, 0)),
    "medical": (_m("细菌过滤效率", "%", "higher", 95), _m("颗粒过滤效率", "%", "higher", 30),
                _m("通气阻力", "Pa", "lower", 49), _m("环氧乙烷残留量", "μg/g", "lower", 10),
                _m("初始污染菌", "CFU/g", "lower", 100, 0)),
    "chemical": (_m("主含量", "%", "higher", 98), _m("水分", "%", "lower", 0.5, 2),
                 _m("挥发性有机化合物含量", "g/L", "lower", 80, 0), _m("游离甲醛", "g/kg", "lower", 0.1, 2),
                 _m("拉伸强度", "MPa", "higher", 1.5)),
    "building": (_m("抗压强度", "MPa", "higher", 3.5), _m("吸水率", "%", "lower", 0.5, 2),
                 _m("内照射指数", None, "lower", 1.0, 2), _m("导热系数", "W/(m·K)", "lower", 0.14, 3),
                 _m("断裂模数", "MPa", "higher", 35, 0)),
    "auto": (_m("耐压强度", "MPa", "higher", 20), _m("疲劳寿命", "万次", "higher", 50, 0),
             _m("噪声", "dB(A)", "lower", 65, 0), _m("工作温度上限", "℃", "higher", 85, 0),
             _m("中性盐雾试验时间", "h", "higher", 96, 0)),
}
SPECS: dict[str, tuple[str, ...]] = {
    "kitchen": ("220V~ 50Hz {w}W", "嵌入式 {w}W", "台式 {w}W"),
    "appliance": ("220V~ 50Hz {w}W", "{l}L", "{w}W"),
    "textile": ("{size}", "{l}cm×{s}cm", "100%桑蚕丝"),
    "fastener": ("M{d}×{l}", "M{d}×{l} 8.8级", "M{d} 10.9级"),
    "bearing": ("{d}0{s}", "内径 {l}mm"),
    "motor": ("{kw} kW {p}极", "{kw} kW IE3", "{kw} kW"),
    "battery": ("{v}V {ah}Ah", "{ah}Ah"),
    "valve": ("DN{dn} PN16", "DN{dn} PN25", "流量 {l} m³/h"),
    "machine": ("行程 {l}mm", "{kw} kW", "最大负载 {s}kg"),
    "electronic": ("{s}层", "{v}V {ah}A", "{w}W"),
    "medical": ("{size}", "{l}mL", "独立包装"),
    "chemical": ("{l}kg/桶", "{l}kg/袋", "工业级"),
    "building": ("{l}mm×{l}mm", "厚度 {s}mm"),
    "auto": ("{v}V", "适用车型 {s}", "{kw} kW"),
}
WITHDRAW_REASONS = ("产品已停产", "产品转型升级，原型号不再生产", "型号合并，改为在新声明中公开",
                    "执行标准调整，重新声明")
AMEND_NOTES = ("更新型式检验报告中的指标值", "补充产品条码和规格", "更正指标检测方法",
               "提高部分性能指标")
LOWER_NOTE = "本产品{name}为满足出口客户的定制要求，低于 {std} 的规定值，已在合同和产品说明书中明示"
BRAND_CHARS = "恒达华越新瑞泰宏信安嘉诚联创正通明睿鼎盛金源丰利德康博远凯科航亿腾杰锦飞中天美佳"
STREETS = ("经济开发区", "工业园区", "高新技术产业园区", "科技城", "滨海新区", "城东工业功能区")
EXCLUDED_TITLE_WORDS = ("术语", "试验方法", "测试方法", "检验规则", "测定", "指南", "路线图",
                        "规程", "评价", "安装、使用和维护", "参考架构")


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


@cache
def _topics() -> dict[str, Any]:
    from registry.demo.generator import TOPICS

    return {t.key: t for t in TOPICS}


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
TOPIC_CODES = {"kitchen": "CX", "appliance": "KJ", "textile": "FZ", "fastener": "JG",
               "bearing": "ZC", "motor": "DJ", "battery": "DC", "valve": "FM", "machine": "JX",
               "electronic": "DZ", "medical": "YL", "chemical": "HG", "building": "JC",
               "auto": "QP"}


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


def allocate(weights: Sequence[float], total: int) -> list[int]:
    """``total`` split over the weights (largest remainder), at least one each while it lasts."""
    n = len(weights)
    if n == 0 or total <= 0:
        return [0] * n
    base = [1 if total >= n else 0] * n
    rest = total - sum(base)
    s = sum(weights)
    shares = [w / s * rest for w in weights]
    counts = [b + int(x) for b, x in zip(base, shares, strict=True)]
    left = total - sum(counts)
    order = sorted(range(n), key=lambda k: shares[k] - int(shares[k]), reverse=True)
    for k in order[:left]:
        counts[k] += 1
    return counts


# -- the catalogue as the generator sees it ---------------------------------------------------

@dataclass(eq=False)
class Std:
    id: int
    number: str
    level: str
    nature: str | None
    org: str | None
    title: str
    effective_on: dt.date | None
    withdrawn_on: dt.date | None
    ics: tuple[str, ...]
    adopts: bool  # adopts an international standard IDT or MOD
    successor: Std | None = None
    product: bool = field(init=False)  # a product standard (not a method, term, guide ...)

    def __post_init__(self) -> None:
        self.product = not any(w in self.title for w in EXCLUDED_TITLE_WORDS)

    def current_on(self, day: dt.date) -> bool:
        return (self.effective_on is None or self.effective_on <= day) and (
            self.withdrawn_on is None or self.withdrawn_on > day)


class Catalogue:
    """The catalogue's standards in memory, with the lookups the generator needs."""

    def __init__(self, ref: dt.date) -> None:
        from sqlalchemy import select

        from registry.extensions import db
        from registry.standards.models import Adoption, Replacement, Standard, StandardICS

        self.ref = ref
        ics: dict[int, list[str]] = {}
        for sid, code in db.session.execute(
                select(StandardICS.standard_id, StandardICS.code).order_by(StandardICS.id)):
            ics.setdefault(sid, []).append(code)
        adopting = set(db.session.scalars(select(Adoption.standard_id).where(
            Adoption.degree.in_(("IDT", "MOD")))))
        self.all: list[Std] = []
        by_key: dict[str, Std] = {}
        for row in db.session.execute(select(
                Standard.id, Standard.number, Standard.number_key, Standard.level,
                Standard.nature, Standard.org, Standard.title_zh, Standard.effective_on,
                Standard.withdrawn_on).order_by(Standard.id)):
            std = Std(row.id, row.number, row.level, row.nature, row.org, row.title_zh,
                      row.effective_on, row.withdrawn_on, tuple(ics.get(row.id, ())),
                      row.id in adopting)
            self.all.append(std)
            by_key[row.number_key] = std
        by_id = {s.id: s for s in self.all}
        for succ_id, old_key in db.session.execute(
                select(Replacement.successor_id, Replacement.predecessor_key)):
            old, new = by_key.get(old_key), by_id.get(succ_id)
            if old is not None and new is not None and (
                    old.successor is None or (new.effective_on or ref) > (
                        old.successor.effective_on or ref)):
                old.successor = new
        usable = [s for s in self.all if s.level in ("national", "industry", "group")
                  and s.nature != "guidance" or s.level == "local" and (s.org or "").startswith("33")]
        self.usable = usable
        self.by_number = {s.number: s for s in usable}
        self.international = [s for s in self.all if s.level == "international"
                              and s.current_on(ref)]
        self._cache: dict[tuple[str, str], tuple[list[Std], list[Std], list[Std], list[Std]]] = {}

    def __len__(self) -> int:
        return len(self.all)

    def for_product(self, topic_key: str, noun: str) -> tuple[list[Std], list[Std], list[Std],
                                                              list[Std]]:
        """Current candidates, current mandatory ones, ended editions with a current successor,
        and current ones on the subject that adopt an ISO/IEC standard (IDT/MOD)."""
        key = (topic_key, noun)
        if key in self._cache:
            return self._cache[key]
        topic = _topics().get(topic_key)
        prefixes = tuple(".".join(c.split(".")[:2]) for c in (topic.ics if topic else ()))

        def fits(s: Std) -> bool:
            return any(c.startswith(prefixes) for c in s.ics) if prefixes else False

        tiers = ([s for s in self.usable if noun in s.title and s.product],
                 [s for s in self.usable if noun in s.title],
                 [s for s in self.usable if fits(s) and s.product],
                 [s for s in self.usable if fits(s)],
                 [s for s in self.usable if s.product])
        current: list[Std] = []
        ended: list[Std] = []
        for tier in tiers:
            current = [s for s in tier if s.current_on(self.ref)]
            if current:
                ended = [s for s in tier if s.withdrawn_on is not None
                         and s.withdrawn_on <= self.ref and s.successor is not None
                         and s.successor.current_on(self.ref)
                         and s.effective_on is not None and s.withdrawn_on > FIRST_DAY]
                break
        mandatory = [s for s in self.usable if s.nature == "mandatory" and s.current_on(self.ref)
                     and (noun in s.title or fits(s))]
        adopting = [s for s in dict.fromkeys(tiers[0] + tiers[1] + tiers[2] + tiers[3])
                    if s.adopts and s.current_on(self.ref)]
        self._cache[key] = (current, mandatory, ended, adopting)
        return self._cache[key]


# -- declarations -----------------------------------------------------------------------------

@dataclass
class EditionSpec:
    data: dict[str, Any]  # DeclarationInSchema input
    kind: str  # 'initial' | 'amendment' | 'revision'
    at: dt.datetime  # created (and, unless a draft, published a few minutes later)
    published: bool = True


@dataclass
class DeclarationSpec:
    enterprise: int  # index of its EnterpriseSpec
    editions: list[EditionSpec]
    state: str  # 'draft' | 'published' | 'withdrawn'
    withdrawn_at: dt.datetime | None = None
    withdrawn_reason: str | None = None


def _day_between(rng: Random, lo: dt.date, hi: dt.date, recent: bool = True) -> dt.date:
    """A day in [lo, hi]; ``recent`` leans toward the end (declarations grew over the years)."""
    span = max((hi - lo).days, 0)
    u = math.sqrt(rng.random()) if recent else rng.random()
    return lo + dt.timedelta(days=int(u * span))


def _grown_day(rng: Random, lo: dt.date, hi: dt.date, rate: float = 0.25) -> dt.date:
    """A day in [lo, hi] from a density growing ``rate`` a year (the platform kept growing)."""
    span = max((hi - lo).days, 0)
    a = rate * span / 365
    u = rng.random()
    x = math.log1p(u * math.expm1(a)) / a if a > 0 else u
    return lo + dt.timedelta(days=int(x * span))


def _since(std: Std) -> dt.date:
    return std.effective_on or FIRST_DAY


def _at(rng: Random, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8 + int(rng.random() * 10), int(rng.random() * 60),
                                            int(rng.random() * 60)))


def _round(value: float, digits: int) -> float:
    return round(value, digits) if digits else float(round(value))


def _barcode(rng: Random) -> str:
    body = "69" + "".join(str(int(rng.random() * 10)) for _ in range(10))
    total = sum(int(d) * (3 if k % 2 else 1) for k, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _spec(rng: Random, topic: str) -> str | None:
    patterns = SPECS.get(topic)
    if not patterns or rng.random() < 0.25:
        return None
    return rng.choice(patterns).format(
        w=rng.choice((200, 350, 800, 1200, 1500, 2000, 2200)), l=rng.choice((20, 30, 50, 60, 100)),
        s=rng.choice((2, 4, 6, 8, 12)), d=rng.choice((6, 8, 10, 12, 16, 20)),
        kw=rng.choice((0.75, 1.5, 2.2, 4, 7.5, 11, 15, 22)), p=rng.choice((2, 4, 6)),
        v=rng.choice((12, 24, 48, 60, 72)), ah=rng.choice((5, 10, 20, 32, 100)),
        dn=rng.choice((15, 25, 50, 80, 100, 150)), size=rng.choice(("S", "M", "L", "XL", "均码")))


class _Planner:
    """Draws one enterprise's declarations from its products and the catalogue."""

    def __init__(self, cat: Catalogue, ref: dt.date, seed: int) -> None:
        self.cat, self.ref, self.seed = cat, ref, seed

    def indicators(self, rng: Random, topic: str, ref_std: Std | None, own: bool,
                   lower: bool) -> tuple[list[dict[str, Any]], str | None]:
        metrics = METRICS.get(topic) or METRICS["kitchen"]
        chosen = rng.sample(metrics, min(len(metrics), (4 if own else 3) + int(rng.random() * 3)))
        out: list[dict[str, Any]] = []
        statement = None
        for j, m in enumerate(chosen):
            item: dict[str, Any] = {"name": m.name, "unit": m.unit, "direction": m.direction}
            if m.direction == "none":
                item["value"] = _round(rng.uniform(0.1, 9.9) if m.digits else rng.uniform(5, 60),
                                       m.digits)
            else:
                margin = rng.uniform(0.02, 0.35)
                better = 1 + margin if m.direction == "higher" else 1 - margin * 0.9
                worse = lower and j == 0 and ref_std is not None and ref_std.nature != "mandatory"
                factor = (1 / better) if worse else better
                value = _round(m.ref * factor, m.digits)
                if not worse and (value < m.ref if m.direction == "higher" else value > m.ref):
                    value = m.ref  # rounding never makes a declared value worse
                item["value"] = value
                if ref_std is not None:
                    item["ref_standard"] = ref_std.number
                    item["ref_value"] = m.ref
                    item["test_method"] = f"{ref_std.number} {5 + j // 4}.{1 + j % 9}"
                if worse and ref_std is not None:
                    statement = LOWER_NOTE.format(name=m.name, std=ref_std.number)
            out.append({k: v for k, v in item.items() if v is not None})
        return out, statement

    def plan(self, ent: EnterpriseSpec, count: int) -> list[DeclarationSpec]:
        rng = Random(f"{self.seed}:declarations:{ent.index}")
        out: list[DeclarationSpec] = []
        start = max(FIRST_DAY, ent.founded)
        if start >= self.ref:
            start = self.ref - dt.timedelta(days=30)
        own_seq = 0
        for j in range(count):
            topic, noun = ent.products[j % len(ent.products)] if j < 2 * len(ent.products) \
                else rng.choice(ent.products)
            main = topic == ent.products[0][0] and noun == ent.products[0][1] or (
                ent.above_scale and rng.random() < 0.25)
            current, mandatory, ended, adopting = self.cat.for_product(topic, noun)
            r = rng.random()
            kind = ("draft" if r < 0.015 else "watch" if r < 0.05 else "revision" if r < 0.09
                    else "amendment" if r < 0.15 else "withdrawn" if r < 0.19 else "plain")
            if kind in ("watch", "revision") and not ended:
                kind = "plain"
            own = rng.random() < 0.12 and kind not in ("watch", "revision")
            if not current and not own:
                own = True
            # the first edition: when it was published and what it cites
            day1 = _grown_day(rng, start, self.ref)
            cited: list[Std] = []
            if kind in ("watch", "revision"):
                old = rng.choice(ended)
                assert old.withdrawn_on is not None and old.effective_on is not None
                lo = max(start, old.effective_on)
                hi = old.withdrawn_on - dt.timedelta(days=1)
                if lo > hi:
                    kind, own = "plain", own or not current
                else:
                    cited = [old]
                    day1 = _day_between(rng, lo, hi, recent=False)
            if not cited and not own:
                want = 0.6 if main and ent.above_scale else 0.2
                if ent.zzb and main and rng.random() < 0.7 and ent.zzb in self.cat.by_number:
                    pool = [self.cat.by_number[ent.zzb]]
                elif adopting and rng.random() < want:
                    pool = [s for s in adopting if _since(s) <= day1] or adopting
                else:
                    pool = [s for s in current if _since(s) <= day1] or current
                cited = [rng.choice(pool)]
                if _since(cited[0]) > day1:  # in force only later: published later
                    day1 = _day_between(rng, max(start, _since(cited[0])), self.ref, recent=False)
            if mandatory and rng.random() < 0.35:
                extra = rng.choice(mandatory)
                if extra not in cited and extra.current_on(day1):
                    cited.append(extra)
            ref_std = next((s for s in cited if s.nature != "mandatory"), cited[0] if cited else None)
            if ref_std is None and current:
                ref_std = rng.choice(current)
                if not ref_std.current_on(day1):
                    ref_std = None
            mods = [m for m, _ in getattr(_topics().get(topic), "mods", ()) if m]
            data: dict[str, Any] = {
                "product_name": f"{rng.choice(mods)}{noun}" if mods and rng.random() < 0.3
                else noun,
                "model": f"{ent.abbr}-{TOPIC_CODES.get(topic, 'X')}{100 + int(rng.random() * 900)}"
                         f"{rng.choice(('', '', 'A', 'B', 'S', 'Pro'))}",
                "category": ent.profile.label,
                "is_main_product": bool(main),
                "annual_output_value": round(math.exp(rng.gauss(7.2 if ent.above_scale else 5.2,
                                                                0.8)) * (1.6 if main else 0.6), 1),
                "standards": [s.number for s in cited],
            }
            spec = _spec(rng, topic)
            if spec:
                data["spec"] = spec
            if ent.profile.consumer and rng.random() < 0.6:
                data["barcode"] = _barcode(rng)
            if own:
                own_seq += 1
                year = day1.year
                prefix = ent.credit_code if year >= 2024 and rng.random() < 0.5 else ent.abbr
                data["enterprise_standard"] = {"number": f"Q/{prefix} {own_seq:03d}-{year}",
                                               "title": noun}
                if cited and rng.random() < 0.6:
                    data["standards"] = []
            lower = rng.random() < 0.02
            data["indicators"], statement = self.indicators(rng, topic, ref_std, own, lower)
            if statement:
                data["lower_statement"] = statement
            if ref_std is not None and ref_std.adopts is False and rng.random() < (
                    0.12 if main and ent.above_scale else 0.03) and self.cat.international:
                data["intl_standard"] = rng.choice(self.cat.international).number
            at1 = _at(rng, day1)
            editions = [EditionSpec(data, "initial", at1, published=kind != "draft")]
            state = "draft" if kind == "draft" else "published"
            last = day1
            if kind == "revision":
                assert cited[0].successor is not None
                new = cited[0].successor
                lo = max(day1 + dt.timedelta(days=1), new.effective_on or day1)
                if lo < self.ref:
                    day2 = _day_between(rng, lo, self.ref - dt.timedelta(days=1), recent=False)
                    data2 = {**data, "standards": [new.number] + [s.number for s in cited[1:]
                                                                    if s.current_on(day2)],
                             "change_note": f"执行标准由 {cited[0].number} 更新为 {new.number}"}
                    data2["indicators"] = [
                        {**i, "ref_standard": new.number, "test_method": i["test_method"].replace(
                            cited[0].number, new.number)} if i.get("ref_standard") == cited[0].number
                        else i for i in data2["indicators"]]
                    editions.append(EditionSpec(data2, "revision", _at(rng, day2)))
                    last = day2
            elif kind == "amendment" and day1 < self.ref - dt.timedelta(days=2):
                day2 = _day_between(rng, day1 + dt.timedelta(days=1), self.ref - dt.timedelta(days=1),
                                    recent=False)
                inds = [dict(i) for i in data["indicators"]]
                for i in inds:
                    if i.get("direction") == "higher" and "ref_value" in i:
                        i["value"] = max(i["value"], _round(i["value"] * 1.03, 2))
                    elif i.get("direction") == "lower" and "ref_value" in i:
                        i["value"] = min(i["value"], _round(i["value"] * 0.97, 3))
                data2 = {**data, "indicators": inds, "change_note": rng.choice(AMEND_NOTES),
                         "standards": [s for s in data["standards"]
                                       if next(c for c in cited if c.number == s).current_on(day2)]}
                if data2["standards"] or data2.get("enterprise_standard"):
                    editions.append(EditionSpec(data2, "amendment", _at(rng, day2)))
                    last = day2
            decl = DeclarationSpec(ent.index, editions, state)
            if kind == "withdrawn" and last < self.ref - dt.timedelta(days=2):
                decl.state = "withdrawn"
                decl.withdrawn_at = _at(rng, _day_between(rng, last + dt.timedelta(days=1),
                                                           self.ref - dt.timedelta(days=1), False))
                decl.withdrawn_reason = rng.choice(WITHDRAW_REASONS)
            out.append(decl)
        return out


def _certify(ents: list[EnterpriseSpec], cat: Catalogue, seed: int) -> None:
    """Give some above-scale enterprises a 品字标 (浙江制造) certificate on a T/ZZB standard."""
    zzb = [s for s in cat.usable if s.level == "group" and s.org == "ZZB" and s.current_on(cat.ref)]
    if not zzb:
        return
    for ent in ents:
        rng = Random(f"{seed}:certificate:{ent.index}")
        if not ent.above_scale or rng.random() > 0.3:
            continue
        noun = ent.products[0][1]
        fitting = [s for s in zzb if noun in s.title] or zzb
        std = rng.choice(fitting)
        issued = max(std.effective_on or FIRST_DAY, FIRST_DAY)
        if issued >= cat.ref:
            continue
        issued = _day_between(rng, issued, cat.ref - dt.timedelta(days=1))
        ent.zzb = std.number
        ent.certificates = [{"kind": "品字标", "number": f"ZZB{issued.year}{ent.index:05d}",
                             "standard": std.number,
                             "valid_until": (issued + dt.timedelta(days=3 * 365)).isoformat()}]


@dataclass
class DemoPlan:
    """The enterprises, how many declarations each gets, and the planner that draws them.

    Declarations are drawn per enterprise on demand (``planner.plan(ent, k)``), so a plan
    for a million declarations holds only the enterprises in memory.
    """

    catalogue: Catalogue
    planner: _Planner
    enterprises: list[EnterpriseSpec]
    counts: list[int]

    def declarations(self) -> Iterator[DeclarationSpec]:
        for ent, k in zip(self.enterprises, self.counts, strict=True):
            yield from self.planner.plan(ent, k)


def make_plan(enterprises: int, declarations: int, seed: int = 0,
              ref: dt.date | None = None) -> DemoPlan:
    """Read the catalogue and lay out the demo (deterministic for the catalogue and seed)."""
    from registry.demo.cli import demo_reference

    ref = ref or demo_reference()
    cat = Catalogue(ref)
    ents = generate_enterprises(enterprises, seed)
    _certify(ents, cat, seed)
    return DemoPlan(cat, _Planner(cat, ref, seed), ents,
                    allocate([e.weight for e in ents], declarations))


def plan_demo(enterprises: int, declarations: int, seed: int = 0,
              ref: dt.date | None = None) -> tuple[list[EnterpriseSpec], list[DeclarationSpec]]:
    """Enterprises and their declarations as plain data (reads the catalogue; writes nothing)."""
    plan = make_plan(enterprises, declarations, seed, ref)
    return plan.enterprises, list(plan.declarations())


# -- writing ----------------------------------------------------------------------------------

class DemoDataError(Exception):
    """A generated declaration failed validation (a bug in the generator)."""


@cache
def _schema(cls: type) -> Any:
    return cls()


def _validated(data: dict[str, Any], day: dt.date, what: str) -> dict[str, Any]:
    """``data`` through DeclarationInSchema and check_declaration on ``day``; errors raise."""
    from marshmallow import ValidationError

    from registry.declarations.checks import check_declaration, errors_of
    from registry.declarations.schemas import DeclarationInSchema

    try:
        loaded: dict[str, Any] = _schema(DeclarationInSchema).load(data)
    except ValidationError as exc:
        raise DemoDataError(f"{what}: {exc.messages}") from exc
    bad = errors_of(check_declaration(loaded, today=day))
    if bad:
        raise DemoDataError(f"{what}: " + "; ".join(f"[{c.code}] {c.message}" for c in bad))
    return loaded


@contextmanager
def catalogue_in_memory(held: dict[str, Any]) -> Iterator[None]:
    """Serve check_declaration's catalogue look-ups from ``held`` (number key -> Standard).

    The checks are unchanged; only their one query per declaration is answered from memory
    (keys not held still go to the database). For loaders in a command, never a web process.
    """
    from registry.declarations import checks

    original = getattr(checks, "_catalogue", None)
    if original is None:  # the checks changed shape: run them as they are
        yield
        return

    def lookup(keys: set[str]) -> dict[str, Any]:
        out = {k: held[k] for k in keys if k in held}
        missing = {k for k in keys if k not in held}
        if missing:
            out.update(original(missing))
        return out

    checks._catalogue = lookup
    try:
        yield
    finally:
        checks._catalogue = original


@cache
def _parsed(text: str) -> Any:
    from registry import numbers

    return numbers.try_parse(text)


def _canonical(text: str | None) -> str | None:
    if not text:
        return None
    parsed = _parsed(text)
    return parsed.canonical if parsed else text.strip()


def _key(text: str) -> str:
    parsed = _parsed(text)
    if parsed is None:
        raise DemoDataError(f"invalid standard number {text!r}")
    return str(parsed.key)


def _publish_action(kind: str) -> str:
    from registry.declarations import services

    actions: dict[str, str] = getattr(services, "_PUBLISH_ACTIONS", {})
    return actions.get(kind, "declaration.publish")


def _new_ids(table: Any, n: int) -> list[int]:
    """``n`` primary keys for rows about to be inserted in this transaction.

    PostgreSQL draws them from the table's sequence; on SQLite the transaction already holds
    the write lock (the enterprises were just inserted), so max(id) cannot move under us.
    """
    from sqlalchemy import func, select, text

    from registry.extensions import db

    if n == 0:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        return list(db.session.scalars(text(
            "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": n}))
    start = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0
    return list(range(start + 1, start + n + 1))


_EDITION_FIELDS = ("product_name", "model", "category", "spec", "barcode", "is_main_product",
                   "annual_output_value", "intl_standard", "lower_statement", "change_note")


def write_declarations(pairs: Sequence[tuple[Any, DeclarationSpec]],
                       held: dict[str, Any]) -> int:
    """Validate and insert declarations of saved enterprises; returns how many. Never commits.

    ``pairs`` are (Enterprise row, spec); ``held`` maps number keys to catalogue rows. The
    rows equal what create_declaration / amend_declaration / withdraw_declaration write
    (edition by edition, as ``services._fill`` builds them), with the generated dates instead
    of now; audit entries likewise (actor ``demo``); the change feed gets one upsert per
    declaration. Core multi-row INSERTs: the ORM unit of work is ten times slower here.
    """
    from sqlalchemy import bindparam, insert, update

    from registry.declarations.models import (
        AuditEntry,
        Declaration,
        DeclarationEdition,
        EditionStandard,
        Indicator,
    )
    from registry.extensions import db
    from registry.search.outbox import record_changes

    if not pairs:
        return 0
    decl_t, ed_t = Declaration.__table__, DeclarationEdition.__table__
    decl_ids = _new_ids(decl_t, len(pairs))
    ed_ids = iter(_new_ids(ed_t, sum(len(spec.editions) for _, spec in pairs)))
    Rows = list[dict[str, Any]]
    decls: Rows = []
    eds: Rows = []
    stds: Rows = []
    inds: Rows = []
    audit: Rows = []
    current: Rows = []
    for decl_id, (ent, spec) in zip(decl_ids, pairs, strict=True):
        def entry(action: str, at: dt.datetime, detail: dict[str, Any],
                  ent: Any = ent, decl_id: int = decl_id) -> None:
            audit.append({"at": at, "user_id": None, "actor": ACTOR, "action": action,
                          "entity": "declaration", "entity_id": decl_id,
                          "enterprise_id": ent.id, "region_code": ent.region_code,
                          "detail": detail})
        published: list[tuple[int, dt.datetime]] = []
        for number, ed in enumerate(spec.editions, start=1):
            loaded = _validated(ed.data, ed.at.date(),
                                f"{ent.name} {ed.data['product_name']} 第 {number} 版")
            ed_id = next(ed_ids)
            pub = ed.at + dt.timedelta(minutes=3) if ed.published else None
            row = {name: loaded.get(name) for name in _EDITION_FIELDS}
            own = loaded.get("enterprise_standard")
            row.update(id=ed_id, declaration_id=decl_id, number=number, kind=ed.kind,
                       intl_standard=_canonical(loaded.get("intl_standard")),
                       ent_std_number=_canonical(own["number"]) if own else None,
                       ent_std_title=own["title"] if own else None, attachment_name=None,
                       attachment_size=None, attachment=None, created_by_id=None,
                       created_at=ed.at, published_at=pub)
            eds.append(row)
            keys = dict.fromkeys(_key(n) for n in loaded.get("standards") or [])
            stds.extend({"edition_id": ed_id, "standard_id": held[k].id, "number": held[k].number,
                         "position": i} for i, k in enumerate(keys) if k in held)
            inds.extend({"edition_id": ed_id, "position": i, "name": ind["name"],
                         "value": ind["value"], "unit": ind.get("unit"),
                         "direction": ind.get("direction", "higher"),
                         "test_method": ind.get("test_method"),
                         "ref_standard": _canonical(ind.get("ref_standard")),
                         "ref_value": ind.get("ref_value")}
                        for i, ind in enumerate(loaded.get("indicators") or []))
            if number == 1:
                entry("declaration.create", ed.at, {"product": loaded["product_name"]})
            if pub is not None:
                published.append((ed_id, pub))
                entry(_publish_action(ed.kind), pub, {"edition": number, "kind": ed.kind})
        if spec.state == "withdrawn":
            assert spec.withdrawn_at is not None
            entry("declaration.withdraw", spec.withdrawn_at, {"reason": spec.withdrawn_reason})
        last = spec.editions[-1]
        decls.append({"id": decl_id, "enterprise_id": ent.id, "state": spec.state,
                      "current_edition_id": None, "withdrawn_reason": spec.withdrawn_reason,
                      "withdrawn_at": spec.withdrawn_at,
                      "first_published_at": published[0][1] if published else None,
                      "source": DEMO_SOURCE, "created_at": spec.editions[0].at,
                      "updated_at": spec.withdrawn_at or (published[-1][1] if published
                                                          else last.at)})
        if published:
            current.append({"d_id": decl_id, "ed_id": published[-1][0]})
    db.session.flush()  # pending ORM work (the enterprises) goes first
    db.session.execute(insert(decl_t), decls)
    db.session.execute(insert(ed_t), eds)
    if current:  # the circular reference, as the ORM's post_update sets it
        db.session.execute(update(decl_t).where(decl_t.c.id == bindparam("d_id"))
                           .values(current_edition_id=bindparam("ed_id")), current)
    for table, rows in ((EditionStandard.__table__, stds), (Indicator.__table__, inds),
                        (AuditEntry.__table__, audit)):
        if rows:
            db.session.execute(insert(table), rows)
    record_changes(db.session(), {("declaration", i): "upsert" for i in decl_ids})
    return len(decls)


def _enterprise_rows(specs: Sequence[EnterpriseSpec]) -> list[Any]:
    from registry.enterprises.models import Enterprise
    from registry.enterprises.services import validate_enterprise

    rows = []
    for e in specs:
        clean = validate_enterprise({"name": e.name, "credit_code": e.credit_code,
                                     "region_code": e.region_code,
                                     "industry_code": e.industry_code})
        created = dt.datetime.combine(e.founded, dt.time(9))
        rows.append(Enterprise(name=clean["name"], credit_code=clean["credit_code"],
                               region_code=clean["region_code"],
                               industry_code=clean["industry_code"], above_scale=e.above_scale,
                               certificates=list(e.certificates), address=e.address,
                               source=DEMO_SOURCE, created_at=created, updated_at=created))
    return rows


def held_standards(decls: Sequence[DeclarationSpec]) -> dict[str, Any]:
    """The catalogue rows the specs cite or refer to, detached (commits do not expire them)."""
    from registry.standards.models import Standard

    keys: set[str] = set()
    for d in decls:
        for ed in d.editions:
            keys.update(_key(n) for n in ed.data.get("standards", []))
            keys.update(_key(i["ref_standard"])
                        for i in ed.data.get("indicators", []) if i.get("ref_standard"))
    return _detached(Standard.number_key, sorted(keys))


def _detached(column: Any, values: Sequence[Any], chunk: int = 2000) -> dict[str, Any]:
    """Catalogue rows whose ``column`` is in ``values``, by number key, detached from the
    session so that the loader's commits do not expire them."""
    from sqlalchemy import select

    from registry.extensions import db
    from registry.standards.models import Standard

    held: dict[str, Any] = {}
    for i in range(0, len(values), chunk):
        rows = db.session.scalars(select(Standard).where(column.in_(values[i:i + chunk]))).all()
        for std in rows:
            db.session.expunge(std)
            held[std.number_key] = std
    return held


def load_demo_declarations(enterprises: int = DEFAULT_ENTERPRISES,
                           declarations: int = DEFAULT_DECLARATIONS, seed: int = 0,
                           ref: dt.date | None = None,
                           progress: Callable[[int], None] | None = None) -> Counter[str]:
    """Add the demo enterprises and declarations that are not there yet; commits per batch.

    Idempotent: an enterprise whose credit code is already registered (by the demo or
    anyone else) is skipped with its declarations. Ends with a watch scan.
    """
    from sqlalchemy import select

    from registry.declarations.watch import scan
    from registry.enterprises.models import Enterprise
    from registry.extensions import db
    from registry.standards.models import Standard

    outcomes: Counter[str] = Counter()
    if enterprises <= 0:
        return outcomes
    plan = make_plan(enterprises, declarations, seed, ref)
    have: set[str] = set()
    codes = [e.credit_code for e in plan.enterprises]
    for i in range(0, len(codes), 500):
        have.update(db.session.scalars(select(Enterprise.credit_code).where(
            Enterprise.credit_code.in_(codes[i:i + 500]))))
    todo = [(e, k) for e, k in zip(plan.enterprises, plan.counts, strict=True)
            if e.credit_code not in have]
    outcomes["enterprises skipped"] = len(plan.enterprises) - len(todo)
    # everything a declaration may cite or refer to comes from the catalogue's usable list
    held = _detached(Standard.id, [s.id for s in plan.catalogue.usable])
    with catalogue_in_memory(held):
        for i in range(0, len(todo), BATCH):
            chunk = todo[i:i + BATCH]
            rows = _enterprise_rows([e for e, _ in chunk])
            db.session.add_all(rows)
            db.session.flush()
            pairs = [(row, d) for row, (ent, k) in zip(rows, chunk, strict=True)
                     for d in plan.planner.plan(ent, k)]
            specs = [d for _, d in pairs]
            write_declarations(pairs, held)
            db.session.commit()
            outcomes["enterprises"] += len(rows)
            outcomes["declarations"] += len(specs)
            outcomes.update(f"state:{d.state}" for d in specs)
            outcomes["editions"] += sum(len(d.editions) for d in specs)
            if progress:
                progress(len(chunk))
    outcomes["watch flags"] = scan()
    db.session.commit()
    return outcomes


def _sizes() -> tuple[int, int, int]:
    """(enterprises, declarations, seed): environment first, else scaled to ``--count``."""
    import click

    ctx = click.get_current_context(silent=True)
    count = ctx.params.get("count") if ctx is not None else None
    scale = 1.0 if count is None else count / 1500
    seed = ctx.params.get("seed", 0) if ctx is not None else 0
    ents = os.environ.get("REGISTRY_DEMO_ENTERPRISES")
    decls = os.environ.get("REGISTRY_DEMO_DECLARATIONS")
    n_ents = int(ents) if ents else round(DEFAULT_ENTERPRISES * scale)
    n_decls = int(decls) if decls else round(DEFAULT_DECLARATIONS * scale)
    return n_ents, n_decls, int(os.environ.get("REGISTRY_DEMO_SEED") or seed or 0)


def demo_hook() -> None:
    """``registry demo``'s step after the catalogue: enterprises and declarations."""
    import time

    import click

    n_ents, n_decls, seed = _sizes()
    if n_ents <= 0:
        return
    started = time.perf_counter()
    with click.progressbar(length=n_ents, label="演示企业与声明 / demo declarations",
                           show_pos=True) as bar:
        try:
            out = load_demo_declarations(n_ents, n_decls, seed, progress=bar.update)
        except DemoDataError as exc:
            from registry.extensions import db

            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
    seconds = time.perf_counter() - started
    if out["enterprises"] == 0:
        click.echo(f"演示企业已存在（{out['enterprises skipped']} 家），未新增声明")
        return
    click.echo(
        f"演示企业 {out['enterprises']} 家、声明 {out['declarations']} 条（公开 "
        f"{out['state:published']}，废止 {out['state:withdrawn']}，草稿 {out['state:draft']}；"
        f"版本 {out['editions']}），标准变更提醒 {out['watch flags']} 条，用时 {seconds:.1f} 秒")


def _register() -> None:
    from registry.demo import cli

    if demo_hook not in cli.after_demo_hooks:
        cli.after_demo_hooks.insert(0, demo_hook)  # before the search index is rebuilt


_register()
