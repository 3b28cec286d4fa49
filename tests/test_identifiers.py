"""Unified social credit codes (GB 32100-2015), regions (GB/T 2260), industries (GB/T 4754)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry import identifiers
from registry.identifiers import (
    ALPHABET,
    AUTHORITIES,
    IdentifierError,
    check_region,
    industry_name,
    industry_section,
    make_credit_code,
    parse_credit_code,
    region_chain,
    region_name,
)

VALID = ["91350100M000100Y43", "11330683002584812B"]


def error_code(text: str) -> str:
    with pytest.raises(IdentifierError) as exc:
        parse_credit_code(text)
    assert exc.value.message and str(exc.value) == exc.value.message
    return exc.value.code


class TestCreditCode:
    @pytest.mark.parametrize("code", VALID)
    def test_valid_examples(self, code):
        assert parse_credit_code(code).code == code

    def test_parts(self):
        cc = parse_credit_code("11330683002584812B")
        assert (cc.authority, cc.kind, cc.region, cc.organisation) == (
            "1", "1", "330683", "002584812")
        assert cc.region_name == "浙江省绍兴市嵊州市"

    @pytest.mark.parametrize("writing", [
        "91350100m000100y43", " 91350100 M000100 Y43 ", "９１３５０１００Ｍ０００１００Ｙ４３"])
    def test_writings_are_normalised(self, writing):
        assert parse_credit_code(writing).code == "91350100M000100Y43"

    @pytest.mark.parametrize("text", ["", "9135010", "91350100M000100Y431"])
    def test_length(self, text):
        assert error_code(text) == "credit_code_length"

    @pytest.mark.parametrize("letter", list("IOZSV"))
    def test_forbidden_letters(self, letter):
        code = "91350100M000100Y4" + letter
        assert error_code(code) == "credit_code_chars"
        with pytest.raises(IdentifierError, match=letter):
            parse_credit_code(code)
        with pytest.raises(IdentifierError, match="不使用 I、O、Z、S、V"):
            parse_credit_code(code)

    def test_unknown_authority(self):
        body = "0" + "1350100M000100Y4"
        assert error_code(body + identifiers.check_character(body)) == "credit_code_authority"

    def test_checksum(self):
        with pytest.raises(IdentifierError) as exc:
            parse_credit_code("91350100M000100Y44")
        assert exc.value.code == "credit_code_checksum"
        assert exc.value.message == "统一社会信用代码校验位错误：应为 3，实为 4"

    @pytest.mark.parametrize(("region", "fragment"), [
        ("990000", "省级代码 99 不存在"),  # no such province
        ("331200", "331200 不是 浙江省 的有效市/县代码"),  # Zhejiang has cities 01–11
        ("330699", "330699 不是 浙江省 的有效市/县代码"),  # no such county under 绍兴
    ])
    def test_region_part(self, region, fragment):
        code = make_credit_code("9", "1", region, "MA2BCDE01")
        with pytest.raises(IdentifierError) as exc:
            parse_credit_code(code)
        assert exc.value.code == "credit_code_region"
        assert fragment in exc.value.message
        assert exc.value.message.startswith("统一社会信用代码中的")

    def test_make_needs_17_characters(self):
        with pytest.raises(ValueError, match="17"):
            make_credit_code("9", "1", "3306", "MA2BCDE01")


_REGIONS = sorted(identifiers.regions())
_ORG = st.text(alphabet=ALPHABET, min_size=9, max_size=9)


class TestCreditCodeProperties:
    @given(authority=st.sampled_from(sorted(AUTHORITIES)), kind=st.sampled_from(ALPHABET),
           region=st.sampled_from(_REGIONS), org=_ORG)
    def test_made_codes_always_validate(self, authority, kind, region, org):
        code = make_credit_code(authority, kind, region, org)
        cc = parse_credit_code(code)
        assert cc.code == code and cc.region == region and cc.organisation == org

    @given(region=st.sampled_from(_REGIONS), org=_ORG, position=st.integers(0, 17),
           data=st.data())
    def test_one_changed_character_is_detected(self, region, org, position, data):
        code = make_credit_code("9", "1", region, org)
        other = data.draw(st.sampled_from([c for c in ALPHABET if c != code[position]]))
        changed = code[:position] + other + code[position + 1:]
        with pytest.raises(IdentifierError):
            parse_credit_code(changed)


class TestRegions:
    @pytest.mark.parametrize(("code", "chain"), [
        ("330683", ["330000", "330600", "330683"]),
        ("330600", ["330000", "330600"]),
        ("330000", ["330000"]),
        ("110101", ["110000", "110100", "110101"]),
    ])
    def test_chain(self, code, chain):
        assert region_chain(code) == chain

    @pytest.mark.parametrize(("code", "name"), [
        ("330683", "浙江省绍兴市嵊州市"), ("330600", "浙江省绍兴市"), ("330000", "浙江省"),
        ("110101", "北京市东城区"),  # the 市辖区 level is left out of the name
        ("990000", None), ("331200", None),
    ])
    def test_name(self, code, name):
        assert region_name(code) == name

    @pytest.mark.parametrize(("code", "error"), [
        ("3306", "region_format"), ("33060a", "region_format"), ("", "region_format"),
        ("990000", "region_unknown"), ("331200", "region_unknown"),
    ])
    def test_check_region(self, code, error):
        with pytest.raises(IdentifierError) as exc:
            check_region(code)
        assert exc.value.code == error

    def test_every_tabled_region_checks(self):
        for code in _REGIONS:
            assert check_region(code) == code


class TestIndustries:
    @pytest.mark.parametrize(("code", "section"), [
        ("C", "C"), ("c", "C"), (" 38 ", "C"), ("385", "C"), ("3851", "C"), ("13", "C"),
        ("43", "C"), ("01", "A"), ("05", "A"), ("06", "B"), ("44", "D"), ("70", "K"),
        ("97", "T"), ("99", None), ("00", None), ("Z", None), ("", None), ("AB", None),
    ])
    def test_section(self, code, section):
        assert industry_section(code) == section

    def test_names(self):
        assert industry_name("C") == "制造业"
        assert industry_name("38") == "电气机械和器材制造业"
        assert industry_name("385") == "电气机械和器材制造业"  # by its division
        assert industry_name("ZZ") is None
