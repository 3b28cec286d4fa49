"""Charts as server-side SVG: bars, a line over years, a heat map, and a progress (bullet)
chart — markup built here from the figures, inlined in the pages, no script and no library.

Why SVG from Python and not a chart library: the pages run under a strict
Content-Security-Policy (``registry/security.py``: no inline script, no inline style, no
``style=`` attribute). A JavaScript library would have to be served by the registry and fed
its data through a JSON endpoint or ``data-`` attributes; pygal writes a ``<style>`` element
and inline ``<script>`` tags into its SVG (tooltips fetched from a CDN), which the policy
blocks. Here every colour and font comes from classes in ``registry/static/reports.css``
(the SVG carries only geometry, classes and a ``font-family`` presentation attribute — an
attribute, not the forbidden ``style=``), so the charts work offline and print.

Every chart:

* is ``<svg role="img" viewBox=… width="100%">`` with ``<title>`` and ``<desc>``, named by
  ``aria-label`` and described by its ``<desc>``, which lists every plotted value — the
  numbers are in the accessible text, and in the table the page sets beside the chart;
* escapes every text it is given (region and industry names, labels, links) with markupsafe;
* handles empty data: no value at all gives a small SVG with the message "暂无数据"; a
  ``None`` value draws no bar or point (a dash), never a division by zero;
* scales with the page (viewBox, width 100%); wide heat maps get a minimum width class so a
  phone scrolls them sideways instead of shrinking the text (``chart-scroll`` wrapper).

Functions: ``bar_chart`` (horizontal bars, optional target line), ``line_chart`` (one or more
series over ordered labels, optional target), ``heat_map`` (rows × columns of rates),
``progress_chart`` (plan indicators: value against target, baseline, status). Values of the
rate charts are shares 0–1 shown as percentages; the progress chart shows values in each
indicator's own unit. The drawing kit (formats, escaping, the ``<svg>`` wrapper) is
``svg.py``; the report pages' charts are composed in ``report_charts.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from registry.reports.svg import (
    SMALL,
    clip,
    empty_chart,
    esc,
    fmt_num,
    link,
    number,
    pct,
    svg_document,
    text_width,
    tick,
)

HEAT_STEPS = 5  # heat-0 … heat-4: 0–20 %, 20–40 %, … 80–100 %
STATUSES = ("met", "on_track", "behind")


@dataclass(frozen=True)
class Datum:
    """One plotted value: its label, the value (None: not available), a detail for the
    accessible text and the tooltip (e.g. "3/5"), and where a click leads."""

    label: str
    value: float | None
    detail: str = ""
    href: str | None = None


@dataclass(frozen=True)
class Series:
    """A line of ``line_chart``: a name (legend) and one Datum per x label."""

    name: str
    points: Sequence[Datum]


@dataclass(frozen=True)
class Label:
    """A heat map's row or column: what is written (``text``), the full name (tooltip and
    accessible text), and a link."""

    text: str
    full: str = ""
    href: str | None = None

    @property
    def name(self) -> str:
        return self.full or self.text


@dataclass(frozen=True)
class Progress:
    """A plan indicator for ``progress_chart``: value, target and baseline in the indicator's
    unit ("%", "项", "家"); ``comparison`` is how the target reads (≥, ≤, >, <); ``status``
    one of ``STATUSES`` (or None: not computed)."""

    label: str
    value: float | None
    target: float
    comparison: str = "≥"
    baseline: float | None = None
    unit: str = ""
    status: str | None = None
    href: str | None = None
def _describe(data: Sequence[Datum], fmt: Callable[[float | None], str]) -> str:
    parts = []
    for d in data:
        detail = f"（{d.detail}）" if d.detail else ""
        parts.append(f"{d.label} {fmt(d.value)}{detail}")
    return "；".join(parts)


# -- bars ----------------------------------------------------------------------------------

def bar_chart(data: Sequence[Datum], *, chart_id: str, title: str, target: float | None = None,
              max_value: float = 1.0, fmt: Callable[[float | None], str] = pct,
              width: float = 420) -> Markup:
    """Horizontal bars, one per Datum (labels on the left, legible in Chinese), values at the
    bars' ends, gridlines at quarters of ``max_value``, and ``target`` as a vertical line."""
    if not any(d.value is not None for d in data):
        return empty_chart(chart_id, "bars", title)
    top = 26 if target is not None else 8
    row, bar = 28, 18
    label_w = min(max(text_width(d.label) for d in data), 150) + 10
    value_w = max(text_width(fmt(d.value)) for d in data) + 10
    left, right = label_w, value_w
    plot = width - left - right
    height = top + row * len(data) + 24
    scale = max_value if max_value > 0 else 1.0

    def x(v: float) -> float:
        return left + plot * min(max(v / scale, 0.0), 1.0)

    parts = []
    for i in range(5):  # gridlines and ticks at 0, ¼, ½, ¾, 1 of the scale
        gx = x(scale * i / 4)
        parts.append(f'<line class="chart-grid" x1="{fmt_num(gx)}" y1="{top}" x2="{fmt_num(gx)}" '
                     f'y2="{top + row * len(data)}"/>'
                     f'<text class="chart-tick" x="{fmt_num(gx)}" y="{top + row * len(data) + 16}" '
                     f'text-anchor="middle" font-size="{SMALL}">{esc(tick(fmt, scale * i / 4))}</text>')
    for i, d in enumerate(data):
        y = top + row * i
        tip = f"{d.label}：{fmt(d.value)}" + (f"（{d.detail}）" if d.detail else "")
        label = (f'<text class="chart-label" x="{fmt_num(left - 8)}" y="{fmt_num(y + row / 2 + 4.5)}" '
                 f'text-anchor="end">{esc(clip(d.label, label_w - 10))}</text>')
        if d.value is None:
            mark = (f'<text class="chart-value chart-none" x="{fmt_num(left + 4)}" '
                    f'y="{fmt_num(y + row / 2 + 4.5)}">—</text>')
        else:
            end = x(d.value)
            mark = (f'<rect class="chart-bar" x="{fmt_num(left)}" y="{fmt_num(y + (row - bar) / 2)}" '
                    f'width="{fmt_num(max(end - left, 0.0))}" height="{bar}"/>'
                    f'<text class="chart-value" x="{fmt_num(end + 4)}" y="{fmt_num(y + row / 2 + 4.5)}">'
                    f"{esc(fmt(d.value))}</text>")
        parts.append(link(d.href, f'<g class="chart-item"><title>{esc(tip)}</title>'
                                   f"{label}{mark}</g>"))
    desc = _describe(data, fmt)
    if target is not None:
        tx = x(target)
        parts.append(f'<line class="chart-target" x1="{fmt_num(tx)}" y1="{top - 6}" x2="{fmt_num(tx)}" '
                     f'y2="{top + row * len(data)}"/>'
                     f'<text class="chart-target-label" x="{fmt_num(tx)}" y="{top - 10}" '
                     f'text-anchor="middle" font-size="{SMALL}">'
                     f'{esc(_("目标 %(v)s", v=fmt(target)))}</text>')
        desc = _("目标 %(v)s", v=fmt(target)) + "。" + desc
    return svg_document(chart_id, "bars", width, height, title, desc, "".join(parts))


