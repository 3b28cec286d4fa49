"""HTML pages of the catalogue: home, browse, a standard's page, bulk status check."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as SchemaError
from werkzeug.datastructures import FileStorage
from werkzeug.routing import BuildError

from registry import labels, numbers
from registry.errors import ValidationError
from registry.spreadsheets import decode_text, xlsx_rows
from registry.standards import exports, services
from registry.standards.models import LEVELS, NATURES, STATUSES, Standard
from registry.standards.schemas import StandardListArgsSchema
from registry.standards.status_check import StatusRow, check_statuses

bp = Blueprint("standards", __name__)

# Field names and messages for a bad catalogue filter (marshmallow's own are English).
FILTER_LABELS = {
    "q": _l("关键词"),
    "level": _l("层级"),
    "status": _l("状态"),
    "nature": _l("性质"),
    "ics": _l("ICS 分类"),
    "org": _l("行业/机构代号"),
    "page": _l("页码"),
    "per_page": _l("每页条数"),
}

_SPLIT_RE = re.compile(r"[\r\n,;\t，；、]+")
_NUMBER_HEADERS = {"标准号", "标准编号", "number", "标准代号", "standard number", "std_code"}
_UPLOAD_TYPES = (".txt", ".csv", ".xlsx")


@bp.record_once
def _template_globals(state: BlueprintSetupState) -> None:
    # Globals, not a context processor, so that macros imported without context see them.
    state.app.jinja_env.globals.update(
        level_text=labels.LEVEL,
        nature_text=labels.NATURE,
        status_text=labels.STATUS,
        degree_text=labels.DEGREE,
        lang_url=_lang_url,
        is_demo=_is_demo,
        std_title=_title,
        sector_name=_sector_name,
        search_url=_search_url,
    )


@bp.app_context_processor
def _page_helpers() -> dict[str, Any]:
    return {"html_lang": _html_lang(), "punct": _punctuation()}


def _search_url() -> str:
    """The search page when it is installed, else the catalogue list (both take ``q``)."""
    try:
        return url_for("search.search_page")
    except BuildError:
        return url_for("standards.catalogue")


def _punctuation() -> dict[str, str]:
    """Full-width punctuation around Chinese text, ASCII around English."""
    if str(get_locale() or "zh") == "en":
        return {"colon": ": ", "open": " (", "close": ")", "list": ", "}
    return {"colon": "：", "open": "（", "close": "）", "list": "、"}


def _html_lang() -> str:
    return "en" if str(get_locale() or "zh") == "en" else "zh-CN"


def _lang_url(lang: str) -> str:
    """The current URL with ``lang`` switched (a POST result page falls back to its GET form)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", lang))
    return quote(request.script_root + request.path, safe="/:@") + "?" + urlencode(args)


def _is_demo(std: Standard) -> bool:
    return (std.source or "").startswith("demo")


def _title(std: Standard) -> str:
    if str(get_locale() or "zh") == "en" and std.title_en:
        return std.title_en
    return std.title_zh


def _sector_name(std: Standard) -> str | None:
    if std.level != "industry" or not std.org:
        return None
    return numbers.industry_sectors().get(std.org)


# -- home and catalogue -------------------------------------------------------------------


@bp.get("/")
def home() -> str:
    """Home: the catalogue search box and how many standards each level holds."""
    counts = [
        (lvl, services.list_standards(level=lvl, per_page=1).total) for lvl in (*LEVELS, "zzb")
    ]
    total = services.list_standards(per_page=1).total
    current = services.list_standards(status="current", per_page=1).total
    return render_template("standards/home.html", counts=counts, total=total, current=current)


@bp.get("/standards")
def catalogue() -> tuple[str, int]:
    """Browse the catalogue with filters in the query string."""
    raw = {k: v.strip() for k, v in request.args.items() if k != "lang" and v.strip()}
    schema = StandardListArgsSchema()
    errors: dict[str, str] = {}
    try:
        args = schema.load(raw)
    except SchemaError as exc:
        # keep the filters that are valid, drop the bad ones and say why
        bad = exc.messages if isinstance(exc.messages, dict) else {}
        errors = {k: _filter_message(k, raw.get(k, "")) for k in bad}
        args = schema.load({k: v for k, v in raw.items() if k not in errors})
    if "per_page" not in raw or "per_page" in errors:
        args["per_page"] = current_app.config["PAGE_SIZE"]
    args["per_page"] = min(args["per_page"], current_app.config["MAX_PAGE_SIZE"])
    page = services.list_standards(**args)
    # the filters the page links carry along (page itself varies per link)
    filters = {k: v for k, v in args.items() if k != "page" and v is not None}
    if args["per_page"] == current_app.config["PAGE_SIZE"]:
        filters.pop("per_page")
    return render_template(
        "standards/list.html",
        page=page,
        args=args,
        filters=filters,
        errors=errors,
        page_links=_page_links(page.page, page.pages),
        levels=(*LEVELS, "zzb"),
        statuses=STATUSES,
        natures=NATURES,
    ), (400 if errors else 200)


def _filter_message(name: str, value: str) -> str:
    if name == "page":
        return str(_l("页码必须是正整数"))
    if name == "per_page":
        return str(_l("每页条数必须是 1 到 100 之间的整数"))
    if name in FILTER_LABELS:
        return str(_l("“%(value)s”不是有效的%(field)s", value=value, field=FILTER_LABELS[name]))
    return str(_l("未知的查询参数“%(name)s”", name=name))


