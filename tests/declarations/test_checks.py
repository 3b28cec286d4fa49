"""Every check code of registry.declarations.checks: triggered, and absent when input is fine."""

from __future__ import annotations

import re
from typing import Any

import pytest

from registry.declarations import checks as checks_module
from registry.declarations.checks import check_declaration
from registry.standards.services import upsert_standard

from .conftest import D, content

PDF = b"%PDF-1.7\n" + b"0" * 100
OWN = {"number": "Q/SZJ 001-2024", "title": "软包夹企业标准"}


def _indicator(**over: Any) -> dict[str, Any]:
    ind = {"name": "额定载荷", "value": 1500, "unit": "kg", "direction": "higher",
           "ref_standard": "JB/T 13368-2018", "ref_value": 1200}
    ind.update(over)
    return ind


def documented_codes() -> dict[str, str]:
    """code -> level, from the table at the top of checks.py (the published contract)."""
    doc = checks_module.__doc__ or ""
    return dict(re.findall(r"^\| (\w+) \| (error|warning) \|", doc, flags=re.M))


# (case id, check code, level, raw overrides, attachment, field, message fragment, suggestion)
CASES: list[tuple[str, str, str, dict[str, Any], Any, str, str, str | None]] = [
    ("nothing cited", "no_standard", "error", {"standards": []}, None,
     "standards", "请至少选择一项执行标准", None),
    ("garbage number", "standard_number_invalid", "error", {"standards": ["XYZ"]}, None,
     "standards.0", "标准号“XYZ”无效", None),
    ("not catalogued", "standard_unknown", "error", {"standards": ["GB/T 12345-2000"]}, None,
     "standards.0", "标准目录中没有 GB/T 12345-2000", None),
    ("replaced edition", "standard_replaced", "error",
     {"standards": ["JB/T 13368-2018", "gb/t 19001—2008"]}, None,
     "standards.1", "GB/T 19001-2008 已被代替，现行版本为 GB/T 19001-2016", "GB/T 19001-2016"),
    ("abolished", "standard_abolished", "error", {"standards": ["GB/T 3100-1993"]}, None,
     "standards.0", "GB/T 3100-1993 已废止", None),
    ("not yet in force", "standard_upcoming", "warning", {"standards": ["GB/T 99999-2099"]},
     None, "standards.0", "将于 2099-01-01 实施", None),
    ("own number not Q/", "enterprise_standard_number_invalid", "error",
     {"enterprise_standard": {"number": "GB/T 19001-2016", "title": "自定"}}, None,
     "enterprise_standard.number", "企业标准编号应形如", None),
    ("own number garbage", "enterprise_standard_number_invalid", "error",
     {"enterprise_standard": {"number": "企标一号", "title": "自定"}}, None,
     "enterprise_standard.number", "企业标准编号应形如", None),
    ("own standard, no indicators", "enterprise_standard_no_indicators", "error",
     {"standards": [], "enterprise_standard": OWN, "indicators": []}, None,
     "indicators", "必须公开产品的功能指标和性能指标", None),
    ("reference not a number", "indicator_ref_unknown", "error",
     {"indicators": [_indicator(ref_standard="某标准")]}, None,
     "indicators.0.ref_standard", "参考标准“某标准”不是有效的标准号", None),
    ("reference not catalogued", "indicator_ref_unknown", "error",
     {"indicators": [_indicator(ref_standard="GB/T 12345-2000")]}, None,
     "indicators.0.ref_standard", "参考标准 GB/T 12345-2000 不在标准目录中", None),
    ("reference without value", "indicator_ref_value_missing", "error",
     {"indicators": [_indicator(ref_value=None)]}, None,
     "indicators.0.ref_value", "请填写 JB/T 13368-2018 中“额定载荷”的指标值", None),
    ("worse than mandatory", "indicator_below_mandatory", "error",
     {"indicators": [_indicator(name="泄漏电流", value=0.9, unit="mA", direction="lower",
                                ref_standard="GB 4706.1-2005", ref_value=0.75)]}, None,
     "indicators.0.value", "低于强制性标准 GB 4706.1-2005 的要求（0.75mA），不得声明", None),
    ("worse than recommended", "indicator_below_recommended", "error",
     {"indicators": [_indicator(value=1000)]}, None,
     "indicators.0.value", "低于推荐性标准 JB/T 13368-2018，须在“低于推荐性标准的明示”中说明", None),
    ("worse than recommended, lower is better", "indicator_below_recommended", "error",
     {"indicators": [_indicator(name="噪声", value=80, unit="dB", direction="lower",
                                ref_value=75)]}, None,
     "indicators.0.value", "“噪声”80.0dB 低于推荐性标准", None),
    ("worse, but stated", "indicator_below_recommended_stated", "warning",
     {"indicators": [_indicator(value=1000)], "lower_statement": "本产品为轻型款，额定载荷低于行业标准"},
     None, "indicators.0.value", "低于推荐性标准 JB/T 13368-2018，已作明示", None),
    ("intl not a number", "intl_standard_invalid", "error", {"intl_standard": "国际标准"}, None,
     "intl_standard", "“国际标准”不是有效的国际或国外标准号", None),
    ("intl is a national number", "intl_standard_invalid", "error",
     {"intl_standard": "GB/T 19001-2016"}, None,
     "intl_standard", "不是有效的国际或国外标准号", None),
    ("attachment not PDF by name", "attachment_type", "error", {}, ("standard.docx", PDF),
     "attachment", "企业标准文本只接受 PDF 文件", None),
    ("attachment not PDF by content", "attachment_type", "error", {},
     ("standard.pdf", b"PK\x03\x04 zip"), "attachment", "企业标准文本只接受 PDF 文件", None),
    ("attachment too large", "attachment_size", "error", {}, ("standard.pdf", PDF + b"0" * 64),
     "attachment", "企业标准文本不得超过", None),
]


