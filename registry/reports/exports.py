"""CSV and XLSX of the adoption report and its drill-down, each carrying the definition, the
filters and the time of extraction.

XLSX: a bold, frozen header row, rates formatted as percentages, a 口径 sheet (the
definition's rules in Chinese and English, the filters, the time of extraction). CSV: the
same table, preceded by lines naming the definition, the filters and the time (a CSV has one
table only). Text cells never become formulas.

Written through the shared ``registry.spreadsheets.writing`` (the one place that keeps
text from becoming a formula).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from registry.accounts.models import User
from registry.enterprises.models import Enterprise
from registry.reports.adoption import AdoptionReport, Figures, scope_filters
from registry.reports.definitions import ADOPTION_V1, Definition
from registry.reports.drilldown import ProductRow, adoption_products
from registry.reports.scoping import Scope
from registry.spreadsheets import writing
from registry.spreadsheets.writing import Sheet, xlsx_bytes

EXPORT_PAGE = 1000
MAX_EXPORT_ROWS = 200_000

FIGURE_HEADER = ["主导产品数 products", "采标产品数 adopting", "采标率（按产品数） rate",
                 "有产值的产品数 valued", "产值合计（万元） output",
                 "采标产品产值（万元） output adopting", "采标率（按产值） output rate",
                 "规上企业数 enterprises", "未计入的主导产品 excluded products",
                 "非规上企业 not above-scale", "缺少年度记录的企业 no yearly record"]
_FIG_RATE_COLUMNS = (2, 6)  # within FIGURE_HEADER
REPORT_HEADER = ["分组 group", "地区代码 region", "地区 region name", "行业代码 industry",
                 "行业 industry name", *FIGURE_HEADER]
PRODUCT_HEADER = ["地区代码 region", "地区 region name", "企业 enterprise",
                  "统一社会信用代码 credit code", "行业 industry", "产品 product", "型号 model",
                  "声明编号 declaration", "年末有效版本 edition", "企业规模 scale",
                  "计入 counted", "采标 adopting", "原因 reason", "执行标准 standards",
                  "采用的国际/国外标准 adoptions", "直接采用的国际标准 made to",
                  "年产值（万元） output value"]
_SCALE = {"above": "规上", "not_above": "非规上", "no_record": "无年度记录"}


def _figures(f: Figures) -> list[Any]:
    return [f.products, f.adopting, f.rate, f.valued, f.output, f.output_adopting,
            f.output_rate, f.enterprises, f.excluded_products, f.not_above, f.no_record]


def report_rows(rep: AdoptionReport) -> list[list[Any]]:
    """The report as one table: the total, each sub-region, each industry, each cell, and
    the trend (the same numbers as the page and the API)."""
    s = rep.scope
    rows: list[list[Any]] = [["合计 total", s.region, s.region_name, s.industry or "",
                              s.industry_name or "", *_figures(rep.total)]]
    rows += [["地区 region", c.region, c.region_name, "", "", *_figures(c.figures)]
             for c in rep.by_region]
    rows += [["行业 industry", "", "", c.industry, c.industry_name, *_figures(c.figures)]
             for c in rep.by_industry]
    rows += [["地区×行业 cell", c.region, c.region_name, c.industry, c.industry_name,
              *_figures(c.figures)] for c in rep.matrix]
    rows += [[f"年度 {c.year}", s.region, s.region_name, s.industry or "",  # type: ignore[attr-defined]
              s.industry_name or "", *_figures(c.figures)] for c in rep.trend]
    return rows


def product_cells(row: ProductRow) -> list[Any]:
    adoptions = "；".join(f"{s['number']}: {a['degree']} {a['number']}"
                         for s in row.standards for a in s["adoptions"])
    return [row.region_code, row.region_name, row.enterprise_name, row.credit_code,
            row.industry_code, row.product_name, row.model or "", row.declaration_id,
            row.edition_number, _SCALE[row.scale], "是" if row.counted else "否",
            "是" if row.adopting else "否", f"{row.reason_zh} / {row.reason_en}",
            "；".join(s["number"] for s in row.standards), adoptions, row.intl_standard or "",
            row.output_value]


def product_rows(viewer: User | None, scope: Scope, status: str,
                 enterprise: Enterprise | None) -> Iterator[list[Any]]:
    """Every drill-down row (page by page, up to MAX_EXPORT_ROWS), as the viewer may see it."""
    page = 1
    while page * EXPORT_PAGE <= MAX_EXPORT_ROWS + EXPORT_PAGE:
        result = adoption_products(viewer, scope, status=status, enterprise=enterprise,
                                   page=page, per_page=EXPORT_PAGE)
        for row in result.items:
            yield product_cells(row)
        if page >= result.pages:
            return
        page += 1


# -- the metadata every export carries ----------------------------------------------------------

_FILTER_NAMES = {"region": "地区代码 region", "region_name": "地区 region name",
                 "industry": "行业 industry", "industry_name": "行业名称 industry name",
                 "year": "年度 year", "weight": "口径 weight", "status": "产品范围 status",
                 "enterprise": "企业 enterprise"}


def meta_rows(definition: Definition, filters: dict[str, Any], access: str,
              extracted_at: dt.datetime) -> list[list[Any]]:
    """Definition, filters, access and time of extraction as label/value rows."""
    rows: list[list[Any]] = [
        ["口径 definition", f"{definition.title_zh}（{definition.id}）", definition.title_en],
        ["提取时间 extracted at (UTC)", extracted_at.replace(microsecond=0).isoformat()],
        ["数据范围 access", "完整（监管/管理）full" if access == "full" else "公开汇总 public"],
    ]
    rows += [[_FILTER_NAMES.get(k, k), "" if v is None else v] for k, v in filters.items()]
    return rows


def definition_rows(definition: Definition) -> list[list[Any]]:
    return [[r.key, r.zh, r.en] for r in definition.rules]


# -- writers ----------------------------------------------------------------------------------

def csv_bytes(meta: Sequence[Sequence[Any]], header: Sequence[Any],
              rows: Iterable[Sequence[Any]], definition: Definition) -> bytes:
    """Metadata lines, a blank line, the table, a blank line, the definition's rules."""
    return writing.csv_bytes(header, rows, before=meta,
                             after=[["规则 rule", "中文", "English"], *definition_rows(definition)])


