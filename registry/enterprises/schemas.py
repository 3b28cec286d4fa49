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

REQUIRED: dict[str, Any] = {"required": "必填项", "null": "必填项"}
_REGION_RE = validate.Regexp(r"^\d{2}(\d{2}){0,2}$", error="地区代码应为 2、4 或 6 位数字（GB/T 2260）")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class CertificateSchema(_Strict):
    """A 浙江制造 / 品字标 certificate held by the enterprise."""

    kind = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         error_messages=REQUIRED, metadata={"description": "如 浙江制造、品字标"})
    number = fields.String(required=True, validate=validate.Length(min=1, max=80),
                           error_messages=REQUIRED)
    standard = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))
    valid_until = fields.Date(load_default=None, allow_none=True)

    @post_load
    def _json_ready(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """Certificates are stored as JSON: dates as ISO strings."""
        until = data.get("valid_until")
        return {**data, "valid_until": until.isoformat() if until else None}


class EnterpriseInSchema(_Strict):
    """An enterprise as registered at sign-up; the region defaults to the credit code's."""

    name = fields.String(required=True, error_messages=REQUIRED)
    credit_code = fields.String(required=True, error_messages=REQUIRED,
                                metadata={"description": "统一社会信用代码（18 位）"})
    region_code = fields.String(load_default=None, allow_none=True,
                                metadata={"description": "GB/T 2260 地区代码；不填时取信用代码中的地区"})
    industry_code = fields.String(required=True, error_messages=REQUIRED,
                                  metadata={"description": "GB/T 4754 门类（A–T）或大类（两位数字）"})
    above_scale = fields.Boolean(load_default=False)
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    certificates = fields.List(fields.Nested(CertificateSchema), load_default=list)

    @validates_schema(skip_on_field_errors=False)
    def _identifiers(self, data: dict[str, Any], **_: Any) -> None:
        """Credit code, region and industry, with the stable codes of registry.identifiers."""
        from registry.enterprises.services import validate_enterprise
        from registry.errors import ValidationError as DomainValidationError

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

    name = fields.String(validate=validate.Length(min=2, max=200, error="企业名称应为 2–200 个字符"))
    region_code = fields.String(metadata={"description": "GB/T 2260 地区代码"})
    industry_code = fields.String(metadata={"description": "GB/T 4754 门类或大类"})
    above_scale = fields.Boolean()
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    certificates = fields.List(fields.Nested(CertificateSchema))


class EnterpriseBriefSchema(Schema):
    """An enterprise as named inside other records."""

    credit_code = fields.String()
    name = fields.String()
    region_code = fields.String()
    region_name = fields.String()


class EnterpriseOutSchema(EnterpriseBriefSchema):
    """An enterprise's public record."""

    industry_code = fields.String()
    industry_name = fields.String()
    industry_section = fields.String(allow_none=True)
    region_chain = fields.List(fields.String())
    above_scale = fields.Boolean()
    address = fields.String(allow_none=True)
    certificates = fields.List(fields.Dict())
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class EnterpriseListArgsSchema(Schema):
    """Query-string filters of the enterprise list."""

    class Meta:
        unknown = RAISE

    q = fields.String(load_default=None, metadata={"description": "企业名称片段或完整信用代码"})
    region = fields.String(load_default=None, validate=_REGION_RE,
                           metadata={"description": "地区代码（含下级），如 330600"})
    industry = fields.String(load_default=None, validate=validate.Regexp(
        r"^([A-Ta-t]|\d{2,4})$", error="行业代码应为 GB/T 4754 门类（A–T）或 2–4 位数字"))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))

    @validates("region")
    def _known_region(self, value: str | None, **_: Any) -> None:
        """A region filter naming no known region is a 422, not an empty answer."""
        check_region_arg(value)


class EnterprisePageSchema(Schema):
    items = fields.List(fields.Nested(EnterpriseOutSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


def check_region_arg(code: str | None) -> None:
    """Raise a marshmallow error when a 2-, 4- or 6-digit region filter names no region."""
    if not code:
        return
    try:
        identifiers.check_region((code + "0000")[:6])
    except identifiers.IdentifierError as exc:
        raise ValidationError(f"[{exc.code}] {exc.message}") from exc
