"""Plans (规划) and their indicators: recording them, who sees and edits them, and progress.

Progress of an indicator on a day ``on``:

* value — from its computation (``computations.COMPUTATIONS``, live) or, when it has none
  (or the computation is not available yet), the value entered by hand with its evidence
  and date; no value → status ``no_value``.
* ratio = value ÷ target (for ≤/< targets: target ÷ value) — the bar's length, capped at 1
  on the page.
* status: **met** when the value satisfies the target's comparison (≥ ≤ > <); otherwise
  **behind** once the deadline (the indicator's, else the plan's end) has passed; otherwise
  **on track** when the value has reached the straight line from the baseline at the period's
  start to the target at the deadline, at the elapsed share of that time
  (``expected = baseline + (target − baseline) × elapsed``, elapsed = days since the period's
  start ÷ days from start to deadline, clamped to 0–1; ≥/> need value ≥ expected, ≤/< need
  value ≤ expected). Without a baseline the line starts at 0 (counts of new things); a ≤/<
  target without a baseline has no line: not met is behind. Else **behind**.

Scope: the public (and members) see published plans — their indicators are aggregates
(counts and rates, never an enterprise's output); officers also see every plan of their
region and below and edit those; administrators see and edit all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select

from registry import audit
from registry.accounts.models import User
from registry.enterprises.services import can_oversee
from registry.errors import Forbidden, NotFound, ValidationError
from registry.extensions import db, utcnow
from registry.identifiers import region_prefix
from registry.paging import Page, paginate
from registry.reports.computations import COMPUTATIONS, Value
from registry.reports.definitions import Definition, Rule
from registry.reports.models import Plan, PlanIndicator

COMPARISONS = {"ge": "≥", "le": "≤", "gt": ">", "lt": "<"}
KINDS = ("binding", "expected")
STATUSES = ("met", "on_track", "behind", "no_value")
PLAN_FIELDS = ("name", "region_code", "period_start", "period_end", "source_document",
               "published")
INDICATOR_FIELDS = ("name", "unit", "baseline", "target", "comparison", "kind", "deadline",
                    "computation", "params", "manual_value", "evidence", "value_date")

PLAN_PROGRESS_V1 = Definition(
    name="plan-progress", version=1,
    title_zh="规划指标进度（平台口径 第1版）", title_en="Plan indicator progress (registry definition v1)",
    params={"statuses": list(STATUSES)},
    rules=(
        Rule("value", "数值：绑定计算方式的指标按平台实时数据计算（各计算方式的计数方法见指标旁说明）；"
             "其余为手工填报的数值，附依据和日期。",
             "Value: computed live from the registry's data for indicators bound to a "
             "computation (each says how it counts); otherwise the value entered by hand, with "
             "its evidence and date."),
        Rule("ratio", "完成度 = 数值 ÷ 目标值（“≤/<”类目标为 目标值 ÷ 数值）。",
             "Ratio = value ÷ target (for ≤/< targets: target ÷ value)."),
        Rule("met", "已达标：数值满足目标的比较方式（≥、≤、>、<）。",
             "Met: the value satisfies the target's comparison (≥ ≤ > <)."),
        Rule("on_track", "进度正常：未达标、期限（指标期限，否则规划期末）未到，"
             "且数值已达到从规划期初的基期值到期限时目标值的直线在当前已过时间比例处的值"
             "（应达值 = 基期值 + (目标值 − 基期值) × 已过时间比例）；"
             "无基期值按 0 计（“≤/<”类目标无基期值时不作判断，未达标即滞后）。",
             "On track: not met, the deadline (the indicator's, else the plan's end) not "
             "passed, and the value has reached the straight line from the baseline at the "
             "period's start to the target at the deadline at the elapsed share of the time "
             "(expected = baseline + (target − baseline) × elapsed); no baseline counts as 0 "
             "(a ≤/< target without a baseline has no line: not met is behind)."),
        Rule("behind", "滞后：其余情况，包括期限已过仍未达标。", "Behind: otherwise, including a "
             "deadline passed without meeting the target."),
        Rule("scope", "公众可见已公开规划的指标进度（均为汇总数）；监管人员另可见本辖区及下级地区的全部规划"
             "并可编辑；管理员可见并编辑全部。",
             "The public sees published plans' progress (aggregates only); officers also see "
             "and edit every plan of their region and below; administrators all."),
    ),
)


def today() -> dt.date:
    """Beijing's date now (plans are dated in Beijing time)."""
    return (utcnow() + dt.timedelta(hours=8)).date()


