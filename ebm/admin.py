from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import (
    ActionPlanArea,
    OccupationalArea,
    ParticipatingRegion,
    RailwayProgramme,
    TrainingFacility,
)


@admin.register(ParticipatingRegion)
class ParticipatingRegionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "county", "organisation", "order"]
    list_editable = ["order"]
    list_select_related = ["county", "organisation"]
    search_fields = ["county__name_sv", "county__code", "organisation__name_sv"]
    autocomplete_fields = ["county", "organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("county", "organisation")


@admin.register(OccupationalArea)
class OccupationalAreaAdmin(TranslationAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["slug", "name_sv", "name_en"]
    prepopulated_fields = {"slug": ["name_sv"]}
    fields = [("name_sv", "name_en"), "slug", ("description_sv", "description_en"), "order"]


@admin.register(ActionPlanArea)
class ActionPlanAreaAdmin(TranslationAdmin):
    list_display = ["text", "order"]
    list_editable = ["order"]
    search_fields = ["text_sv", "text_en"]
    fields = [("text_sv", "text_en"), "order"]


@admin.register(RailwayProgramme)
class RailwayProgrammeAdmin(TranslationAdmin):
    list_display = ["name", "occupation", "level", "provider", "county", "places"]
    list_filter = ["level", "county"]
    list_select_related = ["provider", "county"]
    search_fields = ["name_sv", "name_en", "occupation_sv", "provider__name_sv"]
    autocomplete_fields = ["provider", "county"]
    fields = [
        ("name_sv", "name_en"),
        ("occupation_sv", "occupation_en"),
        "level",
        "provider",
        "county",
        "places",
        ("description_sv", "description_en"),
    ]


@admin.register(TrainingFacility)
class TrainingFacilityAdmin(TranslationAdmin):
    list_display = ["name", "county", "status"]
    list_filter = ["status", "county"]
    list_select_related = ["county"]
    search_fields = ["name_sv", "name_en"]
    autocomplete_fields = ["county"]
    fields = [("name_sv", "name_en"), "county", "status", ("description_sv", "description_en")]
