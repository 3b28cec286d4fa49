"""Marshmallow schemas at the catalogue's boundary (API, import, forms)."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
)

from registry import numbers
from registry.standards.models import DEGREES, END_KINDS, LEVELS, NATURES, STATUSES

_ICS_RE = r"^\d{2}(\.\d{3}(\.\d{2})?)?$"
_CCS_RE = r"^[A-Z]\d{2}$"

REQUIRED: dict[str, str | list[Any] | dict[Any, Any]] = {"required": "必填项"}


class AdoptionInSchema(Schema):
    class Meta:
        unknown = RAISE

    number = fields.String(required=True, error_messages=REQUIRED)
    degree = fields.String(
        required=True, validate=validate.OneOf(DEGREES, error="采用程度必须是 IDT、MOD 或 NEQ"),
        error_messages=REQUIRED,
    )
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))

    @pre_load
    def _upper(self, data: Any, **_: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("degree"), str):
            data = {**data, "degree": data["degree"].strip().upper()}
        return data

    @validates("number")
    def _number(self, value: str, **_: Any) -> None:
        try:
            numbers.parse(value)
        except numbers.NumberError as exc:
            raise ValidationError(exc.message) from exc


class StandardInSchema(Schema):
    """A catalogue record as submitted by the API, an import row or a form."""

    class Meta:
        unknown = RAISE

    number = fields.String(required=True, error_messages=REQUIRED)
    title_zh = fields.String(required=True, validate=validate.Length(min=1, max=500),
                             error_messages=REQUIRED)
    title_en = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    nature = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(NATURES))
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))
    issued_on = fields.Date(load_default=None, allow_none=True)
    effective_on = fields.Date(load_default=None, allow_none=True)
    withdrawn_on = fields.Date(load_default=None, allow_none=True)
    end_kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(END_KINDS))
    ics = fields.List(
        fields.String(validate=validate.Regexp(_ICS_RE, error="ICS 分类号格式应如 03.120.10")),
        load_default=list)
    ccs = fields.String(load_default=None, allow_none=True,
                        validate=validate.Regexp(_CCS_RE, error="CCS 分类号格式应如 A00"))
    issuing_body = fields.String(load_default=None, allow_none=True)
    responsible_dept = fields.String(load_default=None, allow_none=True)
    technical_committee = fields.String(load_default=None, allow_none=True)
    drafting_orgs = fields.List(fields.String(), load_default=list)
    drafters = fields.List(fields.String(), load_default=list)
    filing_no = fields.String(load_default=None, allow_none=True)
    notice_no = fields.String(load_default=None, allow_none=True)
    scope = fields.String(load_default=None, allow_none=True)
    full_text_url = fields.Url(load_default=None, allow_none=True)
    adoptions = fields.List(fields.Nested(AdoptionInSchema), load_default=list)
    replaces = fields.List(fields.String(), load_default=list)

    @validates("number")
    def _number(self, value: str, **_: Any) -> None:
        try:
            parsed = numbers.parse(value)
        except numbers.NumberError as exc:
            raise ValidationError(exc.message) from exc
        if parsed.year is None:
            raise ValidationError("目录中的标准编号必须带年代号，如 GB/T 19001-2016")

    @validates("replaces")
    def _replaces(self, value: list[str], **_: Any) -> None:
        bad = []
        for item in value:
            try:
                numbers.parse(item)
            except numbers.NumberError as exc:
                bad.append(f"{item}: {exc.message}")
        if bad:
            raise ValidationError(bad)

    @post_load
    def _check_dates(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        issued, effective = data.get("issued_on"), data.get("effective_on")
        withdrawn = data.get("withdrawn_on")
        if issued and effective and effective < issued:
            raise ValidationError("实施日期不能早于发布日期", "effective_on")
        if withdrawn and effective and withdrawn < effective:
            raise ValidationError("废止日期不能早于实施日期", "withdrawn_on")
        parsed = numbers.parse(data["number"])
        if data.get("nature") and parsed.nature and data["nature"] != parsed.nature:
            raise ValidationError(
                f"标准性质与编号不符：{parsed.canonical} 应为 {parsed.nature}", "nature")
        return data


class StandardUpdateSchema(StandardInSchema):
    """Partial update: every field optional, the number may not change."""

    class Meta:
        unknown = RAISE
        exclude = ("number",)

    @post_load
    def _check_dates(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return data


class AdoptionOutSchema(Schema):
    number = fields.String()
    degree = fields.String()
    degree_label = fields.String()
    title = fields.String(allow_none=True)


class StandardSummarySchema(Schema):
    """A standard in a list."""

    number = fields.String()
    title_zh = fields.String()
    title_en = fields.String(allow_none=True)
    level = fields.String(metadata={"enum": list(LEVELS)})
    level_label = fields.String()
    nature = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(STATUSES)})
    status_label = fields.String()
    is_zhejiang_made = fields.Boolean()
    issued_on = fields.Date(allow_none=True)
    effective_on = fields.Date(allow_none=True)
    withdrawn_on = fields.Date(allow_none=True)
    ics = fields.List(fields.String())
    ccs = fields.String(allow_none=True)


class StandardOutSchema(StandardSummarySchema):
    """A standard's full record, with its edition chain."""

    dual_number = fields.String(allow_none=True)
    prefix = fields.String()
    org = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)
    withdrawn_on_estimated = fields.Boolean()
    end_kind = fields.String(allow_none=True)
    issuing_body = fields.String(allow_none=True)
    responsible_dept = fields.String(allow_none=True)
    technical_committee = fields.String(allow_none=True)
    drafting_orgs = fields.List(fields.String())
    drafters = fields.List(fields.String())
    filing_no = fields.String(allow_none=True)
    notice_no = fields.String(allow_none=True)
    scope = fields.String(allow_none=True)
    full_text_url = fields.String(allow_none=True)
    source = fields.String()
    adoptions = fields.List(fields.Nested(AdoptionOutSchema))
    replaces = fields.List(fields.String(), attribute="replaces_numbers")
    replaced_by = fields.List(fields.String(), dump_default=list)
    other_editions = fields.List(fields.String(), dump_default=list)


