"""CSV and XLSX of a plan's progress, carrying the definitions (plan progress and each
computation's counting rule), the plan and the time of extraction — through the shared
``registry.spreadsheets.writing`` and the adoption report's ``meta_rows``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from registry import labels
from registry.reports.computations import COMPUTATIONS
from registry.reports.exports import definition_rows, meta_rows
from registry.reports.models import Plan
from registry.reports.plans import COMPARISONS, PLAN_PROGRESS_V1, Progress
from registry.spreadsheets import writing
from registry.spreadsheets.writing import Sheet, xlsx_bytes

HEADER = ["指标 indicator", "单位 unit", "类型 type", "基期值 baseline", "比较 comparison",
          "目标值 target", "期限 deadline", "计算方式 computation", "数值 value",
          "来源 origin", "完成度 ratio", "已过时间 elapsed", "应达值 expected",
          "状态 status", "依据 evidence", "填报日期 value date"]
_PCT = (10, 11)
_ORIGIN = {"computed": "实时计算 computed", "manual": "手工填报 manual", "none": "无数值 none"}


def rows(progress: list[Progress]) -> list[list[Any]]:
    out = []
    for p in progress:
        ind = p.indicator
        manual = p.origin == "manual"
        out.append([ind.name, ind.unit or "", labels.text(labels.PLAN_KIND, ind.kind),
                    ind.baseline, COMPARISONS[ind.comparison], ind.target,
                    (ind.deadline or ind.plan.period_end).isoformat(),
                    ind.computation or "", p.value, _ORIGIN[p.origin], p.ratio, p.elapsed,
                    p.expected, labels.text(labels.PLAN_STATUS, p.status),
                    ind.evidence if manual else "",
                    ind.value_date.isoformat() if manual and ind.value_date else ""])
    return out


def _meta(plan: Plan, on: dt.date, access: str, extracted_at: dt.datetime) -> list[list[Any]]:
    filters = {"plan": f"{plan.name}（#{plan.id}）", "region": plan.region_code,
               "period": f"{plan.period_start.isoformat()} – {plan.period_end.isoformat()}",
               "source_document": plan.source_document or "", "as_of": on.isoformat()}
    return meta_rows(PLAN_PROGRESS_V1, filters, access, extracted_at)


def _how(plan: Plan) -> list[list[Any]]:
    used = sorted({i.computation for i in plan.indicators if i.computation})
    return [[f"computation:{k}", COMPUTATIONS[k].how_zh, COMPUTATIONS[k].how_en]
            for k in used if k in COMPUTATIONS]


def plan_export(plan: Plan, progress: list[Progress], on: dt.date, access: str,
                extracted_at: dt.datetime, fmt: str) -> bytes:
    meta = _meta(plan, on, access, extracted_at)
    rules = [["规则 rule", "中文", "English"], *definition_rows(PLAN_PROGRESS_V1), *_how(plan)]
    if fmt == "csv":
        return writing.csv_bytes(HEADER, rows(progress), before=meta, after=rules)
    return xlsx_bytes([
        Sheet("规划指标 progress", HEADER, rows(progress), percent_columns=list(_PCT),
              widths=(30, 8, 10, 10, 6, 10, 12, 22, 12, 16, 10, 10, 12, 10, 30, 12)),
        Sheet("口径 definition", ["项目 item", "内容", "content"], [*meta, [], *rules],
              widths=(26, 70, 70), wrap=True)])
