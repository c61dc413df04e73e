"""Tags of the site layout."""

from django.template import Context, Template
from django.utils import translation


def render(source, **context):
    return Template("{% load portal %}" + source).render(Context(context))


def test_optional_url_reverses_an_existing_url():
    with translation.override("en"):
        assert render('{% optional_url "plan:plan_detail" year=2023 %}') == "/en/plan/2023/"


def test_optional_url_is_empty_for_a_missing_url():
    assert render('{% optional_url "nowhere:page" slug="x" as u %}[{{ u }}]') == "[]"
