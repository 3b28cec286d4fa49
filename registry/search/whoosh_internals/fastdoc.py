"""Faster document analysis for whoosh-reloaded 2.7.5 writers: same postings, fewer layers.

Installed by ``whoosh_internals.install`` (undone by ``whoosh_internals.originals``). Whoosh
passes every token of every field through several generators (the field's ``index``, the
format's stop filter, a ``Token`` object per token) before a posting reaches the pool;
for the analyzers this schema uses the same terms can be had directly:

* ``SegmentWriter.add_document`` does what whoosh's does — same postings, lengths, stored
  fields and columns, in the same order — but asks the field's format for its terms
  directly for the plain field types (instead of ``FieldType.index``'s generator), puts
  postings on the pool's list itself and checks the pool's size once per document (a run
  is cut at a document boundary; runs are merged in full sort order, so the index is the
  same);
* the formats' ``word_values`` (``Existence``, ``Frequency``, ``Positions``) take a token
  list straight from the analyzer where it is one of: whoosh's space-separated keyword
  tokenizer (with or without lower-casing), its ID tokenizer (with or without the
  empty-value stop filter), or an analyzer that declares ``unit_tokens`` (every boost 1.0,
  nothing stopped: this package's tokenizers), whose ``term_positions`` is used when it
  has one. A word's weight is then its count times the field boost, as whoosh computes
  it, and a single position's encoding is remembered.

Anything else takes whoosh's own code. ``tests/search/test_fastwrite.py`` compares every
term, posting, length, stored field and column with an index written by whoosh's code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh import fields as wfields
from whoosh import formats, writing
from whoosh.analysis import (
    CompositeAnalyzer,
    IDTokenizer,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.system import emptybytes

from registry.search.whoosh_internals.patching import Patch

Terms = Callable[[str], list[str]]

_SPACE = r"[^ \t\r\n]+"


def _terms_of(analyzer: Any) -> Terms | None:
    """A function giving the analyzer's unstopped token texts for a string, if known."""
    def space(a: Any) -> bool:
        return type(a) is RegexTokenizer and not a.gaps and a.expression.pattern == _SPACE

    if space(analyzer):
        return analyzer.expression.findall
    if type(analyzer) is IDTokenizer:
        return lambda value: [value]
    if type(analyzer) is CompositeAnalyzer and len(analyzer.items) == 2:
        first, second = analyzer.items
        if space(first) and type(second) is LowercaseFilter:
            findall = first.expression.findall
            return lambda value: [w.lower() for w in findall(value)]
        if (type(first) is IDTokenizer and type(second) is StopFilter
                and not second.stops and second.min == 1 and second.max is None):
            return lambda value: [value] if value else []
    if getattr(analyzer, "unit_tokens", False):
        terms = getattr(analyzer, "terms", None)
        return terms or (lambda value: [t.text for t in analyzer(value, mode="index")])
    return None


