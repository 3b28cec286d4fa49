"""Transactional outbox: every searchable change writes a change-feed row in its transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from registry.search.models import ChangeFeed
from registry.standards.models import Adoption, Replacement, Standard, StandardICS

# model class -> function giving the (entity, id) pairs to re-index when it changes
_TRACKED: dict[type, Callable[[Any], Iterable[tuple[str, int]]]] = {}
_installed = False


_ENTITY_OF: dict[type, str] = {}  # model class -> the entity whose document it *is*


def track(cls: type, targets: Callable[[Any], Iterable[tuple[str, int]]],
          entity: str | None = None) -> None:
    """Declare that changes to ``cls`` instances touch the search documents ``targets(obj)``.

    ``entity``: the kind of document an instance itself is (deleting it deletes that one).
    """
    _TRACKED[cls] = targets
    if entity:
        _ENTITY_OF[cls] = entity


def _default_targets() -> None:

    track(Standard, lambda s: [("standard", s.id)], entity="standard")
    track(StandardICS, lambda r: [("standard", r.standard_id)] if r.standard_id else [])
    track(Adoption, lambda r: [("standard", r.standard_id)] if r.standard_id else [])
    # a replacement changes the status display of both ends; the predecessor is found by key
    track(Replacement, lambda r: [("standard", r.successor_id)] if r.successor_id else [])


def _collect(session: Session) -> dict[tuple[str, int], str]:
    changes: dict[tuple[str, int], str] = {}
    for op, objs in (("upsert", session.new), ("upsert", session.dirty),
                     ("delete", session.deleted)):
        for obj in objs:
            targets = _TRACKED.get(type(obj))
            if targets is None:
                continue
            if op == "upsert" and obj in session.dirty and not session.is_modified(obj):
                continue
            for entity, entity_id in targets(obj):
                if entity_id is None:
                    continue
                own_delete = op == "delete" and _ENTITY_OF.get(type(obj)) == entity
                key = (entity, int(entity_id))
                if own_delete:
                    changes[key] = "delete"
                else:
                    changes.setdefault(key, "upsert")
    return changes


def record_changes(session: Session, changes: dict[tuple[str, int], str]) -> None:
    """Write change-feed rows on the session's own connection (same transaction)."""
    if not changes:
        return
    session.info["change_feed_written"] = True
    session.connection().execute(
        insert(ChangeFeed),
        [{"entity": e, "entity_id": i, "op": op} for (e, i), op in changes.items()],
    )


def install_change_feed() -> None:
    """Listen to every session flush (idempotent)."""
    global _installed
    if _installed:
        return
    _default_targets()

    @event.listens_for(Session, "after_flush")
    def _after_flush(session: Session, _ctx: Any) -> None:
        record_changes(session, _collect(session))

    _installed = True
