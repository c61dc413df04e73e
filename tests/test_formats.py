"""Swedish and English formats from one place (issue 13.4): malardal/formats/ and
malardal.formatting, through the template filters pages and mails use."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from malardal import formatting

NBSP = "\N{NO-BREAK SPACE}"


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load formatting %}" + source).render(Context(context))


@pytest.mark.parametrize(
    "language, expected",
    [
        ("sv", "1 jan.–30 apr. 2023"),
        ("en", "1 Jan–30 Apr 2023"),
    ],
)
def test_a_range_of_dates(language, expected):
    got = render(
        "{{ a|date_range:b }}",
        language,
        a=datetime.date(2023, 1, 1),
        b=datetime.date(2023, 4, 30),
    )
    assert got == expected


def test_swedish_months_are_lower_case_with_the_agreed_abbreviations():
    months = [formatting.short_date(datetime.date(2023, m, 4), "sv") for m in range(1, 13)]
    assert months == [
        "4 jan. 2023",
        "4 febr. 2023",
        "4 mars 2023",
        "4 apr. 2023",
        "4 maj 2023",
        "4 juni 2023",
        "4 juli 2023",
        "4 aug. 2023",
        "4 sept. 2023",
        "4 okt. 2023",
        "4 nov. 2023",
        "4 dec. 2023",
    ]
    # Django's own date filter, with our DATE_FORMAT: the full month, lower case.
    assert render("{{ d|date }}", "sv", d=datetime.date(2023, 5, 1)) == "1 maj 2023"
    assert render("{{ d|date }}", "en", d=datetime.date(2023, 5, 1)) == "1 May 2023"


def test_ranges_across_a_year_and_of_one_day():
    with translation.override("sv"):
        assert (
            formatting.date_range(datetime.date(2023, 12, 1), datetime.date(2024, 1, 31))
            == "1 dec. 2023–31 jan. 2024"
        )
        assert formatting.date_range(datetime.date(2023, 5, 4), datetime.date(2023, 5, 4)) == (
            "4 maj 2023"
        )


def test_times_are_swedish_wall_clock_time():
    moment = datetime.datetime(2023, 4, 30, 22, 5, tzinfo=datetime.UTC)  # 00:05 on 1 May
    assert render("{{ t|short_datetime }}", "sv", t=moment) == "1 maj 2023 00:05"
    assert render("{{ t|short_datetime }}", "en", t=moment) == "1 May 2023, 00:05"


@pytest.mark.parametrize(
    "language, number, percent",
    [
        ("sv", f"1{NBSP}234{NBSP}567,5", f"37,5{NBSP}%"),
        ("en", "1,234,567.5", f"37.5{NBSP}%"),
    ],
)
def test_numbers_and_percentages(language, number, percent):
    assert render("{{ n|number }}", language, n=Decimal("1234567.50")) == number
    assert render("{{ p|percent }}", language, p=37.5) == percent
    assert render("{{ p|percent }}", language, p=5) == f"5{NBSP}%"
    assert render("{{ p|percent:1 }}", language, p=5) == (
        f"5,0{NBSP}%" if language == "sv" else f"5.0{NBSP}%"
    )
    assert render("{{ p|percent }}", language, p=None) == ""