# -- who may ---------------------------------------------------------------------------------

def can_edit(user: User | None, region: str) -> bool:
    return user is not None and user.role in ("officer", "admin") and can_oversee(user, region)


def require_edit(user: User | None, region: str) -> None:
    if not can_edit(user, region):
        raise Forbidden("只能为本辖区（及下级地区）制定和修改规划")


def _visible(viewer: User | None) -> Any:
    if viewer is not None and viewer.role == "admin":
        return True
    if viewer is not None and viewer.role == "officer" and viewer.region_code:
        return or_(Plan.published.is_(True), Plan.region_code.startswith(
            region_prefix(viewer.region_code), autoescape=True))
    return Plan.published.is_(True)


def list_plans(viewer: User | None, region: str | None = None, page: int = 1,
               per_page: int = 20) -> Page:
    stmt = select(Plan).where(_visible(viewer))
    if region:
        stmt = stmt.where(Plan.region_code.startswith(region_prefix(region), autoescape=True))
    return paginate(stmt, page, per_page, Plan.period_end.desc(), Plan.id)


def get_plan(plan_id: int, viewer: User | None) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None or not (plan.published or can_oversee(viewer, plan.region_code)):
        raise NotFound("规划不存在")
    return plan


def get_indicator(plan: Plan, indicator_id: int) -> PlanIndicator:
    ind = db.session.get(PlanIndicator, indicator_id)
    if ind is None or ind.plan_id != plan.id:
        raise NotFound("规划指标不存在")
    return ind


# -- changes (audited) ------------------------------------------------------------------------

def _audit(actor: User | None, action: str, entity: str, entity_id: int, region: str,
           **detail: Any) -> None:
    entry = audit.record(actor, action, entity, entity_id, **detail)
    entry.region_code = region


def create_plan(data: dict[str, Any], actor: User, source: str = "web") -> Plan:
    require_edit(actor, data["region_code"])
    plan = Plan(**{k: data[k] for k in PLAN_FIELDS if k in data}, source=source,
                created_by_id=actor.id)
    db.session.add(plan)
    db.session.flush()
    for n, ind in enumerate(data.get("indicators") or [], 1):
        plan.indicators.append(PlanIndicator(position=n, **_indicator_values(ind)))
    db.session.flush()
    _audit(actor, "plan.create", "plan", plan.id, plan.region_code, name=plan.name)
    return plan


def update_plan(plan: Plan, data: dict[str, Any], actor: User) -> Plan:
    require_edit(actor, plan.region_code)
    if "region_code" in data:
        require_edit(actor, data["region_code"])
    start = data.get("period_start", plan.period_start)
    end = data.get("period_end", plan.period_end)
    if end < start:
        raise ValidationError("规划信息有误", {"period_end": ["结束日期不能早于开始日期"]})
    for key in PLAN_FIELDS:
        if key in data:
            setattr(plan, key, data[key])
    db.session.flush()
    _audit(actor, "plan.update", "plan", plan.id, plan.region_code,
           fields=sorted(k for k in data if k in PLAN_FIELDS))
    return plan


def _indicator_values(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: data.get(k) for k in INDICATOR_FIELDS}
    out["params"] = dict(data.get("params") or {})
    out["comparison"] = out["comparison"] or "ge"
    out["kind"] = out["kind"] or "expected"
    return out


def add_indicator(plan: Plan, data: dict[str, Any], actor: User) -> PlanIndicator:
    require_edit(actor, plan.region_code)
    ind = PlanIndicator(position=len(plan.indicators) + 1, **_indicator_values(data))
    plan.indicators.append(ind)
    db.session.flush()
    _audit(actor, "plan.indicator", "plan", plan.id, plan.region_code, indicator=ind.id,
           name=ind.name)
    return ind


def update_indicator(ind: PlanIndicator, data: dict[str, Any], actor: User) -> PlanIndicator:
    require_edit(actor, ind.plan.region_code)
    for key, value in _indicator_values(data).items():
        setattr(ind, key, value)
    db.session.flush()
    _audit(actor, "plan.indicator", "plan", ind.plan_id, ind.plan.region_code,
           indicator=ind.id, name=ind.name)
    return ind


# -- progress -----------------------------------------------------------------------------------

