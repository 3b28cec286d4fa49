"""Faster posting-list writing for whoosh-reloaded 2.7.5: the same bytes, fewer calls.

When a segment is written, whoosh turns the sorted stream of postings into calls per
posting (``add`` → ``add_posting`` → a field-length look-up) and, per term, builds a
posting writer's block, term-info object and their statistics through a dozen method
calls. A rebuild writes millions of terms (ids, sort keys, numbers: most have one
posting), so the per-term calls cost as much as the postings.

``add_postings`` here reads the stream term by term and writes each posting list
directly — blocks of ``blocklimit`` (128) postings with their statistics, pickled data and
header, then the term info and the term-table row — computing exactly what
``W3PostingsWriter``, ``W3TermInfo`` and ``W3FieldWriter`` compute (single-precision
weights, per-block delta ids, ``fastwrite``'s uncompressed small blocks included), with
one file write per block. Segments with spelling fields or inlined posting lists keep
whoosh's own path. ``tests/search/test_fastwrite.py`` checks that the posting and term
files are byte for byte what whoosh's path writes.
"""

from __future__ import annotations

from array import array
from pickle import dumps
from typing import Any

from whoosh.codec import base, whoosh3
from whoosh.system import emptybytes

from registry.search.whoosh_internals.fastwrite import compress_block, field_lengths
from registry.search.whoosh_internals.patching import Patch


def install(patch: Patch) -> None:
    """Patch ``FieldWriter.add_postings`` (the term-by-term posting list writer)."""
    field_writer: Any = whoosh3.W3FieldWriter
    own_add_postings = base.FieldWriter.add_postings
    length_to_byte = whoosh3.length_to_byte
    byte_to_length = whoosh3.byte_to_length
    magic = whoosh3.WHOOSH3_HEADER_MAGIC
    terminfo_struct = whoosh3.W3TermInfo._struct
    pack_ushort = whoosh3.pack_ushort
    pack_long = whoosh3.pack_long
    pack_int = whoosh3.pack_int
    length_of = [None] + [byte_to_length(b) for b in range(1, 256)]  # as doc_field_length

    def length_table(lengths: Any, fieldname: str) -> bytes | None:
        """The segment's length bytes of one field (None: no lengths, or another reader)."""
        if not isinstance(lengths, whoosh3.W3PerDocReader):
            return None
        return field_lengths(lengths, fieldname)

    def write_term(self: Any, btext: bytes, ids: list[int], weights: list[float],
                   vals: list[bytes], lens: list[int], blocklimit: int) -> None:
        """One term's posting list in blocks of ``blocklimit``, as whoosh writes it."""
        postfile = self._postfile.file  # the StructFile's own file: one write per block
        start = postfile.tell()
        fixed = self._format.fixed_value_size()
        compression = self._codec._compression
        # the term info's statistics, accumulated over blocks as W3TermInfo.add_block does
        t_weight: float = 0
        t_minlength: int | None = None
        t_maxlength = 0
        t_maxweight: float = 0
        n = len(ids)
        postfile.write(magic)
        for b in range(0, n, blocklimit):
            e = min(b + blocklimit, n)
            bids = ids[b:e]
            bweights = weights[b:e]
            values = [v for v in vals[b:e] if v]  # whoosh keeps only non-empty values
            wa = array("f", bweights)
            maxweight: float = 0
            for w in bweights:
                if w > maxweight:
                    maxweight = w
            positive = [x for x in lens[b:e] if x]
            minlength = min(positive) if positive else None
            maxlength = max(positive) if positive else 0
            # delta ids; weights: None when all 1.0, one value when all equal; values
            deltas = []
            prev = 0
            for d in bids:
                deltas.append(d - prev)
                prev = d
            first = wa[0]
            if all(w == 1.0 for w in wa):
                mini_weights: Any = None
            elif all(w == first for w in wa):
                mini_weights = first
            else:
                mini_weights = tuple(wa)
            if fixed is None or fixed < 0:
                mini_values: Any = tuple(values)
            elif fixed == 0:
                mini_values = None
            else:
                mini_values = emptybytes.join(values)
            databytes = dumps((tuple(deltas), mini_weights, mini_values), 2)
            databytes, comp = compress_block(databytes, compression)
            infobytes = dumps((len(bids), bids[-1], maxweight, comp, length_to_byte(minlength),
                               length_to_byte(maxlength)), 2)
            blocklength = len(infobytes) + len(databytes)
            postfile.write(pack_int(-blocklength if e == n else blocklength) + infobytes
                           + databytes)
            t_weight += sum(wa)
            # as whoosh: min() of a length and None raises (no field mixes the two)
            t_minlength = (minlength if t_minlength is None
                           else min(t_minlength, minlength))  # type: ignore[type-var]
            t_maxlength = max(t_maxlength, maxlength)
            t_maxweight = max(t_maxweight, maxweight)
        length = postfile.tell() - start
        valbytes = terminfo_struct.pack(
            False, t_weight, n, 0 if t_minlength is None else length_to_byte(t_minlength),
            length_to_byte(t_maxlength), t_maxweight, ids[0], ids[-1],
        ) + pack_long(start) + pack_int(length)
        self._tindex.add(pack_ushort(self._fieldid) + btext, valbytes)

    def add_postings(self: Any, schema: Any, lengths: Any, items: Any) -> None:
        if type(self) is not field_writer or any(
                schema[name].separate_spelling() for name in schema.names()):
            own_add_postings(self, schema, lengths, items)
            return
        blocklimit = self._codec._blocklimit
        if self._codec._inlinelimit > 1:  # inline posting lists: whoosh's own path
            own_add_postings(self, schema, lengths, items)
            return
        lastfn: str | None = None
        lasttext: bytes | None = None
        table: bytes | None = None
        ids: list[int] = []
        weights: list[float] = []
        values: list[bytes] = []
        lens: list[int] = []

        def flush() -> None:
            assert lasttext is not None
            write_term(self, lasttext, ids, weights, values, lens, blocklimit)
            del ids[:], weights[:], values[:], lens[:]

        for fieldname, btext, docnum, weight, value in items:
            if fieldname != lastfn:
                if lastfn is not None and fieldname < lastfn:
                    raise base.OutOfOrderError(f"Field {lastfn!r} .. {fieldname!r}")
                if lasttext is not None:
                    flush()
                if lastfn is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                lastfn = fieldname
                lasttext = None
                table = length_table(lengths, fieldname)
            if docnum == -1:  # whoosh's spelling marker: not written
                continue
            if btext != lasttext:
                if lasttext is not None:
                    if btext < lasttext:
                        raise base.OutOfOrderError(f"Term {lastfn}:{lasttext!r} .. {fieldname}:{btext!r}")
                    flush()
                lasttext = btext
            ids.append(docnum)
            weights.append(weight)
            values.append(value or emptybytes)
            if table is not None:
                lens.append(length_of[table[docnum]] or 0 if docnum < len(table) else 0)
            else:
                lens.append(lengths.doc_field_length(docnum, fieldname) or 0 if lengths else 0)
        if lasttext is not None:
            flush()
        if lastfn is not None:
            self.finish_field()

    patch(base.FieldWriter, "add_postings", add_postings)
