"""SVG charts rendered on the server, so the same picture appears in a page and in a
PDF (WeasyPrint draws inline SVG).

Each function returns safe SVG markup; every text in it is escaped. The charts drawn
once per page come from a template in ``templates/plan/charts/``; the small ones a page
draws once per row (progress bar, swatch, stacked bar) are built as strings, and the
bar and the swatch remembered per value, so a list of 2,000 rows renders no template
per row (issue 12). The charts are images for
assistive technology (``role="img"`` with a ``<title>`` and a ``<desc>`` that says what
the picture shows); put a table or list with the same numbers next to them as well.
No ``style`` attributes: colours are SVG presentation attributes, so a
Content-Security-Policy without 'unsafe-inline' allows them.

    status_distribution_svg([("On track", 5, "#1a7f37"), ("Delayed", 1, "#b3261e")],
                            title="Activities by status")
    progress_bars_svg([("1.1 Infrastructure", 40), ("1.2 Skills", 75)],
                      title="Progress per section")
    progress_bar_svg(40, label="Progress")
"""

import functools
import math
import uuid
from collections.abc import Iterable

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

WIDTH = 640
BAR_COLOUR = "#0b4f8a"  # 8.4:1 against white
TRACK_COLOUR = "#e8ebef"
EDGE_COLOUR = "#767676"  # 4.5:1: the bar's outline stays visible (WCAG 1.4.11)
TEXT_COLOUR = "#1b1b1b"
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"


def _id() -> str:
    return f"chart-{uuid.uuid4().hex[:10]}"


def _clamp(percent) -> int:
    try:
        value = math.floor(float(percent) + 0.5)
    except (TypeError, ValueError):
        return 0
    return max(0, min(100, value))


def _render(template: str, context: dict) -> SafeString:
    context = {"font": FONT, "text_colour": TEXT_COLOUR, "edge": EDGE_COLOUR, **context}
    # The templates escape every value; the output is whitespace-trimmed SVG.
    return mark_safe(render_to_string(f"plan/charts/{template}", context).strip())


def _percent(value: int) -> str:
    from malardal.formatting import percent

    return percent(value)


def status_distribution_svg(counts: Iterable, *, title: str) -> SafeString:
    """A horizontal stacked bar of how many activities have each status, with a legend.

    `counts` is a sequence of ``(label, count, colour)``: one per status, in the order
    to draw them (objects with ``as_tuple()`` are accepted too). Statuses with no
    activities are left out of the bar but kept in the legend.
    """
    rows = [c.as_tuple() if hasattr(c, "as_tuple") else tuple(c) for c in counts]
    total = sum(int(count) for _label, count, _colour in rows)
    bar_y, bar_height = 8, 32
    segments = []
    x = 0.0
    for label, count, colour in rows:
        if not count or not total:
            continue
        width = WIDTH * int(count) / total
        segments.append(
            {
                "x": round(x, 2),
                "width": round(width, 2),
                "colour": colour,
                "label": label,
                "count": count,
            }
        )
        x += width
    legend = []
    line_height = 24
    legend_y = bar_y + bar_height + 22
    for index, (label, count, colour) in enumerate(rows):
        share = round(100 * int(count) / total) if total else 0
        legend.append(
            {
                "y": legend_y + index * line_height,
                "colour": colour,
                "text": f"{label}: {count} ({_percent(share)})",
            }
        )
    height = legend_y + len(rows) * line_height
    description = "; ".join(item["text"] for item in legend) or _("No activities.")
    if total:
        description = _("%(total)s activities. %(details)s.") % {
            "total": total,
            "details": description,
        }
    return _render(
        "status_distribution.svg",
        {
            "id": _id(),
            "title": title,
            "desc": description,
            "width": WIDTH,
            "height": height,
            "bar_y": bar_y,
            "bar_height": bar_height,
            "segments": segments,
            "legend": legend,
            "empty": not total,
            "empty_text": _("No activities."),
        },
    )


