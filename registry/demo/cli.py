"""``registry demo``: create or upgrade the database and load the demo catalogue."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError
from sqlalchemy import func, select

from registry import numbers
from registry.database import upgrade_database
from registry.demo import DEMO_SOURCE, DemoDataError, demo_reference
from registry.demo.curated import SOURCE, curated_standards
from registry.demo.declarations import demo_hook
from registry.demo.generator import generate_standards
from registry.demo.years import demo_years_step
from registry.errors import RegistryError
from registry.extensions import db
from registry.reports import summary
from registry.reports.demo_plans import demo_plans_step
from registry.search.cli import index_after_demo
from registry.standards.models import Adoption, Standard
from registry.standards.schemas import StandardInSchema
from registry.standards.services import status_clause, upsert_standard

__all__ = ["DEMO_SOURCE", "demo_command", "demo_reference", "demo_steps", "load_demo"]

BATCH = 500  # records per commit


def demo_steps() -> list[Callable[[], None]]:
    """What ``registry demo`` does after the catalogue, in this order: enterprises and
    their declarations, their yearly facts (for the reports), example plans, the adoption
    report's summary (the loaders write in bulk, which leaves it stale), then the search
    index (built from everything loaded)."""
    return [demo_hook, demo_years_step, demo_plans_step, summary_after_demo, index_after_demo]


def summary_after_demo() -> None:
    """Rebuild the adoption report's summary from what the demo loaded."""
    rows = summary.rebuild()
    db.session.commit()
    click.echo(f"采标率汇总已重建：{rows} 行")


def _items(count: int, seed: int, curated: bool,
           today: dt.date | None) -> Iterator[tuple[dict[str, Any], str]]:
    if curated:
        for rec in curated_standards():
            yield rec, SOURCE
    for rec in generate_standards(count, seed, today=today):
        yield rec, DEMO_SOURCE


def load_demo(count: int = 1500, seed: int = 0, curated: bool = True,
              today: dt.date | None = None,
              progress: Callable[[int], None] | None = None) -> Counter[str]:
    """Load curated and generated records; returns outcome counts. Commits every BATCH rows.

    Records held under another source (an import, the API) are never overwritten: a
    generated number that happens to exist already is skipped, and so is a generated edition
    of a curated (real) standard's number family.
    """

    schema = StandardInSchema()
    today = today or demo_reference()
    outcomes: Counter[str] = Counter()
    ours = (DEMO_SOURCE, SOURCE)
    real_families = {numbers.parse(r["number"]).base_key for r in curated_standards()}
    pending = 0
    for data, source in _items(count, seed, curated, today):
        parsed = numbers.parse(data["number"])
        held = db.session.scalar(
            select(Standard.source).where(Standard.number_key == parsed.key))
        if source == DEMO_SOURCE and parsed.base_key in real_families or (
                held is not None and held != source
                and (held not in ours or source == DEMO_SOURCE)):
            outcomes["skipped"] += 1  # a real record (or a curated one) wins over generated
        else:
            try:
                loaded = schema.load(data)
            except ValidationError as exc:
                raise DemoDataError(f"{data['number']}: {exc.messages}") from exc
            _, outcome = upsert_standard(loaded, source=source)
            outcomes[outcome] += 1
        pending += 1
        if pending >= BATCH:
            db.session.commit()
            if progress:
                progress(pending)
            pending = 0
    db.session.commit()
    if progress and pending:
        progress(pending)
    return outcomes


def demo_summary() -> dict[str, Any]:
    """What the demo sources hold now: counts per level, status, adoptions, 浙江制造."""

    demo = Standard.source.in_((DEMO_SOURCE, SOURCE))

    def count(*where: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(Standard)
                                 .where(demo, *where)) or 0

    levels = dict(db.session.execute(
        select(Standard.level, func.count()).where(demo).group_by(Standard.level)).all())
    return {
        "total": count(),
        "curated": count(Standard.source == SOURCE),
        "levels": levels,
        "zhejiang_made": count(Standard.level == "group", Standard.org == "ZZB"),
        "statuses": {s: count(status_clause(s))
                     for s in ("current", "upcoming", "replaced", "abolished")},
        "adopting": db.session.scalar(
            select(func.count(func.distinct(Adoption.standard_id)))
            .join(Standard, Standard.id == Adoption.standard_id).where(demo)) or 0,
    }


_LEVEL_NAMES = (("national", "国家标准"), ("industry", "行业标准"), ("local", "地方标准"),
                ("group", "团体标准"), ("enterprise", "企业标准"),
                ("international", "国际/国外标准"))
_STATUS_NAMES = (("current", "现行"), ("upcoming", "即将实施"), ("replaced", "被代替"),
                 ("abolished", "废止"))


def _echo_summary(summary: dict[str, Any], outcomes: Counter[str], seconds: float) -> None:
    done = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    click.echo(f"完成 / done in {seconds:.1f}s: {done}")
    click.echo(f"演示目录共 {summary['total']} 条（其中真实标准摘录 {summary['curated']} 条，"
               "其余为生成的虚构数据 source='demo'）")
    for level, label in _LEVEL_NAMES:
        n = summary["levels"].get(level, 0)
        if n:
            extra = f"（浙江制造 {summary['zhejiang_made']}）" if level == "group" else ""
            click.echo(f"  {n:>7}  {level:<14} {label}{extra}")
    click.echo("  " + "  ".join(f"{label} {summary['statuses'][s]}"
                                for s, label in _STATUS_NAMES))
    click.echo(f"  采用国际标准 / adopting ISO·IEC: {summary['adopting']}")


@click.command("demo")
@click.option("--count", default=1500, show_default=True, type=click.IntRange(min=0),
              help="Generated (invented) records to load.")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Random seed; the same seed loads the same records.")
@click.option("--curated/--no-curated", default=True, show_default=True,
              help="Also load the small set of real, well-known standards.")
@with_appcontext
def demo_command(count: int, seed: int, curated: bool) -> None:
    """Create/upgrade the database and load the demo data (generated, marked as such).

    Idempotent: running it again with the same options changes nothing.
    """

    started = time.perf_counter()
    upgrade_database()
    total = count + (len(curated_standards()) if curated else 0)
    try:
        with click.progressbar(length=total, label="载入演示数据 / loading demo data",
                               show_pos=True) as bar:
            outcomes = load_demo(count, seed, curated, progress=bar.update)
    except (RegistryError, DemoDataError) as exc:
        db.session.rollback()
        raise click.ClickException(str(getattr(exc, "message", exc))) from exc
    _echo_summary(demo_summary(), outcomes, time.perf_counter() - started)
    for step in demo_steps():
        step()
