"""Marshmallow schemas at the enterprises boundary (API)."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from registry import identifiers
from registry.enterprises.services import validate_enterprise
from registry.errors import ValidationError as DomainValidationError
from registry.fields import REQUIRED, Text, UtcDateTime, page_field, per_page_field
from registry.paging import PageSchema

_AT_MOST_50 = validate.Length(max=50, error="证书最多 50 项")
_REGION_RE = validate.Regexp(r"^\d{2}(\d{2}){0,2}$", error="地区代码应为 2、4 或 6 位数字（GB/T 2260）")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class CertificateSchema(_Strict):
    """A 浙江制造 / 品字标 certificate held by the enterprise."""

    kind = Text(required=True, validate=validate.Length(min=1, max=40),
                error_messages=REQUIRED, metadata={"description": "如 浙江制造、品字标"})
    number = Text(required=True, validate=validate.Length(min=1, max=80),
                  error_messages=REQUIRED)
    standard = Text(load_default=None, allow_none=True, validate=validate.Length(max=80))
    valid_until = fields.Date(load_default=None, allow_none=True,
                              error_messages={"invalid": "日期无效，应为 YYYY-MM-DD"})

    @post_load
    def _json_ready(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """Certificates are stored as JSON: dates as ISO strings."""
        until = data.get("valid_until")
        return {**data, "valid_until": until.isoformat() if until else None}


class EnterpriseInSchema(_Strict):
    """An enterprise as registered at sign-up; the region defaults to the credit code's."""

    name = Text(required=True, error_messages=REQUIRED)
    credit_code = Text(required=True, error_messages=REQUIRED,
                       metadata={"description": "统一社会信用代码（18 位）"})
    region_code = Text(load_default=None, allow_none=True,
                       metadata={"description": "GB/T 2260 地区代码；不填时取信用代码中的地区"})
    industry_code = Text(required=True, error_messages=REQUIRED,
                         metadata={"description": "GB/T 4754 门类（A–T）或大类（两位数字）"})
    above_scale = fields.Boolean(load_default=False)
    address = Text(load_default=None, allow_none=True, validate=validate.Length(max=300))
    certificates = fields.List(fields.Nested(CertificateSchema), load_default=list,
                               validate=_AT_MOST_50)

    @validates_schema(skip_on_field_errors=False)
    def _identifiers(self, data: dict[str, Any], **_: Any) -> None:
        """Credit code, region and industry, with the stable codes of registry.identifiers."""
        try:
            validate_enterprise(data)
        except DomainValidationError as exc:
            # fields that are missing already have their "必填项"; a region not given is
            # taken from the credit code, whose own error says what is wrong
            errors = {k: v for k, v in exc.errors.items() if data.get(k) is not None}
            if errors:
                raise ValidationError(errors) from exc


class EnterpriseUpdateSchema(_Strict):
    """The fields an enterprise's own people may change (never the credit code)."""

    name = Text(validate=validate.Length(min=2, max=200, error="企业名称应为 2–200 个字符"))
    region_code = Text(metadata={"description": "GB/T 2260 地区代码"})
    industry_code = Text(metadata={"description": "GB/T 4754 门类或大类"})
    above_scale = fields.Boolean()
    address = Text(allow_none=True, validate=validate.Length(max=300))
    certificates = fields.List(fields.Nested(CertificateSchema), validate=_AT_MOST_50)


class EnterpriseBriefSchema(Schema):
    """An enterprise as named inside other records."""

    credit_code = Text()
    name = Text()
    region_code = Text()
    region_name = Text()


class EnterpriseOutSchema(EnterpriseBriefSchema):
    """An enterprise's public record."""

    industry_code = Text()
    industry_name = Text()
    industry_section = Text(allow_none=True)
    region_chain = fields.List(Text())
    above_scale = fields.Boolean()
    address = Text(allow_none=True)
    certificates = fields.List(fields.Dict())
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class EnterpriseListArgsSchema(Schema):
    """Query-string filters of the enterprise list."""

    class Meta:
        unknown = RAISE

    q = Text(load_default=None, metadata={"description": "企业名称片段或完整信用代码"})
    region = Text(load_default=None, validate=_REGION_RE,
                  metadata={"description": "地区代码（含下级），如 330600"})
    industry = Text(load_default=None, validate=validate.Regexp(
        r"^([A-Ta-t]|\d{2,4})$", error="行业代码应为 GB/T 4754 门类（A–T）或 2–4 位数字"))
    page = page_field()
    per_page = per_page_field(20, 100)

    @validates("region")
    def _known_region(self, value: str | None, **_: Any) -> None:
        """A region filter naming no known region is a 422, not an empty answer."""
        check_region_arg(value)


class EnterprisePageSchema(PageSchema):
    items = fields.List(fields.Nested(EnterpriseOutSchema))


def check_region_arg(code: str | None) -> None:
    """Raise a marshmallow error when a 2-, 4- or 6-digit region filter names no region."""
    if not code:
        return
    try:
        identifiers.check_region((code + "0000")[:6])
    except identifiers.IdentifierError as exc:
        raise ValidationError(f"[{exc.code}] {exc.message}") from exc
