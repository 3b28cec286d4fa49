"""Named, versioned definitions of the figures the registry reports.

No official formula for a county's adoption rate (采标率) exists (DOMAIN.md §5): the
registry does not pretend one does. Every figure carries the definition it was computed
with — name, version and each rule in Chinese and English — beside it on the page, in the
API answer and in every export, so a bureau can see exactly what was counted. A later
version (``ADOPTION_V2``) changes the rules under a new version; ``DEFINITIONS`` keeps the
old ones so a figure published under V1 can be recomputed under V1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# International/foreign adoption degrees that count as adopting (《采用国际标准管理办法》 2001)
COUNTING_DEGREES = ("IDT", "MOD")
# The public sees an output-weighted rate only for cells with at least this many counted
# enterprises (fewer would let anyone work out one enterprise's share of its output).
PUBLIC_MIN_ENTERPRISES = 3
# Beijing time: a year ends at 31 Dec 24:00 UTC+8, stored timestamps are naive UTC
YEAR_END_UTC_OFFSET_HOURS = 8


@dataclass(frozen=True)
class Rule:
    key: str
    zh: str
    en: str


@dataclass(frozen=True)
class Definition:
    """A named, versioned set of rules: what a figure counts."""

    name: str
    version: int
    title_zh: str
    title_en: str
    rules: tuple[Rule, ...]
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.name}/v{self.version}"

    def as_dict(self) -> dict[str, Any]:
        """The definition as every face shows it (API answers, exports)."""
        return {"id": self.id, "name": self.name, "version": self.version,
                "title_zh": self.title_zh, "title_en": self.title_en,
                "rules": [{"key": r.key, "zh": r.zh, "en": r.en} for r in self.rules],
                "params": dict(self.params)}

    def year_end(self, year: int) -> dt.datetime:
        """The cut-off of ``year`` as a naive UTC timestamp: 31 Dec 24:00 Beijing time."""
        return dt.datetime(year + 1, 1, 1) - dt.timedelta(hours=YEAR_END_UTC_OFFSET_HOURS)


ADOPTION_V1 = Definition(
    name="adoption-rate",
    version=1,
    title_zh="规模以上企业主导产品采标率（平台口径 第1版）",
    title_en="Adoption rate of above-scale enterprises' main products (registry definition v1)",
    params={"counting_degrees": list(COUNTING_DEGREES),
            "public_min_enterprises": PUBLIC_MIN_ENTERPRISES,
            "year_end": "12-31T24:00+08:00"},
    rules=(
        Rule("official",
             "无官方统一计算公式；本口径为本平台的定义，按名称和版本标注在每个数字旁。",
             "No official formula exists; this is the registry's own definition, named and "
             "versioned beside every figure."),
        Rule("as_of",
             "统计时点为该年度末（北京时间 12 月 31 日 24 时）：每条声明取当时有效的版本——"
             "此前公开的最新版本；年内修改或修订改变了所执行标准的，以年末有效版本为准；"
             "年末前已废止的声明不计；年末后才公开的不计。",
             "As of the year's end (31 Dec 24:00 Beijing time): each declaration counts with "
             "the edition in force then — the latest edition published before it; an "
             "amendment or revision during the year that changes the standards counts as at "
             "the year's end; declarations withdrawn before the year's end, or first "
             "published after it, do not count."),
        Rule("enterprises",
             "企业：该年度为规模以上企业（按企业年度信息记录）。没有该年度记录的企业按“非规模以上”"
             "处理，不计入，并单独列出其家数以便补录。",
             "Enterprises: above-scale in that year according to the enterprise's yearly "
             "record. An enterprise without a record for the year is treated as not "
             "above-scale — not counted — and the number of such enterprises is shown so the "
             "records can be completed."),
        Rule("products",
             "产品：已公开声明中年末有效版本标为“主导产品”的产品，每条声明计为一个产品。",
             "Products: the main products (主导产品) — declarations whose edition in force at "
             "the year's end is marked as a main product; one declaration is one product."),
        Rule("adopting",
             "采标：产品所执行的目录标准中至少一项等同（IDT）或修改（MOD）采用国际标准或国外先进"
             "标准；非等效（NEQ）不算；直接按国际标准或国外先进标准组织生产（声明中填写的国际/国外"
             "标准号，或所执行的目录标准本身为国际/国外标准）也算采标。采用关系取标准目录中的"
             "当前记录。",
             "Adopting: at least one catalogue standard the product executes adopts an "
             "international or foreign advanced standard identically (IDT) or modified (MOD); "
             "not equivalent (NEQ) does not count; a product made directly to an "
             "international or foreign advanced standard (named in the declaration, or a "
             "cited catalogue standard that is itself international/foreign) counts. "
             "Adoption links are the catalogue's current record."),
        Rule("count_weighted",
             "按产品数计：采标率 = 采标主导产品数 ÷ 主导产品数。",
             "Count-weighted: rate = adopting main products ÷ all main products."),
        Rule("output_weighted",
             "按产值计：采标率 = 采标主导产品年产值之和 ÷ 主导产品年产值之和（年末有效版本填写的"
             "年产值，万元）；未填写产值的产品不计入分子和分母，其数量单独列出；没有任何产值时不给出"
             "按产值计的采标率。",
             "Output-weighted: rate = annual output value of adopting main products ÷ that of "
             "all main products (the value in the edition in force at the year's end, 10⁴ "
             "yuan); products without a value are left out of both and their number is "
             "shown; with no values at all there is no output-weighted rate."),
        Rule("regions",
             "地区按 GB/T 2260 代码，包含下级地区；行业按企业登记的 GB/T 4754 门类、大类或中类。",
             "Regions by GB/T 2260 code, including the regions under them; industries by the "
             "enterprise's GB/T 4754 section, division or group."),
        Rule("scope",
             "公众可见各地区、各行业的汇总（产品数与采标率）；单个企业的产值及产值合计仅对本企业、"
             f"管辖地区的监管人员和管理员可见；企业数少于 {PUBLIC_MIN_ENTERPRISES} 家的单元格"
             "不向公众给出按产值计的采标率。",
             "The public sees aggregates by region and industry (product counts and rates); "
             "output values and their sums only the enterprise itself, the officers "
             "overseeing its region and administrators; a cell with fewer than "
             f"{PUBLIC_MIN_ENTERPRISES} enterprises shows the public no output-weighted rate."),
    ),
)

DEFINITIONS = {d.id: d for d in (ADOPTION_V1,)}
CURRENT_ADOPTION = ADOPTION_V1
