"""A summary of the adoption rate kept by the same transaction as the declaration writes.

``adoption_facts`` holds, per enterprise and year, what ``adoption.products_query`` would
count for that enterprise at that year's end under ``ADOPTION_V1`` — main products in force,
adopting ones, valued ones and their output values — with the enterprise's region, industry,
name and yearly record (above-scale, not, or none) copied in, so that a report is a GROUP BY
over this one table through a covering index (``adoption.summary_query``) and the
drill-down finds the enterprises of a page from it (``drilldown._summary_window``). Whether
an enterprise counts (above-scale that year) is decided when the report reads the row,
exactly as the live computation decides it per product.

The invariant: for every enterprise E and year Y ≤ ``horizon``, the rows of E equal the live
computation grouped by (E, Y) (no row where E has no main product in force at Y's end), with
E's current region, industry and name and its record for Y. It is kept so:

* every flush that inserts, changes or deletes a ``Declaration``, ``DeclarationEdition``,
  ``EditionStandard`` or ``EnterpriseYear``, or changes an ``Enterprise``, recomputes the rows
  of the enterprises concerned from the live data, in that flush's transaction
  (``after_flush_postexec``): publish, amend, withdraw, delete, yearly facts, whatever
  service did it;
* concurrent writers: on PostgreSQL the recomputation first takes a transaction-scoped
  advisory lock per enterprise (in id order, so no deadlock). The second writer of the same
  enterprise waits until the first commits, and its recomputation — a new statement under
  READ COMMITTED, the default — then sees the first one's rows. (Under REPEATABLE READ or
  SERIALIZABLE the waiting writer would fail with a serialization error instead of writing
  stale rows.) SQLite has one writer at a time;
* changes to the catalogue that can change "adopting": an ``Adoption`` added, changed or
  removed, or a standard's level changed, recompute the enterprises whose declarations cite
  that standard (any edition) — or, above ``MAX_REFRESH`` enterprises or when a standard is
  deleted, mark the summary stale (same transaction); reports then compute live until
  ``registry report summary --rebuild``;
* the migration that creates the tables marks the summary usable on an empty database and
  stale on one with declarations (rebuild once after upgrading); a report for a year after
  ``horizon`` (next year at the last rebuild) computes live: rebuild once a year;
* bulk INSERT/UPDATE/DELETE statements executed through the session on those tables (the
  demo's loader, bulk catalogue writes) mark the summary stale; writes that bypass the
  session altogether (raw SQL on another connection) are not seen: ``registry report
  summary --check`` compares the summary with the live computation.

The rebuild locks the table (PostgreSQL: EXCLUSIVE, writers wait) and recomputes every year
from the earliest publication to ``horizon``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    and_,
    case,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from registry.declarations.models import Declaration, DeclarationEdition, EditionStandard
from registry.enterprises.models import Enterprise
from registry.extensions import db, utcnow
from registry.reports.counting import adopting_flag, in_force_at, in_force_edition
from registry.reports.definitions import ADOPTION_V1, YEAR_END_UTC_OFFSET_HOURS
from registry.reports.models import EnterpriseYear
from registry.standards.models import Adoption, Standard

LOCK_CLASS = 4754_2260  # advisory lock namespace of this summary (PostgreSQL)
# a catalogue change touching more enterprises than this marks the summary stale instead
MAX_REFRESH = 2000


class AdoptionFact(db.Model):  # type: ignore[name-defined]
    """What ``ADOPTION_V1`` counts of one enterprise's main products at one year's end, with
    the enterprise's region, industry, name and yearly record copied in (kept with them), so
    that a report is a GROUP BY over one table read through one index."""

    __tablename__ = "adoption_facts"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True, index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    industry_code: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(200))  # the drill-down's order
    above: Mapped[bool | None] = mapped_column(Boolean)  # the year's record; None: no record
    products: Mapped[int] = mapped_column(Integer)  # main products in force at the year's end
    adopting: Mapped[int] = mapped_column(Integer)  # of them adopting
    valued: Mapped[int] = mapped_column(Integer)  # of them with an output value
    output: Mapped[float] = mapped_column(Float)  # sum of those values (万元)
    output_adopting: Mapped[float] = mapped_column(Float)  # of it, adopting products'

    __table_args__ = (
        # covering: a report reads the year's rows of a region (prefix) without the table
        Index("ix_adoption_facts_report", "year", "region_code", "industry_code", "above",
              "products", "adopting", "valued", "output", "output_adopting", "enterprise_id"),
        # the drill-down's window: the year's rows of a region in page order
        Index("ix_adoption_facts_page", "year", "region_code", "name", "enterprise_id",
              "above", "products", "adopting", "industry_code"),
    )


class AdoptionSummaryState(db.Model):  # type: ignore[name-defined]
    """One row once built: the last year the summary covers, and whether it is stale."""

    __tablename__ = "adoption_summary_state"
    __table_args__ = {"info": {"bookkeeping": True}}  # seeded by its migration: not data

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    horizon: Mapped[int] = mapped_column(Integer)
    stale: Mapped[bool] = mapped_column(Boolean, default=False)
    rebuilt_at: Mapped[dt.datetime] = mapped_column(DateTime)


# -- the computation (the same pieces as adoption.products_query) -----------------------------

def _year_of(ts: dt.datetime) -> int:
    """The first year whose end (Beijing time) comes after ``ts`` (naive UTC)."""
    return (ts + dt.timedelta(hours=YEAR_END_UTC_OFFSET_HOURS)).year


def facts_query(years: Iterable[int], enterprise_ids: Iterable[int] | None = None) -> Any:
    """(enterprise_id, year, products, adopting, valued, output, output_adopting) computed
    live for ``years`` (one statement; the years are a VALUES list joined to the declarations)."""
    # the years as a UNION ALL of one-row SELECTs (SQLite's VALUES cannot name its columns)
    table = union_all(*[select(literal(y, Integer).label("year"),
                               literal(ADOPTION_V1.year_end(y), DateTime).label("cutoff"))
                        for y in sorted(set(years))]).subquery("report_years")
    ed = DeclarationEdition
    value = ed.annual_output_value
    p = (select(Declaration.enterprise_id.label("enterprise_id"), table.c.year.label("year"),
                Enterprise.region_code, Enterprise.industry_code, Enterprise.name,
                EnterpriseYear.above_scale.label("above"),
                adopting_flag(ed).label("adopting"), value.label("value"))
         .select_from(table)
         .join(Declaration, and_(*in_force_at(table.c.cutoff)))
         .join(ed, and_(ed.declaration_id == Declaration.id,
                        ed.number == in_force_edition(table.c.cutoff)))
         .join(Enterprise, Enterprise.id == Declaration.enterprise_id)
         .outerjoin(EnterpriseYear, and_(EnterpriseYear.enterprise_id == Enterprise.id,
                                         EnterpriseYear.year == table.c.year))
         .where(ed.is_main_product.is_(True)))
    if enterprise_ids is not None:
        p = p.where(Declaration.enterprise_id.in_(sorted(enterprise_ids)))
    s = p.subquery()
    valued = s.c.value.is_not(None)
    return (select(s.c.enterprise_id, s.c.year, s.c.region_code, s.c.industry_code, s.c.name,
                   s.c.above, func.count().label("products"),
                   func.sum(s.c.adopting).label("adopting"),
                   func.sum(case((valued, 1), else_=0)).label("valued"),
                   func.sum(case((valued, s.c.value), else_=literal(0.0))).label("output"),
                   func.sum(case((and_(valued, s.c.adopting == 1), s.c.value),
                                 else_=literal(0.0))).label("output_adopting"))
            .group_by(s.c.enterprise_id, s.c.year, s.c.region_code, s.c.industry_code,
                      s.c.name, s.c.above))


_COLUMNS = ("enterprise_id", "year", "region_code", "industry_code", "name", "above",
            "products", "adopting", "valued", "output", "output_adopting")
_FLOATS = 2  # the last two columns: compared within rounding


def state(session: Any = None) -> AdoptionSummaryState | None:
    return (session or db.session).get(AdoptionSummaryState, 1)


def usable_for(year: int) -> bool:
    """Whether a report for ``year`` may read the summary (built, not stale, covers it)."""
    row = db.session.execute(select(AdoptionSummaryState.horizon, AdoptionSummaryState.stale)
                             .where(AdoptionSummaryState.id == 1)).first()
    return row is not None and not row.stale and year <= row.horizon


def default_horizon(now: dt.datetime | None = None) -> int:
    return _year_of(now or utcnow()) + 1


# -- rebuild and check ---------------------------------------------------------------------

def _years(session: Any, horizon: int, enterprise_ids: list[int] | None = None) -> range:
    stmt = select(func.min(Declaration.first_published_at))
    if enterprise_ids is not None:
        stmt = stmt.where(Declaration.enterprise_id.in_(enterprise_ids))
    first = session.scalar(stmt)
    return range(_year_of(first), horizon + 1) if first is not None else range(0)


def rebuild(horizon: int | None = None, session: Any = None) -> int:
    """Recompute every row (one INSERT … SELECT per year); returns the rows written. The
    caller commits."""
    s = session or db.session
    horizon = horizon or default_horizon()
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("LOCK TABLE adoption_facts IN EXCLUSIVE MODE"))
    s.execute(delete(AdoptionFact))
    for y in _years(s, horizon):
        s.execute(insert(AdoptionFact).from_select(list(_COLUMNS), facts_query([y])))
    st = s.get(AdoptionSummaryState, 1)
    if st is None:
        s.add(AdoptionSummaryState(id=1, horizon=horizon, stale=False, rebuilt_at=utcnow()))
    else:
        st.horizon, st.stale, st.rebuilt_at = horizon, False, utcnow()
    s.flush()
    s.execute(text("ANALYZE adoption_facts"))  # the planners' statistics of the new rows
    return s.scalar(select(func.count()).select_from(AdoptionFact)) or 0


def check(session: Any = None) -> list[tuple[Any, ...]]:
    """Differences between the summary and the live computation: (enterprise_id, year,
    summary row or None, live row or None); empty when they agree."""
    s = session or db.session
    st = state(s)
    if st is None:
        return [("not built",)]
    years = _years(s, st.horizon)
    live = {(r[0], r[1]): tuple(r) for r in s.execute(facts_query(years))} if len(years) else {}
    kept = {(r[0], r[1]): tuple(r) for r in s.execute(
        select(*[getattr(AdoptionFact, c) for c in _COLUMNS]))}

    def same(a: tuple[Any, ...] | None, b: tuple[Any, ...] | None) -> bool:
        n = len(_COLUMNS) - _FLOATS
        return a is not None and b is not None and a[:n] == b[:n] and all(
            abs(float(x) - float(y)) <= 1e-6 * max(1.0, abs(float(x))) for x, y in
            zip(a[n:], b[n:], strict=True))

    return [(k[0], k[1], kept.get(k), live.get(k)) for k in sorted(set(live) | set(kept))
            if not same(kept.get(k), live.get(k))]


# -- upkeep in the writers' transaction -----------------------------------------------------

def refresh_enterprises(session: Session, enterprise_ids: Iterable[int]) -> None:
    """Recompute the rows of these enterprises from the live data (their transaction)."""
    conn = session.connection()  # not session.execute: this runs inside a flush
    st = conn.execute(select(AdoptionSummaryState.horizon)
                      .where(AdoptionSummaryState.id == 1)).first()
    if st is None:
        return  # not built: reports compute live
    ids = sorted(set(enterprise_ids))
    if not ids:
        return
    if conn.dialect.name == "postgresql":
        for eid in ids:
            conn.execute(text("SELECT pg_advisory_xact_lock(:c, :e)"), {"c": LOCK_CLASS, "e": eid})
    conn.execute(delete(AdoptionFact).where(AdoptionFact.enterprise_id.in_(ids)))
    years = _years(conn, st.horizon, ids)
    if len(years):
        conn.execute(insert(AdoptionFact).from_select(list(_COLUMNS), facts_query(years, ids)))


def _before_flush_collect(session: Session, _ctx: Any, _instances: Any) -> None:
    """Note what this flush writes (after it, ``session.new``/``dirty`` are empty; the ids
    of new rows are read afterwards)."""
    touched = session.info.setdefault("adoption_touched", ([], set(), [False], set()))
    objs, old_ents, stale, standards = touched
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, (Declaration, DeclarationEdition, EditionStandard, EnterpriseYear)):
            objs.append(obj)
        elif isinstance(obj, Enterprise) and obj not in session.new:
            objs.append(obj)  # its region, industry or name may have changed
            if isinstance(obj, Declaration) and obj not in session.new:
                # moved to another enterprise: the old one's rows change too
                moved: list[Any] = list(inspect(obj).attrs.enterprise_id.history.deleted or ())
                old_ents.update(int(e) for e in moved if e is not None)
        elif isinstance(obj, Adoption):
            standards.add(obj.standard_id if obj.standard_id is not None else obj.standard)
        elif isinstance(obj, Standard) and obj not in session.new:
            if obj in session.deleted:
                stale[0] = True
            elif inspect(obj).attrs.level.history.has_changes():
                standards.add(obj)


def _after_flush_postexec(session: Session, _ctx: Any) -> None:
    touched = session.info.pop("adoption_touched", None)
    if not touched:
        return
    objs, ents, stale, standards = touched
    decls: set[int] = set()
    editions: set[int] = set()
    for obj in objs:  # the loaded values only: never a lazy load inside the flush
        values = inspect(obj).dict
        if isinstance(obj, (Declaration, EnterpriseYear)):
            if values.get("enterprise_id") is not None:
                ents.add(values["enterprise_id"])
        elif isinstance(obj, Enterprise):
            if values.get("id") is not None:
                ents.add(values["id"])
        elif isinstance(obj, DeclarationEdition):
            if values.get("declaration_id") is not None:
                decls.add(values["declaration_id"])
        elif values.get("edition_id") is not None:
            editions.add(values["edition_id"])
    conn = session.connection()
    std_ids = sorted({s if isinstance(s, int) else inspect(s).dict.get("id") for s in standards}
                     - {None})
    if std_ids:  # the catalogue changed what these standards adopt: who cites them?
        citing = list(conn.scalars(
            select(Declaration.enterprise_id).distinct()
            .join(DeclarationEdition, DeclarationEdition.declaration_id == Declaration.id)
            .join(EditionStandard, EditionStandard.edition_id == DeclarationEdition.id)
            .where(EditionStandard.standard_id.in_(std_ids)).limit(MAX_REFRESH + 1)))
        if len(citing) > MAX_REFRESH:
            stale[0] = True  # too many to recompute in a catalogue import: rebuild later
        else:
            ents.update(citing)
    if stale[0]:
        conn.execute(AdoptionSummaryState.__table__.update().values(stale=True))
        return
    if editions:
        decls |= set(conn.scalars(select(DeclarationEdition.declaration_id)
                                  .where(DeclarationEdition.id.in_(sorted(editions)))))
    if decls:
        ents |= set(conn.scalars(select(Declaration.enterprise_id)
                                 .where(Declaration.id.in_(sorted(decls)))))
    if ents:
        refresh_enterprises(session, ents)


# every table the summary's rows are computed from (its copies of the enterprise's region,
# industry, name and yearly record included)
_WATCHED_TABLES = frozenset({"declarations", "declaration_editions", "edition_standards",
                             "adoptions", "standards", "enterprises", "enterprise_years"})


def _on_execute(state: Any) -> None:
    """A bulk INSERT/UPDATE/DELETE through the session (the demo's loader, bulk catalogue
    writes) on a table the summary depends on: no objects to follow, so mark it stale."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _WATCHED_TABLES:
        state.session.connection().execute(
            AdoptionSummaryState.__table__.update().values(stale=True))


_installed = False


def install() -> None:
    """Keep the summary on every session flush (idempotent; called when this module loads,
    so any process that can read the summary also keeps it)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", _before_flush_collect)
    event.listen(Session, "after_flush_postexec", _after_flush_postexec)
    event.listen(Session, "do_orm_execute", _on_execute)
    _installed = True


install()
