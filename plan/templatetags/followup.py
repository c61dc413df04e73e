"""Chart tags for the follow-up pages and reports: ``{% load followup %}``.

{% status_chart counts title=_("Activities by status") %}
{% progress_chart rows title=… %}
{% progress_bar 40 label=… %}
{% status_swatch status.colour %}
"""

from django import template
from django.utils.translation import gettext as _

from plan import charts

register = template.Library()


@register.simple_tag
def status_chart(counts, title):
    return charts.status_distribution_svg(counts, title=title)


@register.simple_tag
def progress_chart(rows, title):
    return charts.progress_bars_svg(rows, title=title)


@register.simple_tag
def progress_bar(percent, label):
    return charts.progress_bar_svg(percent, label=label)


@register.simple_tag
def attainment_bar(group, title):
    """A group's goals by assessment level (plan.selectors_goals.AttainmentGroup) as a
    small stacked bar; "no assessment" last."""
    counts = [
        (str(c.level.name) if c.level else str(_("No assessment")), c.count, c.colour)
        for c in group.counts
    ]
    return charts.stacked_bar_svg(counts, title=title)


@register.filter
def assessed_counts(group):
    """``group|assessed_counts``: (level name, count) of the levels that count as
    assessed (plan.followup.assessed_counts)."""
    from plan.followup import assessed_counts as counts

    return counts(group)


@register.filter
def decimal(value):
    """A Decimal in the page language's format, without trailing zeros: 4.30 → "4,3"."""
    if value is None:
        return ""
    from plan.selectors import format_decimal

    return format_decimal(value)


@register.simple_tag
def status_swatch(colour):
    return charts.status_swatch_svg(colour)


@register.filter
def figure_of(progress, section):
    """``progress|figure_of:section``: the progress figure (plan.rollup.Figure) of
    `section` with its sub-sections, from a plan.followup.PlanFollowUp."""
    if progress is None or section is None:
        return None
    follow = progress.section(section)
    return follow.total if follow is not None else None


@register.filter
def own_activity_count(progress, section):
    """``progress|own_activity_count:section``: how many activities `section` itself
    holds (not its sub-sections'), from a plan.followup.PlanFollowUp; no query."""
    if progress is None or section is None:
        return 0
    follow = progress.section(section)
    return follow.own.activity_count if follow is not None else 0


@register.simple_tag(takes_context=True)
def previous_plan(context, plan):
    """The newest plan before `plan` among those the page already lists (its ``years``
    or ``archive``), or None. No query: only plans the visitor may see are listed."""
    plans = context.get("years") or context.get("archive") or []
    earlier = [p for p in plans if p.year < plan.year]
    return max(earlier, key=lambda p: p.year) if earlier else None
