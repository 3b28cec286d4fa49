"""``registry demo``'s yearly enterprise facts: above-scale status and output value per year.

Invented, like every demo enterprise (``source='demo'``): an enterprise that is above-scale
today became so in a year drawn from its credit code (most have always been), output grows
about 6 % a year, small enterprises stay under the 2,000 万元 threshold. Idempotent: only
demo enterprises without any yearly record get them.
"""

from __future__ import annotations

import math
import random

import click
from sqlalchemy import insert, select

from registry.demo import DEMO_SOURCE, demo_reference
from registry.demo.declarations.catalogue import FIRST_DAY
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.reports.models import EnterpriseYear


def year_rows(ent_id: int, credit_code: str, above_now: bool,
              first: int, last: int) -> list[dict[str, object]]:
    """One enterprise's invented facts for ``first``..``last`` (reproducible per code)."""
    rng = random.Random(credit_code)
    since = first if rng.random() < 0.7 else rng.randint(first + 1, last)
    base = math.exp(rng.gauss(9.3, 0.7)) if above_now else rng.uniform(200, 1800)
    rows = []
    for year in range(first, last + 1):
        above = above_now and year >= since
        value = base * 1.06 ** (year - last)
        if above_now and not above:
            value = min(value, rng.uniform(1200, 1950))
        rows.append({"enterprise_id": ent_id, "year": year, "above_scale": above,
                     "output_value": round(value, 1), "source": DEMO_SOURCE})
    return rows


def load_demo_years() -> int:
    """Add the facts of demo enterprises that have none; the number of rows added."""
    last = demo_reference().year
    have = select(EnterpriseYear.enterprise_id)
    ents = db.session.execute(select(Enterprise.id, Enterprise.credit_code, Enterprise.above_scale)
                              .where(Enterprise.source == DEMO_SOURCE, Enterprise.id.not_in(have))
                              .order_by(Enterprise.id)).all()
    rows = [r for e in ents for r in year_rows(e.id, e.credit_code, e.above_scale,
                                               FIRST_DAY.year, last)]
    for i in range(0, len(rows), 5000):
        db.session.execute(insert(EnterpriseYear), rows[i:i + 5000])
    db.session.commit()
    return len(rows)


def demo_years_step() -> None:
    """``registry demo``'s step: yearly facts of the demo enterprises (for the reports)."""
    added = load_demo_years()
    click.echo(f"演示企业年度信息（规上/产值）{added} 条" if added
               else "演示企业年度信息已存在，未新增")
