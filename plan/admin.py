from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from malardal.importexport import ImportExportModelAdmin, ImportExportTranslationAdmin
from members.models import Person

from . import services, todo
from .freeze import FrozenPlanAdminMixin
from .models import (
    Activity,
    ActivityGoal,
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
    ReportRequest,
    Section,
    Status,
    StatusUpdate,
)
from .numbers import DecimalCommaField
from .resources import ActivityResource, GoalResource, StatusUpdateResource


class PeriodListFilter(admin.RelatedFieldListFilter):
    """Filter by reporting period; a period's name includes its plan's year, so the
    choices are loaded with their plans in one query."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin) or ()
        periods = ReportingPeriod.objects.select_related("plan").order_by(*ordering)
        return [(period.pk, str(period)) for period in periods]


class ActivityOwnerFilter(admin.SimpleListFilter):
    """Activities of one owner; the choices are the people who own an activity."""

    title = _("owner")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        people = Person.objects.filter(owned_activities__isnull=False).distinct()
        return [(p.pk, str(p)) for p in people.order_by("last_name", "first_name", "pk")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        try:
            return queryset.filter(owners__pk=int(self.value()))
        except ValueError:
            raise IncorrectLookupParameters from None


def _chosen_period(request) -> ReportingPeriod | None:
    value = request.GET.get(ActivityPeriodFilter.parameter_name)
    if not value:
        return None
    try:
        return ReportingPeriod.objects.select_related("plan").get(pk=int(value))
    except (ValueError, ReportingPeriod.DoesNotExist):
        raise IncorrectLookupParameters from None


class ActivityPeriodFilter(admin.SimpleListFilter):
    """The activities of a reporting period's plan; it is also the period the
    follow-up filter judges "report missing" and "late" in."""

    title = _("reporting period")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        periods = ReportingPeriod.objects.select_related("plan").order_by(
            "-plan__year", "order", "due_date"
        )
        return [(p.pk, str(p)) for p in periods]

    def queryset(self, request, queryset):
        period = _chosen_period(request)
        if period is None:
            return queryset
        return queryset.filter(section__plan_id=period.plan_id)


class ActivityFollowUpFilter(admin.SimpleListFilter):
    """Report missing or late, by plan.rollup's definitions (plan.todo): in the chosen
    reporting period, or else in every adopted plan's open periods past their due date
    (missing) and its current period (late)."""

    title = _("follow-up")
    parameter_name = "report"

    def lookups(self, request, model_admin):
        return [(todo.MISSING, _("Report missing")), (todo.LATE, _("Late"))]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() not in (todo.MISSING, todo.LATE):
            raise IncorrectLookupParameters
        ids = todo.flagged_activity_ids(self.value(), period=_chosen_period(request))
        return queryset.filter(pk__in=ids)


# The history entry of a period locked or unlocked by an action, as the change form
# would write it.
CHANGED_LOCK = [{"changed": {"fields": ["locked"]}}]


def _plan_through(obj, path: str):
    """The plan at the end of `path` ("section.plan"), or None where a link is not set
    yet (a new object on its add page)."""
    try:
        for name in filter(None, path.split(".")):
            obj = getattr(obj, name)
            if obj is None:
                return None
    except ObjectDoesNotExist:
        return None
    return obj


class _PlanText(FrozenPlanAdminMixin):
    """The object's plan is at `plan_path` from it (for an inline: from its parent)."""

    plan_path = "plan"

    def get_plan_of(self, obj):
        return _plan_through(obj, self.plan_path)


def _short(text, length=80):
    text = text or ""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


# "37,5" is 37.5 in every language of the admin (Django's own field would read it by
# the active language's format, as 375 in English).
DECIMAL_COMMA = {models.DecimalField: {"form_class": DecimalCommaField}}


# --- Plan and what hangs directly on it ------------------------------------------------


