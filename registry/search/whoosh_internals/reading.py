"""Reading the index below Whoosh's public API: posting blocks, length and numeric
columns, phrase spans, memory-mapped files; and the two search-side patches.

Every reader here has two ways: the fast one reads whoosh-reloaded 2.7.5's on-disk
formats directly (``version.supported()``); the other asks Whoosh's public API for the
same numbers, document by document, so another Whoosh version gives the same answers,
only slower. ``tests/search`` runs the query suite both ways.
"""

from __future__ import annotations

import mmap
import pickle
import zlib
from array import array
from bisect import bisect_left
from types import SimpleNamespace
from typing import Any

import numpy as np
from whoosh.codec import whoosh3
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.matching import FilterMatcher, ListMatcher, NullMatcherClass, ReadTooFar
from whoosh.query.spans import SpanNear2
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from registry.search.whoosh_internals.fastwrite import field_lengths
from registry.search.whoosh_internals.patching import Patch
from registry.search.whoosh_internals.version import supported

Ids = np.ndarray[Any, np.dtype[np.int64]]
Postings = tuple[Ids, np.ndarray[Any, Any], bool]  # ids, weights, whole list (cacheable)

LONG_POSTINGS = 4096  # size of a posting list from which its block headers are kept
BLOCK_TABLES = 4096  # terms per segment whose block headers are kept
_LENGTHS = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)


# -- the search-side patches -------------------------------------------------------------------

