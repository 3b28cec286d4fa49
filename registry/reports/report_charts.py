"""The report pages' charts, composed from their figures: the adoption page's four
(``adoption_charts``) and a plan's progress (``plan_chart``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask_babel import gettext as _
from markupsafe import Markup

from registry.reports import plans
from registry.reports.adoption import AdoptionReport, Figures
from registry.reports.charts import (
    Datum,
    Label,
    Progress,
    Series,
    bar_chart,
    heat_map,
    line_chart,
    progress_chart,
)
from registry.reports.models import Plan


def plan_chart(plan: Plan, rows: Sequence[plans.Progress], *, chart_id: str = "chart-plan",
               href: Callable[[plans.Progress], str | None] | None = None) -> Markup:
    """A plan's progress chart from ``plans.plan_progress(plan)`` (what the plan page shows in
    its table): one bullet per indicator, value against target in the indicator's unit."""
    items = [Progress(r.indicator.name, r.value, r.indicator.target,
                      plans.COMPARISONS.get(r.indicator.comparison, r.indicator.comparison),
                      r.indicator.baseline, r.indicator.unit or "", r.status,
                      href(r) if href else None) for r in rows]
    return progress_chart(items, chart_id=chart_id,
                          title=_("%(name)s：指标进度", name=plan.name))


# -- the adoption report's charts ------------------------------------------------------------

def _rate(f: Figures, weight: str) -> float | None:
    return f.output_rate if weight == "output" else f.rate


def _detail(f: Figures) -> str:
    return f"{f.adopting}/{f.products}" if f.products else ""


def adoption_charts(rep: AdoptionReport, weight: str, *,
                    region_href: Callable[[str], str], industry_href: Callable[[str], str],
                    cell_href: Callable[[str, str], str], year_href: Callable[[int], str],
                    target: float | None = None) -> dict[str, Markup]:
    """The adoption page's charts: ``regions`` (bars, ``target`` as a line), ``industries``
    (bars), ``matrix`` (heat map of the count-weighted rate, or output-weighted with
    ``weight='output'``) and ``trend`` (a line per weighting shown). The links come from the
    page (a sub-region's report, an industry's, a cell's products, a year's report)."""
    word = _("按产值") if weight == "output" else _("按产品数")

    def bars(cells: Sequence[tuple[str, str, Figures, str | None]]) -> list[Datum]:
        return [Datum(label, _rate(f, weight), _detail(f), href if f.products else None)
                for _code, label, f, href in cells]

    s = rep.scope
    regions = bars([(c.region or "", c.region_name, c.figures,
                     region_href(c.region or "")) for c in rep.by_region])
    industries = bars([(c.industry or "", c.industry_name or (c.industry or ""), c.figures,
                        industry_href(c.industry or "")) for c in rep.by_industry])
    rows = [Label(c.region_name, c.region_name, region_href(c.region or ""))
            for c in rep.by_region]
    cols = [Label(c.industry or "", c.industry_name, industry_href(c.industry or ""))
            for c in rep.by_industry]
    grid: list[list[Datum | None]] = []
    for r in rep.by_region:
        line: list[Datum | None] = []
        for c in rep.by_industry:
            f = rep.cell(r.region or "", c.industry or "")
            line.append(None if f is None or not f.products else
                        Datum("", _rate(f, weight), _detail(f),
                              cell_href(r.region or "", c.industry or "")))
        grid.append(line)
    years = [(int(getattr(c, "year", 0)), c) for c in rep.trend]
    series = []
    if weight != "output":
        series.append(Series(_("按产品数"), [
            Datum(str(y), c.figures.rate, _detail(c.figures), year_href(y))
            for y, c in years]))
    if weight != "count":
        series.append(Series(_("按产值"), [
            Datum(str(y), c.figures.output_rate, "", year_href(y)) for y, c in years]))
    where = s.region_name + (f" · {s.industry_name}" if s.industry else "")
    return {
        "regions": bar_chart(regions, chart_id="chart-regions", target=target,
                             title=_("%(where)s %(year)s 年各地区采标率（%(w)s）",
                                     where=where, year=s.year, w=word)),
        "industries": bar_chart(industries, chart_id="chart-industries", target=target,
                                title=_("%(where)s %(year)s 年各行业采标率（%(w)s）",
                                        where=where, year=s.year, w=word)),
        "matrix": heat_map(rows, cols, grid, chart_id="chart-matrix",
                           title=_("%(where)s %(year)s 年地区 × 行业采标率（%(w)s）",
                                   where=where, year=s.year, w=word)),
        "trend": line_chart(series, chart_id="chart-trend", target=target,
                            title=_("%(where)s 采标率逐年趋势", where=where)),
    }