def _run(raw: dict[str, Any], attachment: Any) -> list[Any]:
    return check_declaration(content(**raw), attachment, max_attachment=len(PDF) + 10)


class TestCheckCodes:
    def test_the_cases_cover_every_documented_code(self):
        documented = documented_codes()
        assert len(documented) >= 16
        assert {c[1] for c in CASES} == set(documented)
        for _, code, level, *_ in CASES:
            assert documented[code] == level

    @pytest.mark.parametrize(("raw", "attachment", "code", "level", "field", "fragment",
                              "suggestion"),
                             [pytest.param(c[3], c[4], c[1], c[2], c[5], c[6], c[7], id=c[0])
                              for c in CASES])
    def test_triggered(self, catalogue, raw, attachment, code, level, field, fragment,
                       suggestion):
        found = [c for c in _run(raw, attachment) if c.code == code]
        assert len(found) == 1, found
        (check,) = found
        assert check.level == level
        assert check.field == field
        assert fragment in check.message
        assert re.search(r"[\u4e00-\u9fff]", check.message)  # a Chinese message
        assert check.suggestion == suggestion
        assert check.as_dict() == {"code": code, "level": level, "field": field,
                                   "message": check.message, "suggestion": suggestion}

    @pytest.mark.parametrize("code", sorted(documented_codes()))
    def test_absent_when_the_input_is_fine(self, catalogue, code):
        fine = {
            "standards": ["JB/T 13368-2018", "GB/T 19001-2016", "GB 4706.1-2005"],
            "enterprise_standard": OWN,
            "intl_standard": "ISO 9001:2015",
            "indicators": [_indicator(),
                           _indicator(name="泄漏电流", value=0.5, unit="mA", direction="lower",
                                      ref_standard="GB 4706.1-2005", ref_value=0.75),
                           _indicator(name="外观", value=1, direction="none", ref_value=2)],
        }
        found = _run(fine, ("standard.PDF", PDF))
        assert [c.code for c in found] == []
        assert code not in {c.code for c in found}


class TestCheckDetails:
    def test_equal_to_the_reference_is_not_worse(self, catalogue):
        assert _run({"indicators": [_indicator(value=1200)]}, None) == []

    def test_own_standard_alone_is_enough(self, catalogue):
        assert _run({"standards": [], "enterprise_standard": OWN}, None) == []

    def test_invalid_number_does_not_also_say_nothing_is_cited(self, catalogue):
        codes = [c.code for c in _run({"standards": ["XYZ"]}, None)]
        assert codes == ["standard_number_invalid"]

    def test_replaced_without_catalogued_successor_has_no_suggestion(self, catalogue):
        upsert_standard({"number": "GB/T 1-2000", "title_zh": "旧标准", "end_kind": "replaced",
                         "withdrawn_on": D(2010, 1, 1)}, source="test")
        (check,) = _run({"standards": ["GB/T 1-2000"]}, None)
        assert check.code == "standard_replaced"
        assert check.suggestion is None
        assert check.message == "GB/T 1-2000 已被代替"

    def test_every_problem_is_reported_at_once(self, catalogue):
        found = _run({"standards": ["GB/T 3100-1993", "GB/T 99999-2099"],
                      "indicators": [_indicator(value=1), _indicator(name="x", ref_value=None)],
                      "intl_standard": "?"}, ("a.txt", b""))
        assert [c.code for c in found] == [
            "standard_abolished", "standard_upcoming", "indicator_below_recommended",
            "indicator_ref_value_missing", "intl_standard_invalid", "attachment_type"]
