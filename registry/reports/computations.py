"""The named computations a plan indicator can be bound to: each a small function of
(the plan, the indicator's parameters, the day it is computed for), returning a value that
updates live. ``COMPUTATIONS`` is the one registry; each entry says how it counts (Chinese
and English) — pages, API answers and exports show that text beside the value.

Attribution of catalogue standards to a region (``zzb_standards``, ``drafted_standards``):
the catalogue names its drafting organisations (``Standard.drafting_orgs``, as printed in
the standard's foreword); a standard counts for the region when **at least one drafting
organisation's name equals the registered name of an enterprise of the region** (and below),
after removing spaces and unifying full-width/half-width brackets. Limits, said plainly:
an enterprise that drafted under a former name, a branch or an abbreviation is missed; an
organisation that is not a registered enterprise (an institute, an association) is never
counted; a catalogue record without drafting organisations counts nowhere. A standard
drafted by several enterprises of the region counts once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, func, select

from registry.declarations.models import Declaration
from registry.enterprises.models import Enterprise
from registry.enterprises.services import industry_clause
from registry.extensions import db
from registry.identifiers import region_prefix
from registry.reports import spotchecks
from registry.reports.adoption import figures_for
from registry.reports.models import Plan
from registry.reports.scoping import Scope
from registry.standards.models import Standard

LEVELS = ("international", "national", "industry", "local", "group", "enterprise")
BEIJING = dt.timedelta(hours=8)
CERTIFICATE_KINDS = ("浙江制造", "品字标")


@dataclass(frozen=True)
class Value:
    """A computed value; ``value`` None when there is nothing to count yet (or the
    computation is not available)."""

    value: float | None
    detail: dict[str, Any]
    available: bool = True


@dataclass(frozen=True)
class Computation:
    key: str
    title_zh: str
    title_en: str
    how_zh: str
    how_en: str
    unit: str
    params: tuple[str, ...]  # the parameters it takes: industry, enterprises, levels
    fn: Callable[[Plan, dict[str, Any], dt.date], Value]

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title_zh": self.title_zh, "title_en": self.title_en,
                "how_zh": self.how_zh, "how_en": self.how_en, "unit": self.unit,
                "params": list(self.params)}


def _in_region(plan: Plan) -> Any:
    return Enterprise.region_code.startswith(region_prefix(plan.region_code), autoescape=True)


def _upto(plan: Plan, on: dt.date) -> dt.date:
    return min(plan.period_end, on)


def _utc_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end+1 00:00) Beijing time as naive UTC."""
    return (dt.datetime.combine(start, dt.time()) - BEIJING,
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time()) - BEIJING)


def normalise_name(name: str) -> str:
    return "".join(name.split()).replace("（", "(").replace("）", ")")


def _region_names(plan: Plan, names: Iterable[str]) -> set[str]:
    """Which of ``names`` (normalised) are registered enterprises of the plan's region."""
    wanted = sorted({normalise_name(n) for n in names if n})
    found: set[str] = set()
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        # names are stored as registered; compare normalised forms on both sides
        rows = db.session.scalars(select(Enterprise.name).where(
            _in_region(plan), func.replace(Enterprise.name, " ", "").in_(
                chunk + [c.replace("(", "（").replace(")", "）") for c in chunk])))
        found.update(normalise_name(r) for r in rows)
    return found


def _attributed(plan: Plan, on: dt.date, *where: Any) -> Value:
    end = _upto(plan, on)
    if end < plan.period_start:
        return Value(0, {"standards": []})
    rows = db.session.execute(select(Standard.number, Standard.drafting_orgs).where(
        Standard.issued_on >= plan.period_start, Standard.issued_on <= end, *where)
        .order_by(Standard.number)).all()
    names = _region_names(plan, (o for _, orgs in rows for o in (orgs or [])))
    hits = [num for num, orgs in rows if any(normalise_name(o) in names for o in orgs or [])]
    return Value(len(hits), {"standards": hits[:200], "candidates": len(rows),
                             "issued_from": plan.period_start.isoformat(),
                             "issued_to": end.isoformat()})


