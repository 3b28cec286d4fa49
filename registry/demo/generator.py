"""Generated demo catalogue: plausible but invented standards, deterministic for a seed.

Every record here is made up (numbers, titles, dates, drafting organisations); the loader
marks them ``source='demo'`` and invented organisations carry the suffix ``（示例）``.
The stream is a generator with bounded state, so benchmarks can draw a million records.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from random import Random
from typing import Any

from registry import numbers
from registry.demo.vocabulary import (  # noqa: F401  (re-exported for bench/ and demo)
    _P,
    APPLIANCE_SAFETY,
    BRAND_CHARS,
    CN_PLACES,
    ELECTRIC_TOPICS,
    ENERGY,
    EQUIPMENT,
    GENERIC,
    GIVEN,
    GROUP_ORGS,
    GUIDANCE,
    HARMFUL,
    INTL_PATTERNS,
    LAB_WORDS,
    LOCAL_TC_FIELDS,
    MANDATORY,
    MANDATORY_TOPICS,
    NATURES,
    NO_MOD,
    ORG_MARK,
    OTHER_PROVINCES,
    SCOPES,
    SECTOR_WEIGHTS,
    SERIES_PARTS,
    SURNAMES,
    TOPICS,
    USAGE,
    ZJ_CITIES,
    ZJ_PLACES,
    Pair,
    Pattern,
    Topic,
)

fromordinal = dt.date.fromordinal


def _check_sectors() -> None:
    known = numbers.industry_sectors()
    missing = [s for s in SECTOR_WEIGHTS if s not in known]
    if missing:  # pragma: no cover - data integrity
        raise RuntimeError(f"unknown industry codes in demo vocabulary: {missing}")


# -- helpers ---------------------------------------------------------------------------------

class _Weighted:
    """Weighted choice with a precomputed cumulative table (bisect is much faster than choices)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.items = [p[0] for p in pairs]
        acc = 0.0
        self.cum: list[float] = []
        for _, w in pairs:
            acc += w
            self.cum.append(acc)
        self.total = acc

    def pick(self, r: float) -> Any:
        return self.items[bisect(self.cum, r * self.total)]


def default_reference() -> dt.date:
    """The generator's 'today': the first day of the current month (stable within a month)."""
    return dt.date.today().replace(day=1)


def _fill(pattern: Pattern, mod: Pair, noun: Pair) -> tuple[str, str]:
    zh, en, _ = pattern
    m_en = mod[1]
    mn = f"{m_en}{noun[1]}" if m_en.endswith(" ") or not m_en else f"{noun[1]} {m_en}"
    title_zh = zh.format(m=mod[0], n=noun[0])
    title_en = en.format(mn=mn, MN=mn[:1].upper() + mn[1:], n_en=noun[1],
                         N=noun[1][:1].upper() + noun[1][1:], M=m_en.strip())
    return title_zh, title_en[:1].upper() + title_en[1:]


@dataclass
class _Edition:
    """One edition's year and dates (as proleptic ordinals, converted when the record is built)."""

    year: int
    issued: int
    effective: int
    withdrawn: int | None = None
    end_kind: str | None = None


_JAN1 = {y: dt.date(y, 1, 1).toordinal() for y in range(1900, 2101)}


_DELAYS = {  # (min, max) days between issue and entry into force
    ("national", "mandatory"): (180, 540), ("national", "recommended"): (90, 270),
    ("national", "guidance"): (0, 180), ("industry", "mandatory"): (120, 365),
    ("industry", "recommended"): (60, 240), ("local", None): (30, 120),
    ("group", None): (0, 45), ("international", None): (0, 0),
}
_GAPS = {"national": (4, 9), "industry": (4, 8), "local": (3, 6), "group": (2, 3),
         "international": (5, 7)}  # (minimum years between editions, spread)
_FLOORS = {"national": 1985, "industry": 1990, "local": 2000, "group": 2015,
           "international": 1990}
