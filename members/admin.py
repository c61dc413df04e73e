import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from accounts.permissions import CHANGE_USER, linkable_logins, may_link_login
from malardal.importexport import ImportExportTranslationAdmin

from .admin_actions import erase_personal_data, export_personal_data, mark_member_from_date
from .models import Body, County, Membership, Organisation, Partnership, Person, Role
from .resources import MembershipResource, OrganisationResource, PersonResource
from .services import (
    membership_delete,
    membership_save,
    organisation_save,
    partnership_save,
    person_save,
)


@admin.register(County)
class CountyAdmin(TranslationAdmin):
    list_display = ["code", "name"]
    list_display_links = ["code", "name"]
    search_fields = ["code", "name_sv", "name_en"]
    ordering = ["code"]


class RoleInline(admin.TabularInline):
    """Who sits in a body, edited on the body's page."""

    model = Role
    extra = 0
    fields = ["person", "position", "sector", "start_date", "end_date", "is_public"]
    autocomplete_fields = ["person"]


class PersonRoleInline(RoleInline):
    """The bodies a person sits in, edited on the person's page."""

    fields = ["body", "position", "sector", "start_date", "end_date", "is_public"]
    autocomplete_fields = ["body"]


class MembershipFormSet(forms.BaseInlineFormSet):
    """The memberships on an organisation's page: besides each row's own checks
    (Membership.clean, against those stored), no two rows of the form may overlap."""

    def clean(self):
        super().clean()
        periods = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or form.errors:
                continue
            start = data.get("start_date") or datetime.date.min
            end = data.get("end_date") or datetime.date.max
            for other_start, other_end in periods:
                if start <= other_end and other_start <= end:
                    raise ValidationError(
                        gettext(
                            "Two memberships overlap. An organisation has one membership at "
                            "a time: end the earlier one the day before the next starts."
                        ),
                        code="overlap",
                    )
            periods.append((start, end))


class MembershipInlineForm(forms.ModelForm):
    def _post_clean(self):
        # The formset holds all of the organisation's memberships and checks them
        # against each other (MembershipFormSet.clean); checking a row against the rows
        # stored would refuse ending one membership and starting the next in one save.
        self.instance.overlap_checked_by_form = True
        try:
            super()._post_clean()
        finally:
            self.instance.overlap_checked_by_form = False


class MembershipInline(admin.TabularInline):
    """The organisation's membership history, edited on its page."""

    model = Membership
    form = MembershipInlineForm
    formset = MembershipFormSet
    extra = 0
    fields = ["kind", "start_date", "end_date", "note_sv", "note_en"]
    ordering = ["start_date", "pk"]


class MembershipNowFilter(admin.SimpleListFilter):
    """Organisations by the membership that holds today (or none)."""

    title = _("membership today")
    parameter_name = "member_now"

    def lookups(self, request, model_admin):
        return [*Membership.Kind.choices, ("none", _("None"))]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        today = timezone.localdate()
        holding = Membership.objects.valid_on(today)
        if value == "none":
            return queryset.exclude(pk__in=holding.values("organisation_id"))
        if value in Membership.Kind.values:
            return queryset.filter(pk__in=holding.filter(kind=value).values("organisation_id"))
        return queryset.none()


def _membership_today_subquery():
    return Subquery(
        Membership.objects.valid_on(timezone.localdate())
        .filter(organisation=OuterRef("pk"))
        .order_by("-start_date")
        .values("kind")[:1]
    )