def zzb_standards(plan: Plan, params: dict[str, Any], on: dt.date) -> Value:
    return _attributed(plan, on, Standard.level == "group", Standard.org == "ZZB")


def drafted_standards(plan: Plan, params: dict[str, Any], on: dt.date) -> Value:
    levels = [lv for lv in params.get("levels") or LEVELS if lv in LEVELS]
    return _attributed(plan, on, Standard.level.in_(levels))


def adoption_rate(plan: Plan, params: dict[str, Any], on: dt.date) -> Value:
    year = min(plan.period_end.year, on.year - 1)
    ids = params.get("enterprises")
    ent_ids = None
    if ids:
        ent_ids = frozenset(db.session.scalars(select(Enterprise.id).where(
            Enterprise.credit_code.in_(list(ids)))))
    fig = figures_for(Scope(plan.region_code, year, params.get("industry") or None, ent_ids))
    rate = fig.rate
    return Value(None if rate is None else round(rate * 100, 2),
                 {"year": year, "products": fig.products, "adopting": fig.adopting,
                  "definition": "adoption-rate/v1"})


def _enterprises(plan: Plan, params: dict[str, Any]) -> Any:
    stmt = select(Enterprise).where(_in_region(plan))
    if params.get("industry"):
        stmt = stmt.where(industry_clause(params["industry"]))
    return stmt


def certified_enterprises(plan: Plan, params: dict[str, Any], on: dt.date) -> Value:
    stmt = _enterprises(plan, params).with_only_columns(Enterprise.certificates).where(
        func.coalesce(func.length(func.cast(Enterprise.certificates, String)), 0) > 2)
    count = sum(1 for certs in db.session.scalars(stmt)
                if any(_valid_certificate(c, on) for c in certs or []))
    return Value(count, {"as_of": on.isoformat()})


def _valid_certificate(cert: dict[str, Any], on: dt.date) -> bool:
    valid = cert.get("valid_until")
    return cert.get("kind") in CERTIFICATE_KINDS and (not valid or str(valid) >= on.isoformat())


def declaring_enterprises(plan: Plan, params: dict[str, Any], on: dt.date) -> Value:
    sub = select(Declaration.enterprise_id).where(Declaration.state == "published")
    count = db.session.scalar(select(func.count()).select_from(
        _enterprises(plan, params).where(Enterprise.id.in_(sub)).subquery()))
    return Value(int(count or 0), {"as_of": on.isoformat()})


def declarations_published(plan: Plan, params: dict[str, Any], on: dt.date) -> Value:
    end = _upto(plan, on)
    if end < plan.period_start:
        return Value(0, {})
    lo, hi = _utc_bounds(plan.period_start, end)
    stmt = (select(func.count(Declaration.id))
            .join(Enterprise, Enterprise.id == Declaration.enterprise_id)
            .where(_in_region(plan), Declaration.first_published_at >= lo,
                   Declaration.first_published_at < hi))
    if params.get("industry"):
        stmt = stmt.where(industry_clause(params["industry"]))
    return Value(int(db.session.scalar(stmt) or 0),
                 {"from": plan.period_start.isoformat(), "to": end.isoformat()})


def spotcheck_conformity(plan: Plan, params: dict[str, Any], on: dt.date) -> Value:
    end = _upto(plan, on)
    conf = spotchecks.region_conformity(plan.region_code, plan.period_start, end)
    rate = conf.rate
    return Value(None if rate is None else round(rate * 100, 2), conf.as_dict())


def new_leaders(plan: Plan, params: dict[str, Any], on: dt.date) -> Value:
    return Value(None, {}, available=False)


