"""The drawing kit of the report charts (``charts.py``): fonts, number formats, text
measurement, escaping, and the accessible ``<svg>`` document every chart is wrapped in.

Every text put into a chart goes through ``esc``; every chart is ``svg_document(...)``:
``role="img"``, ``aria-label``, ``<title>`` and ``<desc>`` (the plotted values), a viewBox
scaled to the page and a ``chart-w-N`` class that keeps it from growing past ~1.15 × its
natural width (colours and fonts are classes of ``registry/static/reports.css``: the CSP
forbids ``style=``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from markupsafe import Markup, escape

FONT_FAMILY = "'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"
FONT = 13  # px in viewBox units
SMALL = 11


# -- text -----------------------------------------------------------------------------------

def pct(value: float | None) -> str:
    """0.798 -> '79.8%'; None -> '—' (as the pages' ``pct`` filter)."""
    return "—" if value is None else f"{value * 100:.1f}%"


def number(value: float | None, unit: str = "") -> str:
    """79.8 -> '79.8'; 20.0 -> '20'; with the unit written after it."""
    if value is None:
        return "—"
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text}{unit}" if unit in ("%", "‰") else f"{text} {unit}".rstrip()


def tick(fmt: Callable[[float | None], str], value: float) -> str:
    """An axis tick: whole percentages for rates (0%, 25%, …), else the value's format."""
    return f"{value * 100:.0f}%" if fmt is pct else fmt(value)


def text_width(text: str, size: float = FONT) -> float:
    """An estimate of the width of ``text``: CJK and full-width characters one em, the rest
    0.6 em (enough to lay out labels; the exact glyphs are the browser's)."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


def clip(text: str, width: float, size: float = FONT) -> str:
    """``text`` cut with an ellipsis to fit ``width``."""
    if text_width(text, size) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > width:
            break
        out += ch
    return out + "…"


def esc(text: object) -> str:
    return str(escape(text))


def fmt_num(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def link(href: str | None, inner: str) -> str:
    """A link around ``inner`` for the mouse; kept out of the tab order (role="img": the
    keyboard's links are in the table beside the chart)."""
    if not href:
        return inner
    return f'<a href="{esc(href)}" tabindex="-1">{inner}</a>'


def width_class(width: float) -> str:
    """``chart-w-N``: the CSS class that keeps a chart below ~1.15 × its natural width (N the
    viewBox width rounded up to 100, 200–1400), so its text never grows past ~15 px."""
    return f"chart-w-{min(max(int(-(-width // 100)) * 100, 200), 1400)}"


def svg_document(chart_id: str, kind: str, width: float, height: float, title: str, desc: str,
         body: str, extra_class: str = "") -> Markup:
    cid = esc(chart_id)
    classes = f"chart chart-{kind} {width_class(width)}" + (f" {extra_class}" if extra_class else "")
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{classes}" id="{cid}" '
        f'viewBox="0 0 {fmt_num(width)} {fmt_num(height)}" width="100%" role="img" '
        f'aria-label="{esc(title)}" aria-describedby="{cid}-desc" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT}">'
        f'<title id="{cid}-title">{esc(title)}</title><desc id="{cid}-desc">{esc(desc)}</desc>'
        f"{body}</svg>")


def empty_chart(chart_id: str, kind: str, title: str, message: str | None = None) -> Markup:
    message = message or _("暂无数据")
    body = (f'<rect class="chart-empty-box" x="0.5" y="0.5" width="359" height="59" rx="4"/>'
            f'<text class="chart-empty" x="180" y="35" text-anchor="middle">{esc(message)}</text>')
    return svg_document(chart_id, kind, 360, 60, title, message, body, "chart-is-empty")
