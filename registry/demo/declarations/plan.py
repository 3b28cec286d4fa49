"""Declarations drawn for each enterprise: what they cite, their indicators and history.

Plain data (``DeclarationSpec`` with its ``EditionSpec``s); nothing is written here.
Deterministic for the catalogue, the seed and the reference day.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from random import Random
from typing import Any

from registry.demo import demo_reference
from registry.demo.declarations.catalogue import FIRST_DAY, Catalogue, Std
from registry.demo.declarations.enterprises import EnterpriseSpec, generate_enterprises
from registry.demo.declarations.products import (
    AMEND_NOTES,
    LOWER_NOTE,
    METRICS,
    SPECS,
    TOPIC_CODES,
    WITHDRAW_REASONS,
    _topics,
)


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
