"""Who issues the demo catalogue's standards, by level and period (all names are real bodies).

Each ``*_issuer`` returns a cached function of the edition year giving (issuing body,
responsible department, notice-number template or None), as ``Families._record`` uses it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

# industry sector -> weight in the demo; only codes with topics in the vocabulary
SECTOR_WEIGHTS = {"JB": 16, "QB": 9, "QC": 6, "HG": 5, "FZ": 6, "SJ": 6, "YY": 4, "NY": 6,
                  "HJ": 3, "JC": 3, "JG": 2, "DL": 3, "NB": 2, "AQ": 2, "BB": 1, "LY": 2,
                  "GH": 1, "SB": 1, "YD": 1}

GROUP_ORGS = {  # code -> (name, weight); ZZB = 浙江制造
    "ZZB": ("浙江省品牌建设联合会", 45), "CAS": ("中国标准化协会", 10),
    "CECS": ("中国工程建设标准化协会", 5), "CSAE": ("中国汽车工程学会", 6),
    "CCSA": ("中国通信标准化协会", 6), "CNTAC": ("中国纺织工业联合会", 6),
    "CHEAA": ("中国家用电器协会", 7), "CMIF": ("中国机械工业联合会", 8),
    "CPCIF": ("中国石油和化学工业联合会", 7),
}


@cache
def intl_issuer(prefix: str) -> Any:
    body = {"ISO": "国际标准化组织（ISO）", "IEC": "国际电工委员会（IEC）",
            "ISO/IEC": "国际标准化组织/国际电工委员会（ISO/IEC JTC 1）"}[prefix]
    return lambda _year: (body, None, None)


@cache
def group_issuer(name: str) -> Any:
    return lambda _year: (name, None, None)


@cache
def national_issuer(food: bool, dept: str) -> Any:
    @cache
    def issuer(year: int) -> tuple[str, str, str]:
        if food:
            body = ("国家卫生健康委员会 国家市场监督管理总局" if year >= 2018 else
                    "中华人民共和国国家卫生和计划生育委员会" if year >= 2013 else
                    "中华人民共和国卫生部")
            return body, "国家卫生健康委员会", "{year}年第{k}号公告"
        body = ("国家市场监督管理总局 国家标准化管理委员会" if year >= 2018 else
                "中华人民共和国国家质量监督检验检疫总局 中国国家标准化管理委员会" if year >= 2001
                else "国家质量技术监督局" if year >= 1998 else "国家技术监督局")
        return body, dept, "中华人民共和国国家标准公告{year}年第{k}号"
    return issuer


# sector -> issuing ministry by period: ((first year, body), ...), newest first
_MIIT = ((2008, "工业和信息化部"), (2003, "国家发展和改革委员会"), (0, "国家经济贸易委员会"))
_INDUSTRY_BODIES: dict[str, tuple[tuple[int, str], ...]] = {
    "JB": _MIIT, "QB": _MIIT, "QC": _MIIT, "HG": _MIIT, "FZ": _MIIT, "SJ": _MIIT, "JC": _MIIT,
    "BB": _MIIT, "YD": _MIIT,
    "YY": ((2018, "国家药品监督管理局"), (2013, "国家食品药品监督管理总局"),
           (0, "国家食品药品监督管理局")),
    "NY": ((2018, "农业农村部"), (0, "农业部")),
    "HJ": ((2018, "生态环境部"), (2008, "环境保护部"), (0, "国家环境保护总局")),
    "JG": ((2008, "住房和城乡建设部"), (0, "建设部")),
    "DL": ((2008, "国家能源局"), (0, "国家发展和改革委员会")),
    "NB": ((2008, "国家能源局"), (0, "国家发展和改革委员会")),
    "AQ": ((2018, "应急管理部"), (0, "国家安全生产监督管理总局")),
    "LY": ((2018, "国家林业和草原局"), (0, "国家林业局")),
    "GH": ((0, "中华全国供销合作总社"),),
    "SB": ((2003, "商务部"), (0, "国内贸易部")),
}


@cache
def industry_issuer(sector: str) -> Any:
    tiers = _INDUSTRY_BODIES[sector]

    @cache
    def issuer(year: int) -> tuple[str, str, str]:
        body = next(b for since, b in tiers if year >= since)
        return body, body, body + "公告{year}年第{k}号"
    return issuer


@cache
def local_issuer(authority: str) -> Any:
    @cache
    def issuer(year: int) -> tuple[str, str, None]:
        body = f"{authority}市场监督管理局" if year >= 2019 else f"{authority}质量技术监督局"
        return body, body, None
    return issuer
