"""SVG charts rendered on the server, so the same picture appears in a page and in a
PDF (WeasyPrint draws inline SVG).

Each function returns safe SVG markup built from a template in
``templates/plan/charts/``; every text in it is escaped. The charts are images for
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

import math
import uuid
from collections.abc import Iterable

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
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
    """A small bar for one value, e.g. an activity's progress in a table row."""
    value = _clamp(percent)
    width = 100
    return _render(
        "progress_bar.svg",
        {
            "id": _id(),
            "title": f"{label}: {_percent(value)}",
            "width": width,
            "height": 12,
            "fill": value * width / 100,
            "bar_colour": BAR_COLOUR,
            "track_colour": TRACK_COLOUR,
        },
    )


def status_swatch_svg(colour: str) -> SafeString:
    """A small square in a status's colour, hidden from assistive technology: the
    status's name is always written next to it."""
    return _render("swatch.svg", {"colour": colour})