def install(patch: Patch) -> None:
    """Two fixes to whoosh-reloaded 2.7.5's hot loops; what they compute is unchanged.

    * Writing: for every posting of a field without lengths (ids, keywords, numbers) the
      segment's length column is looked for on disk (a ``stat``), about a quarter of a
      rebuild's postings. A written segment's columns never change, so the answer that
      there is none is kept like the columns that exist.
    * Searching: ``skip_to`` inside a block of 128 postings steps one posting at a time,
      and to reach a later block it reads every block header on the way; intersecting a
      rare word with a common one (有限, 公司: thousands of blocks) does that for every
      candidate. The block's ids are sorted, so a binary search finds the same posting;
      a long posting list's block headers are read once per segment and kept (their last
      ids and offsets), so a far skip goes straight to its block.
    """

    def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
        try:
            return self._readers[fieldname]
        except KeyError:
            reader = (self.column_reader(fieldname, column) if self.has_column(fieldname)
                      else None)
            self._readers[fieldname] = reader
            return reader

    def skip_to(self: Any, targetid: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        if targetid <= self.id():
            return
        if targetid > self._maxid:
            size = self._length[0] if isinstance(self._length, tuple) else self._length
            if not (isinstance(size, int) and size >= LONG_POSTINGS):
                self._skip_to_block(lambda: targetid > self._maxid)
            else:
                maxids, offsets = block_table(self)
                i = bisect_left(maxids, targetid)
                if i == len(maxids):
                    self._atend = True
                    return
                self._goto(offsets[i])
        if self.is_active():
            if self._ids is None:
                self._read_ids()
            self._i = bisect_left(self._ids, targetid, self._i)
            if self._i == self._blocklength:  # only if a block lied about its last id
                self._next_block()

    patch(whoosh3.W3PerDocReader, "_cached_reader", _cached_reader)
    patch(whoosh3.W3LeafMatcher, "skip_to", skip_to)


def block_table(matcher: Any) -> tuple[array[int], array[int]]:
    """A long posting list's block headers: (last id, offset) per block, kept per file."""
    postfile = matcher._postfile
    tables = postfile.__dict__.setdefault("_registry_blocks", {})
    table = tables.get(matcher._startoffset)
    if table is None:
        maxids = array("q")
        offsets = array("q")
        position = matcher._baseoffset
        while True:
            postfile.seek(position)
            length = postfile.read_int()
            maxids.append(postfile.read_pickle()[1])
            offsets.append(position)
            if length < 0:
                break
            position += _INT_SIZE + length
        if len(tables) >= BLOCK_TABLES:
            tables.clear()
        table = tables[matcher._startoffset] = (maxids, offsets)
    return table


# -- posting lists -----------------------------------------------------------------------------

def raw_matcher(reader: Any, fieldname: str, btext: bytes) -> Any:
    """A term's matcher in a segment, deleted documents included (None: no such term)."""
    if (fieldname, btext) not in reader:
        return None
    m = reader.postings(fieldname, btext)
    if isinstance(m, FilterMatcher):  # deletions: applied once to the final set
        m = m.child
    return None if isinstance(m, NullMatcherClass) else m


def decode_block(postfile: Any, offset: int) -> tuple[Ids, np.ndarray[Any, Any]]:
    """One posting block: its document numbers and weights."""
    postfile.seek(offset)
    length = abs(postfile.read_int())
    info = postfile.read_pickle()
    start = postfile.tell()
    data = postfile.get(start, offset + _INT_SIZE + length - start)
    if info[3]:
        data = zlib.decompress(data)
    ids_d, weights, _values = pickle.loads(data)
    ids = np.cumsum(np.asarray(ids_d, dtype=np.int64))
    if weights is None:
        w: Any = np.ones(len(ids))
    elif isinstance(weights, float):
        w = np.full(len(ids), weights)
    else:
        w = np.asarray(weights, dtype=np.float64)
    return ids, w


def postings(reader: Any, fieldname: str, btext: bytes, within: Ids | None,
             partial: int) -> Postings | None:
    """A term's documents and weights in one segment (None: no such term).

    With ``within`` given and fewer than one candidate per ``partial`` blocks, only the
    blocks that may hold the candidates are decoded (the result is then not the whole
    list: the flag returned is False). Deleted documents are the caller's to remove.
    """
    m = raw_matcher(reader, fieldname, btext)
    if m is None:
        return None
    if not supported():
        ids_l: list[int] = []
        weights: list[float] = []
        while m.is_active():
            ids_l.append(m.id())
            weights.append(m.weight())
            m.next()
        return (np.asarray(ids_l, dtype=np.int64), np.asarray(weights, dtype=np.float32),
                True)
    if isinstance(m, ListMatcher):  # a short list kept inline in the term table
        ids = np.asarray(m._ids, dtype=np.int64)
        if m._all_weights:
            w: Any = np.full(len(ids), float(m._all_weights))
        elif m._weights:
            w = np.asarray(m._weights, dtype=np.float64)
        else:
            w = np.ones(len(ids))
        return ids, w, False
    maxids, offsets = block_table(m)
    if within is not None and len(within) * partial < len(offsets):
        # few candidates in a long list: only the blocks that may hold them
        wanted = np.unique(np.searchsorted(np.asarray(maxids), within))
        parts = [decode_block(m._postfile, offsets[i])
                 for i in wanted.tolist() if i < len(offsets)]
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0), False
        return (np.concatenate([p[0] for p in parts]),
                np.concatenate([p[1] for p in parts]), False)
    parts = [decode_block(m._postfile, off) for off in offsets]
    return (np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]).astype(np.float32), True)


# -- columns -----------------------------------------------------------------------------------

def length_array(reader: Any, fieldname: str, size: int) -> np.ndarray[Any, Any]:
    """Every document's length of a field as Whoosh's scorer sees it (1 where none)."""
    if not supported():
        return np.array([reader.doc_field_length(d, fieldname) or 1 for d in range(size)],
                        dtype=np.float64)
    raw = np.zeros(size, dtype=np.uint8)
    data = field_lengths(reader._perdoc, fieldname)
    if data is not None:
        got = np.frombuffer(data, dtype=np.uint8)
        raw[: len(got)] = got[:size]
    out = _LENGTHS[raw]
    out[raw == 0] = 1.0  # whoosh's scorer asks with a default of 1
    return out