POOL_SIZE = 250  # invented drafting organisations per topic (and 4x as many drafters)
SCALE = 1500  # the record count sequence-number spacing is tuned for (the demo's default)
# cumulative share of families per level, applied as a shuffled cycle so every level shows up
# early in the stream: national 25 %, industry 35 %, local 15 %, group 20 %, international 5 %
_LEVEL_CYCLE = (["national"] * 5 + ["industry"] * 7 + ["local"] * 3 + ["group"] * 4
                + ["international"])


class _Generator:
    """The generator's state: bounded (counters per prefix, a small pool of ISO/IEC numbers)."""

    def __init__(self, n: int, seed: int, today: dt.date) -> None:
        _check_sectors()
        self.n = n
        self.rng = Random(seed)
        self.r = self.rng.random
        self.today = today
        self.today_ord = today.toordinal()
        self.delays = {(level, nature): (lo, hi - lo + 1)
                       for level in _FLOORS for nature in (None, *NATURES)
                       for lo, hi in [_DELAYS.get((level, nature),
                                                  _DELAYS.get((level, None), (60, 240)))]}
        self.counters: dict[str, list[float]] = {}
        self.filing = 30000 + int(self.r() * 20000)
        self.pool: deque[tuple[str, int, str, str, str]] = deque(maxlen=256)
        self.provinces = numbers.provinces()
        self.sector_pick = _Weighted(list(SECTOR_WEIGHTS.items()))
        self.sector_total = sum(SECTOR_WEIGHTS.values())
        self.group_pick = _Weighted([(k, v[1]) for k, v in GROUP_ORGS.items()])
        self.by_sector = {s: [t for t in TOPICS if s in t.sectors] for s in SECTOR_WEIGHTS}
        self.by_group = {g: [t for t in TOPICS if g in t.groups] for g in GROUP_ORGS}
        self.national_topics = [t for t in TOPICS if t.national and not t.mandatory_only]
        self.mandatory_topics = [t for t in TOPICS if t.key in MANDATORY_TOPICS]
        self.local_topics = [t for t in TOPICS if t.local]
        self.product_topics = [t for t in TOPICS if t.national and not t.mandatory_only
                               and t.key not in ("service", "agri", "safety", "it")]
        self.product_keys = {t.key for t in self.product_topics}
        self.intl_topics = [*self.product_topics, *(t for t in TOPICS if t.key == "it")]
        self.cycle: list[str] = []
        self.people = [self.person() for _ in range(POOL_SIZE * 4)]
        self.orgs: dict[tuple[str, bool], list[str]] = {}

    # -- small random helpers ------------------------------------------------------------
    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.r() * len(seq))]

    def between(self, lo: int, hi: int) -> int:
        return lo + int(self.r() * (hi - lo + 1))

    def seq_for(self, counter: str, start: int, span: int, share: float) -> int:
        """Next sequence number of a prefix (shared by GB, GB/T and GB/Z, by JB and JB/T ...).

        Steps spread the families a default-sized demo expects over ``span`` and shrink as the
        prefix fills up, so numbers stay plausible for a million records and the stream for a
        seed does not depend on ``n`` (a longer run extends a shorter one).
        """
        state = self.counters.get(counter)
        if state is None:
            expected = max(1.0, SCALE * share / 1.5)
            step0 = max(1.0, span / expected)
            state = [start + int(self.r() * step0 * 3), 0, step0, expected]
            self.counters[counter] = state
        value, i, step0, expected = state
        step = max(1, int(step0 / (1 + i / expected)))
        state[0] = int(value) + 1 + int(self.r() * (2 * step - 1))
        state[1] = i + 1
        return int(value)

    def person(self) -> str:
        return self.pick(SURNAMES) + self.pick(GIVEN)

    def sample(self, pool: Sequence[str], k: int) -> list[str]:
        """``k`` consecutive names from a shuffled pool (much cheaper than k picks)."""
        start = int(self.r() * (len(pool) - k))
        return list(pool[start:start + k])

    def org_pool(self, topic: Topic, zhejiang: bool) -> list[str]:
        key = (topic.key, zhejiang)
        pool = self.orgs.get(key)
        if pool is None:
            pool = self.orgs[key] = list(dict.fromkeys(
                self.company(topic, zhejiang) for _ in range(POOL_SIZE)))
        return pool

    def company(self, topic: Topic, zhejiang: bool) -> str:
        place = self.pick(ZJ_PLACES if zhejiang else CN_PLACES)
        r = self.r()
        if r < 0.15:
            where = f"浙江省{topic.org_word}" if zhejiang else place
            return f"{where}{self.pick(LAB_WORDS)}{ORG_MARK}"
        brand = self.pick(BRAND_CHARS) + self.pick(BRAND_CHARS)
        form = "股份有限公司" if r < 0.35 else ("科技有限公司" if r < 0.6 else "有限公司")
        return f"{place}{brand}{topic.org_word}{form}{ORG_MARK}"

    # -- dates -----------------------------------------------------------------------------
    def editions(self, level: str, nature: str | None, count: int, *,
                 newest: int | None = None, since: int = 0) -> list[_Edition]:
        """Dates of ``count`` consecutive editions, oldest first, ending with the newest one."""
        r = self.r
        today = self.today_ord
        delay_lo, delay_span = self.delays[(level, nature)]
        floor = max(_FLOORS[level], since)
        upcoming = newest is None and r() < 0.05
        if upcoming:
            issued = today - int(r() * 151)
            effective = today + 20 + int(r() * 381)
            year = dt.date.fromordinal(issued).year
        else:
            if newest is None:
                newest = self.today.year - 1 - int(r() ** 2 * (self.today.year - floor))
            year = max(floor, min(newest, self.today.year - 1))
            issued = _JAN1[year] + int(r() * 365)
            effective = issued + delay_lo + int(r() * delay_span)
        out = [_Edition(year, issued, effective)]
        gap_lo, gap_span = _GAPS[level]
        while len(out) < count:
            y = out[0].year - gap_lo - int(r() * gap_span)
            if y < floor:
                break
            iss = _JAN1[y] + int(r() * 365)
            eff = min(iss + delay_lo + int(r() * delay_span), out[0].effective - 1)
            out.insert(0, _Edition(y, iss, eff, out[0].effective, "replaced"))
        last = out[-1]
        if not upcoming and r() < 0.07:
            ended = last.effective + 700 + int(r() * 3300)
            if ended < today:
                last.withdrawn, last.end_kind = ended, "abolished"
        return out

    # -- the stream ----------------------------------------------------------------------------
    def run(self) -> Iterator[dict[str, Any]]:
        emitted = 0
        while emitted < self.n:
            if not self.cycle:
                self.cycle = list(_LEVEL_CYCLE)
                self.rng.shuffle(self.cycle)
            level = self.cycle.pop()
            for rec in getattr(self, f"_{level}")(self.n - emitted):
                yield rec
                emitted += 1

    def _edition_count(self, room: int, two: float = 0.2, three: float = 0.08) -> int:
        r = self.r()
        k = 3 if r < three else (2 if r < three + two else 1)
        return min(k, room)

    def _title(self, topic: Topic, pats: Sequence[Pattern]) -> tuple[str, str, str, str]:
        """(title_zh, title_en, scope kind, scope subject)."""
        pat = self.pick(pats)
        mod = self.pick(topic.mods)
        noun = self.pick(topic.nouns)
        zh, en = _fill(pat, mod, noun)
        subject = noun[0] if pat[2] in ("method", "term", "agri") or "{m}{n}" not in pat[0] \
            else mod[0] + noun[0]
        return zh, en, pat[2], subject

    def _family(self, *, level: str, prefix: str, sequences: Sequence[str], topic: Topic,
                nature: str | None, room: int, titles: Sequence[tuple[str, str, str, str]],
                base: dict[str, Any], adopt: float, newest: int | None = None,
                sep: str = "-") -> list[dict[str, Any]]:
        """Editions of one or more numbers (the parts of a series), oldest edition first."""
        out: list[dict[str, Any]] = []
        ics = [self.pick(topic.ics)]
        if self.r() < 0.1:
            extra = self.pick(topic.ics)
            if extra != ics[0]:
                ics.append(extra)
        ccs = None if level == "international" else self.pick(topic.ccs)
        for seq, (title_zh, title_en, kind, subject) in zip(sequences, titles, strict=True):
            if len(out) >= room:
                break
            eds = self.editions(level, nature, self._edition_count(room - len(out)),
                                newest=newest, since=topic.since)
            if len(sequences) > 1:  # the parts of a series mostly come out together
                newest = eds[-1].year
            adoption = self._adoption(eds[-1].year, topic, title_en) \
                if self.r() < adopt else None
            prev: str | None = None
            for ed in eds:
                number = f"{prefix} {seq}{sep}{ed.year}"
                rec = self._record(number, level, topic, nature, title_zh, title_en, kind,
                                   subject, ed, base, ics, ccs)
                if prev:
                    rec["replaces"] = [prev]
                if adoption is not None:
                    a_base, a_year, degree, a_title = adoption
                    if ed is not eds[-1]:  # an older edition adopted an older ISO/IEC edition
                        a_year = min(ed.year - 1, a_year - 3) - int(self.r() * 2)
                    rec["adoptions"] = [{"number": f"{a_base}:{max(a_year, 1980)}",
                                         "degree": degree, "title": a_title}]
                out.append(rec)
                prev = number
        return out

    def _adoption(self, year: int, topic: Topic,
                  title_en: str | None) -> tuple[str, int, str, str] | None:
        r = self.r()
        degree = "IDT" if r < 0.5 else ("MOD" if r < 0.82 else "NEQ")
        if self.pool and self.r() < 0.6:
            base, a_year, _, title_en, key = self.pick(self.pool)
            if a_year < year and key == topic.key:
                return base, a_year, degree, title_en
        if title_en is None:
            noun = self.pick(topic.nouns)[1]
            title_en = noun[:1].upper() + noun[1:]
        electric = topic.key in ELECTRIC_TOPICS and self.r() < 0.8
        base = f"IEC {self.between(61000, 62999)}" if electric \
            else f"ISO {self.between(1000, 9999)}"
        if self.r() < 0.4:
            base += f"-{self.between(1, 6)}"
        return base, year - self.between(1, 3), degree, title_en

    def _record(self, number: str, level: str, topic: Topic, nature: str | None,
                title_zh: str, title_en: str | None, kind: str, subject: str, ed: _Edition,
                base: dict[str, Any], ics: list[str], ccs: str | None) -> dict[str, Any]:
        r = self.r
        if level == "international":
            orgs: list[str] = []
            people: list[str] = []
            scope = None
        else:
            orgs = self.sample(self.org_pool(topic, base.get("_zj", False)), 1 + int(r() * 4))
            people = self.sample(self.people, 2 + int(r() * 7))
            scope = SCOPES[kind].format(doc="本文件" if ed.year >= 2020 else "本标准", t=subject)
        issuing, dept, notice = base["issuer"](ed.year)
        if ed.withdrawn is not None and ed.withdrawn <= self.today_ord:
            status = ed.end_kind or "abolished"
        else:
            status = "upcoming" if ed.effective > self.today_ord else "current"
        issued = fromordinal(ed.issued)
        return {
            "number": number, "title_zh": title_zh, "title_en": title_en, "nature": nature,
            "status": status, "issued_on": issued, "effective_on": fromordinal(ed.effective),
            "withdrawn_on": None if ed.withdrawn is None else fromordinal(ed.withdrawn),
            "end_kind": ed.end_kind, "ics": list(ics),
            "ccs": ccs, "issuing_body": issuing, "responsible_dept": dept,
            "technical_committee": base.get("tc"), "drafting_orgs": orgs, "drafters": people,
            "filing_no": self._filing(ed.year) if base.get("filed") else None,
            "notice_no": notice.format(year=issued.year, k=1 + int(r() * 40)) if notice
            else None,
            "scope": scope, "full_text_url": None, "adoptions": [], "replaces": [],
        }

    def _filing(self, year: int) -> str:
        self.filing += 1 + int(self.r() * 5)
        return f"{self.filing}-{year}"

    # -- levels --------------------------------------------------------------------------------
    def _national(self, room: int) -> list[dict[str, Any]]:
        r = self.r()
        nature = "mandatory" if r < 0.15 else ("guidance" if r < 0.2 else "recommended")
        prefix = {"mandatory": "GB", "recommended": "GB/T", "guidance": "GB/Z"}[nature]
        if nature == "mandatory":
            topic = self.pick(self.mandatory_topics)
            pats: Sequence[Pattern] = topic.mandatory if not topic.mandatory_only \
                else topic.patterns
        else:
            topic = self.pick(self.national_topics)
            pats = topic.patterns if nature == "recommended" else GUIDANCE
        seq = self.seq_for("GB", 10000 if nature != "mandatory" else 5000, 35000, 0.25)
        series = nature == "recommended" and topic.key in self.product_keys and self.r() < 0.12
        titles, seqs = self._titles(topic, pats, seq, series)
        food = topic.key in ("food", "foodtest")
        base = {"issuer": _national_issuer(food, topic.dept),
                "tc": None if food else topic.tc}
        newest = self.today.year - self.between(1, 12) if food else None
        return self._family(level="national", prefix=prefix, sequences=seqs, topic=topic,
                            nature=nature, room=room, titles=titles, base=base,
                            adopt=0 if food else 0.14, newest=newest)

    def _titles(self, topic: Topic, pats: Sequence[Pattern], seq: int,
                series: bool) -> tuple[list[tuple[str, str, str, str]], list[str]]:
        if not series:
            return [self._title(topic, pats)], [str(seq)]
        mod, noun = self.pick(topic.mods), self.pick(topic.nouns)
        zh, en = _fill(("{m}{n}", "{MN}", "product"), mod, noun)
        count = self.between(2, 5)
        titles = [(f"{zh} 第{i}部分：{SERIES_PARTS[i - 1][0]}",
                   f"{en}—Part {i}: {SERIES_PARTS[i - 1][1]}", "product", mod[0] + noun[0])
                  for i in range(1, count + 1)]
        return titles, [f"{seq}.{i}" for i in range(1, count + 1)]

    def _industry(self, room: int) -> list[dict[str, Any]]:
        sector = self.sector_pick.pick(self.r())
        topic = self.pick(self.by_sector[sector])
        mandatory = self.r() < 0.05
        nature = "mandatory" if mandatory else "recommended"
        prefix = sector if mandatory else f"{sector}/T"
        seq = self.seq_for(sector, 1000, 14000, 0.35 * SECTOR_WEIGHTS[sector] / self.sector_total)
        series = not mandatory and topic.key in self.product_keys and self.r() < 0.08
        titles, seqs = self._titles(topic, topic.mandatory if mandatory else topic.patterns,
                                    seq, series)
        base = {"issuer": _industry_issuer(sector), "tc": topic.tc if self.r() < 0.7 else None,
                "filed": True}
        recs = self._family(level="industry", prefix=prefix, sequences=seqs, topic=topic,
                            nature=nature, room=room, titles=titles, base=base, adopt=0.11)
        if self.r() < 0.5:  # many industry records on the platform have no English title
            for rec in recs:
                rec["title_en"] = None
        return recs

    def _local(self, room: int) -> list[dict[str, Any]]:
        zhejiang = self.r() < 0.6
        if zhejiang:
            code = "33"
            if self.r() < 0.3:
                city, city_name = self.pick(ZJ_CITIES)
                code, authority = f"33{city}", city_name
            else:
                authority = self.provinces["33"]
        else:
            code = self.pick(OTHER_PROVINCES)
            authority = self.provinces[code]
        mandatory = len(code) == 2 and self.r() < 0.05
        nature = "mandatory" if mandatory else "recommended"
        prefix = f"DB{code}" if mandatory else f"DB{code}/T"
        topic = self.pick(self.local_topics)
        share = 0.15 * (0.6 * (0.7 if len(code) == 2 else 0.3 / 11) if zhejiang else 0.4 / 12)
        seq = self.seq_for(f"DB{code}", 100 if len(code) == 2 else 10, 1500, share)
        title = self._title(topic, topic.mandatory if mandatory else topic.patterns)
        base = {"issuer": _local_issuer(authority), "filed": True, "_zj": zhejiang,
                "tc": f"{authority}{LOCAL_TC_FIELDS[topic.key]}标准化技术委员会"
                if self.r() < 0.3 else None}
        recs = self._family(level="local", prefix=prefix, sequences=[str(seq)], topic=topic,
                            nature=nature, room=room, titles=[title], base=base, adopt=0)
        for rec in recs:
            rec["title_en"] = None
        return recs

    def _group(self, room: int) -> list[dict[str, Any]]:
        org = self.group_pick.pick(self.r())
        topic = self.pick(self.by_group[org])
        zzb = org == "ZZB"
        seq = self.seq_for(f"T/{org}", 1 if zzb else 1,
                           3000 if zzb else 300, 0.2 * GROUP_ORGS[org][1] / 100)
        width = 4 if zzb else 3
        pats: Sequence[Pattern] = (("{m}{n}", "{MN}", "product"),) if zzb else topic.patterns
        title = self._title(topic, pats)
        name = GROUP_ORGS[org][0]
        base = {"issuer": _group_issuer(name), "_zj": zzb}
        recs = self._family(level="group", prefix=f"T/{org}", sequences=[f"{seq:0{width}d}"],
                            topic=topic, nature=None, room=room, titles=[title], base=base,
                            adopt=0.03)
        if not zzb:
            for rec in recs:
                rec["title_en"] = None
        return recs

    def _international(self, room: int) -> list[dict[str, Any]]:
        topic = self.pick(self.intl_topics)
        if topic.key == "it":
            prefix, counter, start, pats = "ISO/IEC", "ISO", 10000, topic.patterns[:2]
        elif topic.key in ELECTRIC_TOPICS and self.r() < 0.8:
            prefix, counter, start, pats = "IEC", "IEC", 63000, INTL_PATTERNS
        else:
            prefix, counter, start, pats = "ISO", "ISO", 10000, INTL_PATTERNS
        seq = str(self.seq_for(counter, start, 15000, 0.05))
        if self.r() < 0.3:
            seq += f"-{self.between(1, 4)}"
        pat = self.pick(pats)
        zh, en = _fill(pat, self.pick(topic.mods), self.pick(topic.nouns))
        base = {"issuer": _intl_issuer(prefix)}
        recs = self._family(level="international", prefix=prefix, sequences=[seq], topic=topic,
                            nature=None, room=room, titles=[(zh, en, pat[2], zh)],
                            base=base, adopt=0, sep=":")
        if recs and recs[-1]["status"] in ("current", "upcoming"):
            last = recs[-1]
            self.pool.append((f"{prefix} {seq}", int(last["number"].rsplit(":", 1)[1]),
                              zh, en, topic.key))
        return recs


