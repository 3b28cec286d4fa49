"""``registry demo``'s example plans (source 'demo', shown as 示例): a county's 2021–2025 plan
and Zhejiang's 2025 targets, with indicator names and targets as in the published plans
(DOMAIN.md §7). Idempotent: a plan already loaded (same name, source 'demo') is left alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click
from sqlalchemy import select

from registry.demo import DEMO_SOURCE
from registry.extensions import db
from registry.reports.models import Plan, PlanIndicator

D = dt.date
INTL_NATIONAL_INDUSTRY = ["international", "national", "industry"]

DEMO_PLANS: list[dict[str, Any]] = [
    {"name": "嵊州市标准化发展“十四五”规划（示例）", "region_code": "330683",
     "period_start": D(2021, 1, 1), "period_end": D(2025, 12, 31),
     "source_document": "示例：指标名称和目标值按县级“十四五”规划的公开表述",
     "indicators": [
         {"name": "新参与制修订国际、国家、行业标准", "unit": "项", "target": 20, "kind": "expected",
          "computation": "drafted_standards", "params": {"levels": INTL_NATIONAL_INDUSTRY}},
         {"name": "新增“浙江制造”标准", "unit": "项", "target": 10, "kind": "expected",
          "computation": "zzb_standards"},
         {"name": "新增企业标准“领跑者”", "unit": "家", "target": 2, "kind": "expected",
          "computation": "new_leaders"},
         {"name": "规模以上企业主导产品采标率", "unit": "%", "baseline": 79.8, "target": 80,
          "kind": "binding", "computation": "adoption_rate"},
         {"name": "自我声明抽查合格率", "unit": "%", "target": 90, "kind": "expected",
          "computation": "spotcheck_conformity"},
     ]},
    {"name": "浙江省标准化 2025 年目标（示例）", "region_code": "330000",
     "period_start": D(2023, 1, 1), "period_end": D(2025, 12, 31),
     "source_document": "示例：按 浙政办发〔2023〕24号 的 2025 年目标",
     "indicators": [
         {"name": "主导或参与制定国际标准", "unit": "项", "target": 30, "kind": "expected",
          "computation": "drafted_standards", "params": {"levels": ["international"]}},
         {"name": "主导制定国家标准（按起草单位计，含参与）", "unit": "项", "target": 300,
          "kind": "expected", "computation": "drafted_standards",
          "params": {"levels": ["national"]}},
         {"name": "“浙江标准”", "unit": "项", "target": 200, "kind": "expected"},
         {"name": "累计“浙江制造”标准", "unit": "项", "target": 4000, "kind": "expected"},
         {"name": "城市标准化试点", "unit": "个", "target": 20, "kind": "expected"},
         {"name": "“品字标”“浙江制造”认证企业", "unit": "家", "target": 3000, "kind": "expected",
          "computation": "certified_enterprises"},
     ]},
]


def load_demo_plans() -> int:
    """Add the example plans not loaded yet (published); the number added."""
    added = 0
    for spec in DEMO_PLANS:
        have = db.session.scalar(select(Plan.id).where(Plan.name == spec["name"],
                                                       Plan.source == DEMO_SOURCE))
        if have is not None:
            continue
        plan = Plan(**{k: v for k, v in spec.items() if k != "indicators"}, published=True,
                    source=DEMO_SOURCE)
        plan.indicators = [PlanIndicator(position=n, **{"params": {}, **ind})
                           for n, ind in enumerate(spec["indicators"], 1)]
        db.session.add(plan)
        added += 1
    db.session.commit()
    return added


def demo_plans_step() -> None:
    """``registry demo``'s step: example plans (marked 示例)."""
    added = load_demo_plans()
    click.echo(f"示例规划 {added} 个" if added else "示例规划已存在，未新增")
