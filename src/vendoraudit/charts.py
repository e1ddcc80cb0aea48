"""Small SVG charts for the PDF reports: crisp vector graphics, no plotting library.

Each function takes plain rows (labels, floats, display texts) and returns a `Chart`: an SVG
document with a `<title>` (its alt text in the tagged PDF) and, for the row charts, the row labels
and captions, which are set in HTML over it (see `Label`). Every label is escaped here. Colours
are chosen to read in greyscale too: vendor marks are filled and dark, in-house marks hollow, a
missed KPI is a diamond where a met one is a circle, and every mark has its figure in text.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "DejaVu Sans, sans-serif"
INK = "#1f2933"
MUTED = "#5f6b76"
VENDOR = "#1d3557"
BASELINE = "#7b8794"
MISSED = "#8e1b1b"
GRID = "#d3d9df"
BAND_LOW = "#dfe4e9"  # worse than the minimum
BAND_MID = "#eef1f4"  # between minimum and target
BAND_HIGH = "#f9fafb"  # at or beyond the target

# Row labels and captions are set in HTML, not SVG: WeasyPrint lays out and draws SVG text one
# letter at a time, and these strings were over a third of a scorecard's drawing time. They sit in
# the chart's left and right margins, placed in percent of the chart's size so they stay on their
# rows at any paper width, at the size the SVG text had at the A4 text width (178 mm).
LABEL_SCALE = 178 / 25.4 * 96 / 640  # CSS px per chart unit for a 640-unit-wide chart on A4
_ASCENT, _DESCENT = 0.928, 0.236  # DejaVu Sans, in em: where a line's baseline sits


def _n(x: float) -> str:
    """A coordinate with two decimals at most (short, stable text)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _t(text: str) -> str:
    return escape(text, quote=True)


@dataclass(frozen=True)
class Label:
    """HTML text over a chart: `lines` set from `x` with the first baseline at `y` (chart units)."""

    x: float
    y: float
    lines: tuple[str, ...]
    size: float
    pitch: float = 0.0  # baseline to baseline; 0: one line
    emphasis: bool = False  # dark red and bold
    bold: bool = False
    end: bool = False  # `x` is where the text ends (right-aligned), not where it starts
    muted: bool = False  # grey, for axis values

    def html(self, width: float, height: float, scale: float = LABEL_SCALE) -> str:
        """A `<span>` placed in percent of a `width` x `height` chart drawn at `scale` CSS px per unit."""
        line_height = self.pitch or self.size * (_ASCENT + _DESCENT)
        top = self.y - (line_height - self.size * (_ASCENT + _DESCENT)) / 2 - self.size * _ASCENT
        across = (f"left:0;right:{_n(100 - 100 * self.x / width)}%;text-align:right" if self.end
                  else f"left:{_n(100 * self.x / width)}%")
        css = (f"{across};top:{_n(100 * top / height)}%;"
               f"font-size:{_n(self.size * scale)}px;line-height:{_n(line_height * scale)}px")
        kind = ("chart-label emphasis" if self.emphasis else "chart-label bold" if self.bold
                else "chart-label muted" if self.muted else "chart-label")
        return f'<span class="{kind}" style="{css}">{"<br>".join(_t(line) for line in self.lines)}</span>'


@dataclass(frozen=True)
class Chart:
    """A chart: its SVG document (`svg`), its alt text and the HTML labels set over it.

    In a template it becomes (`__html__`) an `<img>` holding the SVG as a `data:` URL with the title
    as its alt text, so neither the HTML parser nor the CSS cascade walks the SVG's elements;
    the labels follow it in one positioned box.
    """

    svg: str
    title: str
    width: float
    height: float
    labels: tuple[Label, ...] = ()
    label_scale: float = LABEL_SCALE  # CSS px per chart unit at the width the chart is set in

    def __html__(self) -> str:
        """The markup jinja2 inserts for the chart (already escaped)."""
        data = base64.b64encode(self.svg.encode()).decode("ascii")
        image = f'<img class="chart" alt="{_t(self.title)}" src="data:image/svg+xml;base64,{data}">'
        if not self.labels:
            return image
        spans = "".join(label.html(self.width, self.height, self.label_scale) for label in self.labels)
        return f'<div class="chart-box">{image}{spans}</div>'


