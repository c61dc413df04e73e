"""The open-data API (``/api/v1/``), read-only.

Views pick rows through ``api.selectors`` (which uses the pages' visibility rules) and
hand them to ``api.serializers``. Query parameters are validated by a serializer: a
value that is not what the parameter takes (a year that is no number, a NUL byte, an
unknown programme) is a 400 with the reason, never a 500. Responses get their ETag,
Cache-Control and CORS headers from ``api.middleware.OpenDataMiddleware``.
"""

from django.core.validators import RegexValidator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from events.models import Event
from members.models import Organisation, Programme
from plan.models import Plan, Status

from . import exports, selectors
from . import serializers as s

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="The reason, as JSON.")
LIST_ERRORS = {400: ERROR, 404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such page.")}
DETAIL_ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Bad input (e.g. a NUL byte)."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="Not found."),
}
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


# --- Query parameters ----------------------------------------------------------------


class YearFilter(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="The plan's year."
    )


class ProgrammeFilter(serializers.Serializer):
    programme = serializers.ChoiceField(
        choices=Programme.choices, required=False, help_text="The programme's code."
    )


class SectionFilters(YearFilter, ProgrammeFilter):
    pass


class ActivityFilters(YearFilter, ProgrammeFilter):
    status = serializers.SlugField(
        required=False,
        max_length=50,
        help_text="The code (slug) of the latest reported status; see /api/v1/statuses/.",
    )


class PlanFilters(YearFilter):
    status = serializers.ChoiceField(choices=list(Plan.PUBLISHED_STATUSES), required=False)


class EventFilters(ProgrammeFilter):
    year = serializers.IntegerField(
        required=False, min_value=1900, max_value=2200, help_text="The year the event starts."
    )
    kind = serializers.ChoiceField(choices=Event.Kind.choices, required=False)


class OrganisationFilters(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices, required=False)
    county = serializers.CharField(
        required=False,
        max_length=2,
        validators=[RegexValidator(r"^\d{2}$", _("A county code is two digits, e.g. 01."))],
        help_text="The county's two-digit code.",
    )


def slug_parameter(name: str = "slug") -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.PATH, pattern=SLUG_PATTERN)


