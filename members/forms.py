from django import forms
from django.utils.translation import gettext_lazy as _

from .models import County, Organisation


class OrganisationFilterForm(forms.Form):
    """The GET form above the organisation directory. Empty fields mean "all"."""

    county = forms.ModelChoiceField(
        label=_("County"),
        required=False,
        queryset=County.objects.none(),
        to_field_name="code",
        empty_label=_("All counties"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Organisation.Kind.choices],
    )

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
