"""Scores over time as an accessible line chart, drawn on the server as SVG.

No JavaScript and no stylesheet: the chart is one `<svg role="img">` whose `<title>` and `<desc>`
say what it shows (every value with its date), so a screen reader hears the whole series. It is
always shown beside a data table with the same numbers, which is the chart's full text
alternative. Meaning never rests on colour alone: a meaningful improvement is a filled diamond,
a meaningful deterioration a hollow square, no meaningful change a small dot, each named in a
legend drawn inside the chart, and every point carries its value as text.

The horizontal axis is one step per check-in in date order (the dates are written under the
points), so check-ins close together in time stay readable; the table gives the exact dates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .instruments import format_number

# Kinds of mark on a point.
MARK_FIRST = "first"  # nothing to compare with
MARK_IMPROVEMENT = "improvement"
MARK_DETERIORATION = "deterioration"
MARK_NO_CHANGE = "no-meaningful-change"
MARK_NOT_JUDGED = "not-judged"  # the instrument has no meaningful-change threshold

WIDTH = 640
HEIGHT = 320
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 28, 96
INK = "#0b0c0c"
LINE = "#1d5c5a"
GRID = "#b1b4b6"
# Hearth's system font stack (frontend/), which text inside an SVG does not inherit by itself.
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
NICE_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)
MAX_DATE_LABELS = 8


@dataclass(frozen=True)
class Point:
    """One check-in on the chart."""

    date_label: str
    value: Fraction
    mark: str = MARK_FIRST

    @property
    def value_label(self) -> str:
        return format_number(self.value, places=1)


def y_ticks(low: Fraction, high: Fraction) -> list[Fraction]:
    """The labelled values on the vertical axis: both ends of the scale and round steps between
    them, none closer than half a step to an end."""
    span = high - low
    step = next((s for s in NICE_STEPS if span / s <= 5), NICE_STEPS[-1])
    ticks = [low]
    value = (low // step + 1) * step
    while value < high:
        if value - low >= Fraction(step, 2) and high - value >= Fraction(step, 2):
            ticks.append(Fraction(value))
        value += step
    ticks.append(high)
    return ticks


def _date_label_positions(count: int) -> set[int]:
    """Which points get a date under them: all, or evenly spread ones with the first and last."""
    if count <= MAX_DATE_LABELS:
        return set(range(count))
    spread = {round(i * (count - 1) / (MAX_DATE_LABELS - 1)) for i in range(MAX_DATE_LABELS)}
    return spread | {0, count - 1}


def _marker(mark: str, x: float, y: float) -> SafeString:
    if mark == MARK_IMPROVEMENT:
        return format_html(
            '<path d="M {} {} L {} {} L {} {} L {} {} Z" fill="{}" stroke="{}" stroke-width="2" '
            'data-mark="improvement"/>',
            _n(x),
            _n(y - 9),
            _n(x + 9),
            _n(y),
            _n(x),
            _n(y + 9),
            _n(x - 9),
            _n(y),
            LINE,
            LINE,
        )
    if mark == MARK_DETERIORATION:
        return format_html(
            '<rect x="{}" y="{}" width="14" height="14" fill="#ffffff" stroke="{}" '
            'stroke-width="3" data-mark="deterioration"/>',
            _n(x - 7),
            _n(y - 7),
            INK,
        )
    return format_html(
        '<circle cx="{}" cy="{}" r="5" fill="{}" data-mark="{}"/>', _n(x), _n(y), LINE, mark
    )


def _n(value: float) -> str:
    """A coordinate, short and stable: at most one decimal."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def legend_labels() -> dict[str, str]:
    return {
        MARK_IMPROVEMENT: _("Meaningful improvement"),
        MARK_DETERIORATION: _("Meaningful deterioration"),
        MARK_NO_CHANGE: _("No meaningful change"),
    }


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[Point],
    low: Fraction,
    high: Fraction,
    axis_label: str,
) -> SafeString:
    """The SVG of one series. `description` should state every value (it is the `<desc>`);
    `axis_label` says what the vertical axis measures and which way is better."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    span = float(high - low) or 1.0

    def y_of(value: Fraction) -> float:
        return TOP + plot_height - (float(value - low) / span) * plot_height

    count = len(points)

    def x_of(index: int) -> float:
        if count == 1:
            return LEFT + plot_width / 2
        return LEFT + 12 + index * (plot_width - 24) / (count - 1)

    parts: list[SafeString] = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {} {}" '
            'width="100%" aria-labelledby="{}-title {}-desc" id="{}" font-size="15" '
            'font-family="{}" class="hearth-chart">',
            WIDTH,
            HEIGHT,
            chart_id,
            chart_id,
            chart_id,
            FONT,
        ),
        format_html('<title id="{}-title">{}</title>', chart_id, title),
        format_html('<desc id="{}-desc">{}</desc>', chart_id, description),
    ]
    # The scale: grid lines with their values, and what the axis measures.
    for tick in y_ticks(low, high):
        y = y_of(tick)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
                LEFT,
                _n(y),
                WIDTH - RIGHT,
                _n(y),
                GRID,
                LEFT - 8,
                _n(y + 5),
                INK,
                format_number(tick, places=1),
            )
        )
    parts.append(
        format_html(
            '<text x="{}" y="{}" fill="{}" font-weight="bold">{}</text>',
            LEFT,
            TOP - 10,
            INK,
            axis_label,
        )
    )
    # The line, then the points with their values and dates.
    coordinates = [(x_of(i), y_of(point.value)) for i, point in enumerate(points)]
    if count > 1:
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="3"/>',
                " ".join(f"{_n(x)},{_n(y)}" for x, y in coordinates),
                LINE,
            )
        )
    dated = _date_label_positions(count)
    for index, (point, (x, y)) in enumerate(zip(points, coordinates, strict=True)):
        parts.append(_marker(point.mark, x, y))
        label_y = y - 14 if y - 14 > TOP else y + 24
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-weight="bold">{}</text>',
                _n(x),
                _n(label_y),
                INK,
                point.value_label,
            )
        )
        if index in dated:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                    _n(x),
                    TOP + plot_height + 22,
                    INK,
                    point.date_label,
                )
            )
    # The legend: every kind of mark used, drawn and named.
    used = [mark for mark in legend_labels() if any(point.mark == mark for point in points)]
    legend_y = HEIGHT - 28
    x = LEFT
    for mark in used:
        parts.append(_marker(mark, x + 8, legend_y - 5))
        parts.append(
            format_html(
                '<text x="{}" y="{}" fill="{}">{}</text>',
                x + 22,
                legend_y,
                INK,
                legend_labels()[mark],
            )
        )
        x += 200
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))