@admin.register(Organisation)
class OrganisationAdmin(ImportExportTranslationAdmin):
    resource_classes = [OrganisationResource]
    actions = [mark_member_from_date]
    list_display = ["name", "code", "kind", "county", "membership_today"]
    list_filter = [MembershipNowFilter, "kind", "county"]
    list_select_related = ["county"]
    search_fields = ["slug", "code", "name_sv", "name_en"]
    autocomplete_fields = ["county"]
    prepopulated_fields = {"slug": ["name_sv"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": [("name_sv", "name_en"), "slug", "code", "kind", "county", "website"]}),
        (_("Description"), {"fields": [("description_sv", "description_en")]}),
    ]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(_membership_today=_membership_today_subquery())
        )

    @admin.display(description=_("membership today"), ordering="_membership_today")
    def membership_today(self, obj):
        kind = getattr(obj, "_membership_today", None)
        return Membership.Kind(kind).label if kind else "–"

    def save_model(self, request, obj, form, change):
        organisation_save(organisation=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership_delete(membership=membership, by=request.user)
        # Ended ones first, so a row that now ends frees the period for the next.
        for membership in sorted(memberships, key=lambda m: m.pk is None):
            membership_save(membership=membership, by=request.user)
        formset.save_m2m()


@admin.register(Membership)
class MembershipAdmin(ImportExportTranslationAdmin):
    resource_classes = [MembershipResource]
    list_display = ["organisation", "organisation_code", "kind", "start_date", "end_date"]
    list_filter = ["kind", "organisation__county", "organisation__kind"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name_sv", "organisation__name_en", "organisation__code"]
    autocomplete_fields = ["organisation"]
    fieldsets = [
        (None, {"fields": ["organisation", "kind", ("start_date", "end_date")]}),
        (_("Note"), {"fields": [("note_sv", "note_en")]}),
    ]

    @admin.display(description=_("official code"), ordering="organisation__code")
    def organisation_code(self, obj):
        return obj.organisation.code or "–"

    def save_model(self, request, obj, form, change):
        membership_save(membership=obj, by=request.user)

    def delete_model(self, request, obj):
        membership_delete(membership=obj, by=request.user)


class PersonAdminForm(forms.ModelForm):
    """The person's form. Linking, relinking or unlinking a login is checked against
    the rights of the user saving (accounts.permissions), as a field error; the service
    checks again when saving."""

    actor = None  # set per request by PersonAdmin.get_form

    def clean_user(self):
        login = self.cleaned_data.get("user")
        old = self.instance.user if self.instance.pk and self.instance.user_id else None
        if (login and login.pk) != (old and old.pk):
            for changed in (old, login):
                if changed is not None and not may_link_login(self.actor, changed):
                    raise ValidationError(
                        gettext(
                            "You may not link a person to the login “%(login)s” or unlink "
                            "it: that needs the right to change users, and a superuser for "
                            "a login with staff or superuser status."
                        )
                        % {"login": changed.get_username()},
                        code="login_link",
                    )
        return login


@admin.register(Person)
class PersonAdmin(ImportExportTranslationAdmin):
    form = PersonAdminForm
    resource_classes = [PersonResource]
    # Personal data: everything held about a person as JSON; erasure (issue 6).
    actions = [export_personal_data, erase_personal_data]
    list_display = ["last_name", "first_name", "title", "organisation", "email", "has_login"]
    list_display_links = ["last_name", "first_name"]
    list_filter = ["organisation__kind", ("user", admin.EmptyFieldListFilter)]
    list_select_related = ["organisation"]
    search_fields = [
        "first_name",
        "last_name",
        "email",
        "organisation__name_sv",
        "organisation__name_en",
        "organisation__slug",
    ]
    autocomplete_fields = ["organisation", "user"]
    inlines = [PersonRoleInline]
    fieldsets = [
        (None, {"fields": [("first_name", "last_name"), ("title_sv", "title_en"), "organisation"]}),
        (_("Contact"), {"fields": ["email", "phone", "party"]}),
        (_("Login"), {"fields": ["user"]}),
    ]

    @admin.display(description=_("login"), boolean=True, ordering="user")
    def has_login(self, obj):
        return obj.user_id is not None

    def _may_edit_login(self, request, obj):
        if not request.user.has_perm(CHANGE_USER) and not request.user.is_superuser:
            return False
        return obj is None or obj.user_id is None or may_link_login(request.user, obj.user)

    def get_readonly_fields(self, request, obj=None):
        # Linking a login needs the right to change users (issue 11): without it, or on
        # a person whose login the user may not change, the login is shown, not edited.
        fields = list(super().get_readonly_fields(request, obj))
        if not self._may_edit_login(request, obj):
            fields.append("user")
        return fields

    def get_autocomplete_fields(self, request):
        fields = list(super().get_autocomplete_fields(request))
        if not request.user.has_perm(CHANGE_USER) and not request.user.is_superuser:
            fields.remove("user")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = linkable_logins(
                request.user, db_field.remote_field.model._default_manager.all()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change):
        person_save(person=obj, by=request.user)


@admin.register(Body)
class BodyAdmin(TranslationAdmin):
    list_display = ["name", "kind", "parent", "programme", "member_count", "order"]
    list_editable = ["order"]
    list_filter = ["kind", "programme"]
    list_select_related = ["parent"]
    search_fields = ["slug", "name_sv", "name_en"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name_sv"]}
    inlines = [RoleInline]
    fieldsets = [
        (
            None,
            {"fields": [("name_sv", "name_en"), "slug", "kind", "parent", "programme", "order"]},
        ),
        (_("Description"), {"fields": [("description_sv", "description_en")]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("roles"))

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj):
        return obj._member_count


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["person", "body", "position", "sector", "start_date", "end_date", "is_public"]
    list_filter = ["position", "sector", "is_public", "body__kind"]
    list_select_related = ["person", "body"]
    search_fields = [
        "person__first_name",
        "person__last_name",
        "body__name_sv",
        "body__name_en",
        "body__slug",
    ]
    autocomplete_fields = ["person", "body"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "body")


@admin.register(Partnership)
class PartnershipAdmin(TranslationAdmin):
    list_display = ["organisation", "kind", "since", "until", "order"]
    list_editable = ["order"]
    list_filter = ["kind"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name_sv", "organisation__name_en", "organisation__slug"]
    autocomplete_fields = ["organisation"]
    fieldsets = [
        (None, {"fields": ["organisation", "kind", ("since", "until"), "order"]}),
        (_("Description"), {"fields": [("description_sv", "description_en")]}),
    ]

    def save_model(self, request, obj, form, change):
        partnership_save(partnership=obj, by=request.user)
