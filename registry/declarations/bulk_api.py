"""JSON API: 批量声明 Bulk filing.

``POST /api/v1/declarations/bulk`` takes the template as a multipart upload (``file``) or
JSON ``{"rows": [...]}`` (each row keyed by template headers or DeclarationInSchema field
names). All rows are filed or none: any error answers 422 with ``errors`` keyed
``row N`` / ``row N.<column>`` (rows numbered as the spreadsheet shows them; JSON rows
from 1). ``GET /api/v1/declarations/bulk/template?format=xlsx|csv`` downloads the template.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, current_app, request
from flask.blueprints import BlueprintSetupState
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields
from marshmallow import ValidationError as SchemaError

from registry.apisupport import BEARER, error_doc, error_docs, setup_api_blueprint, signed_in
from registry.declarations import bulk, bulk_table, services
from registry.errors import ValidationError
from registry.extensions import db
from registry.spreadsheets import RowError
from registry.spreadsheets.templates import MIMETYPES

blp = Blueprint("bulk_api", __name__, url_prefix="/api/v1", description="批量声明 Bulk filing")

_FLAG_TRUE = {"1", "true", "yes", "on", "是"}
_FLAG_FALSE = {"0", "false", "no", "off", "否"}


class BulkJsonInSchema(Schema):
    """The JSON form of a bulk filing."""

    class Meta:
        unknown = RAISE

    rows = fields.List(fields.Dict(), required=True,
                       metadata={"description": "每行一个产品：键为模板列名（产品名称、执行标准、指标…）"
                                 "或 DeclarationInSchema 字段名"})
    enterprise = fields.String(load_default=None, allow_none=True,
                               metadata={"description": "统一社会信用代码（管理员必填；企业用户为本企业）"})
    publish = fields.Boolean(load_default=True, metadata={"description": "false 则保存为草稿"})
    dry_run = fields.Boolean(load_default=False, metadata={"description": "只检查，不提交"})


class BulkWarningSchema(Schema):
    row = fields.Integer()
    column = fields.String()
    code = fields.String()
    message = fields.String()


class BulkResultSchema(Schema):
    """What was filed (201) or, with ``dry_run``, would be filed (200)."""

    rows = fields.Integer(metadata={"description": "数据行数"})
    dry_run = fields.Boolean()
    published = fields.Boolean(metadata={"description": "是否已公开（否则为草稿）"})
    created = fields.List(fields.Integer(), metadata={"description": "新建声明的编号"})
    warnings = fields.List(fields.Nested(BulkWarningSchema))


_MULTIPART = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "模板文件：.xlsx、.csv（UTF-8 / GB18030）或 .json（{\"rows\": [...]}）"},
        "enterprise": {"type": "string", "description": "统一社会信用代码（管理员必填）"},
        "publish": {"type": "boolean", "default": True},
        "dry_run": {"type": "boolean", "default": False},
    },
}


@blp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Declare the JSON body's schema."""
    smorest_api = state.app.extensions["flask-smorest"]["blp_name_to_api"][blp.name]
    components = smorest_api.spec.components
    if "BulkJsonIn" not in components.schemas:
        components.schema("BulkJsonIn", schema=BulkJsonInSchema)


setup_api_blueprint(blp)


def _flag(value: Any, default: bool, name: str) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _FLAG_TRUE:
        return True
    if text in _FLAG_FALSE:
        return False
    raise ValidationError(f"{name} 应为 true 或 false", {name: ["应为 true 或 false"]})


