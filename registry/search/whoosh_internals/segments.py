"""A live searcher's segments: which readers a refresh may reuse, and pinning their files.

Both work on Whoosh's private reader structures (the table of contents, a segment
reader's per-document files) of the supported version; with another Whoosh version a
refresh opens a fresh reader and nothing is pinned (correct, slower, and exposed again to
the merge race ``pin_files`` closes).
"""

from __future__ import annotations

import time
from typing import Any

from whoosh.reading import EmptyReader, MultiReader, SegmentReader

from registry.search.whoosh_internals.version import supported


def refreshed_reader(ix: Any, old: Any) -> tuple[Any, list[Any]]:
    """A reader over the index's latest commit reusing ``old``'s unchanged segments, and
    its leaf readers.

    Whoosh-reloaded 2.7.5's ``Searcher.refresh()`` adds the old reader's segments to the
    new commit's list: after a merge the live searcher kept the merged-away segments (15
    in memory, 5 on disk; every record listed several times, then ``stored_fields`` failed
    on their deleted files) and it reused a segment's reader even when the new commit had
    deleted documents in it (an updated record listed twice). Here a segment's reader is
    reused only when the commit lists the same segment with the same deletions; ``old``'s
    other readers are closed, so ``old`` must not be used afterwards.
    """
    if not supported():
        fresh = ix.reader()
        old.close()
        return fresh, [r for r, _ in fresh.leaf_readers()]
    reusable: dict[str, Any] = {}
    for reader, _base in old.leaf_readers():
        segment = reader.segment() if hasattr(reader, "segment") else None
        if segment is not None:
            reusable[segment.segment_id()] = reader
    for attempt in range(10):
        toc = ix._read_toc()
        opened: list[Any] = []
        readers: list[Any] = []
        try:
            for segment in toc.segments:
                reader = reusable.get(segment.segment_id())
                if reader is None or reader.segment().deleted_count() != segment.deleted_count():
                    reader = SegmentReader(ix.storage, toc.schema, segment,
                                           generation=toc.generation)
                    opened.append(reader)
                readers.append(reader)
            gone = False
        except OSError:  # a merge removed a file between reading the TOC and opening it
            gone = True
        if gone or not all(pin_files(r) for r in opened):
            for reader in opened:
                reader.close()
            if attempt == 9:
                raise OSError("索引文件在打开时被合并删除，请稍后重试")
            time.sleep(0.05)
            continue
        break
    kept = {id(r) for r in readers}
    for reader in reusable.values():
        if id(reader) not in kept:
            reader.close()
    if not readers:
        return EmptyReader(toc.schema), []
    if len(readers) == 1 and readers[0] in opened:
        return readers[0], readers
    # (a reused reader keeps its old generation: wrapped, the commit's generation is seen)
    return MultiReader(readers, generation=toc.generation), readers


def pin_files(reader: Any) -> bool:
    """Open now every column file a search may read later from ``reader``'s segments.

    Whoosh opens a segment's stored fields, field lengths and sort columns on first use,
    and a writer merging segments deletes their files as it commits. A searcher that had
    not yet touched them then found no file: ``stored_fields`` answered None (a 500,
    "'NoneType' object is not subscriptable", 3 in 1,630 searches under load) and a sort
    column would have read as empty. Open files stay readable after deletion, so each
    file is opened here and the segment's list of columns fixed to what existed then.
    Returns False when a segment's files were already gone (merged away before we got to
    them): the caller reads the newer commit instead.
    """
    if not supported():
        return True
    for leaf, _base in reader.leaf_readers():
        perdoc = getattr(leaf, "_perdoc", None)
        if perdoc is None or getattr(perdoc, "_registry_pinned", False):
            continue
        if not hasattr(perdoc, "_colfiles") or not hasattr(perdoc, "_get_column_file"):
            continue  # another codec: nothing known to pin
        schema = leaf.schema
        names = ["_stored"]
        names += [name for name, fieldobj in schema.items() if fieldobj.column_type]
        names += [f"_{name}_L" for name, fieldobj in schema.items() if fieldobj.scorable]
        known: set[str] = set()
        for name in names:
            if name not in perdoc._colfiles:
                try:
                    perdoc._colfiles[name] = perdoc._get_column_file(name)
                except OSError:
                    continue  # no such column in this segment (or deleted: see below)
            known.add(name)
        if leaf.doc_count_all() and "_stored" not in known:
            return False
        perdoc.has_column = known.__contains__  # this instance only: what was opened
        perdoc._registry_pinned = True
    return True


def open_searcher(ix: Any) -> Any:
    """A searcher over the index's latest commit with its segment files pinned."""
    for _attempt in range(10):
        searcher = ix.searcher()
        if pin_files(searcher.reader()):
            return searcher
        searcher.close()
        time.sleep(0.05)
    raise OSError("索引文件在打开时被合并删除，请稍后重试")