class DirectionGoalInline(_PlanText, TranslationStackedInline):
    plan_path = ""  # the parent is the plan
    model = DirectionGoal
    extra = 0
    fields = ["order", ("name_sv", "name_en"), "slug", ("description_sv", "description_en")]
    prepopulated_fields = {"slug": ["name_sv"]}
    show_change_link = True


class PriorityAreaInline(_PlanText, TranslationTabularInline):
    """The year's prioritised areas; their items are edited on each area's page."""

    model = PriorityArea
    plan_path = ""
    extra = 0
    fields = ["order", "title_sv", "title_en", "programme"]
    show_change_link = True


class CommunicationPriorityInline(_PlanText, TranslationTabularInline):
    model = CommunicationPriority
    plan_path = ""
    extra = 0
    fields = ["order", "text_sv", "text_en"]


class ReportingPeriodInline(TranslationTabularInline):
    """A plan's periods. A period is locked and unlocked with the actions on the period
    list, which order the lock against reports being made."""

    model = ReportingPeriod
    extra = 0
    readonly_fields = ["is_locked"]
    fields = [
        "order",
        "name_sv",
        "name_en",
        "slug",
        "starts_on",
        "ends_on",
        "due_date",
        "is_locked",
    ]


@admin.register(Plan)
class PlanAdmin(_PlanText, TranslationAdmin):
    plan_path = ""
    # Follow-up and editorial settings stay open on an adopted plan.
    frozen_open_fields = (
        "public_followup_comments",
        "budget_public",
        "editorial_note_sv",
        "editorial_note_en",
    )
    list_display = ["year", "title", "status", "adopted_on", "section_link"]
    list_display_links = ["year", "title"]
    list_filter = ["status"]
    search_fields = ["title_sv", "title_en", "year"]
    ordering = ["-year"]
    inlines = [
        DirectionGoalInline,
        PriorityAreaInline,
        CommunicationPriorityInline,
        ReportingPeriodInline,
    ]
    fieldsets = [
        (None, {"fields": ["year", ("title_sv", "title_en"), "status"]}),
        (
            _("Adoption"),
            {
                "fields": ["adopted_on", ("adopted_by_sv", "adopted_by_en"), "decision_reference"],
                "description": _(
                    "Recorded with “Adopt the plan” and “Record an amendment” on this page, "
                    "never typed here."
                ),
            },
        ),
        (
            _("Introduction"),
            {
                "fields": [
                    ("introduction_heading_sv", "introduction_heading_en"),
                    ("introduction_sv", "introduction_en"),
                    ("priorities_intro_sv", "priorities_intro_en"),
                    ("editorial_note_sv", "editorial_note_en"),
                ]
            },
        ),
        (_("Follow-up"), {"fields": ["public_followup_comments", "budget_public"]}),
    ]

    readonly_fields = [
        "status",
        "adopted_on",
        "adopted_by_sv",
        "adopted_by_en",
        "decision_reference",
    ]
    actions = ["roll_over"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_section_count=Count("sections"))

    def get_urls(self):
        from .admin_adoption import plan_decision_urls

        return plan_decision_urls(self) + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        plan = self.get_object(request, object_id)
        if plan is not None:
            extra_context["decisions"] = list(plan.decisions.all())
            extra_context["decision_links"] = self._decision_links(request, plan)
        return super().change_view(request, object_id, form_url, extra_context)

    def _decision_links(self, request, plan):
        """The next steps for the plan's status, for whoever may take them."""
        links = []
        may_adopt = request.user.has_perm(services.ADOPT_PERMISSION)
        status = plan.status

        def link(view, label):
            links.append(
                {"url": reverse(f"admin:plan_plan_{view}", args=[plan.pk]), "label": label}
            )

        if status == Plan.Status.DRAFT and request.user.has_perm("plan.change_plan"):
            link("propose", _("Put to the board as a proposal"))
        if may_adopt:
            recorded = any(d.kind == PlanDecision.Kind.ADOPTION for d in plan.decisions.all())
            if status in (Plan.Status.DRAFT, Plan.Status.PROPOSAL) or (
                status == Plan.Status.ADOPTED and not recorded
            ):
                link("adopt", _("Adopt the plan"))
            if status in (Plan.Status.ADOPTED, Plan.Status.AMENDED):
                link("amend", _("Start an amendment"))
            if status == Plan.Status.AMENDING:
                link("amendment_adopt", _("Adopt the amendment"))
        return links

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A new plan without periods typed in gets the default ones.
        if not change:
            services.reporting_periods_create_default(plan=form.instance)

    @admin.action(description=_("Roll over into next year's draft plan"), permissions=["add"])
    def roll_over(self, request, queryset):
        for plan in queryset.order_by("year"):
            try:
                new_plan = services.plan_roll_over(plan=plan, by=request.user)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
                continue
            self.log_addition(request, new_plan, [{"added": {}}])
            messages.success(
                request,
                _("%(year)s's plan is rolled over into a draft for %(next)s.")
                % {"year": plan.year, "next": new_plan.year},
            )

    @admin.display(description=_("sections"), ordering="_section_count")
    def section_link(self, obj):
        url = reverse("admin:plan_section_changelist") + f"?plan__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj._section_count)