def _rows_from_request() -> tuple[list[tuple[int, Any]], dict[str, Any], bool, list[str]]:
    """(numbered rows, options, JSON?, reading warnings) from a multipart or JSON request."""
    if request.mimetype == "application/json" or request.is_json:
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            raise ValidationError("请求体应为 JSON 对象 {\"rows\": [...]}",
                                  {"json": ["应为 JSON 对象"]})
        try:
            data = BulkJsonInSchema().load(payload)
        except SchemaError as exc:
            raise ValidationError("请求体有误", exc.normalized_messages()) from exc
        for key in ("publish", "dry_run", "enterprise"):
            if key in request.args and key not in payload:
                data[key] = request.args[key]
        if not data["rows"]:
            raise bulk_table.BulkFileError([RowError(0, "", "rows 为空，没有要提交的声明", "no_rows")])
        if len(data["rows"]) > bulk_table.MAX_ROWS:
            raise bulk_table.BulkFileError([RowError(
                0, "", f"一次最多提交 {bulk_table.MAX_ROWS} 行，请分批提交", "too_many_rows")])
        return list(enumerate(data["rows"], start=1)), data, True, []
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("请上传模板文件（multipart 字段 file）或提交 JSON {\"rows\": [...]}",
                              {"file": ["必填项"]})
    table = bulk_table.read_table(upload.read(), upload.filename or "")
    options = {key: request.form.get(key, request.args.get(key))
               for key in ("enterprise", "publish", "dry_run")}
    return table.rows, options, table.kind == "json", table.warnings


@blp.route("/declarations/bulk", methods=["POST"])
@blp.doc(security=BEARER, summary="批量提交自我声明（全部成功或全部不提交）",
         requestBody={"required": True, "content": {
             "multipart/form-data": {"schema": _MULTIPART},
             "application/json": {"schema": {"$ref": "#/components/schemas/BulkJsonIn"}}}},
         parameters=[
             {"in": "query", "name": "dry_run", "schema": {"type": "boolean"},
              "description": "只检查，不提交（也可放在表单或 JSON 中）"},
             {"in": "query", "name": "publish", "schema": {"type": "boolean"},
              "description": "false 则保存为草稿；默认直接公开"},
             {"in": "query", "name": "enterprise", "schema": {"type": "string"},
              "description": "统一社会信用代码（管理员必填）"}])
@blp.response(201, BulkResultSchema, description="全部声明已提交")
@blp.alt_response(200, schema=BulkResultSchema, description="dry_run：检查通过，未提交")
@error_docs(blp, 401, 403, 404, 422)
def file_bulk() -> Any:
    """File many declarations at once from the template (XLSX/CSV) or JSON rows.

    Every row goes through the same schema and checks as a single declaration. Any error
    files nothing and answers 422 with ``errors`` keyed ``row N`` or ``row N.<column>``.
    """
    user = signed_in()
    rows, options, is_json, reading = _rows_from_request()
    publish = _flag(options.get("publish"), True, "publish")
    dry_run = _flag(options.get("dry_run"), False, "dry_run")
    enterprise = services.filing_enterprise(user, options.get("enterprise"))
    report = bulk.file_declarations(enterprise, rows, user, publish=publish, dry_run=dry_run,
                                    strict_keys=is_json)
    if not report.ok:
        db.session.rollback()
        raise bulk.BulkRejected(report)
    warnings = [{"row": 0, "column": "", "code": "ignored_columns", "message": w}
                for w in reading]
    warnings += [{"row": w.row, "column": w.column, "code": w.code, "message": w.message}
                 for w in report.warnings]
    body = {"rows": report.rows, "dry_run": dry_run, "published": publish and not dry_run,
            "created": report.created, "warnings": warnings}
    if dry_run:
        db.session.rollback()
        return body, 200
    db.session.commit()
    return body, 201


@blp.route("/declarations/bulk/template", methods=["GET"])
@blp.doc(summary="下载批量声明模板", parameters=[
    {"in": "query", "name": "format", "schema": {"type": "string", "enum": ["xlsx", "csv"],
                                                 "default": "xlsx"}}],
    responses={"200": {"description": "模板文件", "content": {
        MIMETYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
        "text/csv": {"schema": {"type": "string", "format": "binary"}}}}})
@error_doc(blp, 422)
def download_template() -> Response:
    """The empty bulk template, XLSX (with a 填写说明 sheet) or CSV (UTF-8 with BOM)."""
    fmt = request.args.get("format") or "xlsx"
    mimetype, ascii_name, zh_name = bulk_table.template_type(fmt)
    resp = current_app.response_class(bulk_table.template_bytes(fmt), mimetype=mimetype)
    resp.headers["Content-Disposition"] = (
        f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(zh_name)}")
    return resp
