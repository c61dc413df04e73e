from modeltranslation.translator import TranslationOptions, register

from .models import ActionPlanArea, OccupationalArea, RailwayProgramme, TrainingFacility


@register(OccupationalArea)
class OccupationalAreaTranslation(TranslationOptions):
    fields = ("name", "description")


@register(ActionPlanArea)
class ActionPlanAreaTranslation(TranslationOptions):
    fields = ("text",)


@register(RailwayProgramme)
class RailwayProgrammeTranslation(TranslationOptions):
    fields = ("name", "occupation", "description")


@register(TrainingFacility)
class TrainingFacilityTranslation(TranslationOptions):
    fields = ("name", "description")
