"""Search behaviour through the service layer, over a real Whoosh index."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import whoosh
from flask import Flask

from registry.errors import ValidationError
from registry.search import services, whoosh_internals
from tests.search.conftest import add, sync


@pytest.fixture(autouse=True, params=["internals", "public-api"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every behaviour twice: the index read through Whoosh's private formats, and through
    its public API only (what another Whoosh version gets: same answers, slower)."""
    if request.param == "public-api":
        monkeypatch.setattr(whoosh, "__version__", (0, 0, 0))
        assert not whoosh_internals.supported()
    return str(request.param)


def numbers_for(q: str, **args: Any) -> list[str]:
    page = services.search(services.make_params({"q": q, **args}))
    return [i.record.number for i in page.items]


class TestNumbers:
    @pytest.mark.parametrize("q", ["GB/T 19001-2016", "gbt19001-2016", "GBT 19001-2016",
                                   "ＧＢ／Ｔ　１９００１－２０１６", "gb/t 19001—2016", "19001-2016"])
    def test_every_writing_finds_the_edition_first(self, catalogue: Flask, q: str) -> None:
        assert numbers_for(q)[0] == "GB/T 19001-2016"

    @pytest.mark.parametrize("q", ["gbt19001", "GB/T 19001", "19001"])
    def test_without_year_current_edition_comes_first(self, catalogue: Flask, q: str) -> None:
        assert numbers_for(q)[:2] == ["GB/T 19001-2016", "GB/T 19001-2008"]

    def test_old_edition_by_its_full_number(self, catalogue: Flask) -> None:
        assert numbers_for("GB/T 19001-2008")[0] == "GB/T 19001-2008"

    def test_adopted_international_standard_finds_the_chinese_one(self, catalogue: Flask) -> None:
        assert numbers_for("ISO 9001")[0] == "GB/T 19001-2016"
        assert numbers_for("IEC 60335-1")[0] == "GB 4706.1-2005"

    def test_misspelt_number_gets_did_you_mean(self, catalogue: Flask) -> None:
        page = services.search(services.make_params({"q": "GB/T 19010-2016"}))
        assert page.total == 0
        assert page.did_you_mean == "GB/T 19001-2016"

    def test_zhejiang_made_is_its_own_level(self, catalogue: Flask) -> None:
        assert numbers_for("", level="zzb") == ["T/ZZB 2109-2021"]


class TestText:
    def test_chinese_words(self, catalogue: Flask) -> None:
        assert numbers_for("竹筷") == ["T/ZZB 2109-2021"]

    def test_substring_segmented_differently_still_matches(self, catalogue: Flask) -> None:
        # jieba keeps 中华人民共和国 as one word; the bigram field still finds 人民共和国
        assert numbers_for("人民共和国") == ["DB33/T 2350-2021"]

    def test_number_and_words_mixed(self, catalogue: Flask) -> None:
        assert numbers_for("GB/T 19001 质量管理")[0] == "GB/T 19001-2016"

    def test_english_title(self, catalogue: Flask) -> None:
        assert numbers_for("household appliances safety") == ["GB 4706.1-2005"]

    def test_quoted_phrase_must_be_contiguous(self, catalogue: Flask) -> None:
        assert numbers_for('"电器的安全"') == ["GB 4706.1-2005"]
        assert numbers_for('"安全电器"') == []

    def test_all_words_must_match(self, catalogue: Flask) -> None:
        assert numbers_for("竹筷 叉车") == []

    def test_highlight_marks_matches_and_escapes(self, catalogue: Flask) -> None:
        page = services.search(services.make_params({"q": "竹筷"}))
        assert "<mark>竹筷</mark>" in str(page.items[0].title_html)
        assert str(services.highlight("<b>竹筷</b>", ["竹筷"])) == \
            "&lt;b&gt;<mark>竹筷</mark>&lt;/b&gt;"


class TestFiltersAndFacets:
    def test_facets_count_levels_and_status(self, catalogue: Flask) -> None:
        page = services.search(services.make_params({"q": ""}))
        facets = {k: dict(v) for k, v in page.facets.items()}
        assert facets["level"] == {"national": 3, "zzb": 1, "industry": 1, "local": 1}
        assert facets["status"] == {"current": 5, "replaced": 1}
        assert page.total == 6 and page.total_exact

    def test_status_filter_is_derived_from_dates(self, catalogue: Flask) -> None:
        assert numbers_for("", status="replaced") == ["GB/T 19001-2008"]
        add(number="GB/T 99999-2099", title_zh="未来标准", effective_on="2099-01-01")
        sync(catalogue)
        assert numbers_for("", status="upcoming") == ["GB/T 99999-2099"]
        page = services.search(services.make_params({"q": "未来标准"}))
        assert page.items[0].record.status == "upcoming"

    def test_ics_filter_matches_any_level_of_the_code(self, catalogue: Flask) -> None:
        assert sorted(numbers_for("", ics="03")) == ["GB/T 19001-2008", "GB/T 19001-2016"]
        assert numbers_for("", ics="97.020") == ["T/ZZB 2109-2021"]

    def test_sort_by_date_newest_first(self, catalogue: Flask) -> None:
        got = numbers_for("", sort="date", per_page=3)
        assert got == ["DB33/T 2350-2021", "T/ZZB 2109-2021", "JB/T 13368-2018"]

    def test_pagination(self, catalogue: Flask) -> None:
        first = numbers_for("", per_page=4)
        second = numbers_for("", per_page=4, page=2)
        assert len(first) == 4 and len(second) == 2 and not set(first) & set(second)

    @pytest.mark.parametrize("args", [{"sort": "x"}, {"per_page": "0"}, {"page": "a"},
                                      {"status": "old"}, {"ics": "3.1"}, {"q": "x" * 201}])
    def test_bad_parameters_are_refused(self, catalogue: Flask, args: dict[str, str]) -> None:
        with pytest.raises(ValidationError) as info:
            services.make_params(args)
        assert set(info.value.errors) == set(args)


class TestSuggest:
    def test_number_prefix(self, catalogue: Flask) -> None:
        got = [s["number"] for s in services.suggest("GB/T 190")]
        assert got[:2] == ["GB/T 19001-2016", "GB/T 19001-2008"] or set(got[:2]) == {
            "GB/T 19001-2016", "GB/T 19001-2008"}

    def test_title_start(self, catalogue: Flask) -> None:
        assert [s["number"] for s in services.suggest("叉车")] == ["JB/T 13368-2018"]

    def test_blank_gives_nothing(self, catalogue: Flask) -> None:
        assert services.suggest("  ") == []

    def test_english_title_words_and_the_last_one_begun(self, catalogue: Flask) -> None:
        got = {s["number"] for s in services.suggest("quality manag")}
        assert got == {"GB/T 19001-2016", "GB/T 19001-2008"}

    def test_nothing_searchable_gives_nothing(self, catalogue: Flask) -> None:
        assert services.suggest("——") == []


def test_today_is_part_of_the_cache_key(catalogue: Flask) -> None:
    a = services.make_params({"q": "竹筷"})
    assert a.today == dt.date.today()
