"""``{% load calendars %}``: subscribe links for the calendar feeds.

``{% webcal_url "events:feed" %}`` is the feed's absolute address with the ``webcal://``
scheme, which calendar apps (Outlook, Apple Calendar, most phones) open as "subscribe"
instead of downloading the file once. Offer it beside the ordinary https link: some
programs (web calendars) only take the latter.
"""

from django import template
from django.urls import reverse

register = template.Library()


def as_webcal(url: str) -> str:
    """`url` (absolute, http or https) with the webcal scheme."""
    _scheme, sep, rest = url.partition("://")
    return f"webcal://{rest}" if sep else url


@register.simple_tag(takes_context=True)
def webcal_url(context, viewname, **kwargs):
    request = context["request"]
    return as_webcal(request.build_absolute_uri(reverse(viewname, kwargs=kwargs or None)))
