"""Marshmallow schemas at the declarations boundary."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate

from registry.declarations.models import DIRECTIONS, EDITION_KINDS, STATES
from registry.enterprises.schemas import EnterpriseBriefSchema
from registry.errors import ApiErrorSchema
from registry.fields import (
    REQUIRED,
    DbInteger,
    Text,
    TopLevelPartial,
    UtcDateTime,
    page_field,
    per_page_field,
)
from registry.paging import PageSchema

# list sizes a declaration may have (a check of 200,000 standards took 10 s and 41 MB)
MAX_STANDARDS = 100
MAX_INDICATORS = 200


class _Strict(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def _blank_to_none(self, data: Any, **_: Any) -> Any:
        """Empty form fields mean "not given"."""
        if isinstance(data, dict):
            return {k: (None if v == "" else v) for k, v in data.items()}
        return data


class IndicatorInSchema(_Strict):
    name = Text(required=True, validate=validate.Length(min=1, max=200),
                error_messages=REQUIRED)
    value = fields.Float(required=True, allow_nan=False,
                         error_messages={**REQUIRED, "invalid": "指标值必须是数字"})
    unit = Text(load_default=None, allow_none=True, validate=validate.Length(max=40))
    direction = Text(load_default="higher", validate=validate.OneOf(
        DIRECTIONS, error="方向必须是 higher（越大越好）、lower（越小越好）或 none"))
    test_method = Text(load_default=None, allow_none=True,
                       validate=validate.Length(max=200))
    ref_standard = Text(load_default=None, allow_none=True,
                        validate=validate.Length(max=80))
    ref_value = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                             error_messages={"invalid": "参考值必须是数字"})


class EnterpriseStandardSchema(_Strict):
    number = Text(required=True, validate=validate.Length(min=1, max=120),
                  error_messages=REQUIRED)
    title = Text(required=True, validate=validate.Length(min=1, max=300),
                 error_messages=REQUIRED)


class DeclarationInSchema(_Strict):
    """The content of a declaration edition, as filed by form, API or bulk template."""

    product_name = Text(required=True, validate=validate.Length(min=1, max=200),
                        error_messages=REQUIRED)
    model = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    category = Text(load_default=None, allow_none=True,
                    validate=validate.Length(max=100))
    spec = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    barcode = Text(load_default=None, allow_none=True,
                   validate=validate.Regexp(r"^\d{8,14}$", error="条码应为 8–14 位数字"))
    is_main_product = fields.Boolean(load_default=False)
    annual_output_value = fields.Float(load_default=None, allow_none=True,
                                       validate=validate.Range(min=0, error="产值不能为负"))
    standards = fields.List(Text(validate=validate.Length(max=120)), load_default=list,
                            validate=validate.Length(max=MAX_STANDARDS,
                                                     error=f"执行标准最多 {MAX_STANDARDS} 项"))
    enterprise_standard = fields.Nested(EnterpriseStandardSchema, load_default=None,
                                        allow_none=True)
    indicators = fields.List(fields.Nested(IndicatorInSchema), load_default=list,
                             validate=validate.Length(max=MAX_INDICATORS,
                                                      error=f"指标最多 {MAX_INDICATORS} 项"))
    intl_standard = Text(load_default=None, allow_none=True,
                         validate=validate.Length(max=120))
    lower_statement = Text(load_default=None, allow_none=True,
                           validate=validate.Length(max=2000))
    change_note = Text(load_default=None, allow_none=True,
                       validate=validate.Length(max=2000))


class AmendInSchema(DeclarationInSchema):
    kind = Text(load_default="amendment", validate=validate.OneOf(
        EDITION_KINDS[1:], error="必须是 amendment（修改）或 revision（修订）"))


class WithdrawInSchema(_Strict):
    reason = Text(required=True, validate=validate.Length(
        min=2, max=2000, error="请填写废止原因（2–2000 个字）"),
        error_messages={**REQUIRED, "null": "请填写废止原因（2–2000 个字）"})


class CheckOutSchema(Schema):
    code = Text()
    level = Text()
    field = Text()
    message = Text()
    suggestion = Text(allow_none=True)


# -- API input ----------------------------------------------------------------------------

class AttachmentInSchema(_Strict):
    """The enterprise standard's text (PDF) sent inside JSON, base64-encoded."""

    filename = Text(required=True, validate=validate.Length(min=1, max=200),
                    error_messages=REQUIRED)
    content = Text(required=True, error_messages=REQUIRED,
                   metadata={"description": "文件内容，base64 编码"})

    @post_load
    def _decode(self, data: dict[str, Any], **_: Any) -> tuple[str, bytes]:
        try:
            blob = base64.b64decode(data["content"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError("附件内容应为 base64 编码", "content") from exc
        return data["filename"], blob


class _WithAttachment(Schema):
    attachment = fields.Nested(AttachmentInSchema, load_default=None, allow_none=True)


class DeclarationCreateSchema(DeclarationInSchema, _WithAttachment):
    """A new declaration filed through the API."""

    enterprise = Text(load_default=None, allow_none=True, metadata={
        "description": "企业的统一社会信用代码；企业用户可省略（默认本企业），管理员必填"})
    publish = fields.Boolean(load_default=False,
                             metadata={"description": "true：检查通过后立即公开；否则保存为草稿"})


class DeclarationCheckInSchema(DeclarationInSchema, _WithAttachment):
    """Content to check without saving (the form sends it as the user types)."""


class DeclarationPatchSchema(TopLevelPartial, DeclarationInSchema, _WithAttachment):
    """Fields of a draft to change; fields left out keep their value."""


class AmendApiInSchema(AmendInSchema, _WithAttachment):
    """A new edition's full content; without an attachment the current one is kept."""


class DeclarationListArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    enterprise = Text(load_default=None, metadata={"description": "统一社会信用代码"})
    standard = Text(load_default=None,
                    metadata={"description": "执行标准编号（任一写法；不带年代号时为现行版本）"})
    state = Text(load_default=None, validate=validate.OneOf(STATES))
    page = page_field()
    per_page = per_page_field(20, 100)


class EnterpriseDeclarationArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    state = Text(load_default=None, validate=validate.OneOf(STATES))
    page = page_field()
    per_page = per_page_field(20, 100)


class DiffArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    from_ = DbInteger(data_key="from", load_default=None, validate=validate.Range(min=1),
                      metadata={"description": "旧版本号（默认：新版本的上一版）"})
    to = DbInteger(load_default=None, validate=validate.Range(min=1),
                   metadata={"description": "新版本号（默认：现行版本）"})


class FlagArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    resolved = fields.Boolean(load_default=False, metadata={"description": "true：包括已处理的提示"})
    page = page_field()
    per_page = per_page_field(50, 100)


class AuditArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    region = Text(load_default=None, validate=validate.Regexp(
        r"^\d{2}(\d{2}){0,2}$", error="地区代码应为 2、4 或 6 位数字（GB/T 2260）"))
    enterprise = Text(load_default=None, metadata={"description": "统一社会信用代码"})
    page = page_field()
    per_page = per_page_field(50, 200)


# -- API output ---------------------------------------------------------------------------

class CheckResultSchema(Schema):
    """The checks of a declaration's content; ``ok`` is false when any is an error."""

    checks = fields.List(fields.Nested(CheckOutSchema))
    ok = fields.Boolean()


class CheckFailedSchema(ApiErrorSchema):
    """The error contract of a refused save (code check_failed) plus every check."""

    checks = fields.List(fields.Nested(CheckOutSchema))


class IndicatorOutSchema(Schema):
    name = Text()
    value = fields.Float()
    unit = Text(allow_none=True)
    direction = Text()
    test_method = Text(allow_none=True)
    ref_standard = Text(allow_none=True)
    ref_value = fields.Float(allow_none=True)


class CitedStandardSchema(Schema):
    number = Text(metadata={"description": "声明时目录中的编号"})
    title_zh = Text(attribute="standard.title_zh", allow_none=True)
    status = Text(attribute="standard.status", allow_none=True,
                  metadata={"description": "该标准今天的状态"})


class EnterpriseStandardOutSchema(Schema):
    number = Text(attribute="ent_std_number")
    title = Text(attribute="ent_std_title", allow_none=True)


class EditionOutSchema(Schema):
    """One edition of a declaration (published ones never change)."""

    number = fields.Integer()
    kind = Text(metadata={"enum": list(EDITION_KINDS)})
    kind_label = Text()
    published = fields.Boolean(metadata={"description": "false：尚未公开的草稿"})
    published_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime(allow_none=True)
    change_note = Text(allow_none=True)
    product_name = Text()
    model = Text(allow_none=True)
    category = Text(allow_none=True)
    spec = Text(allow_none=True)
    barcode = Text(allow_none=True)
    is_main_product = fields.Boolean()
    annual_output_value = fields.Float(allow_none=True, metadata={
        "description": "年产值（万元）；仅本企业、管理员和辖区监管人员可见"})
    intl_standard = Text(allow_none=True)
    lower_statement = Text(allow_none=True)
    enterprise_standard = fields.Method("_own", allow_none=True)
    attachment_name = Text(allow_none=True)
    attachment_size = fields.Integer(allow_none=True)
    standards = fields.List(fields.Nested(CitedStandardSchema))
    indicators = fields.List(fields.Nested(IndicatorOutSchema))

    def _own(self, edition: Any) -> dict[str, Any] | None:
        if not edition.ent_std_number:
            return None
        return {"number": edition.ent_std_number, "title": edition.ent_std_title}


class DeclarationSummarySchema(Schema):
    """A declaration in a list: its newest visible content in brief."""

    id = fields.Integer()
    state = Text(metadata={"enum": list(STATES)})
    state_label = Text()
    enterprise = fields.Nested(EnterpriseBriefSchema)
    product_name = Text(attribute="latest.product_name", allow_none=True, dump_default=None)
    model = Text(attribute="latest.model", allow_none=True, dump_default=None)
    standards = fields.Method("_standards")
    edition = fields.Integer(attribute="latest.number", allow_none=True, dump_default=None,
                             metadata={"description": "所示版本号（已公开的为现行版本）"})
    first_published_at = UtcDateTime(allow_none=True)
    withdrawn_at = UtcDateTime(allow_none=True)
    updated_at = UtcDateTime()

    def _standards(self, decl: Any) -> list[str]:
        ed = decl.latest
        return [s.number for s in ed.standards] if ed is not None else []


class DeclarationOutSchema(Schema):
    """A declaration with every edition the reader may see, oldest first."""

    id = fields.Integer()
    state = Text(metadata={"enum": list(STATES)})
    state_label = Text()
    source = Text()
    enterprise = fields.Nested(EnterpriseBriefSchema)
    current_edition = fields.Integer(attribute="current_edition.number", allow_none=True,
                                     dump_default=None,
                                     metadata={"description": "公众看到的版本号（未公开时为空）"})
    first_published_at = UtcDateTime(allow_none=True)
    withdrawn_at = UtcDateTime(allow_none=True)
    withdrawn_reason = Text(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    editions = fields.List(fields.Nested(EditionOutSchema))


class DeclarationWithChecksSchema(DeclarationOutSchema):
    """A declaration just saved, with the checks of its content (warnings included)."""

    checks = fields.List(fields.Nested(CheckOutSchema))


class DeclarationPageSchema(PageSchema):
    items = fields.List(fields.Nested(DeclarationSummarySchema))


class ChangeSchema(Schema):
    field = Text(metadata={"description": "字段名；指标为 indicator:<名称>"})
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)


class DiffOutSchema(Schema):
    from_ = fields.Integer(data_key="from")
    to = fields.Integer()
    changes = fields.List(fields.Nested(ChangeSchema))


class FlagOutSchema(Schema):
    """A cited standard that was replaced or abolished."""

    id = fields.Integer()
    declaration_id = fields.Integer()
    product_name = Text(attribute="declaration.search_title")
    standard = Text(attribute="standard.number")
    event = Text(metadata={"enum": ["replaced", "abolished"]})
    effective_on = fields.Date(allow_none=True)
    successor = Text(allow_none=True, metadata={"description": "代替它的现行标准"})
    created_at = UtcDateTime()
    resolved_at = UtcDateTime(allow_none=True)


class FlagPageSchema(PageSchema):
    items = fields.List(fields.Nested(FlagOutSchema))


class AuditEntryOutSchema(Schema):
    id = fields.Integer()
    at = UtcDateTime()
    actor = Text()
    action = Text()
    action_label = Text()
    entity = Text()
    entity_id = fields.Integer()
    enterprise = Text(allow_none=True, metadata={"description": "企业的统一社会信用代码"})
    region_code = Text(allow_none=True)
    detail = fields.Dict()


class AuditPageSchema(PageSchema):
    items = fields.List(fields.Nested(AuditEntryOutSchema))
