"""Tags for the site layout (templates/base.html): the language switch and links to
pages that may not exist yet.

They live in the plan app because it serves the public pages; the layout loads them
with ``{% load portal %}``.
"""

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.inclusion_tag("includes/language_switch.html", takes_context=True)
def language_switch(context):
    """One link per other language, to the same page (and query) in that language.
    Plain links, not a form: the page carries no CSRF token and sets no cookie, so a
    visitor's page can be cached (malardal/pagecache.py); the language is in the
    address, which every link of the page keeps."""
    request = context.get("request")
    current = get_language()
    here = request.get_full_path() if request is not None else "/"
    languages = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        info = get_language_info(code)
        languages.append(
            {
                "code": code,
                "name_local": info["name_local"],
                "next": translate_url(here, code),
            }
        )
    return {"languages": languages}


@register.simple_tag
def optional_url(viewname, *args, **kwargs):
    """``reverse()``, or an empty string when the URL does not exist (yet): the layout
    links the events and member pages only once they are there."""
    try:
        return reverse(viewname, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""
