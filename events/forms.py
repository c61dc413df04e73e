from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Body

from .models import Event, Registration


class EventFilterForm(forms.Form):
    """The GET form above the event list. Empty fields mean "all"."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Event.Kind.choices],
    )
    body = forms.ModelChoiceField(
        label=_("Body"),
        required=False,
        queryset=Body.objects.none(),
        to_field_name="slug",
        empty_label=_("All bodies"),
    )

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies


class RegistrationForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Will you attend?"),
        choices=Registration.Response.choices,
        widget=forms.RadioSelect,
    )
