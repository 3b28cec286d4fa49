"""Faster index writing for whoosh-reloaded 2.7.5: the same postings, less Python per posting.

A rebuild writes about 80 postings per document (a million documents: 80 million), and
whoosh spends most of its time per posting, not per document. Measured with cProfile on
40,000 bench documents, four steps stood out, each replaced here by one that writes the
same bytes to the index:

* the sorting pool pickled every posting on its own into its temporary run files and
  unpickled each on its own when merging the runs; here a run is written and read in
  chunks of postings (one pickle per chunk, same order);
* the pool's ``add`` asserted the types of every posting and recomputed its size from
  eight terms; here the size estimate is the same sum, computed once per call;
* writing each posting looked up its document's field length through a column reader
  (a bounds check, a file ``get`` and a ``struct`` unpack); here a segment's length
  column is read once per field into a ``bytes`` object and indexed (searches use the
  same look-up when they score, so they gain too);
* the posting writer's ``add_posting`` asserted four types per posting;
* every posting block was zlib-compressed, even one of a single posting (most terms: ids,
  numbers, model names), which only makes it larger: whoosh meant to skip blocks under 20
  bytes but overwrote that choice on the next line. Here blocks whose pickle is under
  ``SMALL_BLOCK`` bytes are stored uncompressed and marked so (readers already honour the
  mark). This one changes bytes on disk, not what they decode to.

Installed once at import (``install``), together with ``fastdoc``'s faster document
analysis; written against these internals only, so nothing is patched for another version
of whoosh. ``originals()`` puts whoosh's own code back for a while (tests compare both).
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

RUN_CHUNK = 4096  # postings per pickle in a temporary run file
SMALL_BLOCK = 64  # posting blocks whose pickle is smaller are not compressed


def install() -> bool:
    import whoosh

    if tuple(whoosh.__version__[:3]) != (2, 7, 5):
        return False
    from whoosh import writing
    from whoosh.codec import whoosh3

    pool_cls: Any = writing.PostingPool
    if getattr(pool_cls, "_registry_fast", False):
        return True
    byte_to_length = whoosh3.byte_to_length
    length_to_byte = whoosh3.length_to_byte

    def _write_run(self: Any, f: Any, items: Any) -> None:
        it = iter(items)
        while True:
            chunk = list(islice(it, RUN_CHUNK))
            if not chunk:
                break
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self: Any, path: str) -> Any:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)

    def add(self: Any, item: Any) -> None:
        # item = (fieldname, tbytes, docnum, weight, vbytes); same size estimate as whoosh
        fieldname, tbytes, _docnum, _weight, vbytes = item
        if fieldname not in self.fieldnames:
            self.fieldnames.add(fieldname)
        self.currentsize += (150 + len(fieldname) + 2 * len(tbytes)
                             + (len(vbytes) if vbytes else 0))
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)

    def doc_field_length(self: Any, docnum: int, fieldname: str, default: int = 0) -> Any:
        data = field_lengths(self, fieldname)
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        if data is None:
            return default
        lbyte = data[docnum] if docnum < len(data) else 0
        return byte_to_length(lbyte) if lbyte else None  # as whoosh: None for a 0 byte

    def add_posting(self: Any, id_: Any, weight: Any, vbytes: Any, length: Any = None) -> None:
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        if vbytes:
            self._values.append(vbytes)
        if length:
            minlength = self._minlength
            if minlength is None or length < minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def _write_block(self: Any, last: bool = False) -> None:
        if not self._blockcount:
            self._postfile.write(whoosh3.WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = (self._mini_ids(), self._mini_weights(), self._mini_values())
        databytes = pickle.dumps(data, 2)
        databytes, comp = compress_block(databytes, self._compression)
        ids = self._ids
        infobytes = pickle.dumps((len(ids), ids[-1], self._maxweight, comp,
                                  length_to_byte(self._minlength),
                                  length_to_byte(self._maxlength)), 2)
        postfile = self._postfile
        blocklength = len(infobytes) + len(databytes)
        postfile.write_int(-blocklength if last else blocklength)
        postfile.write(infobytes)
        postfile.write(databytes)
        self._blockcount += 1
        self._new_block()

    _patch(pool_cls, "_write_run", _write_run)
    _patch(pool_cls, "_read_run", _read_run)
    _patch(pool_cls, "add", add)
    _patch(whoosh3.W3PerDocReader, "doc_field_length", doc_field_length)
    _patch(whoosh3.W3PostingsWriter, "add_posting", add_posting)
    _patch(whoosh3.W3PostingsWriter, "_write_block", _write_block)
    from registry.search import fastdoc, fastpost

    fastdoc.install(_patch)
    fastpost.install(_patch)
    pool_cls._registry_fast = True
    return True


def compress_block(databytes: bytes, compression: int) -> tuple[bytes, int]:
    """A posting block's pickled data as stored, and the compression level to mark it with
    (0: blocks under ``SMALL_BLOCK`` bytes stay as they are)."""
    if compression and len(databytes) >= SMALL_BLOCK:
        return zlib.compress(databytes, compression), compression
    return databytes, 0


def field_lengths(perdoc: Any, fieldname: str) -> bytes | None:
    """A segment's length bytes of one field, one per document (None: the field has no
    lengths), read once per ``W3PerDocReader`` and field."""
    from whoosh.codec import whoosh3

    cache = perdoc.__dict__.setdefault("_registry_lengths", {})
    try:
        return cache[fieldname]
    except KeyError:
        reader = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        data = None if reader is None else bytes(
            reader._dbfile.get(reader._basepos, reader._count))
        cache[fieldname] = data
        return data


_PATCHES: list[tuple[Any, str, Any, Any]] = []  # (owner, name, whoosh's, ours)


def _patch(owner: Any, name: str, new: Any) -> None:
    # None: the attribute was inherited (restored by deleting ours)
    _PATCHES.append((owner, name, owner.__dict__.get(name), new))
    setattr(owner, name, new)


@contextmanager
def originals(*names: str) -> Iterator[None]:
    """Whoosh's own code for the duration (tests compare what both write): every patched
    method, or only those with these names (e.g. ``"add_postings"``)."""
    chosen = [p for p in _PATCHES if not names or p[1] in names]
    for owner, name, old, _new in chosen:
        if old is None:
            delattr(owner, name)
        else:
            setattr(owner, name, old)
    try:
        yield
    finally:
        for owner, name, _old, new in chosen:
            setattr(owner, name, new)
