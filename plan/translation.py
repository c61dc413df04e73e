from modeltranslation.translator import TranslationOptions, register

from .models import (
    Activity,
    AssessmentLevel,
    CommunicationPriority,
    DirectionGoal,
    Goal,
    GoalAssessment,
    Indicator,
    IndicatorValue,
    Plan,
    PlanDecision,
    PriorityArea,
    PriorityAreaItem,
    ReportingPeriod,
    Section,
    Status,
)


@register(Plan)
class PlanTranslation(TranslationOptions):
    fields = (
        "title",
        "adopted_by",
        "editorial_note",
        "introduction_heading",
        "introduction",
        "priorities_intro",
    )


@register(DirectionGoal)
class DirectionGoalTranslation(TranslationOptions):
    fields = ("name", "description")


@register(PriorityArea)
class PriorityAreaTranslation(TranslationOptions):
    fields = ("title",)


@register(PriorityAreaItem)
class PriorityAreaItemTranslation(TranslationOptions):
    fields = ("text",)


@register(Section)
class SectionTranslation(TranslationOptions):
    fields = ("heading", "body", "closing")


@register(Goal)
class GoalTranslation(TranslationOptions):
    fields = ("text",)


@register(Activity)
class ActivityTranslation(TranslationOptions):
    fields = ("text",)


@register(CommunicationPriority)
class CommunicationPriorityTranslation(TranslationOptions):
    fields = ("text",)


@register(ReportingPeriod)
class ReportingPeriodTranslation(TranslationOptions):
    fields = ("name",)


@register(Status)
class StatusTranslation(TranslationOptions):
    fields = ("name",)


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("name", "unit", "description", "note")


@register(IndicatorValue)
class IndicatorValueTranslation(TranslationOptions):
    fields = ("headline", "note", "source")


@register(AssessmentLevel)
class AssessmentLevelTranslation(TranslationOptions):
    fields = ("name",)


@register(GoalAssessment)
class GoalAssessmentTranslation(TranslationOptions):
    fields = ("analysis",)


@register(PlanDecision)
class PlanDecisionTranslation(TranslationOptions):
    fields = ("body", "summary")