@admin.register(DirectionGoal)
class DirectionGoalAdmin(_PlanText, TranslationAdmin):
    list_display = ["name", "plan", "order"]
    list_filter = ["plan"]
    list_select_related = ["plan"]
    search_fields = ["slug", "name_sv", "name_en"]
    autocomplete_fields = ["plan"]
    prepopulated_fields = {"slug": ["name_sv"]}
    fields = ["plan", "order", ("name_sv", "name_en"), "slug", ("description_sv", "description_en")]


class PriorityAreaItemInline(_PlanText, TranslationTabularInline):
    model = PriorityAreaItem
    plan_path = "plan"
    extra = 0
    fields = ["order", "text_sv", "text_en"]


@admin.register(PriorityArea)
class PriorityAreaAdmin(_PlanText, TranslationAdmin):
    list_display = ["title", "plan", "programme", "order"]
    list_filter = ["plan", "programme"]
    list_select_related = ["plan"]
    search_fields = ["title_sv", "title_en"]
    autocomplete_fields = ["plan"]
    fields = ["plan", "order", ("title_sv", "title_en"), "programme"]
    inlines = [PriorityAreaItemInline]


@admin.register(PriorityAreaItem)
class PriorityAreaItemAdmin(_PlanText, TranslationAdmin):
    plan_path = "area.plan"
    list_display = ["short_text", "area", "plan_year", "order"]
    list_filter = ["area__plan"]
    list_select_related = ["area__plan"]
    search_fields = ["text_sv", "text_en", "area__title_sv"]
    autocomplete_fields = ["area"]
    fields = ["area", "order", ("text_sv", "text_en")]

    @admin.display(description=_("text"), ordering="text")
    def short_text(self, obj):
        return _short(obj.text)

    @admin.display(description=_("plan"), ordering="area__plan__year")
    def plan_year(self, obj):
        return obj.area.plan.year


