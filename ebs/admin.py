from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import (
    FreightMeasure,
    FreightStrategy,
    ParticipatingCounty,
    PrioritisedMeasure,
    SystemAnalysis,
)


@admin.register(ParticipatingCounty)
class ParticipatingCountyAdmin(admin.ModelAdmin):
    list_display = ["county", "county_code", "order"]
    list_editable = ["order"]
    list_select_related = ["county"]
    search_fields = ["county__name_sv", "county__name_en", "county__code"]
    autocomplete_fields = ["county"]

    @admin.display(description=_("county code"), ordering="county__code")
    def county_code(self, obj):
        return obj.county.code


class PrioritisedMeasureInline(TranslationTabularInline):
    model = PrioritisedMeasure
    extra = 0
    fields = ["order", "name_sv", "name_en", "mode", "national_plan"]
    show_change_link = True


@admin.register(SystemAnalysis)
class SystemAnalysisAdmin(TranslationAdmin):
    list_display = ["year", "title", "status"]
    list_display_links = ["year", "title"]
    list_filter = ["status"]
    search_fields = ["title_sv", "title_en", "year"]
    fields = ["year", ("title_sv", "title_en"), "status", ("description_sv", "description_en")]
    inlines = [PrioritisedMeasureInline]


@admin.register(PrioritisedMeasure)
class PrioritisedMeasureAdmin(TranslationAdmin):
    list_display = ["name", "system_analysis", "mode", "national_plan", "order"]
    list_editable = ["order"]
    list_filter = ["system_analysis", "mode", "national_plan"]
    list_select_related = ["system_analysis"]
    search_fields = ["name_sv", "name_en", "description_sv"]
    autocomplete_fields = ["system_analysis"]
    fields = [
        "system_analysis",
        "order",
        ("name_sv", "name_en"),
        ("mode", "national_plan"),
        ("description_sv", "description_en"),
    ]


class FreightMeasureInline(TranslationTabularInline):
    model = FreightMeasure
    extra = 0
    fields = ["order", "name_sv", "name_en", "status"]
    show_change_link = True


@admin.register(FreightStrategy)
class FreightStrategyAdmin(TranslationAdmin):
    list_display = ["year", "title"]
    list_display_links = ["year", "title"]
    search_fields = ["title_sv", "title_en", "year"]
    fields = ["year", ("title_sv", "title_en"), ("description_sv", "description_en")]
    inlines = [FreightMeasureInline]


@admin.register(FreightMeasure)
class FreightMeasureAdmin(TranslationAdmin):
    list_display = ["name", "strategy", "status", "order"]
    list_editable = ["order"]
    list_filter = ["strategy", "status"]
    list_select_related = ["strategy"]
    search_fields = ["name_sv", "name_en", "description_sv"]
    autocomplete_fields = ["strategy"]
    fields = [
        "strategy",
        "order",
        ("name_sv", "name_en"),
        "status",
        ("description_sv", "description_en"),
    ]