class FilteredListMixin:
    """``filters`` is the serializer of the list's query parameters; ``filter_rows``
    applies the valid ones."""

    filters: type[serializers.Serializer] | None = None

    def filtered(self, queryset):
        if self.filters is None or self.action != "list":
            return queryset
        params = self.filters(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return self.filter_rows(queryset, params.validated_data)

    def filter_rows(self, queryset, values: dict):
        return queryset


class ReadOnly(
    FilteredListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    pass


# --- Endpoints -----------------------------------------------------------------------


@extend_schema(tags=["plans"])
class PlanViewSet(ReadOnly):
    """Published operations plans (drafts never), newest first."""

    serializer_class = s.PlanSerializer
    filters = PlanFilters
    lookup_field = "year"

    def get_queryset(self):
        return self.filtered(selectors.plans(self.request.user))

    def filter_rows(self, queryset, values):
        if "year" in values:
            queryset = queryset.filter(year=values["year"])
        if "status" in values:
            queryset = queryset.filter(status=values["status"])
        return queryset

    @extend_schema(
        parameters=[PlanFilters], responses={200: s.PlanSerializer(many=True), **LIST_ERRORS}
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: s.PlanSerializer, **DETAIL_ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["plans"])
class SectionViewSet(ReadOnly):
    """The sections of the published plans, in document order (newest plan first)."""

    serializer_class = s.SectionSerializer
    filters = SectionFilters

    def get_queryset(self):
        return self.filtered(selectors.sections(self.request.user))

    def filter_rows(self, queryset, values):
        if "year" in values:
            queryset = queryset.filter(plan__year=values["year"])
        if "programme" in values:
            queryset = queryset.filter(programme=values["programme"])
        return queryset

    @extend_schema(
        parameters=[SectionFilters], responses={200: s.SectionSerializer(many=True), **LIST_ERRORS}
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: s.SectionSerializer, **DETAIL_ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["plans"])
class GoalViewSet(ReadOnly):
    """The overall goals of the published plans, in document order."""

    serializer_class = s.GoalSerializer
    filters = SectionFilters

    def get_queryset(self):
        return self.filtered(selectors.goals(self.request.user))

    def filter_rows(self, queryset, values):
        if "year" in values:
            queryset = queryset.filter(section__plan__year=values["year"])
        if "programme" in values:
            queryset = queryset.filter(section__programme=values["programme"])
        return queryset

    @extend_schema(
        parameters=[SectionFilters], responses={200: s.GoalSerializer(many=True), **LIST_ERRORS}
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: s.GoalSerializer, **DETAIL_ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["plans"])
class ActivityViewSet(ReadOnly):
    """The activities of the published plans, in document order, each with its latest
    reported status and progress (as the section pages show them)."""

    serializer_class = s.ActivitySerializer
    filters = ActivityFilters

    def get_queryset(self):
        return self.filtered(selectors.activities(self.request.user))

    def get_serializer(self, instance=None, *args, **kwargs):
        # The figures of the plans of the rows being shown: a fixed number of queries
        # per plan, however many activities.
        rows = instance if kwargs.get("many") else [instance]
        plans = {activity.section.plan.pk: activity.section.plan for activity in rows}
        kwargs["context"] = {
            **self.get_serializer_context(),
            "statuses": selectors.statuses(),
            "figures": selectors.activity_figures(plans.values()),
            "comments_visible": lambda plan: selectors.comments_visible(plan, self.request.user),
        }
        return self.get_serializer_class()(instance, *args, **kwargs)

    def filter_rows(self, queryset, values):
        if "year" in values:
            queryset = queryset.filter(section__plan__year=values["year"])
        if "programme" in values:
            queryset = queryset.filter(section__programme=values["programme"])
        if "status" in values:
            ids = selectors.activity_ids_with_status(
                self.request.user, values["status"], year=values.get("year")
            )
            queryset = queryset.filter(pk__in=ids)
        return queryset

    @extend_schema(
        parameters=[ActivityFilters],
        responses={200: s.ActivitySerializer(many=True), **LIST_ERRORS},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: s.ActivitySerializer, **DETAIL_ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["plans"])
class StatusViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The follow-up statuses an activity can have, in order (not paginated)."""

    serializer_class = s.StatusSerializer
    pagination_class = None

    def get_queryset(self):
        return Status.objects.order_by("order", "pk")

    @extend_schema(responses={200: s.StatusSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["indicators"])
class IndicatorViewSet(ReadOnly):
    """The plan's key figures, each with its values by year and their sources."""

    serializer_class = s.IndicatorSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.indicators()

    @extend_schema(responses={200: s.IndicatorSerializer(many=True), **LIST_ERRORS})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[slug_parameter()], responses={200: s.IndicatorSerializer, **DETAIL_ERRORS}
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["events"])
class EventViewSet(ReadOnly):
    """Public events (members-only events never), by date; undated ones last."""

    serializer_class = s.EventSerializer
    filters = EventFilters
    lookup_field = "slug"

    def get_queryset(self):
        return self.filtered(selectors.events(self.request.user))

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "visible_events": selectors.visible_event_ids(self.request.user),
        }

    def filter_rows(self, queryset, values):
        if "year" in values:
            queryset = queryset.filter(start_date__year=values["year"])
        if "programme" in values:
            queryset = queryset.filter(body__programme=values["programme"])
        if "kind" in values:
            queryset = queryset.filter(kind=values["kind"])
        return queryset

    @extend_schema(
        parameters=[EventFilters], responses={200: s.EventSerializer(many=True), **LIST_ERRORS}
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[slug_parameter()], responses={200: s.EventSerializer, **DETAIL_ERRORS}
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["members"])
class OrganisationViewSet(ReadOnly):
    """The organisations of the member directory, by short name."""

    serializer_class = s.OrganisationSerializer
    filters = OrganisationFilters
    lookup_field = "slug"

    def get_queryset(self):
        return self.filtered(selectors.organisations())

    def filter_rows(self, queryset, values):
        if "kind" in values:
            queryset = queryset.filter(kind=values["kind"])
        if "county" in values:
            queryset = queryset.filter(county__code=values["county"])
        return queryset

    @extend_schema(
        parameters=[OrganisationFilters],
        responses={200: s.OrganisationSerializer(many=True), **LIST_ERRORS},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[slug_parameter()], responses={200: s.OrganisationSerializer, **DETAIL_ERRORS}
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["members"])
class ProgrammeList(APIView):
    """The programmes with the counties taking part (not paginated)."""

    @extend_schema(responses={200: s.ProgrammeSerializer(many=True)})
    def get(self, request):
        rows = selectors.programmes()
        return Response(s.ProgrammeSerializer(rows, many=True, context={"request": request}).data)


class Root(APIView):
    """Where each list of the API is."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=["index"])
    def get(self, request):
        names = {
            "plans": "plan_list",
            "sections": "section_list",
            "goals": "goal_list",
            "activities": "activity_list",
            "statuses": "status_list",
            "indicators": "indicator_list",
            "events": "event_list",
            "organisations": "organisation_list",
            "programmes": "programme_list",
            "openapi": "schema",
            "dcat": "dcat",
        }
        return Response(
            {key: request.build_absolute_uri(reverse(f"api:{name}")) for key, name in names.items()}
        )


# --- Exports and the catalogue record -------------------------------------------------


def _published_plan(request, year: int) -> Plan:
    return get_object_or_404(selectors.plans(request.user), year=year)


class PlanExportJson(APIView):
    """The whole plan of `year` in one JSON document: the plan, its sections, goals and
    activities (with their latest status), as the list endpoints give them."""

    @extend_schema(tags=["plans"], responses={200: OpenApiTypes.OBJECT, **DETAIL_ERRORS})
    def get(self, request, year):
        plan = _published_plan(request, year)
        response = Response(exports.plan_document(plan, request))
        response["Content-Disposition"] = f'attachment; filename="verksamhetsplan-{year}.json"'
        return response


class PlanExportCsv(APIView):
    """The plan of `year` as one table (sections, goals and activities in document
    order) for a spreadsheet: UTF-8 with a byte-order mark, semicolons, CRLF, as Excel
    in Swedish opens by a double-click."""

    @extend_schema(
        tags=["plans"],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV"),
            **DETAIL_ERRORS,
        },
    )
    def get(self, request, year):
        plan = _published_plan(request, year)
        response = HttpResponse(
            exports.plan_csv(plan, request), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="verksamhetsplan-{year}.csv"'
        return response


class DcatCatalogue(APIView):
    """The DCAT-AP-SE catalogue record (JSON-LD) for Sveriges dataportal."""

    @extend_schema(exclude=True)
    def get(self, request):
        from .dcat import catalogue

        return HttpResponse(
            exports.json_bytes(catalogue(request)),
            content_type="application/ld+json; charset=utf-8",
        )
