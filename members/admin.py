from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from malardal.importexport import ImportExportTranslationAdmin

from .admin_actions import erase_personal_data, export_personal_data
from .models import Body, County, Organisation, Partnership, Person, Role
from .resources import OrganisationResource, PersonResource


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


@admin.register(Organisation)
class OrganisationAdmin(ImportExportTranslationAdmin):
    resource_classes = [OrganisationResource]
    list_display = ["name", "kind", "county", "member_since", "member_until"]
    list_filter = ["kind", "county"]
    list_select_related = ["county"]
    search_fields = ["slug", "name_sv", "name_en"]
    autocomplete_fields = ["county"]
    prepopulated_fields = {"slug": ["name_sv"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": [("name_sv", "name_en"), "slug", "kind", "county", "website"]}),
        (_("Membership"), {"fields": [("member_since", "member_until")]}),
        (_("Description"), {"fields": [("description_sv", "description_en")]}),
    ]


@admin.register(Person)
class PersonAdmin(ImportExportTranslationAdmin):
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
    list_display = ["organisation", "kind", "since", "order"]
    list_editable = ["order"]
    list_filter = ["kind"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name_sv", "organisation__name_en", "organisation__slug"]
    autocomplete_fields = ["organisation"]
    fieldsets = [
        (None, {"fields": ["organisation", "kind", "since", "order"]}),
        (_("Description"), {"fields": [("description_sv", "description_en")]}),
    ]
