"""Marshmallow schemas at the reports boundary (API arguments and answers)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from registry.fields import REQUIRED, Text, UtcDateTime, page_field, per_page_field
from registry.paging import PageSchema
from registry.reports.adoption import STATUSES, WEIGHTS
from registry.reports.facts import MAX_OUTPUT
from registry.reports.scoping import FIRST_YEAR, LAST_YEAR

_YEAR = validate.Range(min=FIRST_YEAR, max=LAST_YEAR,
                       error=f"年度应为 {FIRST_YEAR}–{LAST_YEAR} 之间的整数")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _region() -> Text:
    return Text(load_default=None, validate=validate.Length(max=6), metadata={
        "description": "GB/T 2260 地区代码（含下级地区）；默认：监管人员为其辖区，其他为 330000"})


def _industry() -> Text:
    return Text(load_default=None, validate=validate.Length(max=4), metadata={
        "description": "GB/T 4754 门类（A–T）、大类（2 位）或中类（3 位）"})


def _year() -> fields.Integer:
    return fields.Integer(load_default=None, validate=_YEAR,
                          metadata={"description": "统计年度（默认：上一年）"})


class AdoptionArgsSchema(_Strict):
    region = _region()
    industry = _industry()
    year = _year()
    weight = Text(load_default="both", validate=validate.OneOf(WEIGHTS), metadata={
        "description": "count：按产品数；output：按产值；both：两者（默认）"})
    trend = fields.Boolean(load_default=True, metadata={"description": "是否附近 5 年趋势"})


class AdoptionProductArgsSchema(_Strict):
    region = _region()
    industry = _industry()
    year = _year()
    status = Text(load_default="counted", validate=validate.OneOf(STATUSES), metadata={
        "description": "counted：计入的主导产品（默认）；adopting / not_adopting：其中采标 / 未采标；"
                       "excluded：因企业非规上或缺少年度记录未计入；all：全部"})
    enterprise = Text(load_default=None, validate=validate.Length(max=40),
                      metadata={"description": "统一社会信用代码：只看该企业的产品"})
    page = page_field()
    per_page = per_page_field(20, 100)


class ReportRuleSchema(Schema):
    key = fields.String()
    zh = fields.String()
    en = fields.String()


class ReportDefinitionSchema(Schema):
    id = fields.String(metadata={"description": "名称/版本，如 adoption-rate/v1"})
    name = fields.String()
    version = fields.Integer()
    title_zh = fields.String()
    title_en = fields.String()
    rules = fields.List(fields.Nested(ReportRuleSchema))
    params = fields.Dict(keys=fields.String())


class ReportFiltersSchema(Schema):
    region = fields.String()
    region_name = fields.String()
    industry = fields.String(allow_none=True)
    industry_name = fields.String(allow_none=True)
    year = fields.Integer()
    weight = fields.String()
    status = fields.String()
    enterprise = fields.String(allow_none=True)


def _rate(description: str) -> fields.Float:
    return fields.Float(allow_none=True, metadata={"description": description})


class AdoptionFiguresSchema(Schema):
    products = fields.Integer(metadata={"description": "计入的主导产品数（分母）"})
    adopting = fields.Integer(metadata={"description": "其中采标的产品数（分子）"})
    rate = _rate("按产品数计的采标率（0–1）；无产品时为 null")
    valued = fields.Integer(metadata={"description": "填写了年产值的计入产品数"})
    unvalued = fields.Integer(metadata={"description": "未填写年产值的计入产品数"})
    output = _rate("计入产品的年产值之和（万元）；公众不可见（null）")
    output_adopting = _rate("其中采标产品的年产值之和（万元）；公众不可见（null）")
    output_rate = _rate("按产值计的采标率（0–1）；无产值，或公众查看少于 3 家企业的单元格时为 null")
    enterprises = fields.Integer(metadata={"description": "计入的规模以上企业数"})
    excluded_products = fields.Integer(metadata={
        "description": "因企业当年非规上或缺少记录未计入的主导产品数"})
    not_above = fields.Integer(metadata={"description": "当年记录为非规上的企业数"})
    no_record = fields.Integer(metadata={"description": "缺少当年记录的企业数（按非规上处理）"})


class AdoptionCellSchema(AdoptionFiguresSchema):
    region = fields.String(allow_none=True)
    region_name = fields.String()
    industry = fields.String(allow_none=True)
    industry_name = fields.String()


class AdoptionYearSchema(AdoptionFiguresSchema):
    year = fields.Integer()


class AdoptionReportSchema(Schema):
    definition = fields.Nested(ReportDefinitionSchema)
    filters = fields.Nested(ReportFiltersSchema)
    access = fields.String(metadata={"description": "full：监管人员/管理员的完整数据；public：公开汇总"})
    extracted_at = UtcDateTime()
    total = fields.Nested(AdoptionFiguresSchema)
    by_region = fields.List(fields.Nested(AdoptionCellSchema), metadata={"description": "按下级地区"})
    by_industry = fields.List(fields.Nested(AdoptionCellSchema), metadata={"description": "按下级行业"})
    matrix = fields.List(fields.Nested(AdoptionCellSchema),
                         metadata={"description": "地区 × 行业（非空单元格）"})
    trend = fields.List(fields.Nested(AdoptionYearSchema), metadata={"description": "近 5 年"})


class ProductAdoptionSchema(Schema):
    number = fields.String()
    degree = fields.String()
    counts = fields.Boolean()


class ProductStandardSchema(Schema):
    number = fields.String()
    level = fields.String()
    adoptions = fields.List(fields.Nested(ProductAdoptionSchema))


class AdoptionProductSchema(Schema):
    declaration_id = fields.Integer()
    edition = fields.Integer(metadata={"description": "年末有效的版本号"})
    product_name = fields.String()
    model = fields.String(allow_none=True)
    enterprise_name = fields.String()
    credit_code = fields.String()
    region_code = fields.String()
    region_name = fields.String()
    industry_code = fields.String()
    scale = fields.String(metadata={"description": "above / not_above / no_record"})
    counted = fields.Boolean()
    adopting = fields.Boolean()
    reason = fields.String(metadata={
        "description": "IDT / MOD / intl_direct / intl_cited / neq_only / no_adoption / "
                       "not_above_scale / no_year_record"})
    reason_zh = fields.String()
    reason_en = fields.String()
    standards = fields.List(fields.Nested(ProductStandardSchema))
    intl_standard = fields.String(allow_none=True)
    output_value = fields.Float(allow_none=True, metadata={
        "description": "年产值（万元）：仅本企业、辖区监管人员和管理员可见"})
    published_at = UtcDateTime(allow_none=True)


class AdoptionProductPageSchema(PageSchema):
    items = fields.List(fields.Nested(AdoptionProductSchema))
    definition = fields.Nested(ReportDefinitionSchema)
    filters = fields.Nested(ReportFiltersSchema)
    access = fields.String()
    extracted_at = UtcDateTime()


class EnterpriseYearSchema(Schema):
    year = fields.Integer()
    above_scale = fields.Boolean()
    output_value = fields.Float(allow_none=True, metadata={
        "description": "企业年产值（万元）：仅本企业、辖区监管人员和管理员可见"})


class EnterpriseYearListSchema(Schema):
    items = fields.List(fields.Nested(EnterpriseYearSchema))


class EnterpriseYearInSchema(_Strict):
    above_scale = fields.Boolean(required=True, error_messages=REQUIRED,
                                 metadata={"description": "该年度是否为规模以上企业"})
    output_value = fields.Float(load_default=None, allow_none=True,
                                validate=validate.Range(min=0, max=MAX_OUTPUT),
                                metadata={"description": "该年度企业年产值（万元）"})
