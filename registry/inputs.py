"""The request boundary, before any view or schema runs.

- ``<int:...>`` in a URL is an id or an edition number: past 2**31 - 1 (an INTEGER column,
  PostgreSQL's int4) it can name no row, so the answer is 404 instead of the driver's
  OverflowError (SQLite, past 2**63) or the server's "integer out of range" (PostgreSQL).
- A JSON body must be storable and bounded: no lone surrogate (``"\\ud800"``), nested at
  most ``JSON_MAX_DEPTH`` deep (5,000 levels would exhaust Python's recursion limit in the
  parser). Checked once here for every JSON request, whoever parses it afterwards
  (webargs, ``request.get_json``).
- No NUL character and no lone surrogate in the path, query string or form values: neither
  can be stored, and PostgreSQL refuses NUL even in a query parameter. Other control
  characters are refused field by field (``registry.fields.Text``) with a message.

Refusals are ``MalformedRequest`` (400, the error contract / an HTML error page).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map

from registry.errors import MalformedRequest
from registry.fields import DB_INT_MAX, SURROGATES

DEFAULT_JSON_MAX_DEPTH = 64


class IdConverter(IntegerConverter):
    """``int`` path segments bounded to what an INTEGER column holds."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = DB_INT_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        number = int(value)
        if self.max is not None and number > self.max:
            # NotFound, not the ValidationError werkzeug expects: that would try the other
            # rules and answer a PATCH with "405, Allow: GET" when the GET is a 404 as well
            raise NotFound()
        return int(super().to_python(value))


def json_problem(body: bytes, max_depth: int) -> tuple[str, str] | None:
    """(code, message) when the JSON body must be refused; None when it may be parsed."""
    try:
        value = json.loads(body)
    except RecursionError:
        return "too_deep", f"JSON 嵌套过深（最多 {max_depth} 层）"
    except ValueError:
        return None  # malformed JSON: the parser that reads it answers with its own 400
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                return "too_deep", f"JSON 嵌套过深（最多 {max_depth} 层）"
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                if isinstance(key, str) and SURROGATES.search(key):
                    return "bad_unicode", "JSON 中含有无效的 Unicode 字符（单独的代理项）"
                stack.append((child, depth + 1))
        elif isinstance(item, str) and SURROGATES.search(item):
            return "bad_unicode", "JSON 中含有无效的 Unicode 字符（单独的代理项）"
    return None


def _bad_text(value: str | None) -> bool:
    return isinstance(value, str) and ("\x00" in value or SURROGATES.search(value) is not None)


def check_request() -> None:
    """Refuse what no view can handle (see the module docstring)."""
    if _bad_text(request.path):
        raise MalformedRequest("请求地址中含有无法处理的字符", {"path": ["不能包含 NUL 字符"]})
    for key, value in request.args.items(multi=True):
        if _bad_text(key) or _bad_text(value):
            raise MalformedRequest("查询参数中含有无法处理的字符（NUL）",
                                   {key if not _bad_text(key) else "_": ["不能包含 NUL 字符"]})
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json:
            body = request.get_data(cache=True)
            if body:
                max_depth = int(current_app.config.get("JSON_MAX_DEPTH", DEFAULT_JSON_MAX_DEPTH))
                problem = json_problem(body, max_depth)
                if problem:
                    code, message = problem
                    raise MalformedRequest(message, {"json": [message]}, code=code)
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in request.form.items(multi=True):
                if _bad_text(key) or _bad_text(value):
                    raise MalformedRequest("表单中含有无法处理的字符（NUL）",
                                           {key if not _bad_text(key) else "_":
                                            ["不能包含 NUL 字符"]})


def install_input_guards(app: Flask) -> None:
    """Run ``check_request`` before every view."""
    app.before_request(check_request)
