"""The demo catalogue: generated records, the curated set and the ``registry demo`` command."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select

from registry import numbers
from registry.demo import cli as demo_cli
from registry.demo import generator
from registry.demo.curated import SOURCE as CURATED_SOURCE
from registry.demo.curated import curated_standards
from registry.demo.generator import ORG_MARK, generate_standards
from registry.standards.models import DEGREES, LEVELS, Standard
from registry.standards.schemas import StandardInSchema
from registry.standards.services import upsert_standard

TODAY = dt.date(2025, 6, 1)
KEYS = set(StandardInSchema().fields)


@pytest.fixture(scope="module")
def stream() -> list[dict[str, Any]]:
    return list(generate_standards(20_000, seed=7, today=TODAY))


@pytest.fixture(scope="module")
def parsed(stream: list[dict[str, Any]]) -> list[numbers.StandardNumber]:
    return [numbers.parse(r["number"]) for r in stream]


class TestGenerateStandards:
    def test_is_deterministic_for_a_seed(self) -> None:
        first = list(generate_standards(500, seed=3, today=TODAY))
        assert first == list(generate_standards(500, seed=3, today=TODAY))
        assert first != list(generate_standards(500, seed=4, today=TODAY))

    def test_a_longer_stream_extends_a_shorter_one(self) -> None:
        short = list(generate_standards(300, seed=3, today=TODAY))
        long = list(generate_standards(1000, seed=3, today=TODAY))
        # only the last family of the short stream may be cut differently
        assert short[:280] == long[:280]

    def test_yields_exactly_n(self) -> None:
        assert sum(1 for _ in generate_standards(1234, today=TODAY)) == 1234
        assert list(generate_standards(0)) == []

    def test_records_have_the_schema_shape(self, stream: list[dict[str, Any]]) -> None:
        assert all(set(r) == KEYS for r in stream)

    def test_numbers_are_canonical_and_unique(
            self, stream: list[dict[str, Any]], parsed: list[numbers.StandardNumber]) -> None:
        assert all(p.canonical == r["number"] for p, r in zip(parsed, stream, strict=True))
        assert len({p.key for p in parsed}) == len(stream)

    def test_every_record_loads_through_the_schema(self, stream: list[dict[str, Any]]) -> None:
        schema = StandardInSchema()
        for rec in stream:
            assert schema.validate(rec) == {}, rec["number"]

    def test_level_mix(self, parsed: list[numbers.StandardNumber]) -> None:
        share = {k: v / len(parsed) for k, v in Counter(p.level for p in parsed).items()}
        assert set(share) == set(LEVELS) - {"enterprise"}
        assert 0.18 < share["national"] < 0.33
        assert 0.28 < share["industry"] < 0.42
        assert 0.10 < share["local"] < 0.20
        assert 0.14 < share["group"] < 0.26
        assert 0.02 < share["international"] < 0.08
        zzb = [p for p in parsed if p.is_zhejiang_made]
        assert len(zzb) > 0.05 * len(parsed)
        assert {p.org for p in parsed if p.level == "local"} >= {"33", "3301"}
        sectors = {p.org for p in parsed if p.level == "industry"}
        assert sectors >= {"JB", "QC", "HG", "FZ", "QB", "SJ", "YY", "NY"}
        assert sectors <= set(numbers.industry_sectors())

    def test_replacement_chains_are_consistent(
            self, stream: list[dict[str, Any]], parsed: list[numbers.StandardNumber]) -> None:
        seen: dict[str, dict[str, Any]] = {}
        chains = 0
        for rec, p in zip(stream, parsed, strict=True):
            for old_number in rec["replaces"]:
                old_p = numbers.parse(old_number)
                old = seen[old_p.key]  # the replaced edition came earlier in the stream
                assert old_p.base_key == p.base_key and (old_p.year or 0) < (p.year or 0)
                assert old["end_kind"] == "replaced"
                assert old["withdrawn_on"] == rec["effective_on"]
                if rec["effective_on"] <= TODAY:
                    assert old["status"] == "replaced"
                else:  # still in force until its successor takes over
                    assert old["status"] == "current" and rec["status"] == "upcoming"
                chains += 1
            seen[p.key] = rec
        assert chains > 0.1 * len(stream)

    def test_dates_and_statuses(self, stream: list[dict[str, Any]]) -> None:
        statuses = Counter(r["status"] for r in stream)
        assert all(statuses[s] > 0.01 * len(stream) for s in
                   ("current", "upcoming", "replaced", "abolished"))
        for r in stream:
            assert r["issued_on"] <= r["effective_on"]
            assert r["withdrawn_on"] is None or r["withdrawn_on"] > r["effective_on"]
            if r["status"] == "upcoming":
                assert r["effective_on"] > TODAY
            if r["status"] == "abolished":
                assert r["end_kind"] == "abolished" and r["withdrawn_on"] <= TODAY

    def test_adoptions(self, stream: list[dict[str, Any]],
                       parsed: list[numbers.StandardNumber]) -> None:
        cn = [(r, p) for r, p in zip(stream, parsed, strict=True)
              if p.level in ("national", "industry")]
        adopting = [r for r, _ in cn if r["adoptions"]]
        assert 0.08 < len(adopting) / len(cn) < 0.16
        degrees = Counter(a["degree"] for r in adopting for a in r["adoptions"])
        assert set(degrees) == set(DEGREES)
        for r in adopting:
            for a in r["adoptions"]:
                adopted = numbers.parse(a["number"])
                assert adopted.prefix in ("ISO", "IEC", "ISO/IEC")
                assert (adopted.year or 0) <= (numbers.parse(r["number"]).year or 0)

    def test_national_records_have_english_titles_and_classification(
            self, stream: list[dict[str, Any]], parsed: list[numbers.StandardNumber]) -> None:
        for r, p in zip(stream, parsed, strict=True):
            if p.level == "national":
                assert r["title_en"] and r["title_zh"] and r["scope"]
                assert r["ics"] and r["ccs"] and r["issuing_body"]

    def test_invented_organisations_are_marked(self, stream: list[dict[str, Any]]) -> None:
        orgs = {o for r in stream for o in r["drafting_orgs"]}
        assert orgs and all(o.endswith(ORG_MARK) for o in orgs)


class TestCuratedStandards:
    def test_load_and_parse(self) -> None:
        schema = StandardInSchema()
        records = curated_standards()
        assert 20 <= len(records) <= 40
        for rec in records:
            assert schema.validate(rec) == {}, rec["number"]
            assert numbers.parse(rec["number"]).canonical == rec["number"]
        assert "T/ZZB 2109-2021" in {r["number"] for r in records}

    def test_chains_inside_the_set_agree(self) -> None:
        by_key = {numbers.parse(r["number"]).key: r for r in curated_standards()}
        for rec in by_key.values():
            for old in rec["replaces"]:
                held = by_key.get(numbers.parse(old).key)
                if held is not None and rec["effective_on"] is not None:
                    assert held["withdrawn_on"] == rec["effective_on"], old
                    assert held["end_kind"] == "replaced"


def _count(db: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(Standard).where(*where)))


class TestDemoCommand:
    def test_loads_every_level_and_is_idempotent(self, runner: Any, db: Any,
                                                 monkeypatch: Any) -> None:
        calls: list[int] = []
        monkeypatch.setattr(demo_cli, "demo_steps", lambda: [lambda: calls.append(1)])
        result = runner.invoke(args=["demo", "--count", "200"])
        assert result.exit_code == 0, result.output
        generated = _count(db, Standard.source == "demo")
        curated = _count(db, Standard.source == CURATED_SOURCE)
        assert curated == len(curated_standards())
        assert 190 <= generated <= 200  # a generated edition of a real family is skipped
        levels = set(db.session.scalars(
            select(Standard.level).where(Standard.source == "demo").distinct()))
        assert levels == set(LEVELS) - {"enterprise"}
        assert _count(db, Standard.source == "demo", Standard.org == "ZZB") > 0
        assert "浙江制造" in result.output
        assert calls == [1]

        # a later month does not move anything: the first load fixed the reference date
        monkeypatch.setattr(generator, "default_reference", lambda: dt.date(2031, 1, 1))
        again = runner.invoke(args=["demo", "--count", "200"])
        assert again.exit_code == 0, again.output
        assert "created" not in again.output and "updated" not in again.output
        assert _count(db, Standard.source.in_(("demo", CURATED_SOURCE))) == generated + curated
        assert calls == [1, 1]

    def test_never_overwrites_a_record_from_another_source(self, runner: Any, db: Any) -> None:
        first = next(r for r in generate_standards(50, seed=5)
                     if numbers.parse(r["number"]).level == "national")
        upsert_standard({"number": first["number"], "title_zh": "真实导入的记录"},
                        source="import:test")
        db.session.commit()
        result = runner.invoke(args=["demo", "--count", "50", "--seed", "5", "--no-curated"])
        assert result.exit_code == 0, result.output
        row = db.session.scalar(select(Standard).where(Standard.number == first["number"]))
        assert row.source == "import:test" and row.title_zh == "真实导入的记录"
        assert _count(db, Standard.source == CURATED_SOURCE) == 0
