"""The catalogue as the declarations planner sees it: standards in memory, by product.

Read once per plan; declarations cite what was current on their publication day, and the
watch list's cases come from editions that have since been replaced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from registry.demo.declarations.products import EXCLUDED_TITLE_WORDS, _topics
from registry.extensions import db
from registry.standards.models import Adoption, Replacement, Standard, StandardICS

FIRST_DAY = dt.date(2017, 1, 1)  # the platform's declarations start here


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
