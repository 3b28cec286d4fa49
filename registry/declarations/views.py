"""Declaration pages: list, a declaration with its editions, one edition, differences, feeds.

Filing (new, edit, publish, amend, withdraw) lives in ``filing.py`` and is routed here.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext

from registry import labels
from registry.accounts.auth import page_user
from registry.declarations import feeds, filing, forms, reading, services
from registry.declarations.checks import check_declaration
from registry.enterprises.views import _page_arg
from registry.errors import NotFound, error_body
from registry.standards import services as standards
from registry.standards.views import _page_links as page_links

bp = Blueprint("declarations", __name__)



@bp.record_once
def _globals(state: BlueprintSetupState) -> None:
    state.app.jinja_env.globals.update(
        decl_state_text=labels.DECLARATION_STATE,
        edition_kind_text=labels.EDITION_KIND,
        watch_event_text=labels.WATCH_EVENT,
        direction_text=forms.DIRECTION_TEXT,
        field_label=forms.label_of,
    )


for rule, view, methods in (
    ("/declarations/new", filing.new, ["GET", "POST"]),
    ("/declarations/<int:decl_id>/edit", filing.edit, ["GET", "POST"]),
    ("/declarations/<int:decl_id>/publish", filing.publish, ["POST"]),
    ("/declarations/<int:decl_id>/delete", filing.delete, ["POST"]),
    ("/declarations/<int:decl_id>/amend", filing.amend, ["GET", "POST"]),
    ("/declarations/<int:decl_id>/withdraw", filing.withdraw, ["GET", "POST"]),
):
    bp.add_url_rule(rule, view_func=view, methods=methods)


@bp.get("/declarations")
def index() -> Any:
    """Published and withdrawn declarations, newest first."""
    state = request.args.get("state", "")
    state = state if state in ("published", "withdrawn") else ""
    page = services.list_declarations(state=state or None, page=_page_arg(), per_page=20)
    filters = {"state": state} if state else {}
    return render_template("declarations/list.html", page=page, state=state, filters=filters,
                           page_links=page_links(page.page, page.pages))


@bp.get("/declarations/<int:decl_id>")
def detail(decl_id: int) -> Any:
    """A declaration: its current edition, cited standards, flags and all editions."""
    decl = reading.read_declaration(decl_id, page_user())
    return render_template("declarations/detail.html", decl=decl, ed=decl.latest,
                           editions=decl.editions, own=decl.own)


@bp.get("/declarations/<int:decl_id>/editions/<int:number>")
def edition(decl_id: int, number: int) -> Any:
    """One edition as it was published."""
    decl = reading.read_declaration(decl_id, page_user())
    return render_template("declarations/edition.html", decl=decl, ed=decl.edition(number),
                           editions=decl.editions, own=decl.own)


@bp.get("/declarations/<int:decl_id>/editions/<int:number>/attachment")
def attachment(decl_id: int, number: int) -> Response:
    """The enterprise standard's text (PDF) attached to an edition."""
    ed = reading.read_declaration(decl_id, page_user()).edition(number)
    if not ed.attachment_name or ed.attachment is None:
        raise NotFound(gettext("该版本没有附件"))
    resp = Response(ed.attachment, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f"inline; filename=edition-{ed.number}.pdf"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def _number_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@bp.get("/declarations/<int:decl_id>/diff")
def diff(decl_id: int) -> Any:
    """What changed between two editions (``?from=1&to=2``; the API's defaults and rules)."""
    decl = reading.read_declaration(decl_id, page_user())
    found = reading.compare_editions(decl, _number_arg("from"), _number_arg("to"))
    rows = [_diff_row(r) for r in found.changes]
    return render_template("declarations/diff.html", decl=decl, old=found.old, new=found.new,
                           rows=rows, numbers=[e.number for e in decl.editions])


def _diff_row(row: dict[str, Any]) -> dict[str, Any]:
    name = row["field"]
    if name.startswith("indicator:"):
        label = gettext("指标“%(name)s”", name=name.split(":", 1)[1])
    elif name == "standards":
        return {"label": forms.LABELS["standards"], "old": _show(row["old"]) if row["old"] else "",
                "new": _show(row["new"]) if row["new"] else "", "removed_added": True}
    else:
        label = str(forms.LABELS.get(name, name))
    return {"label": label, "old": _show(row["old"]), "new": _show(row["new"]),
            "removed_added": False}


def _show(value: Any) -> str:
    """A value of an edition's snapshot as the comparison shows it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "、".join(_show(v) for v in value)
    if isinstance(value, dict):  # an indicator
        parts = [f"{_show(value.get('value'))}{value.get('unit') or ''}",
                 str(forms.DIRECTION_TEXT.get(value.get("direction") or "", ""))]
        if value.get("test_method"):
            parts.append(gettext("检验方法 %(m)s", m=value["test_method"]))
        if value.get("ref_standard"):
            parts.append(gettext("参考 %(s)s：%(v)s", s=value["ref_standard"],
                                 v=_show(value.get("ref_value"))))
        return "；".join(p for p in parts if p)
    return str(value)


@bp.post("/declarations/check.json")
def check_json() -> Any:
    """Live checks of the form as typed (the page posts the form; the answer is JSON)."""
    if page_user() is None:
        return jsonify(error_body(401, "unauthorized", "请先登录")), 401
    parsed = forms.parse(request.form)
    data, errors, kept = forms.load_lenient(parsed)
    out = [{"code": "invalid", "level": "error", "field": field, "label": forms.label_of(field),
            "message": f"{forms.label_of(field)}：{'；'.join(msgs)}", "suggestion": None}
           for field, msgs in errors.items()]
    out += forms.checks_on_page(kept, check_declaration(data))
    return jsonify({"checks": out, "ok": not any(c["level"] == "error" for c in out)})


@bp.get("/standards/<path:number>/feed.atom")
def standard_feed(number: str) -> Response:
    """Atom feed: declarations citing a standard, and its replacement or abolition."""
    std = standards.find_standard(number).standard
    return Response(feeds.standard_feed(std), mimetype="application/atom+xml")