def progress_bars_svg(rows: Iterable, *, title: str) -> SafeString:
    """One labelled bar per row: ``(label, percent)`` — e.g. the average progress of
    each section. The label is written above its bar and the per cent after it."""
    items = []
    row_height = 46
    bar_width = WIDTH - 64
    for index, (label, percent) in enumerate(rows):
        value = _clamp(percent)
        top = index * row_height
        items.append(
            {
                "label": label,
                "label_y": top + 16,
                "bar_y": top + 22,
                "fill": round(bar_width * value / 100, 2),
                "value": value,
                "text": _percent(value),
            }
        )
    height = max(len(items) * row_height, row_height)
    description = "; ".join(f"{i['label']}: {i['text']}" for i in items)
    return _render(
        "progress_bars.svg",
        {
            "id": _id(),
            "title": title,
            "desc": description or _("No activities."),
            "width": WIDTH,
            "height": height,
            "bar_width": bar_width,
            "bar_height": 16,
            "value_x": bar_width + 8,
            "items": items,
            "bar_colour": BAR_COLOUR,
            "track_colour": TRACK_COLOUR,
        },
    )


def progress_bar_svg(percent, *, label: str) -> SafeString:
    """A small bar for one value, e.g. an activity's progress in a table row.

    Built as a string, not from a template, and remembered per value, label and
    language: a page draws one per row (issue 12: no template rendered per row)."""
    return _progress_bar(_clamp(percent), str(label), get_language())


@functools.lru_cache(maxsize=2048)
def _progress_bar(value: int, label: str, language: str) -> SafeString:
    width, height = 100, 12
    fill = value * width / 100
    bar = (
        f'<rect x="0.5" y="0.5" width="{fill:g}" height="{height - 1}" fill="{BAR_COLOUR}"/>'
        if fill
        else ""
    )
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--bar" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f"<title>{escape(label)}: {_percent(value)}</title>"
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" '
        f'fill="{TRACK_COLOUR}" stroke="{EDGE_COLOUR}"/>{bar}</svg>'
    )


def _luminance(colour: str) -> float:
    """The relative luminance of a #rrggbb colour (WCAG 2.1)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    try:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    except (TypeError, ValueError):
        return 1.0
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _text_on(colour: str) -> str:
    """Black or white, whichever reads better on `colour`."""
    light = _luminance(colour)
    return "#ffffff" if (1.05 / (light + 0.05)) >= ((light + 0.05) / 0.05) else "#000000"


def stacked_bar_svg(counts: Iterable, *, title: str, width: int = 180) -> SafeString:
    """A small bar split by `counts` — ``(label, count, colour)`` — e.g. a group's goals
    by assessment level, for a table cell. Each segment wide enough carries its count
    in text; the title (read by assistive technology, and shown as a tooltip) names
    every label with its count, so colour never carries the meaning alone: put the
    counts in the table beside it as well. Built as a string (one per table row)."""
    rows = [tuple(c) for c in counts]
    total = sum(int(count) for _label, count, _colour in rows)
    height = 16
    parts = []
    if not total:
        parts.append(
            f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" '
            f'fill="#ffffff" stroke="{EDGE_COLOUR}"/>'
        )
    x = 0.5
    for _label, count, colour in rows:
        if not count or not total:
            continue
        segment_width = (width - 1) * int(count) / total
        colour = escape(colour)
        parts.append(
            f'<rect x="{round(x, 2)}" y="0.5" width="{round(segment_width, 2)}" '
            f'height="{height - 1}" fill="{colour}" stroke="{EDGE_COLOUR}" stroke-width="1"/>'
        )
        if segment_width >= 14:
            parts.append(
                f'<text x="{round(x + segment_width / 2, 2)}" y="12" text-anchor="middle" '
                f'fill="{_text_on(str(colour))}">{int(count)}</text>'
            )
        x += segment_width
    details = ", ".join(f"{label}: {count}" for label, count, _colour in rows)
    full_title = f"{title}: {details}" if details else str(title)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--stacked" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="{FONT}" font-size="10"><title>{escape(full_title)}</title>'
        f"{''.join(parts)}</svg>"
    )


def status_swatch_svg(colour: str) -> SafeString:
    """A small square in a status's colour, hidden from assistive technology: the
    status's name is always written next to it. Built as a string, once per colour."""
    return _swatch(str(colour))


