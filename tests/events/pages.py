"""Helpers for reading rendered pages in the event, member and programme tests."""

import re
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

LANGUAGES = ["sv", "en"]


def url(name, lang, **kwargs):
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def html_of(response) -> str:
    return response.content.decode()


def main_of(response) -> str:
    html = html_of(response)
    return html[html.index('<main id="main"') : html.index("</main>")]


def text_of(response) -> str:
    """The main content's text with tags dropped and entities decoded."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main_of(response))))


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", html_of(response), re.S)
    return re.sub(r"\s+", " ", unescape(match.group(1))).strip()


def assert_page_basics(response, lang):
    """200, the page's language on <html>, and a title of its own."""
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in html_of(response)
    title = title_of(response)
    assert title.endswith("– Mälardalsportalen")
    return title


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)
