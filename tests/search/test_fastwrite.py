"""The faster index writing (registry.search.whoosh_internals) writes exactly what was analysed.

A tiny pool limit forces many temporary runs, so chunked runs are written, merged and
read back; every posting, weight and field length of the index is then compared with
what the schema's analyzers produce for the same documents.
"""

from __future__ import annotations

import logging
import random
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import whoosh
from whoosh import index as windex
from whoosh.codec import whoosh3
from whoosh.writing import PostingPool

from registry.search import whoosh_internals
from registry.search.index import build_schema
from registry.search.whoosh_internals import fastdoc, fastpost, fastwrite, reading
from registry.search.whoosh_internals.fastdoc import _terms_of

OURS = {fastwrite.__name__, fastdoc.__name__, fastpost.__name__, reading.__name__}


@pytest.fixture(autouse=True)
def installed() -> None:
    """These tests create indexes directly (no IndexStore): put the patches in first."""
    assert whoosh_internals.install()

WORDS = ("电动自行车", "用锂离子电池", "安全要求", "质量管理体系", "家用电器", "不锈钢", "紧固件",
         "螺栓", "检测方法", "浙江", "有限公司", "技术条件", "通用规范", "燃气灶具", "阀门")
EN = ("safety", "requirements", "electric", "bicycle", "steel", "quality", "management")


def _docs(n: int) -> list[dict[str, Any]]:
    r = random.Random(7)
    out = []
    for i in range(n):
        title = "".join(r.choice(WORDS) for _ in range(r.randint(1, 4)))
        body = " ".join("".join(r.choice(WORDS) for _ in range(r.randint(1, 5)))
                        for _ in range(r.randint(1, 6)))
        doc = {"id": f"standard:{i}", "kind": "standard", "title": title, "title_bi": title,
               "title_en": " ".join(r.choice(EN) for _ in range(r.randint(0, 4))),
               "body_bi": body, "numkeys": f"gb/t{i} gbt{i}-20{i % 30:02d}",
               "year": 2000 + i % 25, "effective": 20000101 + i, "withdrawn": 99991231,
               "sortnum": f"national|GB/T|{i:06d}|2000", "sig": str(i)}
        if i % 3:
            doc["_boost"] = 1.5
        if i % 2:  # every field of the schema, empty tags and odd whitespace included
            doc.update(
                kind=r.choice(["standard", "declaration", ""]), level=r.choice(["gb", "", "db"]),
                nature=r.choice(["", "mandatory"]), org=r.choice(["", "SAC", "浙江"]),
                end_kind=r.choice(["", "replaced"]), ics=f"{i % 90:02d} {i % 90:02d}.120",
                region="330000 330600\t330681", industry=r.choice(["", "C 38 385", "A\u3000B"]),
                cites=f"GB/T {i}-2016 GB/T{i} gb/t {i}", adopt=r.choice(["", "ISO 9001 iso9001"]),
                title=title + " " + title + "\n" + r.choice(WORDS),
                title_bi=title + "　" + title, title_en="Safety safety SAFETY of 1.5 kW")
            doc["_title_boost"] = 2.0
        out.append(doc)
    return out


def _weights(m: Any) -> dict[int, float]:
    out = {}
    while m.is_active():
        out[m.id()] = m.weight()
        m.next()
    return out


def test_installed_on_the_pinned_whoosh() -> None:
    assert whoosh_internals.install() is True  # idempotent: nothing recorded twice
    assert whoosh_internals.installed()
    assert len({(id(p.owner), p.name) for p in whoosh_internals.PATCHES}) == \
        len(whoosh_internals.PATCHES) >= 12
    assert whoosh3.W3PostingsWriter.add_posting.__module__ == fastwrite.__name__
    assert whoosh3.W3PostingsWriter._write_block.__module__ == fastwrite.__name__
    assert whoosh3.W3LeafMatcher.skip_to.__module__ == reading.__name__


def _whooshs_own(p: Any) -> bool:
    got = getattr(p.owner, p.name)
    return got is not p.ours and getattr(got, "__module__", "").startswith("whoosh.")


