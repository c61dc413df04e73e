"""Tags for goals and indicators: ``{% load goals %}``.

{% assessment_label assessment.level %}   the level's colour and name (never colour alone)
{% indicator_trend view title=… %}        a small SVG trend of an IndicatorView
"""

from django import template
from django.utils.html import format_html

from plan import charts

register = template.Library()


@register.simple_tag
def assessment_label(level):
    """The level's name beside a swatch of its colour."""
    if level is None:
        return ""
    return format_html(
        '<span class="assessment-label">{} {}</span>',
        charts.status_swatch_svg(level.colour),
        level.name,
    )


@register.simple_tag
def indicator_trend(view, title):
    """The trend chart of an IndicatorView (plan.selectors_goals): its dated values,
    its baseline and its target."""
    return charts.indicator_trend_svg(
        view.chart_points(),
        title=title,
        baseline=view.chart_mark("baseline"),
        target=view.chart_mark("target"),
    )
