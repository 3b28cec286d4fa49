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
from registry.fields import REQUIRED, Text, TopLevelPartial, page_field, per_page_field
from registry.paging import PageSchema
from registry.standards.models import DEGREES, END_KINDS, LEVELS, NATURES, STATUSES

_ICS_RE = r"^\d{2}(\.\d{3}(\.\d{2})?)?$"
_CCS_RE = r"^[A-Z]\d{2}$"

_AT_MOST_100 = validate.Length(max=100, error="最多 100 项")


class AdoptionInSchema(Schema):
    class Meta:
        unknown = RAISE

    number = Text(required=True, error_messages=REQUIRED)
    degree = Text(
        required=True, validate=validate.OneOf(DEGREES, error="采用程度必须是 IDT、MOD 或 NEQ"),
        error_messages=REQUIRED,
    )
    title = Text(load_default=None, allow_none=True, validate=validate.Length(max=500))

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

    number = Text(required=True, error_messages=REQUIRED)
    title_zh = Text(required=True, validate=validate.Length(min=1, max=500),
                    error_messages=REQUIRED)
    title_en = Text(load_default=None, allow_none=True, validate=validate.Length(max=500))
    nature = Text(load_default=None, allow_none=True, validate=validate.OneOf(NATURES))
    status = Text(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))
    issued_on = fields.Date(load_default=None, allow_none=True)
    effective_on = fields.Date(load_default=None, allow_none=True)
    withdrawn_on = fields.Date(load_default=None, allow_none=True)
    end_kind = Text(load_default=None, allow_none=True, validate=validate.OneOf(END_KINDS))
    ics = fields.List(
        Text(validate=validate.Regexp(_ICS_RE, error="ICS 分类号格式应如 03.120.10")),
        load_default=list, validate=_AT_MOST_100)
    ccs = Text(load_default=None, allow_none=True,
               validate=validate.Regexp(_CCS_RE, error="CCS 分类号格式应如 A00"))
    issuing_body = Text(load_default=None, allow_none=True)
    responsible_dept = Text(load_default=None, allow_none=True)
    technical_committee = Text(load_default=None, allow_none=True)
    drafting_orgs = fields.List(Text(), load_default=list, validate=_AT_MOST_100)
    drafters = fields.List(Text(), load_default=list, validate=_AT_MOST_100)
    filing_no = Text(load_default=None, allow_none=True)
    notice_no = Text(load_default=None, allow_none=True)
    scope = Text(load_default=None, allow_none=True)
    full_text_url = fields.Url(load_default=None, allow_none=True)
    adoptions = fields.List(fields.Nested(AdoptionInSchema), load_default=list,
                            validate=_AT_MOST_100)
    replaces = fields.List(Text(), load_default=list, validate=_AT_MOST_100)

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


class StandardUpdateSchema(TopLevelPartial, StandardInSchema):
    """Partial update: every field optional, the number may not change."""

    class Meta:
        unknown = RAISE
        exclude = ("number",)

    @post_load
    def _check_dates(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return data


class AdoptionOutSchema(Schema):
    number = Text()
    degree = Text()
    degree_label = Text()
    title = Text(allow_none=True)


class StandardSummarySchema(Schema):
    """A standard in a list."""

    number = Text()
    title_zh = Text()
    title_en = Text(allow_none=True)
    level = Text(metadata={"enum": list(LEVELS)})
    level_label = Text()
    nature = Text(allow_none=True)
    status = Text(metadata={"enum": list(STATUSES)})
    status_label = Text()
    is_zhejiang_made = fields.Boolean()
    issued_on = fields.Date(allow_none=True)
    effective_on = fields.Date(allow_none=True)
    withdrawn_on = fields.Date(allow_none=True)
    ics = fields.List(Text())
    ccs = Text(allow_none=True)


class StandardOutSchema(StandardSummarySchema):
    """A standard's full record, with its edition chain."""

    dual_number = Text(allow_none=True)
    prefix = Text()
    org = Text(allow_none=True)
    year = fields.Integer(allow_none=True)
    withdrawn_on_estimated = fields.Boolean()
    end_kind = Text(allow_none=True)
    issuing_body = Text(allow_none=True)
    responsible_dept = Text(allow_none=True)
    technical_committee = Text(allow_none=True)
    drafting_orgs = fields.List(Text())
    drafters = fields.List(Text())
    filing_no = Text(allow_none=True)
    notice_no = Text(allow_none=True)
    scope = Text(allow_none=True)
    full_text_url = Text(allow_none=True)
    source = Text()
    adoptions = fields.List(fields.Nested(AdoptionOutSchema))
    replaces = fields.List(Text(), attribute="replaces_numbers")
    replaced_by = fields.List(Text(), dump_default=list)
    other_editions = fields.List(Text(), dump_default=list)


class StandardListArgsSchema(Schema):
    """Query-string filters of the catalogue list."""

    class Meta:
        unknown = RAISE

    q = Text(load_default=None)
    level = Text(load_default=None, validate=validate.OneOf(LEVELS + ("zzb",)))
    status = Text(load_default=None, validate=validate.OneOf(STATUSES))
    nature = Text(load_default=None, validate=validate.OneOf(NATURES))
    ics = Text(load_default=None)
    org = Text(load_default=None)
    page = page_field()
    per_page = per_page_field(20, 100)


class StatusCheckInSchema(Schema):
    class Meta:
        unknown = RAISE

    numbers = fields.List(Text(), required=True,
                          validate=validate.Length(min=1, max=5000), error_messages=REQUIRED)


class StatusRowSchema(Schema):
    input = Text()
    found = fields.Boolean()
    number = Text(allow_none=True)
    title_zh = Text(allow_none=True)
    status = Text(allow_none=True)
    status_label = Text(allow_none=True)
    current_edition = Text(allow_none=True)
    current_title = Text(allow_none=True)
    message = Text(allow_none=True)


# -- API envelopes (output only) ----------------------------------------------------------

class StandardPageSchema(PageSchema):
    """One page of the catalogue list, with its totals."""

    items = fields.List(fields.Nested(StandardSummarySchema))


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
