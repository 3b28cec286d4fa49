"""Reading a declaration as one viewer may: which editions, which fields, which comparison.

Every face (the pages, the JSON API, feeds) reads through here, so none decides on its own
who sees what. Before, the API hid the annual output value from the public while the page
printed it to anyone, and the two faces compared different editions by default.

* Editions: the published ones; the enterprise's own people also see the draft.
* The annual output value (年产值, used to weight adoption rates) is the enterprise's
  business: shown to its own people, administrators and the officers overseeing its
  region — in an edition, in a comparison, anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.accounts.models import User
from registry.declarations import services
from registry.declarations.checks import Check
from registry.declarations.models import Declaration, DeclarationEdition
from registry.enterprises.services import can_act_for, can_oversee
from registry.errors import NotFound, ValidationError

PRIVATE_FIELDS = ("annual_output_value",)


def may_see_private(viewer: User | None, decl: Declaration) -> bool:
    """Whether ``viewer`` may see a declaration's private fields (the output value)."""
    ent = decl.enterprise
    return can_act_for(viewer, ent) or can_oversee(viewer, ent.region_code)


class EditionView:
    """An edition as one reader sees it: private fields are None for the others."""

    def __init__(self, edition: DeclarationEdition, private: bool) -> None:
        self._edition = edition
        self._private = private
        self.published = edition.published_at is not None
        for name in PRIVATE_FIELDS:
            setattr(self, name, getattr(edition, name) if private else None)

    @property
    def edition(self) -> DeclarationEdition:
        return self._edition

    def snapshot(self) -> dict[str, Any]:
        """The edition's content, private fields left out for this reader."""
        snap = self._edition.snapshot()
        if not self._private:
            for name in PRIVATE_FIELDS:
                snap.pop(name, None)
        return snap

    def __getattr__(self, name: str) -> Any:
        return getattr(self._edition, name)


class DeclarationView:
    """A declaration with the editions ``viewer`` may see (and, after a save, its checks)."""

    def __init__(self, decl: Declaration, viewer: User | None,
                 checks: list[Check] | None = None) -> None:
        self._decl = decl
        self.viewer = viewer
        self.own = can_act_for(viewer, decl.enterprise)
        private = self.own or may_see_private(viewer, decl)
        self.editions = [EditionView(e, private)
                         for e in services.visible_editions(decl, viewer)]
        by_id = {v.id: v for v in self.editions}
        current = decl.current_edition
        self.current_edition = by_id.get(current.id) if current is not None else None
        self.draft = next((v for v in reversed(self.editions) if not v.published), None)
        self.latest = self.current_edition or (self.editions[-1] if self.editions else None)
        self.checks = [c.as_dict() for c in checks or []]

    @property
    def declaration(self) -> Declaration:
        return self._decl

    def edition(self, number: int) -> EditionView:
        """Edition ``number``, if this viewer may see it."""
        for view in self.editions:
            if view.number == number:
                return view
        raise NotFound(f"声明 {self._decl.id} 没有第 {number} 版")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._decl, name)


def read_declaration(decl_id: int, viewer: User | None,
                     checks: list[Check] | None = None) -> DeclarationView:
    """A declaration as ``viewer`` may see it (a draft is 404 for anyone else)."""
    return DeclarationView(services.get_declaration(decl_id, viewer), viewer, checks)


@dataclass
class Comparison:
    old: EditionView
    new: EditionView
    changes: list[dict[str, Any]]


def compare_editions(view: DeclarationView, from_: int | None = None,
                     to: int | None = None) -> Comparison:
    """What changed between two editions the viewer may see.

    Defaults: ``to`` the current edition (the last visible one if none is current),
    ``from`` the visible edition before it. A declaration with one edition has nothing to
    compare (422, as the API always answered; the page answered 404).
    """
    if not view.editions:
        raise NotFound(f"声明 {view.id} 没有可比较的版本")
    if to is None:
        to = (view.current_edition or view.editions[-1]).number
    new = view.edition(to)
    if from_ is None:
        earlier = [e.number for e in view.editions if e.number < new.number]
        if not earlier:
            raise ValidationError("没有更早的版本可比较", {"from": ["该声明只有一个版本"]})
        from_ = earlier[-1]
    old = view.edition(from_)
    return Comparison(old, new, services.diff_snapshots(old.snapshot(), new.snapshot()))
