"""Inline SVG charts written by hand: log-log scatter, time lines, heatmap.

Pure functions from plain values to an `<svg>` string: no JavaScript, no fonts or
images to fetch, so the HTML report stays one file that opens offline and prints.
Labels are truncated with an ellipsis to fit; every mark carries a `<title>` tooltip
with the full text.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from api.reports import fmt

# Okabe-Ito: distinguishable with the common colour-vision deficiencies and in print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#777777", "#000000")
FONT_SIZE = 11
GRID = "#e3e3e3"

Scale = Callable[[float], float]


@dataclass(frozen=True, slots=True)
class ScatterPoint:
    """A labelled point; `group` picks the colour (e.g. the platform)."""

    label: str
    x: float
    y: float
    group: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class LineSeries:
    """A named series of (time, value) points, oldest first."""

    label: str
    points: tuple[tuple[dt.datetime, float], ...]


@dataclass(frozen=True, slots=True)
class Box:
    """The plotting area inside a chart."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        """x of the right edge."""
        return self.left + self.width

    @property
    def bottom(self) -> float:
        """y of the bottom edge."""
        return self.top + self.height


def esc(text: str) -> str:
    """Escape text for SVG/HTML content and attributes."""
    return html.escape(text, quote=True)


def text_px(text: str, size: float = FONT_SIZE) -> float:
    """Estimated rendered width of `text` in pixels (wide characters count double)."""
    return fmt.display_width(text) * 0.6 * size


def colours(groups: Sequence[str]) -> dict[str, str]:
    """A colour per group, in order of first appearance (repeating after eight)."""
    ordered = list(dict.fromkeys(groups))
    return {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(ordered)}


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, sans-serif" '
        f'font-size="{FONT_SIZE}"><title>{esc(title)}</title>' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", attrs: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{attrs}>{esc(text)}</text>'


def _tipped(x: float, y: float, text: str, *, full: str, anchor: str, attrs: str = "") -> str:
    """A truncated label whose tooltip is the full text."""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{attrs}>{esc(text)}'
        f"<title>{esc(full)}</title></text>"
    )


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{GRID}"/>'


def _frame(box: Box) -> str:
    return (
        f'<rect x="{box.left:.1f}" y="{box.top:.1f}" width="{box.width:.1f}" '
        f'height="{box.height:.1f}" fill="#ffffff" stroke="#bbbbbb"/>'
    )


def _legend(items: dict[str, str], *, width: float) -> tuple[list[str], float]:
    """Swatches with truncated names from (64, 18), wrapped to `width`; marks and height."""
    left = x = 64.0
    y = 18.0
    marks: list[str] = []
    for name, colour in items.items():
        label = fmt.truncate(name, 24)
        span = 18 + text_px(label) + 16
        if x > left and x + span > left + width:
            x, y = left, y + 18
        marks.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{colour}"/>')
        marks.append(_tipped(x + 14, y, label, full=name, anchor="start", attrs=' class="legend"'))
        x += span
    return marks, y


def _plot_box(width: int, height: int, legend_bottom: float) -> Box:
    top = legend_bottom + 18
    # The right margin holds half of a centred date or number label.
    return Box(left=64, top=top, width=width - 64 - 40, height=height - top - 52)


def _axis_titles(box: Box, *, x_label: str, y_label: str) -> list[str]:
    mid = box.top + box.height / 2
    return [
        _text(box.left + box.width / 2, box.bottom + 38, x_label, anchor="middle"),
        _text(14, mid, y_label, anchor="middle", attrs=f' transform="rotate(-90 14 {mid:.1f})"'),
    ]


def _decades(values: Sequence[float]) -> tuple[int, int]:
    lo = fmt.log10_floor(min(values))
    hi = fmt.log10_ceil(max(values))
    return (lo, hi) if hi > lo else (lo, lo + 1)


def scatter_log(
    points: Sequence[ScatterPoint],
    *,
    title: str,
    x_label: str,
    y_label: str,
    width: int = 760,
    height: int = 440,
    max_labels: int = 12,
) -> str:
    """A scatter plot with log scales on both axes; points must have x, y > 0.

    Points are labelled in the order given (pass the most important first) while the
    labels fit without overlapping, at most `max_labels`.
    """
    colour = colours([p.group for p in points])
    legend, legend_bottom = _legend(colour, width=width - 84)
    box = _plot_box(width, height, legend_bottom)
    x_lo, x_hi = _decades([p.x for p in points] or [1.0])
    y_lo, y_hi = _decades([p.y for p in points] or [1.0])

    def px(x: float) -> float:
        return box.left + (math.log10(x) - x_lo) / (x_hi - x_lo) * box.width

    def py(y: float) -> float:
        return box.bottom - (math.log10(y) - y_lo) / (y_hi - y_lo) * box.height

    body = [*legend, _frame(box)]
    body += _log_ticks(box, range(x_lo, x_hi + 1), px, vertical=True)
    body += _log_ticks(box, range(y_lo, y_hi + 1), py, vertical=False)
    body += _axis_titles(box, x_label=x_label, y_label=y_label)
    body += [_dot(px(p.x), py(p.y), colour[p.group], p) for p in points]
    body += _point_labels(points, box, (px, py), max_labels)
    return _svg(width, height, title, body)


def _log_ticks(box: Box, powers: range, scale: Scale, *, vertical: bool) -> list[str]:
    """Grid lines and labels at powers of ten (every other one when there are many)."""
    step = max(1, math.ceil(len(powers) / 9))
    marks: list[str] = []
    for power in powers[::step]:
        pos = scale(10.0**power)
        label = fmt.compact(10.0**power)
        if vertical:
            marks.append(_line(pos, box.top, pos, box.bottom))
            marks.append(_text(pos, box.bottom + 15, label, anchor="middle"))
        else:
            marks.append(_line(box.left, pos, box.right, pos))
            marks.append(_text(box.left - 6, pos + 4, label, anchor="end"))
    return marks


def _dot(x: float, y: float, colour: str, point: ScatterPoint) -> str:
    tip = point.label + (f" — {point.detail}" if point.detail else "")
    return (
        f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}" '
        f'fill-opacity="0.85" stroke="#ffffff"><title>{esc(tip)}</title></circle>'
    )


def _point_labels(
    points: Sequence[ScatterPoint], box: Box, scales: tuple[Scale, Scale], max_labels: int
) -> list[str]:
    px, py = scales
    placed: list[tuple[float, float, float, float]] = []
    marks: list[str] = []
    for point in points:
        if len(marks) >= max_labels:
            break
        label = fmt.truncate(point.label, 22)
        x, y, w = px(point.x), py(point.y), text_px(label)
        right_side = x + 7 + w <= box.right
        x0 = x + 7 if right_side else x - 7 - w
        rect = (x0, y - 12, x0 + w, y + 2)
        if rect[1] < box.top or any(_overlap(rect, other) for other in placed):
            continue
        placed.append(rect)
        marks.append(
            _tipped(
                x + 7 if right_side else x - 7,
                y - 1,
                label,
                full=point.label,
                anchor="start" if right_side else "end",
                attrs=' class="point-label" fill="#333333"',
            )
        )
    return marks


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def nice_step(span: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about `ticks` ticks."""
    raw = max(span, 1e-9) / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


