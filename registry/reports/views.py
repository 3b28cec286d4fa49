"""Report pages: the adoption rate with its breakdowns and trend, the drill-down to products,
and their CSV/XLSX downloads. What each viewer sees is decided by the service."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask.blueprints import BlueprintSetupState

from registry.accounts.auth import page_user
from registry.enterprises.models import Enterprise
from registry.enterprises.services import get_enterprise
from registry.enterprises.views import _page_arg
from registry.errors import NotFound, ValidationError
from registry.extensions import utcnow
from registry.reports import adoption, drilldown, exports, report_charts, scoping
from registry.reports.definitions import ADOPTION_V1
from registry.standards.views import _page_links as page_links

bp = Blueprint("reports", __name__)

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.record_once
def _globals(state: BlueprintSetupState) -> None:
    state.app.jinja_env.filters["pct"] = pct


def pct(value: float | None) -> str:
    """0.798 -> '79.8%'; None -> '—'."""
    return "—" if value is None else f"{value * 100:.1f}%"


def _year_arg() -> int | None:
    raw = request.args.get("year", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 4:
        raise ValidationError("统计条件有误", {"year": ["年度应为 4 位数字"]})
    return int(raw)


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.args.get(name, "").strip() or default
    if value not in allowed:
        raise ValidationError("统计条件有误", {name: [f"应为 {' / '.join(allowed)} 之一"]})
    return value


def _scope() -> scoping.Scope:
    return scoping.resolve_scope(page_user(), request.args.get("region", "").strip() or None,
                                  _year_arg(), request.args.get("industry", "").strip() or None)


def _enterprise_arg() -> Enterprise | None:
    code = request.args.get("enterprise", "").strip()
    if not code:
        return None
    try:
        return get_enterprise(code)
    except NotFound as exc:
        raise ValidationError("企业不存在", {"enterprise": [exc.message]}) from exc


def _download(body: bytes, fmt: str, name: str) -> Response:
    resp = Response(body, mimetype=FORMATS[fmt])
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return resp


def _args(scope: scoping.Scope, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"region": scope.region, "year": scope.year}
    if scope.industry:
        out["industry"] = scope.industry
    out.update({k: v for k, v in extra.items() if v})
    return out


@bp.get("/reports/adoption")
def adoption_page() -> Any:
    """The adoption rate of a region × industry × year, its breakdowns and trend."""
    viewer = page_user()
    scope = _scope()
    weight = _choice("weight", adoption.WEIGHTS, "both")
    rep = adoption.adoption_report(viewer, scope, weight)
    own = viewer.enterprise if viewer is not None and viewer.role == "member" else None
    target = _target_arg()
    return render_template("reports/adoption.html", rep=rep, scope=scope, weight=weight,
                           args=_args(scope), own=own, years=_year_choices(scope.year),
                           target=target, charts=_charts(rep, weight, target))


def _target_arg() -> float | None:
    """``target``: a rate in percent (0–100) drawn as a line on the charts."""
    raw = request.args.get("target", "").strip().rstrip("%")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise ValidationError("统计条件有误", {"target": ["目标值应为 0–100 之间的百分数"]})
    return value / 100


def _charts(rep: adoption.AdoptionReport, weight: str, target: float | None) -> dict[str, Any]:
    """The page's SVG charts; a click leads where the table's links lead."""
    s = rep.scope
    keep: dict[str, Any] = {"year": s.year, "weight": weight,
                            "target": f"{target * 100:g}" if target is not None else None}

    def region(code: str) -> str:
        if code == s.region:
            return url_for("reports.products_page", region=code, industry=s.industry, year=s.year)
        return url_for("reports.adoption_page", region=code, industry=s.industry, **keep)

    return report_charts.adoption_charts(
        rep, weight, target=target, region_href=region,
        industry_href=lambda code: url_for("reports.adoption_page", region=s.region,
                                           industry=code, **keep),
        cell_href=lambda r, i: url_for("reports.products_page", region=r, industry=i,
                                       year=s.year),
        year_href=lambda y: url_for("reports.adoption_page", region=s.region,
                                    industry=s.industry, **{**keep, "year": y}))


@bp.get("/reports/adoption/export.<fmt>")
def adoption_export(fmt: str) -> Response:
    """The report as CSV or XLSX (the same numbers as the page)."""
    if fmt not in FORMATS:
        raise NotFound("不支持的格式")
    scope = _scope()
    rep = adoption.adoption_report(page_user(), scope, _choice("weight", adoption.WEIGHTS, "both"))
    body = exports.report_xlsx(rep) if fmt == "xlsx" else exports.report_csv(rep)
    return _download(body, fmt, f"adoption-{scope.region}-{scope.year}")


@bp.get("/reports/adoption/products")
def products_page() -> Any:
    """The main products behind a figure, with the reason each counts or not."""
    viewer = page_user()
    scope = _scope()
    status = _choice("status", adoption.STATUSES, "counted")
    ent = _enterprise_arg()
    page = drilldown.adoption_products(viewer, scope, status=status, enterprise=ent,
                                      page=_page_arg(), per_page=20)
    args = _args(scope, status=status if status != "counted" else None,
                 enterprise=ent.credit_code if ent else None)
    return render_template("reports/products.html", page=page, scope=scope, status=status,
                           enterprise=ent, args=args, definition=ADOPTION_V1,
                           access=scoping.access_for(viewer, scope.region),
                           page_links=page_links(page.page, page.pages))


@bp.get("/reports/adoption/products/export.<fmt>")
def products_export(fmt: str) -> Response:
    """The drill-down list as CSV or XLSX."""
    if fmt not in FORMATS:
        raise NotFound("不支持的格式")
    viewer = page_user()
    scope = _scope()
    status = _choice("status", adoption.STATUSES, "counted")
    ent = _enterprise_arg()
    body = exports.products_export(viewer, scope, status, ent,
                                   scoping.access_for(viewer, scope.region), utcnow(), fmt)
    return _download(body, fmt, f"adoption-products-{scope.region}-{scope.year}")


def _year_choices(selected: int) -> list[int]:
    last = max(scoping.default_year() + 1, selected)
    return list(range(last, min(selected, last - 10) - 1, -1))