_ATTRIB_ZH = ("起草单位按名称与本地区（含下级地区）登记企业的企业名称比对（去空格、统一全半角括号）；"
              "至少一家一致即计入，同一标准只计一次。曾用名、分支机构、简称以及非企业起草单位无法匹配。")
_ATTRIB_EN = ("drafting organisations are matched by name to enterprises registered in the region "
              "(and below), ignoring spaces and bracket width; one match counts the standard "
              "once. Former names, branches, abbreviations and non-enterprise drafters are missed.")

COMPUTATIONS: dict[str, Computation] = {c.key: c for c in (
    Computation("adoption_rate", "采标率", "Adoption rate",
                "规上企业主导产品采标率（按产品数，口径 adoption-rate/v1），取规划期内最近一个完整年度"
                "（不晚于规划末年）；范围为规划地区，可限定行业或企业名单（如工业园区）。",
                "Count-weighted adoption rate of above-scale enterprises' main products "
                "(adoption-rate/v1) for the last complete year, not after the plan's last year; "
                "the plan's region, optionally one industry or a list of enterprises (a park).",
                "%", ("industry", "enterprises"), adoption_rate),
    Computation("zzb_standards", "新增“浙江制造”标准", "New 浙江制造 (T/ZZB) standards",
                "标准目录中 T/ZZB 团体标准，发布日期在规划期内（至今日），" + _ATTRIB_ZH,
                "T/ZZB group standards of the catalogue issued in the period (up to today); "
                + _ATTRIB_EN, "项", (), zzb_standards),
    Computation("drafted_standards", "本地区企业参与起草的新标准",
                "New standards drafted by enterprises of the region",
                "标准目录中所选级别（默认全部）的标准，发布日期在规划期内（至今日），" + _ATTRIB_ZH,
                "Catalogue standards of the chosen levels (default all) issued in the period "
                "(up to today); " + _ATTRIB_EN, "项", ("levels",), drafted_standards),
    Computation("certified_enterprises", "“品字标”/“浙江制造”认证企业",
                "Enterprises with 品字标 / 浙江制造 certificates",
                "本地区登记企业中持有至少一张类别为“浙江制造”或“品字标”、今日仍在有效期内（或未填写有效期）"
                "证书的企业数（累计，非期内新增）。",
                "Enterprises of the region holding at least one 浙江制造 or 品字标 certificate "
                "valid today (or without an end date); cumulative, not new in the period.",
                "家", ("industry",), certified_enterprises),
    Computation("declaring_enterprises", "已公开自我声明的企业", "Enterprises with published declarations",
                "本地区登记企业中目前至少有一条已公开（未废止）声明的企业数（累计）。",
                "Enterprises of the region with at least one declaration published and not "
                "withdrawn now (cumulative).", "家", ("industry",), declaring_enterprises),
    Computation("declarations_published", "期内公开的声明", "Declarations published in the period",
                "本地区企业首次公开日期在规划期内（北京时间，至今日）的声明数，含其后废止的。",
                "Declarations of the region's enterprises first published in the period "
                "(Beijing time, up to today), including those withdrawn since.",
                "条", ("industry",), declarations_published),
    Computation("spotcheck_conformity", "抽查合格率", "Spot-check conformity rate",
                "规划期内（至今日）在本地区及下级地区非加权抽查中登记的结果：符合数 ÷ 已登记结果数。"
                "加权抽查有意多抽存疑声明，不计入。",
                "Results recorded in the period (up to today) in unweighted draws of the region "
                "and below: conforming ÷ recorded. Weighted draws over-sample questioned "
                "declarations on purpose and are left out.", "%", (), spotcheck_conformity),
    Computation("new_leaders", "新增企业标准“领跑者”", "New enterprise standard leaders",
                "尚未提供：领跑者评估功能建成前，请手工填报并附依据。",
                "Not available yet: until leader rankings exist, enter it by hand with evidence.",
                "家", (), new_leaders),
)}