MINUTE, HOUR, DAY = 60, 3600, 86_400
# Round tick steps in seconds (minutes and hours divide a day; days count from 1970-01-01),
# then in calendar months.
TIME_STEPS = (
    *(m * MINUTE for m in (1, 2, 5, 10, 15, 30)),
    *(h * HOUR for h in (1, 2, 3, 6, 12)),
    *(d * DAY for d in (1, 2, 7, 14)),
)
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120, 240)


def time_ticks(t_lo: float, t_hi: float, most: int = 6) -> tuple[list[tuple[float, str]], str]:
    """Round times between two timestamps, labelled so that no two labels are alike.

    A span of days or more is labelled with dates; a shorter one with times of day (UTC),
    the date in the axis title when the span stays within one day.

    Returns:
        (timestamp, label) pairs and the axis title.
    """
    span = t_hi - t_lo
    step = next((s for s in TIME_STEPS if span / s <= most - 1), None)
    if step is None:
        moments = _month_ticks(t_lo, t_hi, most)
    else:
        first = math.ceil(t_lo / step) * step
        stamps = range(int(first), math.floor(t_hi) + 1, step)
        moments = [dt.datetime.fromtimestamp(t, tz=dt.UTC) for t in stamps]
    if step is None or step >= DAY:
        return [(m.timestamp(), f"{m:%Y-%m-%d}") for m in moments], "date"
    if len({m.date() for m in moments}) == 1:
        title = f"time (UTC) on {moments[0]:%Y-%m-%d}" if moments else "time (UTC)"
        return [(m.timestamp(), f"{m:%H:%M}") for m in moments], title
    return [(m.timestamp(), f"{m:%m-%d %H:%M}") for m in moments], "date and time (UTC)"


