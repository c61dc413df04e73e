"""``{% load formatting %}``: dates, numbers and percentages in the page's language
(malardal.formatting).

    {{ period.starts_on|date_range:period.ends_on }}   1 jan.–30 apr. 2023
    {{ update.reported_at|short_date }}                 4 maj 2023
    {{ request.created_at|short_datetime }}             4 maj 2023 13:05
    {{ progress|percent }}                              37,5 %  (never wraps)
    {{ value|number }} / {{ value|number:1 }}           12 345,5
"""

from django import template

from malardal import formatting

register = template.Library()


@register.filter
def short_date(value):
    return formatting.short_date(value)


@register.filter
def short_datetime(value):
    return formatting.short_datetime(value)


@register.filter
def date_range(start, end):
    return formatting.date_range(start, end)


@register.filter
def percent(value, decimals=None):
    return formatting.percent(value, None if decimals in (None, "") else int(decimals))


@register.filter
def number(value, decimals=None):
    return formatting.number(value, None if decimals in (None, "") else int(decimals))
