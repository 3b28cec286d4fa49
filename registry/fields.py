"""Marshmallow fields shared by every boundary (API schemas, HTML forms, bulk files).

One rule each, in one place:

- ``Text``: a string with no C0 control character except tab, newline and carriage return
  (NUL and friends are *refused*, not stripped: a value that silently changes between what
  was sent and what was stored is worse than a clear message) and no lone surrogate
  (``"\\ud800"`` in JSON; it cannot be stored as UTF-8).
- ``DbInteger``: an integer an INTEGER column can hold (|n| < 2**31: PostgreSQL's int4; a
  larger one makes the driver or the server fail, not simply match nothing).
- ``page_field`` / ``per_page_field``: list paging, bounded (a page past ``MAX_PAGE`` is
  refused with 422 instead of overflowing an OFFSET).
- ``UtcDateTime``: date-times dumped as ISO 8601 with their offset (the columns store naive
  UTC, ``registry.extensions.utcnow``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import Schema, fields, validate
from marshmallow import ValidationError as SchemaError

from registry.errors import ValidationError

# the messages of a required field left out or sent as null (every schema)
REQUIRED: dict[str, Any] = {"required": "必填项", "null": "必填项"}

DB_INT_MAX = 2**31 - 1
DB_INT_MIN = -(2**31)
MAX_PAGE = 100_000

# C0 controls except \t \n \r, DEL, and UTF-16 surrogate code points
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SURROGATES = re.compile(r"[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be taken as text (None when it can)."""
    if SURROGATES.search(value):
        return "包含无效的 Unicode 字符（单独的代理项）"
    if CONTROL_CHARS.search(value):
        return "不能包含控制字符（如 NUL）"
    return None


class Text(fields.String):
    """A string without control characters (tab and line breaks allowed) or lone surrogates."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        out = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(out)
        if problem:
            raise SchemaError(problem)
        return out


class DbInteger(fields.Integer):
    """An integer that fits an INTEGER column (ids, edition numbers)."""

    def _validated(self, value: Any) -> Any:
        out = super()._validated(value)
        if out is not None and not DB_INT_MIN <= out <= DB_INT_MAX:
            raise SchemaError("数值过大")
        return out


class UtcDateTime(fields.DateTime):
    """Dumps naive datetimes as UTC with an explicit offset (``2026-01-02T03:04:05+00:00``)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class TopLevelPartial:
    """A PATCH body: any top-level field may be left out, but an object that is sent (an
    indicator, an attachment, an adoption) is sent whole and validated as such.

    marshmallow's ``partial=True`` would also make the nested objects' required fields
    optional, and the code behind the schema would then meet a half object (KeyError).
    """

    _declared_fields: dict[str, fields.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = tuple(self._declared_fields)
        super().__init__(*args, **kwargs)


def page_field() -> fields.Integer:
    """The ``page`` query argument: 1 … MAX_PAGE."""
    return fields.Integer(load_default=1, validate=validate.Range(
        min=1, max=MAX_PAGE, error=f"页码应为 1 到 {MAX_PAGE} 之间的整数"))


def per_page_field(default: int, maximum: int) -> fields.Integer:
    """The ``per_page`` query argument: 1 … ``maximum``."""
    return fields.Integer(load_default=default, validate=validate.Range(
        min=1, max=maximum, error=f"每页条数应为 1 到 {maximum} 之间的整数"))


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested messages as ``{'certificates.0.valid_until': [...]}``."""
    if isinstance(messages, dict):
        out: dict[str, list[str]] = {}
        for key, value in messages.items():
            out.update(flatten_messages(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_": list(messages)}
    if isinstance(messages, list):
        out = {}
        for item in messages:
            out.update(flatten_messages(item, prefix))
        return out
    return {prefix or "_": [str(messages)]}


def load_form(schema: Schema, data: Any, message: str = "提交的数据有误") -> Any:
    """Load an HTML form's values through the API's schema; refusals become the domain's
    ``ValidationError`` (field -> messages), which the pages show next to the inputs."""
    try:
        return schema.load(data)
    except SchemaError as exc:
        raise ValidationError(message, flatten_messages(exc.messages)) from exc