def _month_ticks(t_lo: float, t_hi: float, most: int) -> list[dt.datetime]:
    """First days of months between two timestamps, every 1, 2, 3, 6, 12, ... months."""
    lo = dt.datetime.fromtimestamp(t_lo, tz=dt.UTC)
    hi = dt.datetime.fromtimestamp(t_hi, tz=dt.UTC)
    first = lo.year * 12 + lo.month  # the month after lo's: its first day is >= lo
    last = hi.year * 12 + hi.month - 1
    months = last - first + 1
    step = next((m for m in MONTH_STEPS if months / m <= most), MONTH_STEPS[-1])
    start = math.ceil(first / step) * step
    return [
        dt.datetime(i // 12, i % 12 + 1, 1, tzinfo=dt.UTC) for i in range(start, last + 1, step)
    ]


def line_chart(
    series: Sequence[LineSeries], *, title: str, y_label: str, width: int = 760, height: int = 360
) -> str:
    """Lines over time on a linear value axis starting at zero."""
    colour = colours([s.label for s in series])
    legend, legend_bottom = _legend(colour, width=width - 84)
    box = _plot_box(width, height, legend_bottom)
    times = [t.timestamp() for s in series for t, _ in s.points] or [0.0]
    t_lo, t_hi = min(times), max(times)
    if t_hi - t_lo < 2 * MINUTE:  # a single moment of data still gets a visible axis
        t_lo, t_hi = t_lo - 2 * MINUTE, t_hi + 2 * MINUTE
    top_value = max([v for s in series for _, v in s.points] or [1.0]) or 1.0
    step = nice_step(top_value)
    v_hi = step * math.ceil(top_value / step)

    def px(t: float) -> float:
        return box.left + (t - t_lo) / (t_hi - t_lo) * box.width

    def py(v: float) -> float:
        return box.bottom - v / v_hi * box.height

    body = [*legend, _frame(box)]
    for i in range(round(v_hi / step) + 1):
        y = py(i * step)
        body += [_line(box.left, y, box.right, y)]
        body += [_text(box.left - 6, y + 4, fmt.compact(i * step), anchor="end")]
    ticks, x_label = time_ticks(t_lo, t_hi)
    for t, label in ticks:
        body += [_line(px(t), box.top, px(t), box.bottom)]
        body += [_text(px(t), box.bottom + 15, label, anchor="middle")]
    body += _axis_titles(box, x_label=x_label, y_label=y_label)
    body += [_polyline(s, colour[s.label], (px, py)) for s in series]
    return _svg(width, height, title, body)


def _polyline(series: LineSeries, colour: str, scales: tuple[Scale, Scale]) -> str:
    px, py = scales
    coords = [(px(t.timestamp()), py(v)) for t, v in series.points]
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in coords)
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    return (
        f'<g class="series"><title>{esc(series.label)}</title>'
        f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>{dots}</g>'
    )


def heat_colour(share: float) -> str:
    """A sequential blue for a share in [0, 1] (near white to dark)."""
    low, high = (239, 245, 251), (8, 48, 107)
    red, green, blue = (round(a + (b - a) * share) for a, b in zip(low, high, strict=True))
    return f"#{red:02x}{green:02x}{blue:02x}"


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    counts: Sequence[Sequence[int]],
    *,
    title: str,
    cell: tuple[int, int] = (68, 26),
) -> str:
    """A counts matrix as coloured cells (log-scaled colour), with the count in each."""
    cell_w, cell_h = cell
    row_labels = [fmt.truncate(r, 28) for r in rows]
    col_labels = [fmt.truncate(c, 20) for c in columns]
    left = 12 + max([text_px(r) for r in row_labels] or [40])
    head = 16 + 0.72 * max([text_px(c) for c in col_labels] or [40])
    # Rotated column labels lean right: leave room for the last one.
    width = left + cell_w * len(columns) + 0.72 * text_px(col_labels[-1] if col_labels else "")
    height = head + cell_h * len(rows) + 12
    top = max([c for row in counts for c in row] or [0])
    body: list[str] = []
    for j, (label, full) in enumerate(zip(col_labels, columns, strict=True)):
        x, y = left + cell_w * j + cell_w / 2, head - 6
        rotate = f' transform="rotate(-45 {x:.1f} {y:.1f})"'
        body.append(_tipped(x, y, label, full=full, anchor="start", attrs=rotate))
    for i, (label, full) in enumerate(zip(row_labels, rows, strict=True)):
        y = head + cell_h * i
        body.append(_tipped(left - 6, y + cell_h / 2 + 4, label, full=full, anchor="end"))
        for j, value in enumerate(counts[i]):
            what = f"{full} × {columns[j]}: {value:,}"
            body.append(_cell(left + cell_w * j, y, cell, value=value, top=top, what=what))
    return _svg(width + 16, height, title, body)


def _cell(x: float, y: float, size: tuple[int, int], *, value: int, top: int, what: str) -> str:
    w, h = size
    share = math.log1p(value) / math.log1p(top) if top and value else 0.0
    fill = heat_colour(share) if value else "#f7f7f7"
    ink = "#ffffff" if share > 0.55 else "#222222"
    label = fmt.compact(value) if value else ""
    return (
        f'<g class="cell"><title>{esc(what)}</title>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w}" height="{h}" fill="{fill}" stroke="#ffffff"/>'
        + _text(x + w / 2, y + h / 2 + 4, label, anchor="middle", attrs=f' fill="{ink}"')
        + "</g>"
    )
