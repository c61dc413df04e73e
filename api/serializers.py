"""What the API says of each kind of object.

Every text users read is given in both languages, as ``<field>_sv`` and ``<field>_en``
(null where the text has not been written in that language), so one response serves
every reader and caches can keep it whatever the request's language. Codes (a status,
a kind, a programme) are stable identifiers; their labels come in both languages too.
Persons are never serialised: no names, e-mail addresses or phone numbers.
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events.models import Event
from members.models import County, Membership, Organisation, Programme
from plan.models import (
    Activity,
    DirectionGoal,
    Goal,
    Indicator,
    IndicatorValue,
    Plan,
    PriorityArea,
    PriorityAreaItem,
    Section,
    Status,
)

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def bilingual(*names: str) -> list[str]:
    """``("title",)`` → ``["title_sv", "title_en"]``."""
    return [f"{name}_{language}" for name in names for language in LANGUAGES]


def page_url(request, viewname: str, language: str, **kwargs) -> str:
    """The absolute address of a portal page in `language`."""
    with translation.override(language):
        path = reverse(viewname, kwargs=kwargs or None)
    return request.build_absolute_uri(path) if request is not None else path


@extend_schema_field(OpenApiTypes.STR)
class LabelField(serializers.Field):
    """The display label of a choice (``get_<field>_display``) in one language; an empty
    string where no choice is set."""

    def __init__(self, choices, language: str, **kwargs):
        self.choice_labels = dict(choices)
        self.language = language
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        label = self.choice_labels.get(value)
        if label is None:
            return ""
        with translation.override(self.language):
            return str(label)


class PageLinks(serializers.Serializer):
    sv = serializers.URLField()
    en = serializers.URLField()


def page_links(request, viewname: str, **kwargs) -> dict:
    return {language: page_url(request, viewname, language, **kwargs) for language in LANGUAGES}


# --- Plans ---------------------------------------------------------------------------


class DirectionGoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = DirectionGoal
        fields = ["slug", *bilingual("name", "description"), "order"]


class PriorityAreaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriorityAreaItem
        fields = [*bilingual("text"), "order"]


class PriorityAreaSerializer(serializers.ModelSerializer):
    items = PriorityAreaItemSerializer(many=True, read_only=True)

    class Meta:
        model = PriorityArea
        fields = [*bilingual("title"), "programme", "order", "items"]


class PlanLinks(serializers.Serializer):
    page = PageLinks()
    export_json = serializers.URLField()
    export_csv = serializers.URLField()
    sections = serializers.URLField()
    goals = serializers.URLField()
    activities = serializers.URLField()


class PlanSerializer(serializers.ModelSerializer):
    direction_goals = DirectionGoalSerializer(many=True, read_only=True)
    priority_areas = PriorityAreaSerializer(many=True, read_only=True)
    status_label_sv = LabelField(Plan.Status.choices, "sv", source="status")
    status_label_en = LabelField(Plan.Status.choices, "en", source="status")
    links = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "year",
            *bilingual("title"),
            "status",
            "status_label_sv",
            "status_label_en",
            "adopted_on",
            *bilingual("adopted_by", "introduction_heading", "introduction", "priorities_intro"),
            "direction_goals",
            "priority_areas",
            "links",
        ]

    @extend_schema_field(PlanLinks)
    def get_links(self, plan) -> dict:
        request = self.context.get("request")

        def api(viewname, **kwargs):
            path = reverse(f"api:{viewname}", kwargs=kwargs or None)
            return request.build_absolute_uri(path) if request is not None else path

        return {
            "page": page_links(request, "plan:plan_detail", year=plan.year),
            "export_json": api("plan_export_json", year=plan.year),
            "export_csv": api("plan_export_csv", year=plan.year),
            "sections": api("section_list") + f"?year={plan.year}",
            "goals": api("goal_list") + f"?year={plan.year}",
            "activities": api("activity_list") + f"?year={plan.year}",
        }


# --- Sections, goals, activities -----------------------------------------------------


class SectionSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="plan.year", read_only=True)
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    direction_goal = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    page = serializers.SerializerMethodField()

    class Meta:
        model = Section
        fields = [
            "id",
            "year",
            "parent",
            "number",
            "slug",
            *bilingual("heading", "body", "closing"),
            "programme",
            "direction_goal",
            "order",
            "page",
        ]

    @extend_schema_field(PageLinks)
    def get_page(self, section) -> dict:
        return page_links(
            self.context.get("request"),
            "plan:section_detail",
            year=section.plan.year,
            slug=section.slug,
        )


class GoalSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="section.plan.year", read_only=True)
    section = serializers.IntegerField(source="section_id", read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "year", "section", *bilingual("text"), "order"]


class StatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = Status
        fields = ["slug", *bilingual("name"), "colour", "default_progress", "is_delayed", "order"]


class ActivityStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = Status
        fields = ["slug", *bilingual("name"), "colour"]


class ReportSerializer(serializers.Serializer):
    """One follow-up report, as the activity page's table shows it. Who reported is
    never given; the comment only where the plan makes comments public."""

    period = serializers.SlugField(source="period.slug", allow_blank=True)
    period_name_sv = serializers.CharField(source="period.name_sv", allow_null=True)
    period_name_en = serializers.CharField(source="period.name_en", allow_null=True)
    status = serializers.SlugField(source="status.slug")
    progress = serializers.IntegerField(min_value=0, max_value=100)
    reported_on = serializers.SerializerMethodField()
    comment = serializers.SerializerMethodField(
        help_text="Null where the plan does not make follow-up comments public."
    )

    def get_reported_on(self, update) -> datetime.date:
        return timezone.localdate(update.reported_at)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_comment(self, update):
        plan = update.activity.section.plan
        return update.comment if self.context["comments_visible"](plan) else None


class ActivitySerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="section.plan.year", read_only=True)
    section = serializers.IntegerField(source="section_id", read_only=True)
    organisations = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    events = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    status = serializers.SerializerMethodField(
        help_text="The status of the latest report, as the section page shows it; null "
        "without a report."
    )
    progress = serializers.SerializerMethodField(
        help_text="Progress in per cent by the latest report (up to the current period), "
        "as the plan's progress figure counts it; null without a report."
    )
    is_late = serializers.SerializerMethodField(
        help_text="Past its end date and not done (\u201cFörsenad\u201d on the pages)."
    )
    report_missing = serializers.SerializerMethodField(
        help_text="No report for a period whose reports were due (\u201cRapport saknas\u201d)."
    )
    reports = serializers.SerializerMethodField(help_text="The follow-up reports, newest first.")
    page = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "year",
            "section",
            *bilingual("text"),
            "order",
            "start_date",
            "end_date",
            "organisations",
            "events",
            "status",
            "progress",
            "is_late",
            "report_missing",
            "reports",
            "page",
        ]

    def _figure(self, activity):
        """The activity's figure (plan.rollup.ActivityFigure) from the context's
        ``figures``, or None."""
        return self.context["figures"].get(activity.pk)

    @extend_schema_field(ActivityStatusSerializer(allow_null=True))
    def get_status(self, activity):
        figure = self._figure(activity)
        if figure is None or figure.latest is None:
            return None
        status = self.context["statuses"].get(figure.latest.status_id)
        return ActivityStatusSerializer(status).data if status is not None else None

    @extend_schema_field(serializers.IntegerField(min_value=0, max_value=100, allow_null=True))
    def get_progress(self, activity) -> int | None:
        figure = self._figure(activity)
        return figure.progress if figure is not None and figure.latest is not None else None

    @extend_schema_field(ReportSerializer(many=True))
    def get_reports(self, activity):
        updates = list(activity.status_updates.all())
        for update in updates:
            update.activity = activity  # the plan is loaded with the activity
        return ReportSerializer(updates, many=True, context=self.context).data

    def get_is_late(self, activity) -> bool:
        figure = self._figure(activity)
        return bool(figure and figure.is_late)

    def get_report_missing(self, activity) -> bool:
        figure = self._figure(activity)
        return bool(figure and figure.report_missing)

    @extend_schema_field(PageLinks)
    def get_page(self, activity) -> dict:
        return page_links(
            self.context.get("request"),
            "plan:activity_detail",
            year=activity.section.plan.year,
            pk=activity.pk,
        )


# --- Indicators ----------------------------------------------------------------------


class IndicatorValueSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=False, read_only=True
    )

    class Meta:
        model = IndicatorValue
        fields = ["year", "value", *bilingual("note", "source")]


class IndicatorSerializer(serializers.ModelSerializer):
    values = IndicatorValueSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = ["slug", *bilingual("name", "unit", "description"), "order", "values"]


# --- Events --------------------------------------------------------------------------


class BodyRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name_sv = serializers.CharField(allow_null=True)
    name_en = serializers.CharField(allow_null=True)
    programme = serializers.CharField(allow_blank=True)


class EventSerializer(serializers.ModelSerializer):
    body = BodyRefSerializer(read_only=True, allow_null=True)
    parent = serializers.SerializerMethodField()
    hosts = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    sections = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    activities = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    kind_label_sv = LabelField(Event.Kind.choices, "sv", source="kind")
    kind_label_en = LabelField(Event.Kind.choices, "en", source="kind")
    page = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "slug",
            "kind",
            "kind_label_sv",
            "kind_label_en",
            *bilingual("title", "description"),
            "start_date",
            "end_date",
            "start_time",
            "end_time",
            *bilingual("date_note", "place"),
            "body",
            "parent",
            "hosts",
            "sections",
            "activities",
            "page",
        ]

    @extend_schema_field(serializers.SlugField(allow_null=True))
    def get_parent(self, event) -> str | None:
        """The event this is part of, when that one is public too."""
        if event.parent_id is None or event.parent_id not in self.context["visible_events"]:
            return None
        return event.parent.slug

    @extend_schema_field(PageLinks)
    def get_page(self, event) -> dict:
        return page_links(self.context.get("request"), "events:event_detail", slug=event.slug)


# --- Organisations and programmes ----------------------------------------------------


class CountySerializer(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = ["code", *bilingual("name")]


class MembershipSerializer(serializers.ModelSerializer):
    kind_label_sv = LabelField(Membership.Kind.choices, "sv", source="kind")
    kind_label_en = LabelField(Membership.Kind.choices, "en", source="kind")

    class Meta:
        model = Membership
        fields = [
            "kind",
            "kind_label_sv",
            "kind_label_en",
            "start_date",
            "end_date",
            *bilingual("note"),
        ]


class OrganisationSerializer(serializers.ModelSerializer):
    county = CountySerializer(read_only=True, allow_null=True)
    memberships = MembershipSerializer(
        many=True,
        read_only=True,
        help_text="Its ties to Mälardalsrådet, oldest first: member, associated member, "
        "partner or other (an arena). An empty start date is not recorded; an empty end "
        "date, still holds.",
    )
    kind_label_sv = LabelField(Organisation.Kind.choices, "sv", source="kind")
    kind_label_en = LabelField(Organisation.Kind.choices, "en", source="kind")
    page = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "slug",
            *bilingual("name"),
            "kind",
            "kind_label_sv",
            "kind_label_en",
            "county",
            *bilingual("description"),
            "code",
            "website",
            "memberships",
            "page",
        ]

    @extend_schema_field(PageLinks)
    def get_page(self, organisation) -> dict:
        return page_links(
            self.context.get("request"), "members:organisation_detail", slug=organisation.slug
        )


class ProgrammeSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Programme.choices)
    name_sv = serializers.SerializerMethodField()
    name_en = serializers.SerializerMethodField()
    counties = CountySerializer(many=True, help_text="The counties taking part.")
    page = serializers.SerializerMethodField()

    def _name(self, row, language) -> str:
        with translation.override(language):
            return str(row["programme"].label)

    def get_name_sv(self, row) -> str:
        return self._name(row, "sv")

    def get_name_en(self, row) -> str:
        return self._name(row, "en")

    @extend_schema_field(PageLinks)
    def get_page(self, row) -> dict:
        return page_links(self.context.get("request"), f"{row['code']}:programme")