@functools.lru_cache(maxsize=256)
def _swatch(colour: str) -> SafeString:
    return mark_safe(
        '<svg xmlns="http://www.w3.org/2000/svg" class="swatch-svg" aria-hidden="true" '
        'focusable="false" viewBox="0 0 14 14" width="14" height="14">'
        f'<rect x="0.5" y="0.5" width="13" height="13" fill="{escape(colour)}" '
        f'stroke="{EDGE_COLOUR}"/></svg>'
    )


def indicator_trend_svg(
    points: Iterable,
    *,
    title: str,
    target: tuple | None = None,
    baseline: tuple | None = None,
    width: int = 400,
    height: int = 120,
) -> SafeString:
    """A small line chart of an indicator's values over the years, with its baseline
    and target as marked points where it has them.

    `points` is a sequence of ``(year, value, label)`` in any order (`label` is the
    value as the page writes it, e.g. "37,5 %"); `target` and `baseline` are
    ``(year, value, label)`` or None. Values without a year cannot be placed and are
    left to the table beside the chart. The description names every point, so the
    picture says nothing the text does not.
    """
    series = sorted((int(y), float(v), str(lbl)) for y, v, lbl in points)
    marks = [(kind, m) for kind, m in (("baseline", baseline), ("target", target)) if m]
    all_points = series + [(int(m[0]), float(m[1]), str(m[2])) for _kind, m in marks]
    left, right, top, bottom = 96, 12, 10, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    if not all_points:
        return _render(
            "trend.svg",
            {
                "id": _id(),
                "title": title,
                "desc": _("No values with a year."),
                "width": width,
                "height": height,
                "empty": True,
            },
        )
    years = [p[0] for p in all_points]
    values = [p[1] for p in all_points]
    first_year, last_year = min(years), max(years)
    low, high = min(values + [0.0]), max(values)
    if high == low:
        high = low + 1

    def x_of(year):
        if last_year == first_year:
            return left + plot_w / 2
        return left + plot_w * (year - first_year) / (last_year - first_year)

    def y_of(value):
        return top + plot_h * (1 - (value - low) / (high - low))

    # The axis is labelled at its top (the highest value, as the page writes it) and at
    # its bottom (zero, or the lowest value where that is below zero).
    high_label = max(all_points, key=lambda p: p[1])[2]
    low_label = min(all_points, key=lambda p: p[1])[2] if low < 0 else "0"
    line = " ".join(f"{round(x_of(y), 2)},{round(y_of(v), 2)}" for y, v, _l in series)
    dots = [{"x": round(x_of(y), 2), "y": round(y_of(v), 2)} for y, v, _l in series]
    mark_items = [
        {
            "kind": kind,
            "x": round(x_of(int(m[0])), 2),
            "y": round(y_of(float(m[1])), 2),
        }
        for kind, m in marks
    ]
    parts = [_("%(year)s: %(value)s") % {"year": y, "value": lbl} for y, _v, lbl in series]
    if baseline:
        parts.append(
            _("baseline %(year)s: %(value)s") % {"year": baseline[0], "value": baseline[2]}
        )
    if target:
        parts.append(_("target %(year)s: %(value)s") % {"year": target[0], "value": target[2]})
    return _render(
        "trend.svg",
        {
            "id": _id(),
            "title": title,
            "desc": "; ".join(parts) + ".",
            "width": width,
            "height": height,
            "left": left,
            "top": top,
            "plot_right": left + plot_w,
            "plot_bottom": top + plot_h,
            "line": line,
            "dots": dots,
            "marks": mark_items,
            "first_year": first_year,
            "last_year": last_year,
            "label_y": height - 6,
            "high_label": high_label,
            "low_label": low_label,
            "axis_label_x": left - 4,
            "high_y": round(y_of(high), 2) + 4,
            "low_y": round(y_of(low), 2),
            "line_colour": BAR_COLOUR,
            "target_colour": "#1a7f37",  # 5.1:1 against white
            "baseline_colour": "#595959",  # 7:1 against white
        },
    )
