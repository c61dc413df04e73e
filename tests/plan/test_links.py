"""plan.links builds the plan's addresses without a reverse() per row; they must be
exactly what reverse() gives, in every language and under a script prefix."""

import pytest
from django.urls import reverse, set_script_prefix
from django.utils import translation

from plan import links


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_addresses_are_what_reverse_gives(lang):
    with translation.override(lang):
        for year, pk in [(2023, 1), (1999, 123456), (2030, 7)]:
            assert links.activity_url(year, pk) == reverse(
                "plan:activity_detail", kwargs={"year": year, "pk": pk}
            )
            assert links.goal_url(year, pk) == reverse(
                "plan:goal_detail", kwargs={"year": year, "pk": pk}
            )
        for slug in ["infra", "a-b-c", "x1"]:
            assert links.section_url(2023, slug) == reverse(
                "plan:section_detail", kwargs={"year": 2023, "slug": slug}
            )


def test_the_language_and_the_script_prefix_are_part_of_the_address():
    with translation.override("sv"):
        swedish = links.activity_url(2023, 5)
    with translation.override("en"):
        english = links.activity_url(2023, 5)
    assert swedish.startswith("/sv/") and english.startswith("/en/")
    try:
        set_script_prefix("/portal/")
        with translation.override("sv"):
            assert links.activity_url(2023, 5) == "/portal" + swedish
    finally:
        set_script_prefix("/")
