"""The one list of this package's patches to Whoosh's classes, and the way to undo them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

Patch = Callable[[Any, str, Any], None]


@dataclass(frozen=True)
class Patched:
    owner: Any  # the Whoosh class
    name: str
    whooshs: Any  # its own attribute (None: inherited, restored by deleting ours)
    ours: Any


PATCHES: list[Patched] = []  # every patch, recorded once when first installed


def patch(owner: Any, name: str, new: Any) -> None:
    """Replace ``owner.name`` with ``new``, remembering Whoosh's own."""
    PATCHES.append(Patched(owner, name, owner.__dict__.get(name), new))
    setattr(owner, name, new)


def _put_back(chosen: list[Patched]) -> None:
    for p in chosen:
        if p.whooshs is None:
            if p.name in p.owner.__dict__:
                delattr(p.owner, p.name)
        else:
            setattr(p.owner, p.name, p.whooshs)


def _apply(chosen: list[Patched]) -> None:
    for p in chosen:
        setattr(p.owner, p.name, p.ours)


def reapply() -> None:
    """Put every recorded patch (back) in place."""
    _apply(PATCHES)


def restore() -> None:
    """Whoosh's own code for every patched attribute, until ``reapply``."""
    _put_back(PATCHES)


def is_patched(p: Patched) -> bool:
    return p.owner.__dict__.get(p.name) is p.ours


@contextmanager
def originals(*names: str) -> Iterator[None]:
    """Whoosh's own code for the duration (tests and ``bench/index_profile.py`` compare what
    both write): every patched attribute, or only those with these names (e.g.
    ``"add_postings"``). Patches that were in place are put back afterwards."""
    chosen = [p for p in PATCHES if (not names or p.name in names) and is_patched(p)]
    _put_back(chosen)
    try:
        yield
    finally:
        _apply(chosen)