def _chart(width: float, height: float, title: str, body: list[str], labels: Sequence[Label] = (),
           label_scale: float = LABEL_SCALE) -> Chart:
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
           f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{FONT}"><title>{_t(title)}</title>'
           + "".join(body) + "</svg>")
    return Chart(svg, title, width, height, tuple(labels), label_scale)


def _text(x: float, y: float, text: str, size: float = 8, anchor: str = "start", fill: str = INK) -> str:
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" '
            f'fill="{fill}">{_t(text)}</text>')


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str = GRID, width: float = 1,
          dash: str = "") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" '
            f'stroke-width="{_n(width)}"{dashed}/>')


def _path(segments: Sequence[tuple[float, float, float, float]], stroke: str, width: float) -> str:
    """Straight lines of one stroke as one `<path>`: WeasyPrint walks, styles and paints each SVG element
    on its own, and a chart's guides, whiskers and ticks were most of its elements."""
    if not segments:
        return ""
    d = "".join(f"M{_n(x1)} {_n(y1)}L{_n(x2)} {_n(y2)}" for x1, y1, x2, y2 in segments)
    return f'<path d="{d}" fill="none" stroke="{stroke}" stroke-width="{_n(width)}"/>'


def _rect(x: float, y: float, w: float, h: float, fill: str, stroke: str = "none") -> str:
    return f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill}" stroke="{stroke}"/>'


def _dot(x: float, y: float, r: float, filled: bool, colour: str) -> str:
    fill = colour if filled else "#ffffff"
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{fill}" stroke="{colour}" stroke-width="1.4"/>'


def _diamond(x: float, y: float, r: float, colour: str, filled: bool = True) -> str:
    points = f"{_n(x)},{_n(y - r)} {_n(x + r)},{_n(y)} {_n(x)},{_n(y + r)} {_n(x - r)},{_n(y)}"
    fill = colour if filled else "#ffffff"
    return f'<polygon points="{points}" fill="{fill}" stroke="{colour}" stroke-width="1.4"/>'


def _arrow(x: float, y: float, pointing_right: bool, colour: str) -> str:
    tip = x + 5 if pointing_right else x - 5
    return (f'<polygon points="{_n(x)},{_n(y - 4.5)} {_n(tip)},{_n(y)} {_n(x)},{_n(y + 4.5)}" '
            f'fill="{colour}"/>')


def wrap(text: str, width: int, lines: int = 2) -> list[str]:
    """`text` in at most `lines` lines of about `width` characters, the last cut with an ellipsis."""
    words, out, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    out.append(current)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "\u2026"
    return out


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] with about `count` steps of 1, 2 or 5 x 10^k."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


# --- actual against minimum and target -------------------------------------------------------

@dataclass(frozen=True)
class BulletRow:
    """One KPI for `attainment_chart`; `value` None draws no mark (insufficient data, excused)."""

    label: str
    value: float | None
    minimum: float
    target: float
    low: float | None  # 95% interval, same unit as value
    high: float | None
    missed: bool
    caption: str  # e.g. "85.0% met"
    lower_is_better: bool = False


_LO, _HI = -1.5, 2.5  # the shared axis in "minimum = 0, target = 1" units


def _attainment(value: float, row: BulletRow) -> float:
    """Where `value` lies on the minimum (0) .. target (1) scale of `row`, better to the right."""
    span = row.target - row.minimum
    if span == 0:
        # a target equal to the minimum: one unit is 5% of it (or 1 when it is 0)
        span = (abs(row.minimum) * 0.05 or 1.0) * (-1 if row.lower_is_better else 1)
    return (value - row.minimum) / span