@admin.register(CommunicationPriority)
class CommunicationPriorityAdmin(_PlanText, TranslationAdmin):
    list_display = ["short_text", "plan", "order"]
    list_filter = ["plan"]
    list_select_related = ["plan"]
    search_fields = ["text_sv", "text_en"]
    autocomplete_fields = ["plan"]
    fields = ["plan", "order", ("text_sv", "text_en")]

    @admin.display(description=_("text"), ordering="text")
    def short_text(self, obj):
        return _short(obj.text)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(TranslationAdmin):
    list_display = ["name", "plan", "starts_on", "ends_on", "due_date", "is_locked"]
    list_filter = ["plan", "is_locked"]
    list_select_related = ["plan"]
    search_fields = ["name_sv", "name_en", "slug", "plan__year"]
    autocomplete_fields = ["plan"]

    readonly_fields = ["is_locked"]
    actions = ["lock", "unlock"]

    def get_queryset(self, request):
        # A period's name shows its plan's year: in lists and in the pickers that
        # search periods.
        return super().get_queryset(request).select_related("plan")

    @admin.action(
        description=_("Lock the selected periods (no more reports)"), permissions=["change"]
    )
    def lock(self, request, queryset):
        self._set_lock(request, queryset, services.reporting_period_lock)

    @admin.action(description=_("Unlock the selected periods"), permissions=["change"])
    def unlock(self, request, queryset):
        self._set_lock(request, queryset, services.reporting_period_unlock)

    def _set_lock(self, request, queryset, service):
        for period in queryset:
            was_locked = period.is_locked
            period = service(period=period, by=request.user)
            if period.is_locked != was_locked:
                self.log_change(request, period, CHANGED_LOCK)
        messages.success(request, _("The periods are updated."))

    fields = [
        "plan",
        "order",
        ("name_sv", "name_en"),
        "slug",
        ("starts_on", "ends_on"),
        "due_date",
        "is_locked",
    ]


# --- Sections, goals and activities ---------------------------------------------------


class GoalInline(_PlanText, TranslationTabularInline):
    """A section's overall goals, in the plan's order; change `order` to reorder."""

    model = Goal
    extra = 0
    fields = ["order", "text_sv", "text_en"]


class ActivityInline(_PlanText, TranslationStackedInline):
    """A section's activities, in the plan's order; change `order` to reorder. The
    amounts are edited on each activity's page."""

    model = Activity
    extra = 0
    fields = [
        "order",
        ("text_sv", "text_en"),
        ("owners", "organisations"),
        ("start_date", "end_date"),
    ]
    autocomplete_fields = ["owners", "organisations"]
    show_change_link = True


