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

Installed by ``whoosh_internals.install`` (with ``fastdoc`` and ``fastpost``), which
checks the Whoosh version first; ``whoosh_internals.originals()`` puts whoosh's own code
back for a while (tests compare both).
"""

from __future__ import annotations

import pickle
import zlib
from itertools import islice
from typing import Any

from whoosh import writing
from whoosh.codec import whoosh3

from registry.search.whoosh_internals.patching import Patch

RUN_CHUNK = 4096  # postings per pickle in a temporary run file
SMALL_BLOCK = 64  # posting blocks whose pickle is smaller are not compressed


def install(patch: Patch) -> None:
    """Patch the sorting pool's runs and ``add``, the per-document length look-up and the
    posting writer's ``add_posting`` and ``_write_block``."""
    pool_cls: Any = writing.PostingPool
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

    patch(pool_cls, "_write_run", _write_run)
    patch(pool_cls, "_read_run", _read_run)
    patch(pool_cls, "add", add)
    patch(whoosh3.W3PerDocReader, "doc_field_length", doc_field_length)
    patch(whoosh3.W3PostingsWriter, "add_posting", add_posting)
    patch(whoosh3.W3PostingsWriter, "_write_block", _write_block)


def compress_block(databytes: bytes, compression: int) -> tuple[bytes, int]:
    """A posting block's pickled data as stored, and the compression level to mark it with
    (0: blocks under ``SMALL_BLOCK`` bytes stay as they are)."""
    if compression and len(databytes) >= SMALL_BLOCK:
        return zlib.compress(databytes, compression), compression
    return databytes, 0


def field_lengths(perdoc: Any, fieldname: str) -> bytes | None:
    """A segment's length bytes of one field, one per document (None: the field has no
    lengths), read once per ``W3PerDocReader`` and field."""
    cache = perdoc.__dict__.setdefault("_registry_lengths", {})
    try:
        return cache[fieldname]
    except KeyError:
        reader = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        data = None if reader is None else bytes(
            reader._dbfile.get(reader._basepos, reader._count))
        cache[fieldname] = data
        return data
