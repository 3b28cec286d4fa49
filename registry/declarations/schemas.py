"""Marshmallow schemas at the declarations boundary."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate

from registry.declarations.models import DIRECTIONS, EDITION_KINDS, STATES
from registry.enterprises.schemas import EnterpriseBriefSchema
from registry.errors import ApiErrorSchema

REQUIRED: dict[str, Any] = {"required": "必填项", "null": "必填项"}


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
    name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                         error_messages=REQUIRED)
    value = fields.Float(required=True, allow_nan=False,
                         error_messages={**REQUIRED, "invalid": "指标值必须是数字"})
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    direction = fields.String(load_default="higher", validate=validate.OneOf(
        DIRECTIONS, error="方向必须是 higher（越大越好）、lower（越小越好）或 none"))
    test_method = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=200))
    ref_standard = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=80))
    ref_value = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                             error_messages={"invalid": "参考值必须是数字"})


class EnterpriseStandardSchema(_Strict):
    number = fields.String(required=True, validate=validate.Length(min=1, max=120),
                           error_messages=REQUIRED)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300),
                          error_messages=REQUIRED)


class DeclarationInSchema(_Strict):
    """The content of a declaration edition, as filed by form, API or bulk template."""

    product_name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                                 error_messages=REQUIRED)
    model = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    category = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=100))
    spec = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    barcode = fields.String(load_default=None, allow_none=True,
                            validate=validate.Regexp(r"^\d{8,14}$", error="条码应为 8–14 位数字"))
    is_main_product = fields.Boolean(load_default=False)
    annual_output_value = fields.Float(load_default=None, allow_none=True,
                                       validate=validate.Range(min=0, error="产值不能为负"))
    standards = fields.List(fields.String(), load_default=list)
    enterprise_standard = fields.Nested(EnterpriseStandardSchema, load_default=None,
                                        allow_none=True)
    indicators = fields.List(fields.Nested(IndicatorInSchema), load_default=list,
                             validate=validate.Length(max=200))
    intl_standard = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(max=120))
    lower_statement = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(max=2000))
    change_note = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=2000))


class AmendInSchema(DeclarationInSchema):
    kind = fields.String(load_default="amendment", validate=validate.OneOf(
        EDITION_KINDS[1:], error="必须是 amendment（修改）或 revision（修订）"))


class WithdrawInSchema(_Strict):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=2000,
                           error="请填写废止原因（至少 2 个字）"), error_messages=REQUIRED)


class CheckOutSchema(Schema):
    code = fields.String()
    level = fields.String()
    field = fields.String()
    message = fields.String()
    suggestion = fields.String(allow_none=True)


# -- API input ----------------------------------------------------------------------------

class AttachmentInSchema(_Strict):
    """The enterprise standard's text (PDF) sent inside JSON, base64-encoded."""

    filename = fields.String(required=True, validate=validate.Length(min=1, max=200),
                             error_messages=REQUIRED)
    content = fields.String(required=True, error_messages=REQUIRED,
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

    enterprise = fields.String(load_default=None, allow_none=True, metadata={
        "description": "企业的统一社会信用代码；企业用户可省略（默认本企业），管理员必填"})
    publish = fields.Boolean(load_default=False,
                             metadata={"description": "true：检查通过后立即公开；否则保存为草稿"})


class DeclarationCheckInSchema(DeclarationInSchema, _WithAttachment):
    """Content to check without saving (the form sends it as the user types)."""


class DeclarationPatchSchema(DeclarationInSchema, _WithAttachment):
    """Fields of a draft to change; fields left out keep their value."""


class AmendApiInSchema(AmendInSchema, _WithAttachment):
    """A new edition's full content; without an attachment the current one is kept."""


class DeclarationListArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    enterprise = fields.String(load_default=None, metadata={"description": "统一社会信用代码"})
    standard = fields.String(load_default=None,
                             metadata={"description": "执行标准编号（任一写法；不带年代号时为现行版本）"})
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class EnterpriseDeclarationArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class DiffArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    from_ = fields.Integer(data_key="from", load_default=None, validate=validate.Range(min=1),
                           metadata={"description": "旧版本号（默认：新版本的上一版）"})
    to = fields.Integer(load_default=None, validate=validate.Range(min=1),
                        metadata={"description": "新版本号（默认：现行版本）"})


class FlagArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    resolved = fields.Boolean(load_default=False, metadata={"description": "true：包括已处理的提示"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class AuditArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    region = fields.String(load_default=None, validate=validate.Regexp(
        r"^\d{2}(\d{2}){0,2}$", error="地区代码应为 2、4 或 6 位数字（GB/T 2260）"))
    enterprise = fields.String(load_default=None, metadata={"description": "统一社会信用代码"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


# -- API output ---------------------------------------------------------------------------

class CheckResultSchema(Schema):
    """The checks of a declaration's content; ``ok`` is false when any is an error."""

    checks = fields.List(fields.Nested(CheckOutSchema))
    ok = fields.Boolean()


class CheckFailedSchema(ApiErrorSchema):
    """The error contract of a refused save (code check_failed) plus every check."""

    checks = fields.List(fields.Nested(CheckOutSchema))


class IndicatorOutSchema(Schema):
    name = fields.String()
    value = fields.Float()
    unit = fields.String(allow_none=True)
    direction = fields.String()
    test_method = fields.String(allow_none=True)
    ref_standard = fields.String(allow_none=True)
    ref_value = fields.Float(allow_none=True)


class CitedStandardSchema(Schema):
    number = fields.String(metadata={"description": "声明时目录中的编号"})
    title_zh = fields.String(attribute="standard.title_zh", allow_none=True)
    status = fields.String(attribute="standard.status", allow_none=True,
                           metadata={"description": "该标准今天的状态"})


class EnterpriseStandardOutSchema(Schema):
    number = fields.String(attribute="ent_std_number")
    title = fields.String(attribute="ent_std_title", allow_none=True)


class EditionOutSchema(Schema):
    """One edition of a declaration (published ones never change)."""

    number = fields.Integer()
    kind = fields.String(metadata={"enum": list(EDITION_KINDS)})
    kind_label = fields.String()
    published = fields.Boolean(metadata={"description": "false：尚未公开的草稿"})
    published_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(allow_none=True)
    change_note = fields.String(allow_none=True)
    product_name = fields.String()
    model = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    spec = fields.String(allow_none=True)
    barcode = fields.String(allow_none=True)
    is_main_product = fields.Boolean()
    annual_output_value = fields.Float(allow_none=True, metadata={
        "description": "年产值（万元）；仅本企业、管理员和辖区监管人员可见"})
    intl_standard = fields.String(allow_none=True)
    lower_statement = fields.String(allow_none=True)
    enterprise_standard = fields.Method("_own", allow_none=True)
    attachment_name = fields.String(allow_none=True)
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
    state = fields.String(metadata={"enum": list(STATES)})
    state_label = fields.String()
    enterprise = fields.Nested(EnterpriseBriefSchema)
    product_name = fields.String(attribute="latest.product_name", allow_none=True, dump_default=None)
    model = fields.String(attribute="latest.model", allow_none=True, dump_default=None)
    standards = fields.Method("_standards")
    edition = fields.Integer(attribute="latest.number", allow_none=True, dump_default=None,
                             metadata={"description": "所示版本号（已公开的为现行版本）"})
    first_published_at = fields.DateTime(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()

    def _standards(self, decl: Any) -> list[str]:
        ed = decl.latest
        return [s.number for s in ed.standards] if ed is not None else []


class DeclarationOutSchema(Schema):
    """A declaration with every edition the reader may see, oldest first."""

    id = fields.Integer()
    state = fields.String(metadata={"enum": list(STATES)})
    state_label = fields.String()
    source = fields.String()
    enterprise = fields.Nested(EnterpriseBriefSchema)
    current_edition = fields.Integer(attribute="current_edition.number", allow_none=True,
                                     dump_default=None,
                                     metadata={"description": "公众看到的版本号（未公开时为空）"})
    first_published_at = fields.DateTime(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)
    withdrawn_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    editions = fields.List(fields.Nested(EditionOutSchema))


class DeclarationWithChecksSchema(DeclarationOutSchema):
    """A declaration just saved, with the checks of its content (warnings included)."""

    checks = fields.List(fields.Nested(CheckOutSchema))


class DeclarationPageSchema(Schema):
    items = fields.List(fields.Nested(DeclarationSummarySchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class ChangeSchema(Schema):
    field = fields.String(metadata={"description": "字段名；指标为 indicator:<名称>"})
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
    product_name = fields.String(attribute="declaration.search_title")
    standard = fields.String(attribute="standard.number")
    event = fields.String(metadata={"enum": ["replaced", "abolished"]})
    effective_on = fields.Date(allow_none=True)
    successor = fields.String(allow_none=True, metadata={"description": "代替它的现行标准"})
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)


class FlagPageSchema(Schema):
    items = fields.List(fields.Nested(FlagOutSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class AuditEntryOutSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    action_label = fields.String()
    entity = fields.String()
    entity_id = fields.Integer()
    enterprise = fields.String(allow_none=True, metadata={"description": "企业的统一社会信用代码"})
    region_code = fields.String(allow_none=True)
    detail = fields.Dict()


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEntryOutSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()
