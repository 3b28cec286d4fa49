"""A small set of real, well-known standards for the demo catalogue (source 'demo-curated').

Typed by hand from public catalogue pages (std.samr.gov.cn, openstd.samr.gov.cn, iso.org);
a field we were not sure of is left empty rather than guessed. Verify against the official
platform before relying on any of it: this is demonstration data, not an authoritative copy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

SOURCE = "demo-curated"

_SAMR = "国家市场监督管理总局 国家标准化管理委员会"
_AQSIQ = "中华人民共和国国家质量监督检验检疫总局 中国国家标准化管理委员会"
_TC151 = "SAC/TC 151 全国质量管理和质量保证标准化技术委员会"
_TC1 = "SAC/TC 1 全国标准化原理与方法标准化技术委员会"

_QMS_EN = "Quality management systems—Requirements"
_EMS_EN = "Environmental management systems—Requirements with guidance for use"
_OHS_EN = "Occupational health and safety management systems—Requirements with guidance for use"
_LAB_EN = "General requirements for the competence of testing and calibration laboratories"
_AQL_ZH = "计数抽样检验程序 第1部分：按接收质量限（AQL）检索的逐批检验抽样计划"
_AQL_EN = ("Sampling procedures for inspection by attributes—Part 1: Sampling schemes indexed "
           "by acceptance quality limit (AQL) for lot-by-lot inspection")
_FOOD_ADD_ZH = "食品安全国家标准 食品添加剂使用标准"
_FOOD_ADD_EN = "National food safety standard—Standard for uses of food additives"


def _d(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _std(number: str, title_zh: str, title_en: str | None = None, *,
         nature: str | None = None, issued: str | None = None, effective: str | None = None,
         withdrawn: str | None = None, end_kind: str | None = None, ics: tuple[str, ...] = (),
         ccs: str | None = None, body: str | None = None, dept: str | None = None,
         tc: str | None = None, adopts: tuple[tuple[str, str, str | None], ...] = (),
         replaces: tuple[str, ...] = ()) -> dict[str, Any]:
    ended = _d(withdrawn)
    status = end_kind if ended is not None and ended <= dt.date.today() else None
    return {
        "number": number, "title_zh": title_zh, "title_en": title_en, "nature": nature,
        "status": status, "issued_on": _d(issued), "effective_on": _d(effective),
        "withdrawn_on": _d(withdrawn), "end_kind": end_kind, "ics": list(ics), "ccs": ccs,
        "issuing_body": body, "responsible_dept": dept, "technical_committee": tc,
        "drafting_orgs": [], "drafters": [], "filing_no": None, "notice_no": None,
        "scope": None, "full_text_url": None,
        "adoptions": [{"number": n, "degree": d, "title": t} for n, d, t in adopts],
        "replaces": list(replaces),
    }


def curated_standards() -> list[dict[str, Any]]:
    """The curated records, older editions first, in ``StandardInSchema`` input shape."""
    rec = "recommended"
    return [
        # -- international originals ----------------------------------------------------------
        _std("ISO 9001:2008", "质量管理体系 要求", "Quality management systems — Requirements",
             withdrawn="2015-09-15", end_kind="replaced", ics=("03.120.10",),
             body="国际标准化组织（ISO）", tc="ISO/TC 176"),
        _std("ISO 9001:2015", "质量管理体系 要求", "Quality management systems — Requirements",
             issued="2015-09-15", effective="2015-09-15", ics=("03.120.10",),
             body="国际标准化组织（ISO）", tc="ISO/TC 176", replaces=("ISO 9001:2008",)),
        _std("ISO 14001:2015", "环境管理体系 要求及使用指南",
             "Environmental management systems — Requirements with guidance for use",
             issued="2015-09-15", effective="2015-09-15", ics=("13.020.10",),
             body="国际标准化组织（ISO）", tc="ISO/TC 207"),
        _std("ISO 45001:2018", "职业健康安全管理体系 要求及使用指南",
             "Occupational health and safety management systems — Requirements with guidance "
             "for use", issued="2018-03-12", effective="2018-03-12",
             ics=("03.100.70", "13.100"), body="国际标准化组织（ISO）", tc="ISO/TC 283"),
        _std("ISO/IEC 17025:2017", "检测和校准实验室能力的通用要求",
             "General requirements for the competence of testing and calibration laboratories",
             ics=("03.120.20",), body="国际标准化组织/国际电工委员会（ISO/IEC）"),
        _std("ISO 2859-1:1999", _AQL_ZH,
             "Sampling procedures for inspection by attributes — Part 1: Sampling schemes "
             "indexed by acceptance quality limit (AQL) for lot-by-lot inspection",
             ics=("03.120.30",), body="国际标准化组织（ISO）"),
        # -- quality management: GB/T 19000 family ----------------------------------------------
        _std("GB/T 19001-2008", "质量管理体系 要求", _QMS_EN, nature=rec,
             issued="2008-10-29", effective="2009-03-01", withdrawn="2017-07-01",
             end_kind="replaced", ics=("03.120.10",), ccs="A00", body=_AQSIQ, tc=_TC151,
             adopts=(("ISO 9001:2008", "IDT", "Quality management systems — Requirements"),),
             replaces=("GB/T 19001-2000",)),
        _std("GB/T 19001-2016", "质量管理体系 要求", _QMS_EN, nature=rec,
             issued="2016-12-30", effective="2017-07-01", ics=("03.120.10",), ccs="A00",
             body=_AQSIQ, tc=_TC151,
             adopts=(("ISO 9001:2015", "IDT", "Quality management systems — Requirements"),),
             replaces=("GB/T 19001-2008",)),
        _std("GB/T 19000-2016", "质量管理体系 基础和术语",
             "Quality management systems—Fundamentals and vocabulary", nature=rec,
             issued="2016-12-30", effective="2017-07-01", ics=("03.120.10",), ccs="A00",
             body=_AQSIQ, tc=_TC151,
             adopts=(("ISO 9000:2015", "IDT",
                      "Quality management systems — Fundamentals and vocabulary"),),
             replaces=("GB/T 19000-2008",)),
        _std("GB/T 24001-2016", "环境管理体系 要求及使用指南", _EMS_EN, nature=rec,
             issued="2016-10-13", effective="2017-05-01", ics=("13.020.10",), body=_AQSIQ,
             tc="SAC/TC 207 全国环境管理标准化技术委员会",
             adopts=(("ISO 14001:2015", "IDT",
                      "Environmental management systems — Requirements with guidance for use"),),
             replaces=("GB/T 24001-2004",)),
        _std("GB/T 28001-2011", "职业健康安全管理体系 要求",
             "Occupational health and safety management systems—Requirements", nature=rec,
             withdrawn="2020-03-06", end_kind="replaced", body=_AQSIQ),
        _std("GB/T 45001-2020", "职业健康安全管理体系 要求及使用指南", _OHS_EN, nature=rec,
             issued="2020-03-06", effective="2020-03-06", ics=("03.100.70", "13.100"),
             body=_SAMR,
             adopts=(("ISO 45001:2018", "IDT",
                      "Occupational health and safety management systems — Requirements with "
                      "guidance for use"),),
             replaces=("GB/T 28001-2011", "GB/T 28002-2011")),
        _std("GB/T 27025-2019", "检测和校准实验室能力的通用要求", _LAB_EN, nature=rec,
             ics=("03.120.20",), body=_SAMR, tc="SAC/TC 261 全国认证认可标准化技术委员会",
             adopts=(("ISO/IEC 17025:2017", "IDT", _LAB_EN),),
             replaces=("GB/T 27025-2008",)),
        _std("GB/T 2828.1-2012", _AQL_ZH, _AQL_EN, nature=rec, issued="2012-11-05",
             effective="2013-02-15", ics=("03.120.30",), ccs="A41", body=_AQSIQ,
             tc="SAC/TC 21 全国统计方法应用标准化技术委员会",
             adopts=(("ISO 2859-1:1999", "IDT", None),), replaces=("GB/T 2828.1-2003",)),
        # -- standardization itself -----------------------------------------------------------
        _std("GB/T 1.1-2009", "标准化工作导则 第1部分：标准的结构和编写",
             "Directives for standardization—Part 1: Structure and drafting of standards",
             nature=rec, issued="2009-06-17", effective="2010-01-01", withdrawn="2020-10-01",
             end_kind="replaced", ics=("01.120",), ccs="A00", body=_AQSIQ, tc=_TC1,
             replaces=("GB/T 1.1-2000", "GB/T 1.2-2002")),
        _std("GB/T 1.1-2020", "标准化工作导则 第1部分：标准化文件的结构和起草规则",
             "Directives for standardization—Part 1: Rules for the structure and drafting of "
             "standardizing documents", nature=rec, issued="2020-03-31",
             effective="2020-10-01", ics=("01.120",), ccs="A00", body=_SAMR, tc=_TC1,
             replaces=("GB/T 1.1-2009",)),
        _std("GB/T 7714-2015", "信息与文献 参考文献著录规则",
             "Information and documentation—Rules for bibliographic references and citations "
             "to information resources", nature=rec, issued="2015-05-15",
             effective="2015-12-01", ics=("01.140.20",), ccs="A14", body=_AQSIQ,
             tc="SAC/TC 4 全国信息与文献标准化技术委员会", replaces=("GB/T 7714-2005",)),
        _std("GB/T 4754-2017", "国民经济行业分类",
             "Industrial classification for national economic activities", nature=rec,
             issued="2017-06-30", effective="2017-10-01", body=_AQSIQ,
             replaces=("GB/T 4754-2011",)),
        _std("GB 32100-2015", "法人和其他组织统一社会信用代码编码规则",
             "Coding rule of the unified social credit identifier for legal entities and "
             "other organizations", nature="mandatory", effective="2015-10-01", body=_AQSIQ),
        # -- products -------------------------------------------------------------------------
        _std("GB 4706.1-2005", "家用和类似用途电器的安全 第1部分：通用要求",
             "Household and similar electrical appliances—Safety—Part 1: General requirements",
             nature="mandatory", effective="2006-08-01", ics=("13.120",), body=_AQSIQ,
             tc="SAC/TC 46 全国家用电器标准化技术委员会",
             adopts=(("IEC 60335-1:2004", "IDT",
                      "Household and similar electrical appliances — Safety — Part 1: General "
                      "requirements"),),
             replaces=("GB 4706.1-1998",)),
        _std("GB 17761-2018", "电动自行车安全技术规范",
             "Safety technical specification for electric bicycle", nature="mandatory",
             issued="2018-05-15", effective="2019-04-15", ics=("43.150",), body=_SAMR,
             replaces=("GB 17761-1999",)),
        _std("GB 18030-2022", "信息技术 中文编码字符集",
             "Information technology—Chinese coded character set", nature="mandatory",
             issued="2022-07-19", effective="2023-08-01", body=_SAMR,
             tc="SAC/TC 28 全国信息技术标准化技术委员会", replaces=("GB 18030-2005",)),
        _std("GB 2760-2014", _FOOD_ADD_ZH, _FOOD_ADD_EN, nature="mandatory",
             issued="2014-12-24", effective="2015-05-24", withdrawn="2025-02-08",
             end_kind="replaced", ics=("67.220.20",),
             body="中华人民共和国国家卫生和计划生育委员会", replaces=("GB 2760-2011",)),
        _std("GB 2760-2024", _FOOD_ADD_ZH, _FOOD_ADD_EN, nature="mandatory",
             issued="2024-02-08", effective="2025-02-08", ics=("67.220.20",),
             body="国家卫生健康委员会 国家市场监督管理总局", replaces=("GB 2760-2014",)),
        _std("JB/T 13368-2018", "叉车属具 软包夹", nature=rec, ics=("53.060",),
             body="工业和信息化部", tc="SAC/TC 332 全国工业车辆标准化技术委员会"),
        # -- 浙江制造 ---------------------------------------------------------------------------
        _std("T/ZZB 2109-2021", "一次性炭化竹筷", ics=("97.020",), ccs="Y87",
             body="浙江省品牌建设联合会"),
    ]