def install(patch: Patch) -> None:
    """Patch the formats' ``word_values`` and ``SegmentWriter.add_document``."""
    base_index = wfields.FieldType.index
    plain = {cls for cls in (wfields.TEXT, wfields.KEYWORD, wfields.ID)
             if cls.index is base_index}
    # id(analyzer) -> (analyzer, terms). Every writer unpickles a new schema, so the map is
    # emptied when it grows (it would otherwise keep every old schema's analyzers alive).
    known: dict[int, tuple[Any, Terms | None]] = {}

    def terms_for(analyzer: Any) -> Terms | None:
        got = known.get(id(analyzer))
        if got is None or got[0] is not analyzer:
            if len(known) >= 256:
                known.clear()
            got = known[id(analyzer)] = (analyzer, _terms_of(analyzer))
        return got[1]

    existence = formats.Existence.word_values
    frequency = formats.Frequency.word_values
    positions = formats.Positions.word_values
    one_position: dict[int, bytes] = {}

    def existence_values(self: Any, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        terms = terms_for(analyzer) if isinstance(value, str) else None
        if terms is None:
            return existence(self, value, analyzer, **kwargs)
        fb = self.field_boost
        return [(w, 1, fb, emptybytes) for w in dict.fromkeys(terms(value))]

    def frequency_values(self: Any, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        terms = terms_for(analyzer) if isinstance(value, str) else None
        if terms is None:
            return frequency(self, value, analyzer, **kwargs)
        counts: dict[str, int] = {}
        for w in terms(value):
            counts[w] = counts.get(w, 0) + 1
        fb = self.field_boost
        pack = formats.pack_uint
        return [(w, n, n * fb, pack(n)) for w, n in counts.items()]

    def positions_values(self: Any, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        if not (getattr(analyzer, "unit_tokens", False) and isinstance(value, str)):
            return positions(self, value, analyzer, **kwargs)
        term_positions = getattr(analyzer, "term_positions", None)
        if term_positions is not None:
            poses = term_positions(value)
        else:
            kwargs["positions"] = True
            kwargs["boosts"] = True
            poses = {}
            for t in analyzer(value, **kwargs):
                got = poses.get(t.text)
                if got is None:
                    poses[t.text] = [t.pos]
                else:
                    got.append(t.pos)
        fb = self.field_boost
        encode = self.encode
        out = []
        for w, poslist in poses.items():
            if len(poslist) == 1:
                pos = poslist[0]
                vbytes = one_position.get(pos)
                if vbytes is None:
                    vbytes = encode(poslist)
                    if 0 <= pos < 4096:
                        one_position[pos] = vbytes
                out.append((w, 1, fb, vbytes))
            else:
                out.append((w, len(poslist), len(poslist) * fb, encode(poslist)))
        return out

    def add_document(self: Any, **fields: Any) -> None:
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        post = pool.current.append
        size = 0
        docboost = float(fields["_boost"]) if "_boost" in fields else 1.0
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boostkw = f"_{fieldname}_boost"
                    fieldboost = float(fields[boostkw]) if boostkw in fields else docboost
                    scorable = field.scorable
                    base = 150 + len(fieldname)
                    if type(field) in plain:  # FieldType.index without its generator
                        if not isinstance(value, (str, list, tuple)):
                            raise ValueError(f"{value!r} is not unicode or sequence")
                        items: Any = [(w.encode("utf-8"), freq, weight, vbytes)
                                      for w, freq, weight, vbytes in field.format.word_values(
                                          value, field.analyzer, mode="index")]
                    else:
                        items = field.index(value)
                    added = False
                    for tbytes, freq, weight, vbytes in items:
                        if scorable:
                            length += freq
                        post((fieldname, tbytes, docnum, weight * fieldboost, vbytes))
                        size += base + 2 * len(tbytes) + (len(vbytes) if vbytes else 0)
                        added = True
                    if added:
                        pool.fieldnames.add(fieldname)

                if field.separate_spelling():
                    spellfield = field.spelling_fieldname(fieldname)
                    for word in field.spellable_words(value):
                        tbytes = word.encode("utf-8")
                        post((spellfield, tbytes, 0, 1, None))
                        size += 150 + len(spellfield) + 2 * len(tbytes)
                        pool.fieldnames.add(spellfield)

                vformat = field.vector
                if vformat:
                    vitems = vformat.word_values(value, field.analyzer, mode="index")
                    vitems = sorted((text, weight, vbytes)
                                    for text, _, weight, vbytes in vitems)
                    perdocwriter.add_vector_items(fieldname, field, vitems)

                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None,
                                       length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column,
                                                  field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        pool.currentsize += size
        if pool.currentsize > pool.limit:
            pool.save()

    patch(formats.Existence, "word_values", existence_values)
    patch(formats.Frequency, "word_values", frequency_values)
    patch(formats.Positions, "word_values", positions_values)
    patch(writing.SegmentWriter, "add_document", add_document)