def _page_links(current: int, pages: int, window: int = 2) -> list[int | None]:
    """Page numbers to link, ``None`` for a gap: 1 … 4 5 [6] 7 8 … 20."""
    wanted = {1, pages, *range(current - window, current + window + 1)}
    out: list[int | None] = []
    last = 0
    for n in sorted(p for p in wanted if 1 <= p <= pages):
        if n - last > 1:
            out.append(None)
        out.append(n)
        last = n
    return out


# -- bulk status check --------------------------------------------------------------------
# Registered before the catch-all ``/standards/<path:number>`` (static rules win anyway).


@bp.route("/standards/status-check", methods=["GET", "POST"])
def status_check() -> Any:
    """Form; on POST the status of every number, or the results as CSV/XLSX."""
    if request.method == "GET":
        # ?numbers=… pre-fills the form (a link from elsewhere, a bookmark)
        return render_template(
            "standards/status_check.html", text=request.args.get("numbers", ""), errors=[]
        )
    text = request.form.get("numbers", "")
    errors: list[str] = []
    inputs = _split_numbers(text)
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        try:
            inputs += _numbers_from_file(upload)
        except ValueError as exc:
            errors.append(str(exc))
    rows: list[StatusRow] = []
    if not errors:
        try:
            rows = check_statuses(inputs, current_app.config["STATUS_CHECK_MAX"])
        except ValidationError as exc:
            errors.append(exc.message)
    if errors:
        return render_template("standards/status_check.html", text=text, errors=errors), 400
    for row in rows:
        row.message = _row_message(row)
    fmt = request.form.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _download(rows, fmt)
    return render_template(
        "standards/status_check.html",
        text=text,
        errors=[],
        rows=rows,
        summary=_summary(rows),
        all_inputs="\n".join(r.input for r in rows),
    )


def _split_numbers(text: str) -> list[str]:
    """One number per line, or separated by commas, semicolons or tabs (a number has spaces)."""
    return [p.strip() for p in _SPLIT_RE.split(text or "") if p.strip()]


def _numbers_from_file(upload: FileStorage) -> list[str]:
    """Numbers from an uploaded .txt/.csv/.xlsx: the 标准号 column, else the first column."""
    name = (upload.filename or "").lower()
    if not name.endswith(_UPLOAD_TYPES):
        raise ValueError(str(_l("只支持 .txt、.csv 或 .xlsx 文件")))
    data = upload.read()
    if name.endswith(".xlsx"):
        table = _xlsx_rows(data)
    else:
        decoded = _decode(data)
        if name.endswith(".txt"):
            return _split_numbers(decoded)
        table = list(csv.reader(io.StringIO(decoded)))
    return _number_column(table)


def _decode(data: bytes) -> str:
    return decode_text(data)  # UnreadableFile (a ValueError) says why it cannot


def _xlsx_rows(data: bytes) -> list[list[str]]:
    return [["" if c is None else str(c) for c in row] for row in xlsx_rows(data)]


def _number_column(table: list[list[str]]) -> list[str]:
    rows = [r for r in table if any(c.strip() for c in r)]
    if not rows:
        return []
    col, start = 0, 0
    header = [c.strip().lower() for c in rows[0]]
    for i, cell in enumerate(header):
        if cell in _NUMBER_HEADERS:
            col, start = i, 1
            break
    else:
        # a header row of another name: standard numbers always carry digits
        if not any(ch.isdigit() for ch in header[0]):
            start = 1
    return [r[col].strip() for r in rows[start:] if len(r) > col and r[col].strip()]


def _summary(rows: list[StatusRow]) -> dict[str, int]:
    out = {
        "total": len(rows),
        "found": sum(r.found for r in rows),
        "replaced_by": sum(bool(r.current_edition) for r in rows),
    }
    out["missing"] = out["total"] - out["found"]
    for s in STATUSES:
        out[s] = sum(r.status == s for r in rows)
    return out


def _row_message(row: StatusRow) -> str | None:
    """The row's note in the page language (service messages are Chinese)."""
    if row.found:
        if row.status in ("replaced", "abolished") and not row.current_edition:
            return str(_l("目录中没有代替它的现行标准"))
        return None
    if str(get_locale() or "zh") == "zh":
        return row.message
    if numbers.try_parse(row.input) is None and numbers.partial_key(row.input) is None:
        return str(_l("无法识别的标准编号")) + (f" ({row.message})" if row.message else "")
    return str(_l("目录中没有该标准"))


def _download(rows: list[StatusRow], fmt: str) -> Response:
    stamp = dt.date.today().strftime("%Y%m%d")
    table = exports.status_table(rows, labels.STATUS)
    if fmt == "csv":
        body = exports.to_csv(table)
        mimetype = "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(table, str(_l("标准状态查询")))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    resp = Response(body, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="status-check-{stamp}.{fmt}"'
    return resp


# -- a standard's page --------------------------------------------------------------------


@bp.get("/standards/<path:number>")
def detail(number: str) -> str:
    """A standard found by any writing of its number; without a year, the current edition."""
    look = services.find_standard(number)
    std = look.standard
    parsed = numbers.try_parse(number)
    partial = numbers.partial_key(number) if parsed is None else None
    no_year = parsed.year is None if parsed is not None else (partial is None or partial[1] is None)
    chain = services.chain_of(std)
    return render_template(
        "standards/detail.html",
        std=std,
        other_editions=look.other_editions,
        asked=number,
        no_year=no_year,
        chain=chain,
        chain_before=[n for n, s in services.predecessors_of(chain[0]) if s is None],
        predecessors=services.predecessors_of(std),
        successors=services.successors_of(std),
    )