class StandardListArgsSchema(Schema):
    """Query-string filters of the catalogue list."""

    class Meta:
        unknown = RAISE

    q = fields.String(load_default=None)
    level = fields.String(load_default=None, validate=validate.OneOf(LEVELS + ("zzb",)))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    nature = fields.String(load_default=None, validate=validate.OneOf(NATURES))
    ics = fields.String(load_default=None)
    org = fields.String(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class StatusCheckInSchema(Schema):
    class Meta:
        unknown = RAISE

    numbers = fields.List(fields.String(), required=True,
                          validate=validate.Length(min=1, max=5000), error_messages=REQUIRED)


class StatusRowSchema(Schema):
    input = fields.String()
    found = fields.Boolean()
    number = fields.String(allow_none=True)
    title_zh = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    status_label = fields.String(allow_none=True)
    current_edition = fields.String(allow_none=True)
    current_title = fields.String(allow_none=True)
    message = fields.String(allow_none=True)


# -- API envelopes (output only) ----------------------------------------------------------

class StandardPageSchema(Schema):
    """One page of the catalogue list, with its totals."""

    items = fields.List(fields.Nested(StandardSummarySchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class StatusSummarySchema(Schema):
    """Counts over the rows of a bulk status check."""

    found = fields.Integer()
    not_found = fields.Integer()
    current = fields.Integer()
    replaced = fields.Integer()
    abolished = fields.Integer()
    upcoming = fields.Integer()


class StatusCheckOutSchema(Schema):
    """The answer to a bulk status check: one row per input line, then the counts."""

    items = fields.List(fields.Nested(StatusRowSchema))
    summary = fields.Nested(StatusSummarySchema)