def numeric_column(reader: Any, name: str, size: int) -> np.ndarray[Any, Any]:
    """A numeric column over a segment's documents: decoded at once where whoosh's layout
    is the known one (checked on a spread of documents against whoosh's own reader), else
    document by document."""
    col = reader.column_reader(name)
    if supported() and size:
        raw = reader.column_reader(name, translate=False)
        fieldobj = reader.schema[name]
        count = getattr(raw, "_count", None)
        typecode = getattr(raw, "_typecode", None)
        if count is not None and typecode and hasattr(raw, "_dbfile"):
            width = np.dtype(typecode).itemsize
            data = np.frombuffer(
                bytes(raw._dbfile.get(raw._basepos, min(count, size) * width)),
                dtype=">" + typecode).astype(np.int64)
            if fieldobj.signed:
                data -= 1 << (fieldobj.bits - 1)
            out = np.full(size, col[size - 1] if count < size else 0, dtype=np.int64)
            out[: len(data)] = data
            probe = np.linspace(0, size - 1, num=min(size, 64), dtype=np.int64)
            if all(out[d] == col[int(d)] for d in probe):
                return out
    return np.fromiter((col[d] for d in range(size)), dtype=np.int64, count=size)


# -- scoring ---------------------------------------------------------------------------------

def bm25f_parameters(weighting: Any, searcher: Any, fieldname: str,
                     btext: bytes) -> tuple[float, float]:
    """BM25F's B for a field and its K1, as ``BM25F.scorer`` chooses them: its per-field B
    is a private attribute; elsewhere Whoosh's scorer object for the term is asked (which
    costs a term look-up)."""
    if supported():
        return weighting._field_B.get(fieldname, weighting.B), weighting.K1
    scorer = weighting.scorer(searcher, fieldname, btext)
    return scorer.B, scorer.K1


# -- phrases -----------------------------------------------------------------------------------

class _Spans:
    def __init__(self, spans: list[Any]) -> None:
        self._spans = spans

    def spans(self) -> list[Any]:
        return self._spans


def phrase_holds(leaf: Any, q: Any, docs: Ids) -> np.ndarray[Any, Any]:
    """Which of ``docs`` (sorted; each holding every word of phrase ``q``) hold them in
    order within its slop: Whoosh's own span test, asked only about these documents
    (``leaf``: the segment's searcher)."""
    ok = np.zeros(len(docs), dtype=bool)
    if not supported():
        m = q.matcher(leaf, leaf.boolean_context())
        for i, d in enumerate(docs.tolist()):
            if m.is_active() and m.id() < d:
                m.skip_to(d)
            ok[i] = m.is_active() and m.id() == d
        return ok
    reader = leaf.reader()
    ms = []
    for word in q.words:
        try:
            btext = bytes(reader.schema[q.fieldname].to_bytes(word))
        except (KeyError, ValueError):
            return ok
        m = raw_matcher(reader, q.fieldname, btext)
        if m is None:
            return ok
        ms.append(m)
    near = SpanNear2.SpanNear2Matcher._get_spans
    for i, d in enumerate(docs.tolist()):
        spans = []
        for m in ms:
            if m.is_active() and m.id() < d:
                m.skip_to(d)
            if not m.is_active() or m.id() != d:
                break
            spans.append(_Spans(m.spans()))
        else:
            probe = SimpleNamespace(slop=q.slop, mindist=1, ordered=True, ms=spans)
            ok[i] = bool(near(probe))
    return ok


# -- files -------------------------------------------------------------------------------------

class MappedStorage(FileStorage):
    """Index files read through a read-only memory map.

    Whoosh reads a plain file with a seek and a read per block header or posting block
    (system calls), and copies each file of a compound segment into memory (about 1 GB
    per search process at a million documents). A map is shared with the page cache and
    read at memory speed.
    """

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        with open(self._fpath(name), "rb") as fh:
            try:
                mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # an empty file cannot be mapped
                return super().open_file(name, **kwargs)
        return StructFile(mapped, name=name, **kwargs)


def storage(path: str) -> FileStorage:
    """The storage of an index directory: memory-mapped on the supported Whoosh."""
    cls = MappedStorage if supported() else FileStorage
    return cls(path, readonly=False)