class ActivityGoalFormsetSaving:
    """Links between activities and goals, edited inline, are saved and removed through
    the services (which check that goal and activity are of the same year)."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not ActivityGoal:
            return super().save_formset(request, form, formset, change)
        links = formset.save(commit=False)
        for link in formset.deleted_objects:
            services.activity_goal_delete(link=link)
        for link in links:
            services.activity_goal_save(link=link)
        formset.save_m2m()


class ActivityGoalInline(_PlanText, admin.TabularInline):
    """The goals an activity contributes to, in order."""

    model = ActivityGoal
    plan_path = "section.plan"
    fk_name = "activity"
    extra = 0
    fields = ["order", "goal"]
    autocomplete_fields = ["goal"]
    verbose_name = _("contributes to goal")
    verbose_name_plural = _("contributes to goals")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("goal__section__plan")


@admin.register(ActivityGoal)
class ActivityGoalAdmin(_PlanText, admin.ModelAdmin):
    """Every link between an activity and a goal, to review them across a plan; they
    are usually edited inline on the goal's or the activity's page."""

    list_display = ["activity_text", "goal_text", "plan_year", "order"]
    list_filter = ["goal__section__plan"]
    list_select_related = ["activity", "goal__section__plan"]
    search_fields = ["activity__text_sv", "activity__text_en", "goal__text_sv", "goal__text_en"]
    autocomplete_fields = ["activity", "goal"]
    fields = ["activity", "goal", "order"]
    plan_path = "activity.section.plan"

    def save_model(self, request, obj, form, change):
        services.activity_goal_save(link=obj)

    def delete_model(self, request, obj):
        services.activity_goal_delete(link=obj)

    @admin.display(description=_("activity"), ordering="activity__text")
    def activity_text(self, obj):
        return _short(obj.activity.text, 60)

    @admin.display(description=_("overall goal"), ordering="goal__text")
    def goal_text(self, obj):
        return _short(obj.goal.text, 60)

    @admin.display(description=_("plan"), ordering="goal__section__plan__year")
    def plan_year(self, obj):
        return obj.goal.section.plan.year


class GoalActivityInline(_PlanText, admin.TabularInline):
    """The activities that contribute to a goal."""

    model = ActivityGoal
    plan_path = "section.plan"
    fk_name = "goal"
    extra = 0
    fields = ["activity", "order"]
    autocomplete_fields = ["activity"]
    verbose_name = _("contributing activity")
    verbose_name_plural = _("contributing activities")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("activity__section__plan")


@admin.register(Section)
class SectionAdmin(_PlanText, TranslationAdmin):
    frozen_open_fields = ("actual_amount",)
    formfield_overrides = DECIMAL_COMMA
    list_display = [
        "number",
        "heading",
        "plan",
        "programme",
        "goal_count",
        "activity_count",
        "order",
    ]
    list_display_links = ["number", "heading"]
    list_editable = ["order"]
    list_filter = ["plan", "programme", "direction_goal"]
    list_select_related = ["plan"]
    # The year too: the same heading recurs in every year's plan ("2024 1.1").
    search_fields = ["number", "slug", "heading_sv", "heading_en", "plan__year"]
    autocomplete_fields = ["plan", "parent", "direction_goal"]
    prepopulated_fields = {"slug": ["heading_sv"]}
    ordering = ["plan", "order"]
    inlines = [GoalInline, ActivityInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "plan",
                    "parent",
                    ("number", "order"),
                    ("heading_sv", "heading_en"),
                    "slug",
                    "programme",
                    "direction_goal",
                ]
            },
        ),
        (_("Text"), {"fields": [("body_sv", "body_en"), ("closing_sv", "closing_en")]}),
        (_("Budget"), {"fields": [("planned_amount", "actual_amount")]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _goal_count=Count("goals", distinct=True),
                _activity_count=Count("activities", distinct=True),
            )
        )

    @admin.display(description=_("goals"), ordering="_goal_count")
    def goal_count(self, obj):
        return obj._goal_count

    @admin.display(description=_("activities"), ordering="_activity_count")
    def activity_count(self, obj):
        return obj._activity_count


@admin.register(Goal)
class GoalAdmin(_PlanText, ActivityGoalFormsetSaving, ImportExportTranslationAdmin):
    plan_path = "section.plan"
    resource_classes = [GoalResource]
    list_display = ["short_text", "section", "plan_year", "order"]
    list_filter = ["section__plan", "section__programme"]
    list_select_related = ["section__plan"]
    # The year too: goals recur in every year's plan once rolled over.
    search_fields = [
        "text_sv",
        "text_en",
        "section__number",
        "section__heading_sv",
        "section__plan__year",
    ]
    autocomplete_fields = ["section"]
    ordering = ["section__plan", "section__order", "order", "pk"]
    fields = ["section", "order", ("text_sv", "text_en"), "carried_from"]
    readonly_fields = ["carried_from"]
    inlines = [GoalActivityInline]

    @admin.display(description=_("text"), ordering="text")
    def short_text(self, obj):
        return _short(obj.text)

    @admin.display(description=_("plan"), ordering="section__plan__year")
    def plan_year(self, obj):
        return obj.section.plan.year


class StatusUpdateInline(admin.TabularInline):
    """An activity's follow-up history. Reports are added as new rows on the status
    update page, never edited in place."""

    model = StatusUpdate
    extra = 0
    fields = ["period", "status", "progress", "comment", "reported_by", "reported_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("follow-up history")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("period__plan", "status", "reported_by")


@admin.register(Activity)
class ActivityAdmin(_PlanText, ActivityGoalFormsetSaving, ImportExportTranslationAdmin):
    plan_path = "section.plan"
    # Who reports, and what was spent, is follow-up: open on an adopted plan.
    frozen_open_fields = ("owners", "actual_amount")
    formfield_overrides = DECIMAL_COMMA
    resource_classes = [ActivityResource]
    list_display = [
        "short_text",
        "section",
        "plan_year",
        "owner_list",
        "start_date",
        "end_date",
        "order",
    ]
    list_filter = [
        ActivityFollowUpFilter,
        ActivityPeriodFilter,
        ActivityOwnerFilter,
        "section__plan",
        "section__programme",
    ]
    list_select_related = ["section__plan"]
    search_fields = [
        "text_sv",
        "text_en",
        "section__number",
        "section__heading_sv",
        "section__plan__year",
        "owners__first_name",
        "owners__last_name",
        "organisations__name_sv",
        "organisations__slug",
    ]
    autocomplete_fields = ["section", "owners", "organisations"]
    ordering = ["section__plan", "section__order", "order", "pk"]
    fields = [
        "section",
        "order",
        ("text_sv", "text_en"),
        "owners",
        "organisations",
        ("start_date", "end_date"),
        ("planned_amount", "actual_amount"),
    ]
    inlines = [ActivityGoalInline, StatusUpdateInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("owners", queryset=Person.objects.only("first_name", "last_name"))
            )
        )

    @admin.display(description=_("text"), ordering="text")
    def short_text(self, obj):
        return _short(obj.text)

    @admin.display(description=_("plan"), ordering="section__plan__year")
    def plan_year(self, obj):
        return obj.section.plan.year

    @admin.display(description=_("owners"))
    def owner_list(self, obj):
        return ", ".join(str(person) for person in obj.owners.all())


# --- Follow-up ------------------------------------------------------------------------


@admin.register(Status)
class StatusAdmin(TranslationAdmin):
    list_display = ["name", "swatch", "default_progress", "is_delayed", "order"]
    list_editable = ["order"]
    list_filter = ["is_delayed"]
    search_fields = ["slug", "name_sv", "name_en"]
    prepopulated_fields = {"slug": ["name_sv"]}
    fields = [
        ("name_sv", "name_en"),
        "slug",
        "colour",
        "default_progress",
        "is_delayed",
        "order",
    ]

    @admin.display(description=_("colour"), ordering="colour")
    def swatch(self, obj):
        # An SVG fill, not a style attribute: the Content-Security-Policy forbids
        # inline styles.
        return format_html(
            '<svg width="16" height="16" aria-hidden="true" focusable="false">'
            '<rect width="16" height="16" fill="{}" stroke="#000"/></svg> {}',
            obj.colour,
            obj.colour,
        )


@admin.register(StatusUpdate)
class StatusUpdateAdmin(ImportExportModelAdmin):
    """Follow-up reports as history: a report, once made, is read-only; a correction
    is a new report. Who reported and when is recorded, not typed. Imported rows
    without an id are new reports made through the same service."""

    resource_classes = [StatusUpdateResource]

    list_display = ["activity_text", "period", "status", "progress", "reported_by", "reported_at"]
    list_filter = ["period__plan", "status", ("period", PeriodListFilter)]
    list_select_related = ["activity", "period__plan", "status", "reported_by"]
    search_fields = ["activity__text_sv", "activity__text_en", "comment"]
    autocomplete_fields = ["activity", "period", "status"]
    date_hierarchy = "reported_at"
    fields = ["activity", "period", "status", "progress", "comment", "reported_by", "reported_at"]
    readonly_fields = ["reported_by", "reported_at"]

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Only new reports are saved here (a report is read-only once made); the
        # service records who and when, and checks the period's lock under a row lock.
        update = services.status_update_create(
            activity=obj.activity,
            period=obj.period,
            status=obj.status,
            progress=obj.progress,
            comment=obj.comment,
            by=request.user,
        )
        obj.pk = update.pk
        obj.reported_by = update.reported_by
        obj.reported_at = update.reported_at
        obj._state.adding = False

    @admin.display(description=_("activity"), ordering="activity__text")
    def activity_text(self, obj):
        return _short(obj.activity.text, 60)


# --- Goal assessments -----------------------------------------------------------------


def colour_swatch(colour):
    # An SVG fill, not a style attribute: the Content-Security-Policy forbids inline
    # styles.
    return format_html(
        '<svg width="16" height="16" aria-hidden="true" focusable="false">'
        '<rect width="16" height="16" fill="{}" stroke="#000"/></svg> {}',
        colour,
        colour,
    )


@admin.register(AssessmentLevel)
class AssessmentLevelAdmin(TranslationAdmin):
    list_display = ["name", "swatch", "counts_as_assessed", "order"]
    list_editable = ["order"]
    list_filter = ["counts_as_assessed"]
    search_fields = ["slug", "name_sv", "name_en"]
    prepopulated_fields = {"slug": ["name_sv"]}
    fields = [("name_sv", "name_en"), "slug", "colour", "counts_as_assessed", "order"]

    @admin.display(description=_("colour"), ordering="colour")
    def swatch(self, obj):
        return colour_swatch(obj.colour)


@admin.register(GoalAssessment)
class GoalAssessmentAdmin(TranslationAdmin):
    """Goal assessments as history: an assessment, once made, is read-only; a new view
    is a new assessment. Who assessed and when is recorded, not typed."""

    list_display = ["goal_text", "period", "level", "assessed_by", "assessed_at"]
    list_filter = ["period__plan", "level", ("period", PeriodListFilter)]
    list_select_related = ["goal", "period__plan", "level", "assessed_by"]
    search_fields = ["goal__text_sv", "goal__text_en", "analysis_sv", "analysis_en"]
    autocomplete_fields = ["goal", "period", "level"]
    date_hierarchy = "assessed_at"
    fields = [
        "goal",
        "period",
        "level",
        ("analysis_sv", "analysis_en"),
        "assessed_by",
        "assessed_at",
    ]
    readonly_fields = ["assessed_by", "assessed_at"]

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Only new assessments are saved here; the service records who and when and
        # checks the period's lock under a row lock.
        assessment = services.goal_assessment_create(
            goal=obj.goal,
            period=obj.period,
            level=obj.level,
            analysis=obj.analysis_sv or "",
            analysis_en=obj.analysis_en or "",
            user=request.user,
        )
        obj.pk = assessment.pk
        obj.assessed_by = assessment.assessed_by
        obj.assessed_at = assessment.assessed_at
        obj._state.adding = False

    @admin.display(description=_("overall goal"), ordering="goal__text")
    def goal_text(self, obj):
        return _short(obj.goal.text, 60)


# --- Key figures ----------------------------------------------------------------------


class IndicatorValueInline(TranslationTabularInline):
    model = IndicatorValue
    extra = 0
    formfield_overrides = DECIMAL_COMMA
    fields = [
        "year",
        "value",
        "headline_sv",
        "headline_en",
        "note_sv",
        "note_en",
        "source_sv",
        "source_en",
    ]


@admin.register(Indicator)
class IndicatorAdmin(FrozenPlanAdminMixin, TranslationAdmin):
    # The values are follow-up: they stay open when the definition is frozen.
    frozen_open_inlines = (IndicatorValueInline,)

    def get_plan_of(self, obj):
        return (
            _plan_through(obj, "plan")
            or _plan_through(obj, "section.plan")
            or _plan_through(obj, "goal.section.plan")
        )

    list_display = ["name", "unit", "belongs_to", "direction", "order"]
    list_editable = ["order"]
    list_filter = ["direction", "plan", "section__plan", "goal__section__plan"]
    list_select_related = ["plan", "section__plan", "goal__section__plan"]
    search_fields = ["slug", "name_sv", "name_en"]
    prepopulated_fields = {"slug": ["name_sv"]}
    autocomplete_fields = ["plan", "section", "goal"]
    formfield_overrides = DECIMAL_COMMA
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("name_sv", "name_en"),
                    "slug",
                    ("unit_sv", "unit_en"),
                    ("description_sv", "description_en"),
                    "order",
                ]
            },
        ),
        (
            _("Belongs to (one of)"),
            {"fields": ["plan", "section", "goal", "carried_from"]},
        ),
        (
            _("Baseline and target"),
            {
                "fields": [
                    "direction",
                    ("baseline_value", "baseline_year"),
                    ("target_value", "target_year"),
                    ("note_sv", "note_en"),
                ]
            },
        ),
    ]
    readonly_fields = ["carried_from"]
    inlines = [IndicatorValueInline]

    @admin.display(description=_("belongs to"))
    def belongs_to(self, obj):
        if obj.goal_id:
            return f"{obj.goal.section.plan.year}: {_short(obj.goal.text, 40)}"
        if obj.section_id:
            return f"{obj.section.plan.year}: {obj.section}"
        if obj.plan_id:
            return str(obj.plan.year)
        return "–"


@admin.register(IndicatorValue)
class IndicatorValueAdmin(TranslationAdmin):
    list_display = ["indicator", "year", "value", "source"]
    list_filter = ["indicator", "year"]
    list_select_related = ["indicator"]
    search_fields = ["indicator__name_sv", "indicator__name_en", "source_sv"]
    autocomplete_fields = ["indicator"]
    formfield_overrides = DECIMAL_COMMA
    fields = [
        "indicator",
        "year",
        "value",
        ("headline_sv", "headline_en"),
        ("note_sv", "note_en"),
        ("source_sv", "source_en"),
    ]


# --- Reports --------------------------------------------------------------------------


@admin.register(ReportRequest)
class ReportRequestAdmin(admin.ModelAdmin):
    """The board's requests for the yearly follow-up report, as a log. A request is made
    on the follow-up page, which queues the task that builds the file; made here it
    would never be built, so the admin only shows them (and may delete them)."""

    list_display = [
        "plan",
        "format",
        "language",
        "status",
        "requested_by",
        "created_at",
        "finished_at",
        "attempts",
    ]
    list_filter = ["status", "format", "language", "plan"]
    list_select_related = ["plan", "requested_by"]
    search_fields = ["plan__year", "requested_by__username", "error"]
    date_hierarchy = "created_at"
    fields = [
        "plan",
        "format",
        "language",
        "status",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "attempts",
        "build_task_id",
        "data_version",
        "page_count",
        "download",
        "error",
    ]
    readonly_fields = fields
    actions = ["retry"]

    @admin.display(description=_("file"))
    def download(self, obj):
        # Through the portal's download view, which checks access; the media
        # directory is not served.
        if obj.status != ReportRequest.State.DONE or not obj.file:
            return "–"
        url = reverse("plan:report_request_download", kwargs={"pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("plan.request_followup_report")

    def delete_model(self, request, obj):
        # The file goes with the request, once the deletion is committed.
        services.report_request_delete(report_request=obj)

    def delete_queryset(self, request, queryset):
        for report_request in queryset:
            services.report_request_delete(report_request=report_request)

    @admin.action(description=_("Build the selected failed reports again"), permissions=["retry"])
    def retry(self, request, queryset):
        retried = 0
        for report_request in queryset.filter(status=ReportRequest.State.FAILED):
            services.report_request_retry(report_request=report_request, by=request.user)
            retried += 1
        messages.success(request, _("%(count)s report(s) queued again.") % {"count": retried})


@admin.register(PlanDecision)
class PlanDecisionAdmin(TranslationAdmin):
    """Decisions on plans, as a record: made with “Adopt the plan” and “Adopt the
    amendment” on the plan's page, never typed or changed here."""

    list_display = ["plan", "version", "kind", "decided_on", "body", "reference", "recorded_by"]
    list_filter = ["kind", "plan"]
    list_select_related = ["plan", "recorded_by"]
    search_fields = ["reference", "body_sv", "plan__year"]
    fields = [
        "plan",
        "version",
        "kind",
        "decided_on",
        ("body_sv", "body_en"),
        "reference",
        ("summary_sv", "summary_en"),
        "document",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = [
        "plan",
        "version",
        "kind",
        "decided_on",
        "body_sv",
        "body_en",
        "reference",
        "summary_sv",
        "summary_en",
        "document",
        "recorded_by",
        "recorded_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
