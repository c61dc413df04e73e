"""The secretariat's actions in the admin: on persons, export everything held about a
person as JSON, and erase a person (after a confirmation page); on organisations, mark
them as members from a date."""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import Membership
from .selectors import person_personal_data
from .services import memberships_start, person_erase, person_erase_check


@admin.action(description=_("Export all personal data (JSON)"), permissions=["change"])
def export_personal_data(modeladmin, request, queryset):
    if queryset.count() != 1:
        modeladmin.message_user(request, gettext("Choose one person to export."), messages.WARNING)
        return None
    person = queryset.get()
    data = person_personal_data(person=person)
    data["exported_by"] = request.user.get_username()
    modeladmin.log_change(request, person, gettext("Exported all personal data."))
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"person-{person.pk}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.action(description=_("Erase personal data"), permissions=["delete"])
def erase_personal_data(modeladmin, request, queryset):
    # Erasure closes the person's login: only a superuser erases a person whose login
    # has staff or superuser status (issue 11). Refused as a whole, before anything.
    refused = []
    for person in queryset.select_related("user"):
        try:
            person_erase_check(person=person, by=request.user)
        except PermissionDenied as error:
            refused.append(" ".join(error.args) or str(person))
    if refused:
        for message in refused:
            modeladmin.message_user(request, message, messages.ERROR)
        modeladmin.message_user(request, gettext("Nothing was erased."), messages.ERROR)
        return None
    if request.POST.get("confirm") == "yes":
        count = 0
        for person in queryset:
            person_erase(person=person, by=request.user)
            modeladmin.log_change(request, person, gettext("Erased personal data."))
            count += 1
        modeladmin.message_user(
            request,
            ngettext(
                "The personal data of %(count)d person is erased.",
                "The personal data of %(count)d persons is erased.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": gettext("Erase personal data?"),
        "opts": opts,
        "persons": queryset.select_related("organisation", "user"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action_name": "erase_personal_data",
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/members/person/erase_personal_data.html", context)


class MarkMemberForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Membership.Kind.choices)
    start_date = forms.DateField(
        label=_("From"),
        help_text=_("The first day of the membership, e.g. 2024-01-01."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note_sv = forms.CharField(label=_("Note (Swedish)"), required=False, max_length=2000)
    note_en = forms.CharField(label=_("Note (English)"), required=False, max_length=2000)


@admin.action(description=_("Mark as member from a date"), permissions=["change"])
def mark_member_from_date(modeladmin, request, queryset):
    """Asks for the kind and the first day, then marks every chosen organisation through
    ``members.services.memberships_start`` (all or nothing; audited)."""
    organisations = list(queryset.select_related("county").order_by("name", "pk"))
    form = MarkMemberForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            created, unchanged = memberships_start(
                organisations=organisations,
                kind=data["kind"],
                start_date=data["start_date"],
                note={"sv": data["note_sv"], "en": data["note_en"]},
                by=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                modeladmin.message_user(request, message, messages.ERROR)
            modeladmin.message_user(request, gettext("Nothing was changed."), messages.ERROR)
            return None
        for organisation in created:
            modeladmin.log_change(
                request,
                organisation,
                gettext("Marked as %(kind)s from %(date)s.")
                % {
                    "kind": Membership.Kind(data["kind"]).label,
                    "date": data["start_date"].isoformat(),
                },
            )
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d organisation marked.",
                "%(count)d organisations marked.",
                len(created),
            )
            % {"count": len(created)}
            + (
                " "
                + ngettext(
                    "%(count)d already had that membership.",
                    "%(count)d already had that membership.",
                    len(unchanged),
                )
                % {"count": len(unchanged)}
                if unchanged
                else ""
            ),
            messages.SUCCESS,
        )
        return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": gettext("Mark as member from a date"),
        "opts": opts,
        "form": form,
        "organisations": organisations,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action_name": "mark_member_from_date",
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/members/organisation/mark_member.html", context)