def satisfies(value: float, comparison: str, target: float) -> bool:
    return {"ge": value >= target, "le": value <= target, "gt": value > target,
            "lt": value < target}[comparison]


@dataclass(frozen=True)
class Progress:
    indicator: PlanIndicator
    value: float | None
    origin: str  # computed | manual | none
    detail: dict[str, Any]
    ratio: float | None
    elapsed: float
    expected: float | None
    status: str
    on: dt.date

    @property
    def bar(self) -> int:
        """The bar's length in percent (0–100)."""
        return 0 if self.ratio is None else max(0, min(100, round(self.ratio * 100)))

    def as_dict(self) -> dict[str, Any]:
        ind = self.indicator
        comp = COMPUTATIONS.get(ind.computation or "")
        return {
            "id": ind.id, "name": ind.name, "unit": ind.unit, "baseline": ind.baseline,
            "target": ind.target, "comparison": ind.comparison, "kind": ind.kind,
            "deadline": (ind.deadline or ind.plan.period_end).isoformat(),
            "computation": ind.computation, "params": dict(ind.params or {}),
            "how": {"zh": comp.how_zh, "en": comp.how_en} if comp else None,
            "value": self.value, "origin": self.origin, "detail": self.detail,
            "evidence": ind.evidence if self.origin == "manual" else None,
            "value_date": ind.value_date.isoformat()
            if self.origin == "manual" and ind.value_date else None,
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "elapsed": round(self.elapsed, 4),
            "expected": None if self.expected is None else round(self.expected, 4),
            "status": self.status, "as_of": self.on.isoformat()}


def indicator_value(ind: PlanIndicator, on: dt.date) -> tuple[float | None, str, dict[str, Any]]:
    comp = COMPUTATIONS.get(ind.computation or "")
    if comp is not None:
        val: Value = comp.fn(ind.plan, dict(ind.params or {}), on)
        if val.available:
            return val.value, "computed", val.detail
    if ind.manual_value is not None:
        return ind.manual_value, "manual", {}
    return None, "none", {}


def assess(ind: PlanIndicator, value: float | None, on: dt.date) -> tuple[
        float | None, float, float | None, str]:
    """(ratio, elapsed share, expected value now, status) — the rule in the module docstring."""
    start = ind.plan.period_start
    deadline = ind.deadline or ind.plan.period_end
    span = max(1, (deadline - start).days)
    elapsed = min(1.0, max(0.0, (on - start).days / span))
    rising = ind.comparison in ("ge", "gt")
    if rising or ind.baseline is not None:
        base = ind.baseline if ind.baseline is not None else 0.0
        expected: float | None = base + (ind.target - base) * elapsed
    else:
        expected = None
    if value is None:
        return None, elapsed, expected, "no_value"
    if rising:
        ratio = value / ind.target if ind.target else None
    else:
        ratio = ind.target / value if value else (1.0 if ind.target >= 0 else None)
    if satisfies(value, ind.comparison, ind.target):
        return ratio, elapsed, expected, "met"
    if on > deadline or expected is None:
        return ratio, elapsed, expected, "behind"
    ok = value >= expected if rising else value <= expected
    return ratio, elapsed, expected, "on_track" if ok else "behind"


def progress(ind: PlanIndicator, on: dt.date | None = None) -> Progress:
    on = on or today()
    value, origin, detail = indicator_value(ind, on)
    ratio, elapsed, expected, status = assess(ind, value, on)
    return Progress(ind, value, origin, detail, ratio, elapsed, expected, status, on)


def plan_progress(plan: Plan, on: dt.date | None = None) -> list[Progress]:
    on = on or today()
    return [progress(ind, on) for ind in plan.indicators]


def plan_dict(plan: Plan, viewer: User | None, on: dt.date | None = None,
              with_progress: bool = True) -> dict[str, Any]:
    """A plan as the API answers it (and the export writes it)."""
    out: dict[str, Any] = {
        "id": plan.id, "name": plan.name, "region_code": plan.region_code,
        "period_start": plan.period_start.isoformat(), "period_end": plan.period_end.isoformat(),
        "source_document": plan.source_document, "published": plan.published,
        "example": plan.source == "demo", "editable": can_edit(viewer, plan.region_code)}
    if with_progress:
        rows = plan_progress(plan, on)
        out["indicators"] = [p.as_dict() for p in rows]
        out["as_of"] = (on or today()).isoformat()
    return out
