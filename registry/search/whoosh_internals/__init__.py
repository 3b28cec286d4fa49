"""Everything that reads or patches whoosh-reloaded's private, version-specific code.

One version (``version.SUPPORTED_WHOOSH``, 2.7.5) is supported. ``install()`` patches
Whoosh's classes for it; it is idempotent and called once from one place
(``registry.search.index.IndexStore``, which every index user goes through), never at
import time. With another Whoosh version nothing is patched, a log line says so once,
and the readers in ``reading`` take Whoosh's public API instead (same answers, slower).
``originals()`` puts Whoosh's own code back for every patched attribute (tests compare
both ways; ``bench/index_profile.py --compare`` times both).

    version.py    SUPPORTED_WHOOSH and ``supported()``: the one version check
    patching.py   the list of patches (Whoosh's attribute, ours), ``originals()``
    fastwrite.py  writing: sorting-pool runs in chunks, field lengths read once,
                  lean ``add_posting``, small posting blocks left uncompressed
    fastdoc.py    writing: a document's terms straight from the analyzer to the pool
    fastpost.py   writing: each term's posting list, term info and term-table row at once
    reading.py    searching: ``skip_to`` by binary search and kept block tables (patched);
                  posting blocks, length and numeric columns, phrase spans read for the
                  numpy engine; memory-mapped index files
    segments.py   a live searcher's refresh (reusing unchanged segments' readers) and
                  pinning a segment's files so a merge cannot delete them under a search
"""

from __future__ import annotations

import logging

import whoosh

from registry.search.whoosh_internals import (
    fastdoc,
    fastpost,
    fastwrite,
    patching,
    reading,
    version,
)
from registry.search.whoosh_internals.patching import PATCHES, originals
from registry.search.whoosh_internals.version import SUPPORTED_WHOOSH, supported

__all__ = ["PATCHES", "SUPPORTED_WHOOSH", "install", "installed", "originals", "supported",
           "uninstall"]

log = logging.getLogger(__name__)
_warned = False


def install() -> bool:
    """Patch Whoosh's writing and skipping code (once; again after ``uninstall``).

    Returns whether the patches are in place: False with a Whoosh other than
    ``SUPPORTED_WHOOSH``, where nothing is patched.
    """
    global _warned
    if not supported():
        if not _warned:
            _warned = True
            log.warning("whoosh %s is not %s: the registry's fast index paths are off "
                        "(Whoosh's own code is used)", whoosh.versionstring(),
                        ".".join(map(str, version.SUPPORTED_WHOOSH)))
        return False
    if not PATCHES:
        for module in (fastwrite, fastdoc, fastpost, reading):
            module.install(patching.patch)
    else:
        patching.reapply()
    return True


def installed() -> bool:
    """Whether every patch is in place now."""
    return bool(PATCHES) and all(patching.is_patched(p) for p in PATCHES)


def uninstall() -> None:
    """Whoosh's own code for every patched attribute (until ``install`` is called again)."""
    patching.restore()
