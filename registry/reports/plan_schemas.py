"""Marshmallow schemas of plans, plan indicators and spot checks: the API's bodies and
answers; the HTML forms load the same input schemas (``fields.load_form``), so a page and
the API refuse the same input with the same messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates, validates_schema

from registry import identifiers
from registry.fields import REQUIRED, Text, TopLevelPartial, UtcDateTime, page_field, per_page_field
from registry.paging import PageSchema
from registry.reports.computations import COMPUTATIONS, LEVELS
from registry.reports.plans import COMPARISONS, KINDS
from registry.reports.scoping import valid_industry
from registry.reports.spotchecks import FINDINGS, MAX_SAMPLE, MAX_SEED, RESULTS

_DATE = {"invalid": "日期无效，应为 YYYY-MM-DD", **REQUIRED}
_NUMBER = {"invalid": "应为数字", **REQUIRED}
MAX_YEARS = 20
MAX_ENTERPRISES = 2000


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _check_region(value: str) -> None:
    try:
        identifiers.check_region(value)
    except identifiers.IdentifierError as exc:
        raise ValidationError(f"[{exc.code}] {exc.message}") from exc


def _check_industry(value: str | None) -> None:
    if value and not valid_industry(value):
        raise ValidationError("[industry_unknown] 行业应为 GB/T 4754 门类（A–T）、大类（2 位）或中类（3 位）")


class PlanIndicatorParamsSchema(_Strict):
    industry = Text(load_default=None, allow_none=True, validate=_check_industry,
                    metadata={"description": "GB/T 4754 行业（采标率、企业数等可选）"})
    enterprises = fields.List(Text(validate=validate.Length(min=18, max=18)),
                              load_default=None, allow_none=True,
                              validate=validate.Length(max=MAX_ENTERPRISES),
                              metadata={"description": "企业名单（统一社会信用代码），如工业园区"})
    levels = fields.List(Text(validate=validate.OneOf(LEVELS)), load_default=None,
                         allow_none=True, metadata={"description": "标准级别（drafted_standards）"})


class PlanIndicatorInSchema(_Strict):
    name = Text(required=True, validate=validate.Length(min=1, max=200), error_messages=REQUIRED)
    unit = Text(load_default=None, allow_none=True, validate=validate.Length(max=20))
    baseline = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                            validate=validate.Range(min=-1e12, max=1e12), error_messages=_NUMBER)
    target = fields.Float(required=True, allow_nan=False, validate=validate.Range(
        min=-1e12, max=1e12), error_messages=_NUMBER)
    comparison = Text(load_default="ge", validate=validate.OneOf(
        tuple(COMPARISONS), error="比较方式应为 ge（≥）、le（≤）、gt（>）或 lt（<）"))
    kind = Text(load_default="expected", validate=validate.OneOf(
        KINDS, error="类型应为 binding（约束性）或 expected（预期性）"))
    deadline = fields.Date(load_default=None, allow_none=True, error_messages=_DATE)
    computation = Text(load_default=None, allow_none=True, validate=validate.OneOf(
        tuple(COMPUTATIONS), error="未知的计算方式"),
        metadata={"description": "绑定的计算方式（GET /api/v1/plans/computations）；空为手工填报"})
    params = fields.Nested(PlanIndicatorParamsSchema, load_default=dict)
    manual_value = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                                validate=validate.Range(min=-1e12, max=1e12),
                                error_messages=_NUMBER)
    evidence = Text(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    value_date = fields.Date(load_default=None, allow_none=True, error_messages=_DATE)

    @validates_schema
    def _manual(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("manual_value") is not None:
            errors = {}
            if not (data.get("evidence") or "").strip():
                errors["evidence"] = ["手工填报的数值需写明依据"]
            if data.get("value_date") is None:
                errors["value_date"] = ["手工填报的数值需写明日期"]
            if errors:
                raise ValidationError(errors)


class PlanInSchema(_Strict):
    name = Text(required=True, validate=validate.Length(min=1, max=200), error_messages=REQUIRED)
    region_code = Text(required=True, validate=_check_region, error_messages=REQUIRED)
    period_start = fields.Date(required=True, error_messages=_DATE)
    period_end = fields.Date(required=True, error_messages=_DATE)
    source_document = Text(load_default=None, allow_none=True, validate=validate.Length(max=300))
    published = fields.Boolean(load_default=False)
    indicators = fields.List(fields.Nested(PlanIndicatorInSchema), load_default=list,
                             validate=validate.Length(max=100))

    @validates("period_start")
    def _start(self, value: dt.date, **_: Any) -> None:
        if not 1990 <= value.year <= 2100:
            raise ValidationError("年份应在 1990–2100 之间")

    @validates_schema
    def _period(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("period_start"), data.get("period_end")
        if start and end:
            if end < start:
                raise ValidationError({"period_end": ["结束日期不能早于开始日期"]})
            if end.year - start.year > MAX_YEARS:
                raise ValidationError({"period_end": [f"规划期不超过 {MAX_YEARS} 年"]})


class PlanPatchSchema(TopLevelPartial, PlanInSchema):
    pass


class PlanArgsSchema(_Strict):
    region = Text(load_default=None, validate=validate.Length(max=6))
    page = page_field()
    per_page = per_page_field(20, 100)


class PlanProgressSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    unit = fields.String(allow_none=True)
    baseline = fields.Float(allow_none=True)
    target = fields.Float()
    comparison = fields.String()
    kind = fields.String()
    deadline = fields.String()
    computation = fields.String(allow_none=True)
    params = fields.Dict()
    how = fields.Dict(allow_none=True)
    value = fields.Float(allow_none=True)
    origin = fields.String(metadata={"description": "computed | manual | none"})
    detail = fields.Dict()
    evidence = fields.String(allow_none=True)
    value_date = fields.String(allow_none=True)
    ratio = fields.Float(allow_none=True)
    elapsed = fields.Float()
    expected = fields.Float(allow_none=True)
    status = fields.String(metadata={"description": "met | on_track | behind | no_value"})
    as_of = fields.String()


class PlanSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    region_code = fields.String()
    period_start = fields.String()
    period_end = fields.String()
    source_document = fields.String(allow_none=True)
    published = fields.Boolean()
    example = fields.Boolean()
    editable = fields.Boolean()
    as_of = fields.String()
    indicators = fields.List(fields.Nested(PlanProgressSchema))
    extracted_at = UtcDateTime()


class PlanPageSchema(PageSchema):
    items = fields.List(fields.Nested(PlanSchema))


class PlanComputationSchema(Schema):
    key = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    how_zh = fields.String()
    how_en = fields.String()
    unit = fields.String()
    params = fields.List(fields.String())


class PlanComputationListSchema(Schema):
    items = fields.List(fields.Nested(PlanComputationSchema))


# -- spot checks ----------------------------------------------------------------------------

class SpotCheckDrawInSchema(_Strict):
    region_code = Text(required=True, validate=_check_region, error_messages=REQUIRED)
    sample_size = fields.Integer(required=True, strict=False, validate=validate.Range(
        min=1, max=MAX_SAMPLE, error=f"抽样数应为 1 到 {MAX_SAMPLE} 之间的整数"),
        error_messages={"invalid": "应为整数", **REQUIRED})
    industry = Text(load_default=None, allow_none=True, validate=_check_industry)
    seed = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(
        min=0, max=MAX_SEED - 1, error="随机种子应为 0 到 2^53 之间的整数"),
        error_messages={"invalid": "应为整数"},
        metadata={"description": "随机种子；空则随机生成（随抽查保存）"})
    weighted = fields.Boolean(load_default=False, metadata={
        "description": "是否向平台检查或标准变更提醒已存疑的声明加权"})
    weight_factor = fields.Float(load_default=3.0, allow_nan=False, validate=validate.Range(
        min=1.0, max=100.0, min_inclusive=False, error="加权倍数应大于 1、不超过 100"),
        error_messages={"invalid": "应为数字"})
    title = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))


class SpotCheckResultInSchema(_Strict):
    result = Text(required=True, validate=validate.OneOf(
        RESULTS, error="结果应为 conforming（符合）或 nonconforming（不符合）"),
        error_messages=REQUIRED)
    findings = fields.List(Text(validate=validate.OneOf(FINDINGS, error="未知的问题代码")),
                           load_default=list, validate=validate.Length(max=len(FINDINGS)))
    note = Text(load_default=None, allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def _findings(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("result") == "nonconforming" and not data.get("findings"):
            raise ValidationError({"findings": ["不符合时至少选择一项问题"]})
        if data.get("result") == "conforming" and data.get("findings"):
            raise ValidationError({"findings": ["符合时不应选择问题"]})


class SpotCheckArgsSchema(_Strict):
    page = page_field()
    per_page = per_page_field(20, 100)


class ConformityArgsSchema(_Strict):
    region = Text(required=True, validate=_check_region, error_messages=REQUIRED,
                  metadata={"description": "GB/T 2260 地区代码（含下级地区）"})
    start = fields.Date(required=True, data_key="from", error_messages=_DATE,
                        metadata={"description": "登记日期起（北京时间）"})
    end = fields.Date(required=True, data_key="to", error_messages=_DATE,
                      metadata={"description": "登记日期止（含）"})

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError({"to": ["结束日期不能早于开始日期"]})


class SpotCheckItemSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    declaration_id = fields.Integer()
    edition_id = fields.Integer(allow_none=True)
    enterprise = fields.String()
    credit_code = fields.String()
    product_name = fields.String(allow_none=True)
    questioned = fields.Boolean()
    result = fields.String(allow_none=True)
    findings = fields.List(fields.String())
    note = fields.String(allow_none=True)
    checked_at = UtcDateTime(allow_none=True)
    draw_id = fields.Integer()


class SpotCheckConformitySchema(Schema):
    checked = fields.Integer()
    conforming = fields.Integer()
    rate = fields.Float(allow_none=True)


class RegionConformitySchema(SpotCheckConformitySchema):
    region = fields.String()
    start = fields.String(data_key="from")
    end = fields.String(data_key="to")
    weighted_draws = fields.String(metadata={"description": "excluded：加权抽查不计入"})


class SpotCheckDrawSchema(Schema):
    id = fields.Integer()
    region_code = fields.String()
    title = fields.String(allow_none=True)
    seed = fields.Integer()
    population = fields.Dict()
    population_size = fields.Integer()
    population_digest = fields.String()
    sample_size = fields.Integer()
    weighted = fields.Boolean()
    weight_factor = fields.Float()
    drawn_at = UtcDateTime()
    conformity = fields.Nested(SpotCheckConformitySchema)
    items = fields.List(fields.Nested(SpotCheckItemSchema))


class SpotCheckDrawPageSchema(PageSchema):
    items = fields.List(fields.Nested(SpotCheckDrawSchema))


class SpotCheckItemListSchema(Schema):
    items = fields.List(fields.Nested(SpotCheckItemSchema))
