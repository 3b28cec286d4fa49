"""Marshmallow schemas at the declarations boundary."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, pre_load, validate

from registry.declarations.models import DIRECTIONS, EDITION_KINDS

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
    number = fields.String(required=True, error_messages=REQUIRED)
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