def _definition_sheet(definition: Definition, meta: list[list[Any]]) -> Sheet:
    rows = [*meta, [], ["规则 rule", "中文", "English"], *definition_rows(definition)]
    return Sheet("口径 definition", ["项目 item", "内容", "content"], rows,
                 widths=(26, 70, 70), wrap=True)


def _report_meta(rep: AdoptionReport) -> list[list[Any]]:
    return meta_rows(rep.definition, rep.filters(), rep.access, rep.extracted_at)


def report_xlsx(rep: AdoptionReport) -> bytes:
    pcts = [5 + i for i in _FIG_RATE_COLUMNS]
    return xlsx_bytes([
        Sheet("采标率 adoption", REPORT_HEADER, report_rows(rep), percent_columns=pcts,
              widths=(16, 10, 18, 10, 22, *([14] * len(FIGURE_HEADER)))),
        _definition_sheet(rep.definition, _report_meta(rep))])


def report_csv(rep: AdoptionReport) -> bytes:
    return csv_bytes(_report_meta(rep), REPORT_HEADER, report_rows(rep), rep.definition)


def products_export(viewer: User | None, scope: Scope, status: str,
                    enterprise: Enterprise | None, access: str, extracted_at: dt.datetime,
                    fmt: str) -> bytes:
    """The drill-down list as CSV or XLSX."""
    filters = scope_filters(scope, status=status,
                            enterprise=enterprise.credit_code if enterprise else None)
    meta = meta_rows(ADOPTION_V1, filters, access, extracted_at)
    rows = product_rows(viewer, scope, status, enterprise)
    if fmt == "csv":
        return csv_bytes(meta, PRODUCT_HEADER, rows, ADOPTION_V1)
    return xlsx_bytes([
        Sheet("产品 products", PRODUCT_HEADER, rows,
              widths=(10, 22, 24, 20, 8, 18, 14, 10, 8, 10, 6, 6, 36, 30, 40, 18, 14)),
        _definition_sheet(ADOPTION_V1, meta)])
