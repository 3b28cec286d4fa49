"""Domain errors and the one error contract: ``{"code", "status", "message", "errors"}``."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from marshmallow import Schema, fields
from marshmallow import ValidationError as MarshmallowValidationError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException


class RegistryError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class MalformedRequest(RegistryError):
    """A request no view can take (NUL characters, JSON nested too deep …): 400."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None,
                 code: str = "bad_request") -> None:
        super().__init__(message, errors)
        self.code = code


class ValidationError(RegistryError):
    status = 422
    code = "validation_error"


class NotFound(RegistryError):
    status = 404
    code = "not_found"


class Conflict(RegistryError):
    status = 409
    code = "conflict"


class Forbidden(RegistryError):
    status = 403
    code = "forbidden"


class Unauthorized(RegistryError):
    status = 401
    code = "unauthorized"


class TooManyRequests(RegistryError):
    """Refused for now (e.g. too many failed sign-ins); ``retry_after`` in seconds."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


_HTTP_MESSAGES = {
    400: "请求无效",
    401: "需要登录或有效的 API 令牌",
    403: "没有权限执行此操作",
    404: "未找到",
    405: "不支持该请求方法",
    413: "上传的文件过大",
    422: "提交的数据有误",
    429: "请求过于频繁",
    500: "服务器内部错误",
}


class ApiErrorSchema(Schema):
    """The API error contract, as documented in the OpenAPI document."""

    code = fields.String(metadata={"description": "machine-readable code, e.g. not_found"})
    status = fields.Integer(metadata={"description": "HTTP status"})
    message = fields.String(metadata={"description": "human-readable message"})
    errors = fields.Dict(keys=fields.String(),
                         metadata={"description": "field name -> list of messages"})


def error_body(
    status: int, code: str, message: str, errors: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The API error contract."""
    return {"code": code, "status": status, "message": message, "errors": errors or {}}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _string_keys(value: Any) -> Any:
    """Error messages with every key a string: marshmallow keys a list's items by index,
    beside string keys ("_schema") for the list as a whole, and JSON cannot sort a mix."""
    if isinstance(value, dict):
        return {str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_string_keys(v) for v in value]
    return value


def _respond(status: int, code: str, message: str, errors: dict[str, Any] | None = None) -> Any:
    errors = _string_keys(errors) if errors else errors
    if _wants_json():
        return jsonify(error_body(status, code, message, errors)), status
    return (
        render_template("errors.html", status=status, message=message, errors=errors or {}),
        status,
    )


def register_error_handlers(app: Flask) -> None:
    """Map domain errors, validation errors and HTTP errors onto the contract."""

    @app.errorhandler(RegistryError)
    def _registry_error(exc: RegistryError) -> Any:
        response = make_response(_respond(exc.status, exc.code, exc.message, exc.errors))
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(MarshmallowValidationError)
    def _schema_error(exc: MarshmallowValidationError) -> Any:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
        return _respond(422, "validation_error", _HTTP_MESSAGES[422], messages)

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError) -> Any:
        # two requests raced for the same unique value (an edition number, an e-mail …):
        # nothing was written; the client may simply retry
        from registry.extensions import db

        db.session.rollback()
        return _respond(409, "conflict", "与同时提交的其他请求冲突，未保存任何内容，请重试")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        errors: dict[str, Any] = {}
        # flask-smorest / webargs put the field messages here
        data = getattr(exc, "data", None) or {}
        if isinstance(data, dict) and "messages" in data:
            msgs = data["messages"]
            # webargs nests by location ("json", "query"); flatten one level
            for loc, loc_msgs in msgs.items() if isinstance(msgs, dict) else []:
                if isinstance(loc_msgs, dict):
                    errors.update(loc_msgs)
                else:  # e.g. {"json": ["Invalid JSON body."]}
                    errors[loc] = loc_msgs
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
                422: "validation_error", 401: "unauthorized", 403: "forbidden"}.get(
            status, "http_error")
        message = _HTTP_MESSAGES.get(status, exc.description or exc.name)
        response = make_response(_respond(status, code, message, errors))
        # werkzeug's own headers (405's Allow, 401's WWW-Authenticate, 416's Content-Range)
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    _document_error_contract(app)


def _document_error_contract(app: Flask) -> None:
    """Make flask-smorest's shared error schema in the OpenAPI document match the contract.

    flask-smorest documents every error response (its 422 for arguments, the default error,
    the per-status components) with its own ErrorSchema, whose ``code`` is the HTTP status
    and ``status`` its name; our handlers answer the other way round.
    """
    for entry in app.extensions.get("flask-smorest", {}).get("apis", {}).values():
        smorest_api = entry["ext_obj"]
        converter = smorest_api.ma_plugin.converter
        name = converter.schema_name_resolver(smorest_api.ERROR_SCHEMA)
        smorest_api.spec.components.schemas[name] = converter.schema2jsonschema(ApiErrorSchema)
