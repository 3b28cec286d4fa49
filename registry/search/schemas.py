"""Search parameters and answers at the boundary."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from registry.search.query import SORTS

STATUSES = ("upcoming", "current", "replaced", "abolished")
KINDS = ("standard", "declaration", "enterprise")


class SearchArgsSchema(Schema):
    """Query-string parameters of the search page and GET /api/v1/search."""

    class Meta:
        unknown = EXCLUDE  # the page also carries lang=...; nothing else is read

    q = fields.String(load_default="", validate=validate.Length(max=200, error="搜索词过长（最多 200 字）"))
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS, error="类型无效"))
    level = fields.String(load_default=None, validate=validate.OneOf(
        ("national", "industry", "local", "group", "zzb", "enterprise", "international"),
        error="标准层级无效"))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES, error="状态无效"))
    nature = fields.String(load_default=None, validate=validate.OneOf(
        ("mandatory", "recommended", "guidance", "none"), error="标准性质无效"))
    org = fields.String(load_default=None, validate=validate.Length(max=40))
    ics = fields.String(load_default=None, validate=validate.Regexp(
        r"^\d{2}(\.\d{3}(\.\d{2})?)?$", error="ICS 分类号格式应如 03 或 03.120.10"))
    year = fields.Integer(load_default=None, validate=validate.Range(1900, 2100, error="年份无效"),
                          error_messages={"invalid": "年份必须是整数"})
    region = fields.String(load_default=None, validate=validate.Regexp(r"^\d{2,6}$",
                                                                        error="地区代码无效"))
    industry = fields.String(load_default=None, validate=validate.Length(max=8))
    sort = fields.String(load_default="relevance", validate=validate.OneOf(
        SORTS, error="排序方式必须是 relevance、number 或 date"))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1000, error="页码无效"),
                          error_messages={"invalid": "页码必须是整数"})
    per_page = fields.Integer(load_default=10, validate=validate.Range(1, 100,
                              error="每页条数必须在 1 到 100 之间"),
                              error_messages={"invalid": "每页条数必须是整数"})


class SuggestArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(required=True, validate=validate.Length(min=1, max=100),
                      error_messages={"required": "必填项"})
    limit = fields.Integer(load_default=10, validate=validate.Range(1, 20))


class FacetValueSchema(Schema):
    value = fields.String()
    count = fields.Integer()


class SearchHitSchema(Schema):
    kind = fields.String()
    number = fields.String(allow_none=True)
    title = fields.String()
    title_html = fields.String(metadata={"description": "title with <mark> around matches"})
    snippet_html = fields.String()
    status = fields.String(allow_none=True)
    level = fields.String(allow_none=True)
    url = fields.String()
    score = fields.Float()


class SearchResultSchema(Schema):
    items = fields.List(fields.Nested(SearchHitSchema))
    total = fields.Integer()
    total_exact = fields.Boolean(metadata={"description": "false: total is an estimate"})
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)))
    facets_exact = fields.Boolean()
    did_you_mean = fields.String(allow_none=True)


class SuggestionSchema(Schema):
    kind = fields.String()
    number = fields.String()
    title = fields.String()
    status = fields.String()


class SuggestResultSchema(Schema):
    items = fields.List(fields.Nested(SuggestionSchema))
