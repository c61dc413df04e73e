import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import County, Membership

SEARCH_MAX_LENGTH = 100


class YearForm(forms.Form):
    """``?year=``: a plan year, or empty for today."""

    year = forms.TypedChoiceField(
        label=_("Year"), required=False, coerce=int, empty_value=None, choices=()
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            ("", pgettext_lazy("register as of", "Today")),
            *((str(year), str(year)) for year in years),
        ]


class MemberFilterForm(YearForm):
    """The GET form above the member directory. Empty fields mean "all"."""

    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("All or part of the name, e.g. “Örebro” or “orebro”."),
    )
    county = forms.ModelChoiceField(
        label=_("County"),
        required=False,
        queryset=County.objects.none(),
        to_field_name="code",
        empty_label=_("All counties"),
    )
    kind = forms.ChoiceField(
        label=_("Kind of membership"),
        required=False,
        choices=[
            ("", _("Members and associated members")),
            *(
                (value, label)
                for value, label in Membership.Kind.choices
                if value in Membership.MEMBER_KINDS
            ),
        ],
    )

    field_order = ["q", "county", "kind", "year"]

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties

    def clean_q(self):
        value = self.cleaned_data["q"]
        if any(unicodedata.category(c) in {"Cc", "Cf", "Cs"} for c in value):
            raise ValidationError(
                _("The name may hold letters, digits, spaces and punctuation only."),
                code="control",
            )
        return value
