from modeltranslation.translator import TranslationOptions, register

from .models import FreightMeasure, FreightStrategy, PrioritisedMeasure, SystemAnalysis


@register(SystemAnalysis)
class SystemAnalysisTranslation(TranslationOptions):
    fields = ("title", "description")


@register(PrioritisedMeasure)
class PrioritisedMeasureTranslation(TranslationOptions):
    fields = ("name", "description")


@register(FreightStrategy)
class FreightStrategyTranslation(TranslationOptions):
    fields = ("title", "description")


@register(FreightMeasure)
class FreightMeasureTranslation(TranslationOptions):
    fields = ("name", "description")