# -- a line over years -----------------------------------------------------------------------

def line_chart(series: Sequence[Series], *, chart_id: str, title: str,
               target: float | None = None, max_value: float = 1.0,
               fmt: Callable[[float | None], str] = pct, width: float = 420,
               height: float = 220) -> Markup:
    """One line per series over the first series' labels (years); a gap where a value is
    missing; points carry their value and link; ``target`` a horizontal dashed line."""
    if not series or not any(d.value is not None for s in series for d in s.points):
        return empty_chart(chart_id, "line", title)
    labels = [d.label for d in series[0].points]
    left, right, top, bottom = 48, 20, 34, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    scale = max_value if max_value > 0 else 1.0
    n = len(labels)

    def x(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y(v: float) -> float:
        return top + plot_h * (1 - min(max(v / scale, 0.0), 1.0))

    parts = []
    for i in range(5):
        gy = y(scale * i / 4)
        parts.append(f'<line class="chart-grid" x1="{left}" y1="{fmt_num(gy)}" x2="{fmt_num(width - right)}" '
                     f'y2="{fmt_num(gy)}"/><text class="chart-tick" x="{left - 6}" y="{fmt_num(gy + 4)}" '
                     f'text-anchor="end" font-size="{SMALL}">{esc(tick(fmt, scale * i / 4))}</text>')
    for i, lab in enumerate(labels):
        parts.append(f'<text class="chart-tick" x="{fmt_num(x(i))}" y="{fmt_num(height - 8)}" '
                     f'text-anchor="middle" font-size="{SMALL}">{esc(lab)}</text>')
    if target is not None:
        ty = y(target)
        parts.append(f'<line class="chart-target" x1="{left}" y1="{fmt_num(ty)}" '
                     f'x2="{fmt_num(width - right)}" y2="{fmt_num(ty)}"/>'
                     f'<text class="chart-target-label" x="{fmt_num(width - right)}" '
                     f'y="{fmt_num(ty - 5)}" text-anchor="end" font-size="{SMALL}">'
                     f'{esc(_("目标 %(v)s", v=fmt(target)))}</text>')
    descs = []
    legend_x = float(left)
    for k, s in enumerate(series):
        cls = f"series-{k % 4}"
        run: list[str] = []
        runs: list[list[str]] = []
        for i, d in enumerate(s.points[:n]):
            if d.value is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{fmt_num(x(i))},{fmt_num(y(d.value))}")
        if run:
            runs.append(run)
        for r in runs:
            if len(r) > 1:
                parts.append(f'<polyline class="chart-line {cls}" fill="none" points="{" ".join(r)}"/>')
        for i, d in enumerate(s.points[:n]):
            if d.value is None:
                continue
            px, py = x(i), y(d.value)
            tip = f"{s.name} {d.label}：{fmt(d.value)}" + (f"（{d.detail}）" if d.detail else "")
            # the label above the point, below it where another line's point is higher
            # (or equal, drawn earlier) — two lines' labels do not overwrite each other
            above = all(o.points[i].value is None or d.value > (o.points[i].value or 0.0)
                        or (d.value == o.points[i].value and m > k)
                        for m, o in enumerate(series) if m != k and i < len(o.points))
            label_y = py - 8 if above or py + 16 > top + plot_h else py + 16
            parts.append(link(d.href, f'<g class="chart-item"><title>{esc(tip)}</title>'
                                       f'<circle class="chart-point {cls}" cx="{fmt_num(px)}" '
                                       f'cy="{fmt_num(py)}" r="4"/>'
                                       f'<text class="chart-value" x="{fmt_num(px)}" y="{fmt_num(label_y)}" '
                                       f'text-anchor="middle" font-size="{SMALL}">'
                                       f"{esc(fmt(d.value))}</text></g>"))
        descs.append(f"{s.name}：" + _describe(s.points[:n], fmt))
        if len(series) > 1:  # legend
            parts.append(f'<rect class="chart-swatch {cls}" x="{fmt_num(legend_x)}" y="8" width="14" '
                         f'height="4"/><text class="chart-legend" x="{fmt_num(legend_x + 18)}" y="14" '
                         f'font-size="{SMALL}">{esc(s.name)}</text>')
            legend_x += 30 + text_width(s.name, SMALL)
    desc = "。".join(descs)
    if target is not None:
        desc = _("目标 %(v)s", v=fmt(target)) + "。" + desc
    return svg_document(chart_id, "line", width, height, title, desc, "".join(parts))


# -- heat map --------------------------------------------------------------------------------

def heat_class(value: float | None, max_value: float = 1.0) -> str:
    """The colour class of a cell: heat-0 (0–20 %) … heat-4 (80–100 %), heat-none."""
    if value is None:
        return "heat-none"
    share = min(max(value / (max_value or 1.0), 0.0), 1.0)
    return f"heat-{min(int(share * HEAT_STEPS), HEAT_STEPS - 1)}"


def heat_map(rows: Sequence[Label], cols: Sequence[Label],
             cells: Sequence[Sequence[Datum | None]], *, chart_id: str, title: str,
             max_value: float = 1.0, fmt: Callable[[float | None], str] = pct) -> Markup:
    """Rows × columns of rates, coloured in ``HEAT_STEPS`` classes with a legend; each cell
    writes its rate and its detail (e.g. 3/5); None: a grey cell without products."""
    values = [c for line in cells for c in line if c is not None and c.value is not None]
    if not rows or not cols or not values:
        return empty_chart(chart_id, "heat", title)
    cw, ch, head = 68, 40, 40
    left = min(max(text_width(r.text) for r in rows), 150) + 12
    width = left + cw * len(cols) + 8
    legend_y = head + ch * len(rows) + 14
    height = legend_y + 26
    parts = []
    for j, c in enumerate(cols):
        cx = left + cw * j + cw / 2
        header = (f"<title>{esc(c.name)}</title>"
                  f'<text class="chart-label" x="{fmt_num(cx)}" y="16" text-anchor="middle" '
                  f'font-size="{SMALL}">{esc(clip(c.text, cw - 4, SMALL))}</text>')
        if c.full and c.full != c.text:
            header += (f'<text class="chart-tick" x="{fmt_num(cx)}" y="32" text-anchor="middle" '
                       f'font-size="{SMALL}">{esc(clip(c.full, cw - 6, SMALL))}</text>')
        parts.append(link(c.href, f'<g class="chart-item">{header}</g>'))
    descs = []
    for i, r in enumerate(rows):
        y = head + ch * i
        parts.append(link(r.href, f'<g class="chart-item"><title>{esc(r.name)}</title>'
                                   f'<text class="chart-label" x="{fmt_num(left - 8)}" '
                                   f'y="{fmt_num(y + ch / 2 + 4.5)}" text-anchor="end">'
                                   f"{esc(clip(r.text, left - 12))}</text></g>"))
        line = cells[i] if i < len(cells) else []
        for j, c in enumerate(cols):
            d = line[j] if j < len(line) else None
            x = left + cw * j
            value = d.value if d is not None else None
            cls = heat_class(value, max_value)
            name = f"{r.name} × {c.name}"
            tip = f"{name}：" + (_("无产品") if d is None else
                               fmt(value) + (f"（{d.detail}）" if d.detail else ""))
            inner = (f'<rect class="heat-cell {cls}" x="{fmt_num(x + 1)}" y="{fmt_num(y + 1)}" '
                     f'width="{cw - 2}" height="{ch - 2}" rx="2"/>')
            if d is None:
                inner += (f'<text class="heat-text" x="{fmt_num(x + cw / 2)}" y="{fmt_num(y + ch / 2 + 4)}" '
                          f'text-anchor="middle" font-size="{SMALL}">—</text>')
            else:
                inner += (f'<text class="heat-text" x="{fmt_num(x + cw / 2)}" y="{fmt_num(y + 18)}" '
                          f'text-anchor="middle">{esc(fmt(value))}</text>')
                if d.detail:
                    inner += (f'<text class="heat-text heat-detail" x="{fmt_num(x + cw / 2)}" '
                              f'y="{fmt_num(y + 32)}" text-anchor="middle" font-size="{SMALL - 1}">'
                              f"{esc(d.detail)}</text>")
                descs.append(tip)
            parts.append(link(d.href if d is not None else None,
                               f'<g class="chart-item chart-cell"><title>{esc(tip)}</title>'
                               f"{inner}</g>"))
    lx = float(left)
    for k in range(HEAT_STEPS):  # legend: the classes' ranges, and "no products"
        lo, hi = max_value * k / HEAT_STEPS, max_value * (k + 1) / HEAT_STEPS
        text = f"{fmt(lo).removesuffix('.0%')}–{fmt(hi)}".replace(".0%", "%")
        parts.append(f'<rect class="heat-cell heat-{k}" x="{fmt_num(lx)}" y="{legend_y}" width="12" '
                     f'height="12"/><text class="chart-legend" x="{fmt_num(lx + 16)}" '
                     f'y="{legend_y + 10}" font-size="{SMALL - 1}">{esc(text)}</text>')
        lx += 24 + text_width(text, SMALL - 1)
    parts.append(f'<rect class="heat-cell heat-none" x="{fmt_num(lx)}" y="{legend_y}" width="12" '
                 f'height="12"/><text class="chart-legend" x="{fmt_num(lx + 16)}" y="{legend_y + 10}" '
                 f'font-size="{SMALL - 1}">{esc(_("无产品"))}</text>')
    width = max(width, lx + 24 + text_width(_("无产品"), SMALL - 1))
    size = "chart-min-l" if width > 720 else "chart-min-m" if width > 480 else ""
    return svg_document(chart_id, "heat", width, height, title, "；".join(descs), "".join(parts), size)


# -- plan progress (bullet chart) ------------------------------------------------------------

def status_label(status: str | None) -> str:
    return {"met": _("已达标"), "on_track": _("进度正常"), "behind": _("滞后"),
            "no_value": _("暂无数值")}.get(status or "", _("未计算"))


def progress_chart(items: Sequence[Progress], *, chart_id: str, title: str,
                   width: float = 400) -> Markup:
    """One bullet per indicator, in two lines so that a phone can read it: the indicator's
    name on the left and its value / target and status on the right; below, a track on the
    indicator's own scale, the value as a bar coloured by status (``progress-met``,
    ``-on_track``, ``-behind``; grey without one), the target as a thick mark and the
    baseline as a dotted one."""
    if not items:
        return empty_chart(chart_id, "progress", title, _("没有指标"))
    row, bar, top = 50, 12, 4
    height = top + row * len(items) + 4
    parts, descs = [], []
    for i, p in enumerate(items):
        y = top + row * i
        scale = max(abs(p.value or 0.0), abs(p.target), abs(p.baseline or 0.0)) * 1.1 or 1.0

        def x(v: float, scale: float = scale) -> float:
            return width * min(max(v / scale, 0.0), 1.0)

        status = p.status if p.status in STATUSES else "none"  # no_value, None: grey
        said = status_label(p.status)
        figure = f"{number(p.value, p.unit)} / {p.comparison} {number(p.target, p.unit)}"
        said_w = text_width(said, SMALL)
        right = text_width(figure, SMALL) + said_w + 12
        track_y = y + 24
        inner = (f'<text class="chart-label" x="0" y="{fmt_num(y + 15)}">'
                 f"{esc(clip(p.label, width - right - 8))}</text>"
                 f'<text class="chart-value" x="{fmt_num(width - said_w - 8)}" y="{fmt_num(y + 15)}" '
                 f'text-anchor="end" font-size="{SMALL}">{esc(figure)}</text>'
                 f'<text class="progress-status progress-text-{status}" x="{fmt_num(width)}" '
                 f'y="{fmt_num(y + 15)}" text-anchor="end" font-size="{SMALL}">{esc(said)}</text>'
                 f'<rect class="progress-track" x="0" y="{fmt_num(track_y)}" width="{fmt_num(width)}" '
                 f'height="{bar + 6}"/>')
        if p.value is not None:
            inner += (f'<rect class="progress-bar progress-{status}" x="0" y="{fmt_num(track_y + 3)}" '
                      f'width="{fmt_num(x(p.value))}" height="{bar}"/>')
        if p.baseline is not None:
            bx = x(p.baseline)
            inner += (f'<line class="progress-baseline" x1="{fmt_num(bx)}" y1="{fmt_num(track_y)}" '
                      f'x2="{fmt_num(bx)}" y2="{fmt_num(track_y + bar + 6)}"/>')
        tx = min(x(p.target), width - 1.5)
        inner += (f'<line class="progress-target" x1="{fmt_num(tx)}" y1="{fmt_num(track_y - 3)}" '
                  f'x2="{fmt_num(tx)}" y2="{fmt_num(track_y + bar + 9)}"/>')
        base = "" if p.baseline is None else "，" + _("基线 %(v)s", v=number(p.baseline, p.unit))
        tip = (f"{p.label}：{number(p.value, p.unit)}，"
               + _("目标 %(c)s %(v)s", c=p.comparison, v=number(p.target, p.unit))
               + f"{base}，{said}")
        descs.append(tip)
        parts.append(link(p.href, f'<g class="chart-item"><title>{esc(tip)}</title>{inner}</g>'))
    return svg_document(chart_id, "progress", width, height, title, "；".join(descs), "".join(parts))
