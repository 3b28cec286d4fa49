"""The mechanics every level of the demo catalogue shares: a family of editions becomes records.

``Families`` holds the generator's bounded state (random stream, counters per prefix, the pool
of ISO/IEC numbers, invented drafting organisations and people) and turns one numbered
family (its topic, titles and issuer) into records: edition dates, adoptions, drafters,
scope, filing and notice numbers. Which families each level draws is ``generator``'s job.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from random import Random
from typing import Any

from registry.demo.vocabulary import (
    BRAND_CHARS,
    CN_PLACES,
    ELECTRIC_TOPICS,
    GIVEN,
    LAB_WORDS,
    NATURES,
    ORG_MARK,
    SCOPES,
    SURNAMES,
    ZJ_PLACES,
    Topic,
)

fromordinal = dt.date.fromordinal


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


class Families:
    """The generator's state: bounded (counters per prefix, a small pool of ISO/IEC numbers)."""

    def __init__(self, seed: int, today: dt.date) -> None:
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

    def _edition_count(self, room: int, two: float = 0.2, three: float = 0.08) -> int:
        r = self.r()
        k = 3 if r < three else (2 if r < three + two else 1)
        return min(k, room)

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
