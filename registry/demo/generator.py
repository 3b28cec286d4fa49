"""Generated demo catalogue: plausible but invented standards, deterministic for a seed.

Every record here is made up (numbers, titles, dates, drafting organisations); the loader
marks them ``source='demo'`` and invented organisations carry the suffix ``（示例）``.
The stream is a generator with bounded state, so benchmarks can draw a million records.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect
from collections.abc import Iterator, Sequence
from typing import Any

from registry import numbers
from registry.demo.families import Families
from registry.demo.issuers import (
    GROUP_ORGS,
    SECTOR_WEIGHTS,
    group_issuer,
    industry_issuer,
    intl_issuer,
    local_issuer,
    national_issuer,
)
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


# cumulative share of families per level, applied as a shuffled cycle so every level shows up
# early in the stream: national 25 %, industry 35 %, local 15 %, group 20 %, international 5 %
_LEVEL_CYCLE = (["national"] * 5 + ["industry"] * 7 + ["local"] * 3 + ["group"] * 4
                + ["international"])


class _Generator(Families):
    """What each level draws (topic, prefix, number, titles, issuer); see ``Families``."""

    def __init__(self, n: int, seed: int, today: dt.date) -> None:
        _check_sectors()
        super().__init__(seed, today)
        self.n = n
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

    def _title(self, topic: Topic, pats: Sequence[Pattern]) -> tuple[str, str, str, str]:
        """(title_zh, title_en, scope kind, scope subject)."""
        pat = self.pick(pats)
        mod = self.pick(topic.mods)
        noun = self.pick(topic.nouns)
        zh, en = _fill(pat, mod, noun)
        subject = noun[0] if pat[2] in ("method", "term", "agri") or "{m}{n}" not in pat[0] \
            else mod[0] + noun[0]
        return zh, en, pat[2], subject

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
        base = {"issuer": national_issuer(food, topic.dept),
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
        base = {"issuer": industry_issuer(sector), "tc": topic.tc if self.r() < 0.7 else None,
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
        base = {"issuer": local_issuer(authority), "filed": True, "_zj": zhejiang,
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
        base = {"issuer": group_issuer(name), "_zj": zzb}
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
        base = {"issuer": intl_issuer(prefix)}
        recs = self._family(level="international", prefix=prefix, sequences=[seq], topic=topic,
                            nature=None, room=room, titles=[(zh, en, pat[2], zh)],
                            base=base, adopt=0, sep=":")
        if recs and recs[-1]["status"] in ("current", "upcoming"):
            last = recs[-1]
            self.pool.append((f"{prefix} {seq}", int(last["number"].rsplit(":", 1)[1]),
                              zh, en, topic.key))
        return recs


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
