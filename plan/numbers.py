"""Numbers as people type them: "37,5" (a Swedish decimal comma) is 37.5, "1 234,5"
is 1234.5; nothing is ever rounded or cut at the comma. Used by the admin's forms and
the imports, so a value reads the same whichever way it comes in."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import widgets

# Spaces people and spreadsheets put between thousands: space, no-break space, thin space.
_GROUPING = re.compile(r"[\s\u00a0\u202f\u2009]")
_NUMBER = re.compile(r"[-+−]?(\d+([.,]\d*)?|[.,]\d+)")

INVALID = _(
    "“%(value)s” is not a number. Write it with digits and at most one decimal comma or "
    "point, e.g. 37,5 — without thousands separators other than spaces."
)


def parse_decimal(value, *, field: str | None = None) -> Decimal:
    """`value` as a Decimal: a Decimal, an int, a float (a spreadsheet cell) or a text
    with a decimal comma or point and optional spaces between thousands. A text with
    both a comma and a point, or two of either, is ambiguous and refused.

    Raises ValidationError (under `field` when given) for anything else.
    """
    if isinstance(value, bool):
        raise _invalid(value, field)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr gives the shortest text that reads back as the same float: 37.5, not
        # 37.49999….
        return Decimal(repr(value))
    text = _GROUPING.sub("", str(value if value is not None else ""))
    if not _NUMBER.fullmatch(text):
        raise _invalid(value, field)
    text = text.replace("−", "-").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _invalid(value, field) from None
    if not number.is_finite():
        raise _invalid(value, field)
    return number


def _invalid(value, field):
    message = INVALID % {"value": value}
    if field:
        return ValidationError({field: message}, code="invalid")
    return ValidationError(message, code="invalid")


class DecimalCommaField(forms.DecimalField):
    """A form's decimal field that reads "37,5" as 37.5 in every language (Django's
    own field reads it by the active language's format, so in English "37,5" would be
    375). Shown as a text input, since browsers' number inputs refuse a comma."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_decimal(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs["inputmode"] = "decimal"
        return attrs


class DecimalCommaWidget(widgets.Widget):
    """An import column of decimal numbers: "37,5" and 37.5 alike; empty is None."""

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_decimal(value)
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else format(value, "f")