def test_originals_and_uninstall_put_back_every_patch() -> None:
    """install -> originals()/uninstall() -> every patched attribute is Whoosh's own ->
    install again."""
    patches = list(whoosh_internals.PATCHES)
    with whoosh_internals.originals():
        assert all(_whooshs_own(p) for p in patches)
        assert not whoosh_internals.installed()
    assert whoosh_internals.installed()
    with whoosh_internals.originals("add_postings"):  # only those named
        assert [p.name for p in patches if _whooshs_own(p)] == ["add_postings"]
    whoosh_internals.uninstall()
    try:
        assert all(_whooshs_own(p) for p in patches)
        with whoosh_internals.originals():  # nothing in place: nothing to undo or redo
            assert not whoosh_internals.installed()
        assert all(_whooshs_own(p) for p in patches)
    finally:
        assert whoosh_internals.install()
    assert whoosh_internals.installed() and patches == whoosh_internals.PATCHES
    assert {getattr(p.owner, p.name).__module__ for p in patches} == OURS


def test_another_whoosh_version_patches_nothing(monkeypatch: pytest.MonkeyPatch,
                                                caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(whoosh, "__version__", (2, 7, 6))
    monkeypatch.setattr(whoosh_internals, "_warned", False)
    patches = list(whoosh_internals.PATCHES)
    with whoosh_internals.originals(), caplog.at_level(logging.WARNING):
        assert whoosh_internals.install() is False
        assert whoosh_internals.install() is False
        assert all(_whooshs_own(p) for p in patches)
        assert type(reading.storage(".")) is not reading.MappedStorage
    said = [r.getMessage() for r in caplog.records if r.name == whoosh_internals.__name__]
    assert len(said) == 1 and "whoosh 2.7.6 is not 2.7.5" in said[0], said  # once


def test_index_holds_exactly_the_analysed_postings(tmp_path: Path) -> None:
    schema = build_schema()
    docs = _docs(900)
    ix = windex.create_in(str(tmp_path), schema)
    writer = ix.writer(limitmb=1)  # about 5,000 postings per run: many runs
    runs: list[int] = []
    save = writer.pool.save

    def counting_save() -> None:
        runs.append(len(writer.pool.current))
        save()

    writer.pool.save = counting_save  # type: ignore[method-assign]
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    assert len(runs) > 5, "the pool should have spilled to several runs"

    expected: dict[tuple[str, bytes], dict[int, float]] = defaultdict(dict)
    lengths: dict[tuple[int, str], int] = {}
    for docnum, doc in enumerate(docs):
        for name, value in doc.items():
            if name.startswith("_") or not schema[name].indexed:
                continue
            boost = doc.get(f"_{name}_boost", doc.get("_boost", 1.0))  # as whoosh: field's first
            total = 0
            for tbytes, freq, weight, _v in schema[name].index(value):
                expected[(name, tbytes)][docnum] = weight * boost
                total += freq
            if schema[name].scorable:
                lengths[(docnum, name)] = total

    with ix.searcher() as s:
        reader = s.reader()
        seen = 0
        for name, tbytes in reader.all_terms():
            if name not in {f for f, _ in expected}:
                continue
            got = _weights(reader.postings(name, tbytes))
            want = expected[(name, tbytes)]
            assert set(got) == set(want), (name, tbytes)
            for d, w in want.items():
                assert abs(got[d] - w) < 1e-4, (name, tbytes, d)
            seen += 1
        assert seen == len(expected)
        for (docnum, name), total in lengths.items():
            stored = reader.doc_field_length(docnum, name)
            if total == 0:
                assert not stored
            else:  # whoosh keeps lengths as one byte: close, not exact, for long fields
                assert stored and abs(stored - total) <= max(1, total // 8), (docnum, name)


def _write(path: Path, docs: list[dict[str, Any]]) -> Any:
    path.mkdir()
    ix = windex.create_in(str(path), build_schema())
    writer = ix.writer(limitmb=1, compound=False)  # separate files (as rebuilds write)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return ix


def _contents(ix: Any, ndocs: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with ix.searcher() as s:
        reader = s.reader()
        for name, tbytes in reader.all_terms():
            m = reader.postings(name, tbytes)
            got = []
            while m.is_active():
                got.append((m.id(), m.weight(), m.value()))
                m.next()
            out[f"{name}:{tbytes!r}"] = got
        for docnum in range(ndocs):
            out[f"stored {docnum}"] = reader.stored_fields(docnum)
            for name in reader.schema.scorable_names():
                out[f"length {docnum} {name}"] = reader.doc_field_length(docnum, name)
        for name in ("year", "effective", "withdrawn", "sortnum"):
            out[f"column {name}"] = list(reader.column_reader(name))
        out["field lengths"] = {n: reader.field_length(n) for n in reader.schema.scorable_names()}
    return out


def test_same_index_as_whoosh_own_code(tmp_path: Path) -> None:
    """Every term, posting (id, weight, encoded positions), length, stored field and column
    written through the faster document path equals what whoosh's own code writes."""
    docs = _docs(700)
    with whoosh_internals.originals():
        assert PostingPool.add.__module__ != fastwrite.__name__
        theirs = _contents(_write(tmp_path / "whoosh", docs), len(docs))
    assert PostingPool.add.__module__ == fastwrite.__name__
    ours = _contents(_write(tmp_path / "ours", docs), len(docs))
    assert len(ours) > 3000
    assert ours.keys() == theirs.keys()
    for key, value in theirs.items():
        assert ours[key] == value, key


def test_direct_terms_equal_the_token_stream() -> None:
    from whoosh.analysis import StandardAnalyzer  # only this test needs it

    values = ["", " ", "GB/T 19001-2016 gbt19001\tİstanbul\u3000Ä", "a  b\r\nc", "x",
              "家用电器 安全 通用要求", "第1部分：电动自行车用锂离子电池 safety", "ＧＢ／Ｔ　１"]
    schema = build_schema()
    analyzers = {name: schema[name].analyzer for name in schema.names()
                 if schema[name].analyzer is not None}
    recognised = {name for name, a in analyzers.items() if _terms_of(a) is not None}
    assert recognised >= {"numkeys", "cites", "adopt", "ics", "region", "id", "kind", "level",
                          "title", "title_bi", "body_bi", "title_en"}
    for name, analyzer in analyzers.items():
        terms = _terms_of(analyzer)
        if terms is None:
            continue
        for value in values:
            want = [t.text for t in analyzer(value, mode="index") if not t.stopped]
            assert terms(value) == want, (name, value)
    assert _terms_of(StandardAnalyzer()) is None  # stems and stops: whoosh's own path


def _segment_files(path: Path) -> dict[str, bytes]:
    """The segment's files by extension (names hold a random segment id; the TOC differs)."""
    return {re.sub(r"_[0-9a-z]{16}", "", f.name): f.read_bytes() for f in path.iterdir()
            if f.suffix not in (".toc", ".seg") and "LOCK" not in f.name}


def test_posting_and_term_files_are_byte_identical(tmp_path: Path) -> None:
    """fastpost writes the posting and term files exactly as whoosh's posting writer does,
    for one-block terms (ids, numbers) and long posting lists alike."""
    docs = _docs(700)
    with whoosh_internals.originals("add_postings"):
        _write(tmp_path / "whoosh", docs)
    _write(tmp_path / "ours", docs)
    theirs, ours = _segment_files(tmp_path / "whoosh"), _segment_files(tmp_path / "ours")
    assert {"MAIN.pst", "MAIN.trm"} <= set(ours)
    assert ours.keys() == theirs.keys()
    for ext in ours:
        assert ours[ext] == theirs[ext], ext
    with windex.open_dir(str(tmp_path / "ours")).searcher() as s:
        freqs = [s.doc_frequency(f, t) for f, t in s.reader().all_terms()]
        assert max(freqs) > 3 * 128  # posting lists of several blocks
        assert sum(1 for n in freqs if n == 1) > 1000  # and of one posting


def test_writers_do_not_keep_old_schemas_alive(tmp_path: Path) -> None:
    """Each writer unpickles its own schema; the analyzer map must not grow with them."""
    import gc  # only this test needs them
    import weakref

    windex.create_in(str(tmp_path), build_schema())
    refs = []
    for i in range(300):  # as the updater does: open the index, write a batch, close
        ix = windex.open_dir(str(tmp_path))
        writer = ix.writer()
        refs.append(weakref.ref(writer.schema["numkeys"].analyzer))
        writer.add_document(**_docs(1)[0] | {"id": f"standard:{i}"})
        writer.commit(optimize=i % 50 == 49)
        ix.close()
        del ix, writer
    gc.collect()
    assert len({id(r()) for r in refs if r() is not None}) < 200
