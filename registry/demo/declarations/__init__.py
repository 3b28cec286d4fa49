"""Demo enterprises and their self-declarations, for ``registry demo`` and the benchmarks.

Everything here is invented: enterprise names end in ``（示例）``, credit codes are valid
but made up, and every row is marked ``source='demo'``. Enterprises spread over every
county-level region of Zhejiang (GB/T 2260 codes under 33) with the province's
traditional industries (GB/T 4754 divisions) clustered where they really are (集成灶 and
领带 in 嵊州, 紧固件 in 海盐, 泵 in 温岭 …). Declarations cite the demo catalogue's
standards by number, current when they were published; some adopt ISO/IEC standards,
some execute the enterprise's own Q/ standard, some were amended or revised, withdrawn,
or still cite an edition that has since been replaced (so the watch list has work).

Each declaration goes through ``DeclarationInSchema`` and ``check_declaration`` (on its
publication date) like a filed one; rows are then written in batches instead of one
``create_declaration`` call each, with the same columns, audit entries and change feed.

Modules: ``products`` (industries, indicator templates), ``enterprises`` (regions, names,
credit codes), ``catalogue`` (the standards in memory), ``plan`` (declarations as plain data),
``write`` (validation and batched inserts); here the loader and the ``registry demo`` hook.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable

import click
from flask import current_app
from sqlalchemy import select

from registry.declarations.watch import scan

# re-exported: tests, bench/ and earlier callers use registry.demo.declarations.<name>
from registry.demo.declarations.catalogue import FIRST_DAY, Catalogue, Std  # noqa: F401
from registry.demo.declarations.enterprises import (  # noqa: F401
    BRAND_CHARS,
    NAME_MARK,
    STREETS,
    SUPERSEDED_REGIONS,
    EnterpriseSpec,
    generate_enterprises,
    zhejiang_counties,
)
from registry.demo.declarations.plan import (  # noqa: F401
    DeclarationSpec,
    DemoPlan,
    EditionSpec,
    allocate,
    make_plan,
    plan_demo,
)
from registry.demo.declarations.products import (  # noqa: F401
    AMEND_NOTES,
    EXCLUDED_TITLE_WORDS,
    LOWER_NOTE,
    METRICS,
    PROFILES,
    SPECS,
    TOPIC_CODES,
    WITHDRAW_REASONS,
    Metric,
    Profile,
)
from registry.demo.declarations.write import (  # noqa: F401
    ACTOR,
    DEMO_SOURCE,
    DemoDataError,
    _detached,
    _enterprise_rows,
    _validated,
    catalogue_in_memory,
    held_standards,
    write_declarations,
)
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.standards.models import Standard

DEFAULT_ENTERPRISES = 1500
DEFAULT_DECLARATIONS = 20_000
BATCH = 100  # enterprises per commit


def load_demo_declarations(enterprises: int = DEFAULT_ENTERPRISES,
                           declarations: int = DEFAULT_DECLARATIONS, seed: int = 0,
                           ref: dt.date | None = None,
                           progress: Callable[[int], None] | None = None) -> Counter[str]:
    """Add the demo enterprises and declarations that are not there yet; commits per batch.

    Idempotent: an enterprise whose credit code is already registered (by the demo or
    anyone else) is skipped with its declarations. Ends with a watch scan.
    """

    outcomes: Counter[str] = Counter()
    if enterprises <= 0:
        return outcomes
    plan = make_plan(enterprises, declarations, seed, ref)
    have: set[str] = set()
    codes = [e.credit_code for e in plan.enterprises]
    for i in range(0, len(codes), 500):
        have.update(db.session.scalars(select(Enterprise.credit_code).where(
            Enterprise.credit_code.in_(codes[i:i + 500]))))
    todo = [(e, k) for e, k in zip(plan.enterprises, plan.counts, strict=True)
            if e.credit_code not in have]
    outcomes["enterprises skipped"] = len(plan.enterprises) - len(todo)
    # everything a declaration may cite or refer to comes from the catalogue's usable list
    held = _detached(Standard.id, [s.id for s in plan.catalogue.usable])
    with catalogue_in_memory(held):
        for i in range(0, len(todo), BATCH):
            chunk = todo[i:i + BATCH]
            rows = _enterprise_rows([e for e, _ in chunk])
            db.session.add_all(rows)
            db.session.flush()
            pairs = [(row, d) for row, (ent, k) in zip(rows, chunk, strict=True)
                     for d in plan.planner.plan(ent, k)]
            specs = [d for _, d in pairs]
            write_declarations(pairs, held)
            db.session.commit()
            outcomes["enterprises"] += len(rows)
            outcomes["declarations"] += len(specs)
            outcomes.update(f"state:{d.state}" for d in specs)
            outcomes["editions"] += sum(len(d.editions) for d in specs)
            if progress:
                progress(len(chunk))
    outcomes["watch flags"] = scan()
    db.session.commit()
    return outcomes


def _sizes() -> tuple[int, int, int]:
    """(enterprises, declarations, seed): ``REGISTRY_DEMO_*`` settings first, else scaled
    to ``--count``."""
    ctx = click.get_current_context(silent=True)
    count = ctx.params.get("count") if ctx is not None else None
    scale = 1.0 if count is None else count / 1500
    seed = ctx.params.get("seed", 0) if ctx is not None else 0
    cfg = current_app.config
    ents, decls = cfg.get("DEMO_ENTERPRISES"), cfg.get("DEMO_DECLARATIONS")
    n_ents = int(ents) if ents is not None else round(DEFAULT_ENTERPRISES * scale)
    n_decls = int(decls) if decls is not None else round(DEFAULT_DECLARATIONS * scale)
    return n_ents, n_decls, int(cfg.get("DEMO_SEED") or seed or 0)


def demo_hook() -> None:
    """``registry demo``'s step after the catalogue: enterprises and declarations."""

    n_ents, n_decls, seed = _sizes()
    if n_ents <= 0:
        return
    started = time.perf_counter()
    with click.progressbar(length=n_ents, label="演示企业与声明 / demo declarations",
                           show_pos=True) as bar:
        try:
            out = load_demo_declarations(n_ents, n_decls, seed, progress=bar.update)
        except DemoDataError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
    seconds = time.perf_counter() - started
    if out["enterprises"] == 0:
        click.echo(f"演示企业已存在（{out['enterprises skipped']} 家），未新增声明")
        return
    click.echo(
        f"演示企业 {out['enterprises']} 家、声明 {out['declarations']} 条（公开 "
        f"{out['state:published']}，废止 {out['state:withdrawn']}，草稿 {out['state:draft']}；"
        f"版本 {out['editions']}），标准变更提醒 {out['watch flags']} 条，用时 {seconds:.1f} 秒")