@cache
def _intl_issuer(prefix: str) -> Any:
    body = {"ISO": "国际标准化组织（ISO）", "IEC": "国际电工委员会（IEC）",
            "ISO/IEC": "国际标准化组织/国际电工委员会（ISO/IEC JTC 1）"}[prefix]
    return lambda _year: (body, None, None)


@cache
def _group_issuer(name: str) -> Any:
    return lambda _year: (name, None, None)


@cache
def _national_issuer(food: bool, dept: str) -> Any:
    @cache
    def issuer(year: int) -> tuple[str, str, str]:
        if food:
            body = ("国家卫生健康委员会 国家市场监督管理总局" if year >= 2018 else
                    "中华人民共和国国家卫生和计划生育委员会" if year >= 2013 else
                    "中华人民共和国卫生部")
            return body, "国家卫生健康委员会", "{year}年第{k}号公告"
        body = ("国家市场监督管理总局 国家标准化管理委员会" if year >= 2018 else
                "中华人民共和国国家质量监督检验检疫总局 中国国家标准化管理委员会" if year >= 2001
                else "国家质量技术监督局" if year >= 1998 else "国家技术监督局")
        return body, dept, "中华人民共和国国家标准公告{year}年第{k}号"
    return issuer


# sector -> issuing ministry by period: ((first year, body), ...), newest first
_MIIT = ((2008, "工业和信息化部"), (2003, "国家发展和改革委员会"), (0, "国家经济贸易委员会"))
_INDUSTRY_BODIES: dict[str, tuple[tuple[int, str], ...]] = {
    "JB": _MIIT, "QB": _MIIT, "QC": _MIIT, "HG": _MIIT, "FZ": _MIIT, "SJ": _MIIT, "JC": _MIIT,
    "BB": _MIIT, "YD": _MIIT,
    "YY": ((2018, "国家药品监督管理局"), (2013, "国家食品药品监督管理总局"),
           (0, "国家食品药品监督管理局")),
    "NY": ((2018, "农业农村部"), (0, "农业部")),
    "HJ": ((2018, "生态环境部"), (2008, "环境保护部"), (0, "国家环境保护总局")),
    "JG": ((2008, "住房和城乡建设部"), (0, "建设部")),
    "DL": ((2008, "国家能源局"), (0, "国家发展和改革委员会")),
    "NB": ((2008, "国家能源局"), (0, "国家发展和改革委员会")),
    "AQ": ((2018, "应急管理部"), (0, "国家安全生产监督管理总局")),
    "LY": ((2018, "国家林业和草原局"), (0, "国家林业局")),
    "GH": ((0, "中华全国供销合作总社"),),
    "SB": ((2003, "商务部"), (0, "国内贸易部")),
}


@cache
def _industry_issuer(sector: str) -> Any:
    tiers = _INDUSTRY_BODIES[sector]

    @cache
    def issuer(year: int) -> tuple[str, str, str]:
        body = next(b for since, b in tiers if year >= since)
        return body, body, body + "公告{year}年第{k}号"
    return issuer


@cache
def _local_issuer(authority: str) -> Any:
    @cache
    def issuer(year: int) -> tuple[str, str, None]:
        body = f"{authority}市场监督管理局" if year >= 2019 else f"{authority}质量技术监督局"
        return body, body, None
    return issuer


def generate_standards(n: int, seed: int = 0, *,
                       today: dt.date | None = None) -> Iterator[dict[str, Any]]:
    """Yield ``n`` invented catalogue records shaped like ``StandardInSchema`` input.

    Deterministic for ``(n, seed, today)``; ``today`` (default: the first day of the current
    month) decides which records are upcoming, replaced or abolished. Numbers are unique
    across the stream, and an edition that ``replaces`` another always comes after it.
    """
    if n <= 0:
        return iter(())
    return _Generator(n, seed, today or default_reference()).run()