def attainment_chart(rows: Sequence[BulletRow], title: str, width: float = 640) -> Chart:
    """KPIs on one shared axis where the minimum is 0 and the target 1 (better to the right).

    Each mark sits where the actual lies between minimum and target, so KPIs of different units and
    directions compare at a glance; its whisker is the 95% interval; marks beyond the axis become
    arrows at its edge (the caption keeps the figure).
    """
    label_w, caption_w, row_h, top = 220.0, 118.0, 20.0, 26.0
    x0, x1 = label_w + 8, width - caption_w

    def x(u: float) -> float:
        return x0 + (min(max(u, _LO), _HI) - _LO) / (_HI - _LO) * (x1 - x0)

    height = top + row_h * len(rows) + 22
    body = [
        _rect(x(_LO), top, x(0) - x(_LO), row_h * len(rows), BAND_LOW),
        _rect(x(0), top, x(1) - x(0), row_h * len(rows), BAND_MID),
        _rect(x(1), top, x(_HI) - x(1), row_h * len(rows), BAND_HIGH),
        _line(x(0), top - 4, x(0), top + row_h * len(rows), MUTED, 1, "3 2"),
        _line(x(1), top - 4, x(1), top + row_h * len(rows), INK, 1.2),
        _text(x(0), top - 7, "minimum", 7.5, "middle", MUTED),
        _text(x(1), top - 8, "target", 7.5, "middle", INK),
        _text(x(_LO), top - 8, "\u2190 worse", 7.5, "start", MUTED),
        _text(x(_HI), top - 8, "better \u2192", 7.5, "end", MUTED),
    ]
    labels: list[Label] = []
    # rows do not overlap, so each kind of line is one path under all the marks
    separators = [(4.0, top + row_h * i, width - 4, top + row_h * i) for i in range(1, len(rows))]
    whiskers: list[tuple[float, float, float, float]] = []
    ticks: list[tuple[float, float, float, float]] = []
    marks: list[str] = []
    for i, row in enumerate(rows):
        y = top + row_h * i + row_h / 2
        lines = wrap(row.label, 42)
        labels.append(Label(0, y + 3 - (len(lines) - 1) / 2 * 8.5, tuple(lines), 7.6, 8.5))
        labels.append(Label(x1 + 8, y + 3, (row.caption,), 8, emphasis=row.missed))
        if row.value is None:
            marks.append(_text((x0 + x1) / 2, y + 3, "no mark: not scored", 7, "middle", MUTED))
            continue
        if row.low is not None and row.high is not None:
            a = x(_attainment(row.low, row))
            b = x(_attainment(row.high, row))
            whiskers.append((min(a, b), y, max(a, b), y))
            ticks += [(a, y - 3, a, y + 3), (b, y - 3, b, y + 3)]
        u = _attainment(row.value, row)
        colour = MISSED if row.missed else VENDOR
        if u < _LO or u > _HI:
            marks.append(_arrow(x(u), y, u > _HI, colour))
        elif row.missed:
            marks.append(_diamond(x(u), y, 5, colour))
        else:
            marks.append(_dot(x(u), y, 4.3, True, colour))
    body += [_path(separators, "#ffffff", 1.5), _path(whiskers, MUTED, 1.2), _path(ticks, MUTED, 1), *marks]
    legend_y = top + row_h * len(rows) + 14
    body += [
        _dot(x0 + 4, legend_y - 3, 3.5, True, VENDOR), _text(x0 + 12, legend_y, "met", 7.5, fill=MUTED),
        _diamond(x0 + 44, legend_y - 3, 4, MISSED), _text(x0 + 52, legend_y, "missed", 7.5, fill=MUTED),
        _line(x0 + 92, legend_y - 3, x0 + 108, legend_y - 3, MUTED, 1.2),
        _text(x0 + 112, legend_y, "95% interval", 7.5, fill=MUTED),
        _arrow(x0 + 172, legend_y - 3, True, MUTED), _text(x0 + 182, legend_y, "off the scale", 7.5, fill=MUTED),
    ]
    return _chart(width, height, title, body, labels)


