"""Inline SVG charts: grouped bars (the funnel across a sequence's steps) and lines (a rate over weeks).

Colours are CSS classes (`s0`, `s1`, `s2`, `grid`, `axis`) the page styles, so one chart reads in light and dark
mode; text uses `currentColor`. Every chart carries a <title> and <desc> for screen readers, and the page
shows the same numbers in a table. No script, no external asset.
"""

from __future__ import annotations

import math
from html import escape
from typing import Callable, Sequence

Series = tuple[str, Sequence[float]]
FONT = 12


def nice_step(top: float, divisions: int = 4) -> float:
    """A round gridline step (1, 2, 2.5 or 5 times a power of ten) so that `divisions` steps reach `top`."""
    if top <= 0:
        return 1.0
    raw = top / divisions
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def count(value: float) -> str:
    return f"{value:,.0f}"


def percent(value: float) -> str:
    return f"{value * 100:.0f}%" if value >= 0.1 or value == 0 else f"{value * 100:.1f}%"


def _shorten(text: str, most: int) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"


def _frame(chart_id: str, width: int, height: int, title: str, desc: str, body: list[str]) -> str:
    return (f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg" '
            f'font-size="{FONT}" fill="currentColor">'
            f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
            + "".join(body) + "</svg>")


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    out = []
    for i, (name, _) in enumerate(series):
        out.append(f'<rect class="s{i}" x="{x:.1f}" y="{y - 9}" width="10" height="10" rx="2"/>'
                   f'<text x="{x + 14:.1f}" y="{y}">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return out


def _grid(top: float, step: float, left: int, right: int, y_of: Callable[[float], float],
          fmt: Callable[[float], str]) -> list[str]:
    out, value = [], 0.0
    while value <= top + 1e-9:
        y = y_of(value)
        out.append(f'<line class="grid" x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(fmt(value))}</text>')
        value += step
    return out


def bar_chart(chart_id: str, categories: Sequence[str], series: Sequence[Series], *, title: str, desc: str = "",
              fmt: Callable[[float], str] = count) -> str:
    """Grouped bars: one group per category (a step), one bar per series (delivered, opened, clicked)."""
    left, right_pad, top_pad, bottom = 56, 12, 34, 40
    width, height = 640, 240
    group_w = (width - left - right_pad) / max(1, len(categories))
    highest = max((v for _, values in series for v in values), default=0)
    step = nice_step(highest)
    top = step * max(1, math.ceil(highest / step))
    plot_h = height - top_pad - bottom

    def y_of(value: float) -> float:
        return top_pad + plot_h * (1 - value / top)

    body = _legend(series, left, 16) + _grid(top, step, left, width - right_pad, y_of, fmt)
    bar_w = min(44.0, (group_w - 16) / max(1, len(series)))
    for g, name in enumerate(categories):
        middle = left + g * group_w + group_w / 2
        x0 = middle - bar_w * len(series) / 2
        for s, (label, values) in enumerate(series):
            value = values[g]
            y, x = y_of(value), x0 + s * bar_w
            body.append(f'<rect class="s{s}" x="{x:.1f}" y="{y:.1f}" width="{bar_w - 3:.1f}" '
                        f'height="{max(0.0, top_pad + plot_h - y):.1f}" rx="2">'
                        f'<title>{escape(name)}: {escape(label)} {escape(fmt(value))}</title></rect>'
                        f'<text x="{x + (bar_w - 3) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                        f'font-size="{FONT - 2}">{escape(fmt(value))}</text>')
        body.append(f'<text x="{middle:.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                    f'{escape(_shorten(name, max(8, int(group_w // 7))))}</text>')
    body.append(f'<line class="axis" x1="{left}" x2="{width - right_pad}" y1="{top_pad + plot_h}" '
                f'y2="{top_pad + plot_h}"/>')
    return _frame(chart_id, width, height, title, desc, body)


def line_chart(chart_id: str, labels: Sequence[str], series: Sequence[Series], *, title: str, desc: str = "",
               fmt: Callable[[float], str] = percent) -> str:
    """Lines over time: one point per label (a week), one line per series; a single point shows as a dot."""
    left, right_pad, top_pad, bottom = 56, 32, 30, 34  # room for the last date under the axis
    width, height = 640, 200
    highest = max((v for _, values in series for v in values), default=0)
    step = nice_step(highest)
    top = step * max(1, math.ceil(highest / step))
    plot_w, plot_h = width - left - right_pad, height - top_pad - bottom
    n = len(labels)

    def x_of(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_of(value: float) -> float:
        return top_pad + plot_h * (1 - value / top)

    body = _legend(series, left, 14) + _grid(top, step, left, width - right_pad, y_of, fmt)
    every = max(1, math.ceil(n / 8))  # at most eight dates under the axis, so they never overlap
    for i, label in enumerate(labels):
        if i % every == 0 or i == n - 1 and n <= 8:
            body.append(f'<text x="{x_of(i):.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                        f'{escape(label)}</text>')
    for s, (name, values) in enumerate(series):
        points = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(values))
        if n > 1:
            body.append(f'<polyline class="l{s}" fill="none" stroke-width="2" points="{points}"/>')
        if n > 26:  # past half a year of weeks the dots would crowd the line; the table has every value
            continue
        for i, v in enumerate(values):
            body.append(f'<circle class="s{s}" cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="3">'
                        f'<title>{escape(labels[i])}: {escape(name)} {escape(fmt(v))}</title></circle>')
    body.append(f'<line class="axis" x1="{left}" x2="{width - right_pad}" y1="{top_pad + plot_h}" '
                f'y2="{top_pad + plot_h}"/>')
    return _frame(chart_id, width, height, title, desc, body)

