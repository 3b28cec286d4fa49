"""Watch: declarations citing a standard that is replaced or abolished get flagged."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from registry.declarations.models import Declaration, EditionStandard, WatchFlag
from registry.extensions import db, utcnow
from registry.standards.models import Standard
from registry.standards.services import successors_of


def _citing(standard_ids: list[int]) -> list[tuple[int, int]]:
    """(declaration id, standard id) for published declarations whose current edition cites."""
    rows = db.session.execute(
        select(Declaration.id, EditionStandard.standard_id)
        .join(EditionStandard, EditionStandard.edition_id == Declaration.current_edition_id)
        .where(EditionStandard.standard_id.in_(standard_ids),
               Declaration.state == "published"))
    return [(r[0], r[1]) for r in rows]


def flag_citing(standard: Standard) -> int:
    """Flag every declaration citing ``standard`` if it has an end date; returns new flags."""
    if standard.withdrawn_on is None:
        return 0
    event = "replaced" if standard.end_kind == "replaced" else "abolished"
    newer = successors_of(standard)
    successor = newer[-1].number if newer else None
    have = set(db.session.execute(
        select(WatchFlag.declaration_id).where(WatchFlag.standard_id == standard.id,
                                               WatchFlag.event == event)).scalars())
    created = 0
    for decl_id, _ in _citing([standard.id]):
        if decl_id in have:
            continue
        db.session.add(WatchFlag(declaration_id=decl_id, standard_id=standard.id, event=event,
                                 effective_on=standard.withdrawn_on, successor=successor))
        created += 1
    if created:
        db.session.flush()
    return created


def scan() -> int:
    """Flag citations of every catalogued standard that has an end date (idempotent)."""
    cited = select(EditionStandard.standard_id).join(
        Declaration, Declaration.current_edition_id == EditionStandard.edition_id).distinct()
    ended = db.session.scalars(select(Standard).where(Standard.id.in_(cited),
                                                      Standard.withdrawn_on.is_not(None)))
    return sum(flag_citing(s) for s in ended)


def resolve_flags(decl: Declaration) -> None:
    """Close flags whose standard the current edition no longer cites."""
    if decl.current_edition is None:
        return
    cited = {s.standard_id for s in decl.current_edition.standards}
    # query, not decl.flags: flags added earlier in this transaction may not be loaded there
    open_rows = db.session.scalars(select(WatchFlag).where(
        WatchFlag.declaration_id == decl.id, WatchFlag.resolved_at.is_(None)))
    for flag in open_rows:
        if flag.standard_id not in cited:
            flag.resolved_at = utcnow()


def open_flags_for(enterprise_id: int) -> list[WatchFlag]:
    """Unresolved flags on the enterprise's declarations, newest first (its dashboard)."""
    return list(db.session.scalars(
        select(WatchFlag).join(Declaration, Declaration.id == WatchFlag.declaration_id)
        .where(Declaration.enterprise_id == enterprise_id, WatchFlag.resolved_at.is_(None))
        .order_by(WatchFlag.id.desc())))


_installed = False


def install_watch() -> None:
    """Flag citing declarations in the same transaction that ends a standard's validity.

    Whatever path changes the catalogue (API, import, demo), a changed end date or end kind
    is noted at flush and the flags are written just before the commit.
    """
    global _installed
    if _installed:
        return


    @event.listens_for(Session, "after_flush")
    def _note(session: Session, _ctx: Any) -> None:
        for obj in session.dirty:
            if isinstance(obj, Standard) and obj.withdrawn_on is not None:
                state: Any = inspect(obj)
                if (state.attrs.withdrawn_on.history.has_changes()
                        or state.attrs.end_kind.history.has_changes()):
                    session.info.setdefault("watch_standards", set()).add(obj.id)

    @event.listens_for(Session, "before_commit")
    def _flag(session: Session) -> None:
        ids = session.info.pop("watch_standards", None)
        if not ids:
            return
        for std in session.scalars(select(Standard).where(Standard.id.in_(ids))):
            flag_citing(std)

    _installed = True
