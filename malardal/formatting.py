"""Dates, numbers and percentages as the reader's language writes them — one place for
pages, mails and reports (issue 13.4).

The formats themselves are in ``malardal/formats/<language>/formats.py`` (Django's
FORMAT_MODULE_PATH): Django's own template filters (``date``, ``localize``) use them, and
the functions here add what Django lacks: abbreviated months as Swedish writes them
("1 jan.", "4 maj", never "1 Jan" or "1 Maj"), ranges of dates ("1 jan.–30 apr. 2023"),
numbers grouped with a no-break space and percentages that never wrap from their number
("37,5 %"). Every function works in the active language (``translation.override``) or
the one given; the template filters are in ``malardal/templatetags/formatting.py``.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone, translation

_DEFAULTS = {
    "MONTH_ABBREVIATIONS": (
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ),  # fmt: skip
    "PERCENT_FORMAT": "{number}\N{NO-BREAK SPACE}%",
    "RANGE_DASH": "\N{EN DASH}",
}


def _ours(name: str, language: str | None = None):
    """A format of ours (not one Django knows) for `language` (default: active)."""
    language = language or translation.get_language() or "sv"
    for module in formats.iter_format_modules(language):
        if hasattr(module, name):
            return getattr(module, name)
    return _DEFAULTS[name]


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def month_abbreviation(month: int, language: str | None = None) -> str:
    return _ours("MONTH_ABBREVIATIONS", language)[month - 1]


def short_date(value, language: str | None = None, *, year: bool = True) -> str:
    """ "4 maj 2023", "1 jan. 2023" (sv); "4 May 2023" (en). Empty for no date."""
    if not value:
        return ""
    day = _as_date(value)
    text = f"{day.day} {month_abbreviation(day.month, language)}"
    return f"{text} {day.year}" if year else text


def short_datetime(value, language: str | None = None) -> str:
    """A moment in Swedish time: "4 maj 2023 13:05" (sv), "4 May 2023, 13:05" (en)."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    separator = ", " if (language or translation.get_language()) == "en" else " "
    return f"{short_date(value, language)}{separator}{value:%H:%M}"


def date_range(start, end, language: str | None = None) -> str:
    """ "1 jan.–30 apr. 2023"; "1 dec. 2023–31 jan. 2024" across a new year; one date
    when both are the same day; "4 maj 2023–" for a range with no end."""
    if not start:
        return short_date(end, language)
    dash = _ours("RANGE_DASH", language)
    if not end:
        return f"{short_date(start, language)}{dash}"
    first, last = _as_date(start), _as_date(end)
    if first == last:
        return short_date(first, language)
    same_year = first.year == last.year
    return f"{short_date(first, language, year=not same_year)}{dash}{short_date(last, language)}"


def number(value, decimals: int | None = None, language: str | None = None) -> str:
    """`value` grouped in thousands and with the language's decimal mark: 12345.5 →
    "12 345,5" (sv, no-break spaces) / "12,345.5" (en). Without `decimals`, as many as
    the value has (trailing zeros dropped). Empty for None; other text as it is."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if decimals is None:
        text = format(amount.normalize(), "f")
        decimals = len(text.split(".")[1]) if "." in text else 0
    with translation.override(language or translation.get_language()):
        return formats.number_format(
            amount, decimal_pos=decimals, use_l10n=True, force_grouping=True
        )


def percent(value, decimals: int | None = None, language: str | None = None) -> str:
    """ "5 %", "37,5 %" (sv) / "37.5 %" (en), with a no-break space before the sign."""
    if value is None or value == "":
        return ""
    return _ours("PERCENT_FORMAT", language).format(number=number(value, decimals, language))
