from __future__ import annotations

from registry.search.analysis import BigramTokenizer, ChineseWordTokenizer, EnglishTokenizer


class TestChineseWordTokenizer:
    def test_positions_count_words_not_characters(self) -> None:
        toks = [(t.text, t.pos) for t in ChineseWordTokenizer()("质量管理体系 要求", positions=True)]
        words = [t for t in toks if t[0] in ("质量", "管理体系", "要求")]
        assert [p for _, p in words] == [0, 1, 2]

    def test_sub_words_share_the_position_of_their_word(self) -> None:
        toks = dict((t.text, t.pos) for t in ChineseWordTokenizer()("管理体系", positions=True))
        assert toks["管理"] == toks["体系"] == toks["管理体系"]

    def test_keeps_one_character_and_latin_tokens(self) -> None:
        texts = [t.text for t in ChineseWordTokenizer()("第1部分 GB/T")]
        assert "1" in texts and "t" in texts and "gb" in texts

    def test_query_mode_has_no_sub_words(self) -> None:
        texts = [t.text for t in ChineseWordTokenizer()("管理体系", mode="query")]
        assert texts == ["管理体系"]


class TestBigrams:
    def test_overlapping_bigrams_and_ascii_words(self) -> None:
        assert [t.text for t in BigramTokenizer()("人民共和国 ISO")] == [
            "人民", "民共", "共和", "和国", "iso"]

    def test_single_character_stays(self) -> None:
        assert [t.text for t in BigramTokenizer()("锁")] == ["锁"]


class TestEnglish:
    def test_no_stemming_lowercase(self) -> None:
        assert [t.text for t in EnglishTokenizer()("Requirements Systems")] == [
            "requirements", "systems"]
