"""The one Whoosh version this package's readers and patches were written against."""

from __future__ import annotations

import whoosh

SUPPORTED_WHOOSH = (2, 7, 5)  # whoosh-reloaded; another version takes Whoosh's own paths


def supported() -> bool:
    """Whether the installed Whoosh is the one whose private formats this package reads."""
    return tuple(whoosh.__version__[:3]) == SUPPORTED_WHOOSH