# --- trend -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrendMark:
    """One period of a trend: its short label, value (None: no record) and whether it was missed."""

    label: str
    value: float | None
    missed: bool = False


# A trend panel is a third of the text width less the gaps (31.5% of 178 mm on A4).
TREND_SCALE = 0.315 * 178 / 25.4 * 96 / 200  # CSS px per unit of a 200-unit-wide trend chart


def _spread(ys: list[float], gap: float) -> list[float]:
    """Label baselines `ys` (in drawing order) moved apart to at least `gap`, keeping their order."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    out = list(ys)
    for a, b in zip(order, order[1:]):
        if out[b] - out[a] < gap:
            out[b] = out[a] + gap
    return out


def trend_chart(marks: Sequence[TrendMark], minimum: float, target: float, title: str,
                value_text: str = "", tick_format=None, width: float = 200, height: float = 96,
                limit_words: tuple[str, str] = ("target", "minimum"),
                bounds: tuple[float, float] | None = None) -> Chart:
    """A small line chart of a KPI over recent periods, every part labelled.

    A value axis with round values, the minimum (dashed) and target (dotted) lines named at their
    right end, a month axis below; `value_text` (the month's figure) is written at the last point.
    A month without a record is shaded and breaks the line; with a single recorded month it is one
    mark and a note. `tick_format` turns an axis value into text (default: `f"{v:g}"`); `bounds`
    clip the axis (0..100 for a percentage).
    """
    fmt = tick_format or (lambda v: f"{v:g}")
    left, right, top, bottom = 30.0, 34.0, 12.0, 15.0
    values = [m.value for m in marks if m.value is not None]
    span_values = values + [minimum, target]
    low, high = min(span_values), max(span_values)
    pad = (high - low) * 0.12 or (abs(high) * 0.05 or 1.0)
    ticks = nice_ticks(low - pad, high + pad, 3)
    if bounds:  # a percentage axis stops at 0 and 100
        ticks = [t for t in ticks if bounds[0] <= t <= bounds[1]] or [bounds[0], bounds[1]]
        if len(ticks) == 1:
            ticks = [bounds[0], bounds[1]]
    low, high = ticks[0], ticks[-1]
    plot_w = width - left - right
    step = plot_w / max(len(marks) - 1, 1)

    def x(i: int) -> float:
        return left + step * i if len(marks) > 1 else left + plot_w / 2

    def y(v: float) -> float:
        return top + (high - v) / (high - low) * (height - top - bottom)

    body = [_rect(0.5, 0.5, width - 1, height - 1, "#ffffff", GRID)]
    labels: list[Label] = []
    # a month without a record: a shaded column, so the gap reads as missing, not as a flat line
    half = step / 2 if len(marks) > 1 else plot_w / 2
    for i, mark in enumerate(marks):
        if mark.value is None:
            body.append(_rect(max(left - 4, x(i) - half * 0.8), top, min(half * 1.6, plot_w + 8),
                              height - top - bottom, BAND_LOW))
    body.append(_path([(left - 3, y(t), width - right, y(t)) for t in ticks], GRID, 0.7))
    labels += [Label(left - 5, y(t) + 2.2, (fmt(t),), 6.2, end=True, muted=True) for t in ticks]
    body += [_line(left, y(minimum), width - right, y(minimum), MUTED, 1, "3 2"),
             _line(left, y(target), width - right, y(target), INK, 1, "1 2")]
    limit_ys = _spread([y(target) + 2.2, y(minimum) + 2.2], 6.8)  # apart when the lines are close
    labels += [Label(width - right + 3, limit_ys[0], (limit_words[0],), 6.2),
               Label(width - right + 3, limit_ys[1], (limit_words[1],), 6.2, muted=True)]
    for i, mark in enumerate(marks):
        labels.append(Label(x(i) - len(mark.label) * 1.8, height - 4.5, (mark.label,), 6.2, muted=True))
    # a month without a record breaks the line rather than bridging it
    segments: list[list[str]] = [[]]
    for i, mark in enumerate(marks):
        if mark.value is None:
            segments.append([])
        else:
            segments[-1].append(f"{_n(x(i))},{_n(y(mark.value))}")
    for segment in segments:
        if len(segment) > 1:
            body.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{VENDOR}" '
                        'stroke-width="1.4"/>')
    for i, mark in enumerate(marks):
        if mark.value is not None:
            body.append(_diamond(x(i), y(mark.value), 3.6, MISSED, False) if mark.missed
                        else _dot(x(i), y(mark.value), 2.6, True, VENDOR))
    if marks and value_text:
        last, at = marks[-1], x(len(marks) - 1)
        if last.value is None:
            labels.append(Label(at - 4, (top + height - bottom) / 2 + 2.2, (value_text,), 6.6, end=True, bold=True))
        else:
            # left of the last point (the limit names own the right margin), above it unless a limit
            # line or the frame is in the way there
            py = y(last.value)
            crowded_above = py - 8 < top or any(py - 9 <= y(v) <= py for v in (minimum, target))
            crowded_below = any(py <= y(v) <= py + 11 for v in (minimum, target))
            below = crowded_above and not (crowded_below and py - 8 >= top)
            labels.append(Label(at - 4, py + 9 if below else py - 4, (value_text,), 6.6,
                                end=True, emphasis=last.missed, bold=not last.missed))
    if len(values) == 1:
        labels.append(Label(left + 2, height - bottom - 3, ("no earlier periods recorded",), 6.2, muted=True))
    return _chart(width, height, title, body, labels, TREND_SCALE)


# --- vendor against in-house -------------------------------------------------------------------

@dataclass(frozen=True)
class CompareRow:
    """One line of `comparison_chart`: vendor and in-house values, an optional floor and a caption."""

    label: str
    vendor: float | None
    baseline: float | None
    floor: float | None = None
    caption: str = ""
    emphasis: bool = False  # e.g. a significant gap


def comparison_chart(rows: Sequence[CompareRow], title: str, bounds: tuple[float, float] | None = None,
                     width: float = 640, vendor_label: str = "vendor", baseline_label: str = "in-house") -> Chart:
    """A dot plot: per row the vendor (filled) and in-house (hollow) values joined by a line.

    The axis covers the values (not from zero: dots, not bars, so nothing suggests a length), with
    round ticks, clipped to `bounds` when given (e.g. 0..100 for percentages).
    """
    label_w, caption_w, row_h, top = 190.0, 150.0, 20.0, 24.0
    x0, x1 = label_w + 8, width - caption_w
    seen = [v for r in rows for v in (r.vendor, r.baseline, r.floor) if v is not None]
    low, high = (min(seen), max(seen)) if seen else (0.0, 1.0)
    pad = (high - low) * 0.08 or 1.0
    ticks = nice_ticks(low - pad, high + pad, 5)
    if bounds:
        ticks = [t for t in ticks if bounds[0] <= t <= bounds[1]] or [bounds[0], bounds[1]]
    a, b = ticks[0], ticks[-1] if ticks[-1] > ticks[0] else ticks[0] + 1

    def x(v: float) -> float:
        return x0 + (min(max(v, a), b) - a) / (b - a) * (x1 - x0)

    plot_h = row_h * len(rows)
    body: list[str] = []
    labels: list[Label] = []
    body.append(_path([(x(t), top - 3, x(t), top + plot_h) for t in ticks], GRID, 0.8))
    body += [_text(x(t), top - 7, f"{t:g}", 7, "middle", MUTED) for t in ticks]
    # rows do not overlap, so each kind of line is one path under all the dots
    guides, floors, joins, dots = [], [], [], []
    for i, row in enumerate(rows):
        y = top + row_h * i + row_h / 2
        guides.append((x0, y, x1, y))
        labels.append(Label(0, y + 3, (wrap(row.label, 38, 1)[0],), 8))
        labels.append(Label(x1 + 8, y + 3, (row.caption,), 7.5, emphasis=row.emphasis))
        if row.floor is not None:
            floors.append((x(row.floor), y - 6, x(row.floor), y + 6))
        if row.vendor is not None and row.baseline is not None:
            joins.append((x(row.vendor), y, x(row.baseline), y))
        if row.baseline is not None:
            dots.append(_dot(x(row.baseline), y, 4, False, BASELINE))
        if row.vendor is not None:
            dots.append(_dot(x(row.vendor), y, 4, True, VENDOR))
    body += [_path(guides, "#eef1f4", 0.8), _path(floors, MISSED, 1.3), _path(joins, BASELINE, 1.6), *dots]
    legend_y = top + plot_h + 14
    body += [_dot(x0 + 4, legend_y - 3, 3.5, True, VENDOR), _text(x0 + 12, legend_y, vendor_label, 7.5, fill=MUTED)]
    if baseline_label:  # empty: nothing to compare with, no legend entry for it
        body += [_dot(x0 + 84, legend_y - 3, 3.5, False, BASELINE),
                 _text(x0 + 92, legend_y, baseline_label, 7.5, fill=MUTED)]
    if any(r.floor is not None for r in rows):
        body += [_line(x0 + 160, legend_y - 8, x0 + 160, legend_y + 2, MISSED, 1.3),
                 _text(x0 + 166, legend_y, "contract floor", 7.5, fill=MUTED)]
    return _chart(width, top + plot_h + 22, title, body, labels)


# --- portfolio ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScoreBar:
    """One vendor's composite score (0..100) for `score_bars`."""

    label: str
    value: float | None
    caption: str
    muted: bool = False  # the in-house baseline


def score_bars(rows: Sequence[ScoreBar], title: str, width: float = 640) -> Chart:
    """Horizontal bars of composite scores on a 0..100 axis (a true zero, so bars)."""
    label_w, caption_w, row_h, top = 200.0, 90.0, 24.0, 22.0
    x0, x1 = label_w + 8, width - caption_w

    def x(v: float) -> float:
        return x0 + max(0.0, min(v, 100.0)) / 100 * (x1 - x0)

    plot_h = row_h * len(rows)
    body: list[str] = []
    labels: list[Label] = []
    for t in range(0, 101, 20):
        body.append(_line(x(t), top - 3, x(t), top + plot_h, GRID, 0.8))
        body.append(_text(x(t), top - 7, str(t), 7, "middle", MUTED))
    for i, row in enumerate(rows):
        y = top + row_h * i
        lines = wrap(row.label, 40)
        labels.append(Label(0, y + row_h / 2 + 3 - (len(lines) - 1) / 2 * 9, tuple(lines), 8, 9))
        if row.value is not None:
            fill = "#ffffff" if row.muted else VENDOR
            body.append(f'<rect x="{_n(x0)}" y="{_n(y + 4)}" width="{_n(x(row.value) - x0)}" '
                        f'height="{_n(row_h - 8)}" fill="{fill}" stroke="{VENDOR}" stroke-width="1"/>')
        labels.append(Label(x1 + 8, y + row_h / 2 + 3, (row.caption,), 8, bold=True))
    return _chart(width, top + plot_h + 6, title, body, labels)


# --- portfolio trend ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    """One vendor's line in `series_chart`: a value per month (None: not recorded) and its end label."""

    label: str
    values: tuple[float | None, ...]
    end_text: str  # the last month's figure, written after the label
    muted: bool = False  # the in-house baseline: grey, dashed, hollow marks


_GREYS = ("#1d3557", "#4a6fa5", "#0b0f14", "#7d4e24", "#2f6b4f", "#6b2f5f")


def _marker(shape: int, x: float, y: float, colour: str, filled: bool) -> str:
    fill = colour if filled else "#ffffff"
    r = 3.2
    if shape % 4 == 0:
        return _dot(x, y, r, filled, colour)
    if shape % 4 == 1:
        return _rect(x - r, y - r, 2 * r, 2 * r, fill, colour)
    if shape % 4 == 2:
        return _diamond(x, y, r + 0.8, colour, filled)
    return (f'<polygon points="{_n(x)},{_n(y - r - 0.6)} {_n(x + r + 0.6)},{_n(y + r)} {_n(x - r - 0.6)},{_n(y + r)}" '
            f'fill="{fill}" stroke="{colour}" stroke-width="1.2"/>')


def series_chart(months: Sequence[str], series: Sequence[Series], title: str, tick_format=None,
                 bounds: tuple[float, float] | None = None, zero_line: bool = False,
                 width: float = 640, height: float = 190) -> Chart:
    """Several vendors' monthly figures as lines on one value axis, each named at its last point.

    Months nobody recorded are shaded; a vendor's unrecorded month breaks its line. Each line has
    its own mark shape as well as its shade, so the chart reads in greyscale; the in-house
    baseline is grey and dashed with hollow marks.
    """
    fmt = tick_format or (lambda v: f"{v:g}")
    left, right, top, bottom = 44.0, 190.0, 10.0, 20.0
    seen = [v for s in series for v in s.values if v is not None]
    low, high = (min(seen), max(seen)) if seen else (0.0, 1.0)
    if zero_line:
        low, high = min(low, 0.0), max(high, 0.0)
    pad = (high - low) * 0.08 or (abs(high) * 0.1 or 1.0)
    ticks = nice_ticks(low - pad, high + pad, 4)
    if bounds:
        ticks = [t for t in ticks if bounds[0] <= t <= bounds[1]] or [bounds[0], bounds[1]]
    a, b = ticks[0], ticks[-1] if ticks[-1] > ticks[0] else ticks[0] + 1
    plot_w = width - left - right
    step = plot_w / max(len(months) - 1, 1)

    def x(i: int) -> float:
        return left + step * i if len(months) > 1 else left + plot_w / 2

    def y(v: float) -> float:
        return top + (b - min(max(v, a), b)) / (b - a) * (height - top - bottom)

    body: list[str] = []
    labels: list[Label] = []
    for i in range(len(months)):
        if all(s.values[i] is None for s in series):
            body.append(_rect(x(i) - step * 0.4, top, step * 0.8, height - top - bottom, BAND_LOW))
    body.append(_path([(left - 3, y(t), width - right + 6, y(t)) for t in ticks], GRID, 0.7))
    if zero_line and a < 0 < b:
        body.append(_line(left, y(0), width - right + 6, y(0), MUTED, 1))
    labels += [Label(left - 6, y(t) + 2.6, (fmt(t),), 7, end=True, muted=True) for t in ticks]
    labels += [Label(x(i) - len(m) * 2.1, height - 6, (m,), 7, muted=True) for i, m in enumerate(months)]
    ends: list[tuple[float, str, bool]] = []
    for k, s in enumerate(series):
        colour = BASELINE if s.muted else _GREYS[k % len(_GREYS)]
        dash = ' stroke-dasharray="4 2"' if s.muted else ""
        run: list[str] = []
        runs = [run]
        for i, v in enumerate(s.values):
            if v is None:
                run = []
                runs.append(run)
            else:
                run.append(f"{_n(x(i))},{_n(y(v))}")
        for r in runs:
            if len(r) > 1:
                body.append(f'<polyline points="{" ".join(r)}" fill="none" stroke="{colour}" stroke-width="1.4"{dash}/>')
        for i, v in enumerate(s.values):
            if v is not None:
                body.append(_marker(k, x(i), y(v), colour, not s.muted))
        last = next((i for i in range(len(s.values) - 1, -1, -1) if s.values[i] is not None), None)
        if last is not None:
            ends.append((y(s.values[last]) + 2.6, tuple(wrap(f"{s.end_text}  {s.label}", 40, 2)), s.muted))
    pitch = 8.6
    rows = max((len(lines) for _, lines, _ in ends), default=1)
    spread = _spread([e[0] for e in ends], pitch * rows + 1)
    for (_, lines, muted), at in zip(ends, spread):
        labels.append(Label(width - right + 10, at, lines, 7.2, pitch, muted=muted, bold=not muted))
    return _chart(width, height, title, body, labels)
