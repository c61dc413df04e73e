"""Import and export of the plan's goals and activities (CSV, XLSX).

A goal or activity names its section by the plan's year and the section's short name
(columns ``plan_year`` and ``section``), so a file reads the same in every database.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.text import get_text_list
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.fields import Field

from malardal import tabular
from malardal.importexport import (
    BaseResource,
    DateTimeWidget,
    ForeignKeyWidget,
    ManyToManyWidget,
)
from members.models import Organisation, Person

from . import services
from .freeze import check_plan_editable
from .models import Activity, Goal, ReportingPeriod, Section, Status, StatusUpdate
from .numbers import DecimalCommaWidget


class SectionWidget(ForeignKeyWidget):
    """A section by its short name within the plan of the row's ``plan_year``."""

    def __init__(self, **kwargs):
        super().__init__(Section, field="slug", **kwargs)

    def get_lookup_kwargs(self, value, row, **kwargs):
        return {"slug": value, "plan__year": self.plan_year(row)}

    @staticmethod
    def plan_year(row):
        year = (row or {}).get("plan_year")
        if isinstance(year, float) and year.is_integer():
            year = int(year)
        return str(year).strip() if year not in (None, "") else None

    def clean(self, value, row=None, **kwargs):
        if value not in (None, "") and not self.plan_year(row):
            raise ValueError(gettext("Give the plan's year in the column “plan_year”."))
        return super().clean(value, row=row, **kwargs)

    def not_found_message(self, value, row):
        return gettext("The plan for %(year)s has no section with short name “%(slug)s”.") % {
            "year": self.plan_year(row),
            "slug": value,
        }


class _SectionItemResource(BaseResource):
    """What goals and activities share: an id, the section, the order and the text."""

    plan_year = Field(
        attribute="section__plan__year",
        column_name="plan_year",
        readonly=True,
        widget=widgets.IntegerWidget(),
    )
    section = Field(attribute="section", column_name="section", widget=SectionWidget())

    required_columns = ("plan_year", "section", "text_sv")
    export_select_related = ("section__plan",)
    column_labels = {
        "plan_year": _("Plan year"),
        "section": _("Section (short name)"),
    }

    # Columns that are follow-up, not plan text: a row of an adopted plan may change
    # these only (plan/freeze.py).
    open_columns: tuple[str, ...] = ()

    def get_queryset(self):
        return super().get_queryset().select_related("section__plan")

    def import_instance(self, instance, row, **kwargs):
        """Set the row's values; a row that adds to, or changes the text of, an adopted
        plan is a row error saying why (the whole file is then not imported)."""
        stored_plan = instance.section.plan if instance.pk and instance.section_id else None
        before = self._text_values(instance, row, stored=True)
        super().import_instance(instance, row, **kwargs)
        plan = instance.section.plan if instance.section_id else None
        if instance.pk is None or before != self._text_values(instance, row, stored=False):
            for affected in (stored_plan, plan):
                check_plan_editable(affected)

    def _text_values(self, instance, row, *, stored: bool) -> dict:
        """The values of the plan-text columns the file has: as stored (`stored`), or
        as the row sets them; many-to-many columns as sets of keys."""
        values = {}
        for field in self.get_import_fields():
            if field.readonly or field.column_name in self.open_columns:
                continue
            if field.column_name not in row:
                continue
            if isinstance(field.widget, widgets.ManyToManyWidget):
                if not stored:
                    values[field.column_name] = {o.pk for o in field.clean(row)}
                elif instance.pk is not None:
                    values[field.column_name] = {o.pk for o in field.get_value(instance).all()}
                continue
            value = field.get_value(instance)
            values[field.column_name] = "" if value is None else value
        return values


class GoalResource(_SectionItemResource):
    class Meta:
        model = Goal
        name = _("Overall goals")
        fields = ("id", "plan_year", "section", "order", "text_sv", "text_en")
        export_order = fields


class GoalsWidget(ManyToManyWidget):
    """The ids of the goals an activity contributes to, in order ("12; 14"). Every goal
    must be one of the plan of the row's ``plan_year``: a goal of another year is a
    row error naming it, and the file writes nothing."""

    def __init__(self, **kwargs):
        super().__init__(Goal, field="pk", **kwargs)

    def clean(self, value, row=None, **kwargs):
        found = super().clean(value, row=row, **kwargs)
        keys = tabular.split_list(value)
        if not keys:
            return []
        goals = {str(g.pk): g for g in found.select_related("section__plan")}
        year = SectionWidget.plan_year(row)
        other = [k for k in keys if str(goals[k].section.plan.year) != str(year)]
        if other:
            raise ValueError(
                gettext(
                    "Goal %(ids)s belongs to another year's plan than %(year)s. An activity "
                    "can only contribute to goals of its own plan."
                )
                % {
                    "ids": get_text_list(
                        [f"{k} ({goals[k].section.plan.year})" for k in other], gettext("and")
                    ),
                    "year": year,
                }
            )
        return [goals[k] for k in dict.fromkeys(keys)]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(str(goal.pk) for goal in value.all())


class GoalLinksField(Field):
    """The ``goals`` column: saved through ``activity_goals_set``, which keeps the order
    of the ids and checks each goal's year again."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        if not is_m2m or self.readonly:
            return super().save(instance, row, is_m2m=is_m2m, **kwargs)
        services.activity_goals_set(activity=instance, goals=self.clean(row, **kwargs))


class ActivityResource(_SectionItemResource):
    owners = Field(
        attribute="owners",
        column_name="owners",
        widget=ManyToManyWidget(Person, field="pk"),
    )
    organisations = Field(
        attribute="organisations",
        column_name="organisations",
        widget=ManyToManyWidget(Organisation, field="slug"),
    )
    goals = GoalLinksField(attribute="goals", column_name="goals", widget=GoalsWidget())
    # Kronor; "125 000,50" and 125000.5 alike. The planned amount is plan text (frozen
    # on adoption), the actual amount follow-up (open).
    planned_amount = Field(
        attribute="planned_amount", column_name="planned_amount", widget=DecimalCommaWidget()
    )
    actual_amount = Field(
        attribute="actual_amount", column_name="actual_amount", widget=DecimalCommaWidget()
    )
    # Who reports and what was spent are follow-up: a row of an adopted plan may
    # change these.
    open_columns = ("owners", "actual_amount")

    export_prefetch_related = ("owners", "organisations", "goals")
    column_labels = {
        **_SectionItemResource.column_labels,
        "owners": _("Owners (person ids)"),
        "organisations": _("Organisations (short names)"),
        "goals": _("Overall goals (ids)"),
    }

    class Meta:
        model = Activity
        name = _("Activities")
        fields = (
            "id",
            "plan_year",
            "section",
            "order",
            "text_sv",
            "text_en",
            "owners",
            "organisations",
            "goals",
            "start_date",
            "end_date",
            "planned_amount",
            "actual_amount",
        )
        export_order = fields


class PeriodWidget(ForeignKeyWidget):
    """A reporting period by its short name (t1, t2, year) within the plan of the row's
    activity."""

    def __init__(self, **kwargs):
        super().__init__(ReportingPeriod, field="slug", **kwargs)

    def get_lookup_kwargs(self, value, row, **kwargs):
        return {"slug": value, "plan__sections__activities__pk": self.activity_id(row)}

    @staticmethod
    def activity_id(row):
        value = (row or {}).get("activity")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip() if value not in (None, "") else None

    def clean(self, value, row=None, **kwargs):
        if value not in (None, "") and not self.activity_id(row):
            raise ValueError(gettext("Give the activity's id in the column “activity”."))
        return super().clean(value, row=row, **kwargs)

    def not_found_message(self, value, row):
        return gettext(
            "The plan of activity %(activity)s has no reporting period with short name “%(slug)s”."
        ) % {"activity": self.activity_id(row), "slug": value}


class StatusUpdateResource(BaseResource):
    """Follow-up reports. A report is history: exported rows import back unchanged
    (and are skipped); a row with an empty id is a new report, made through
    ``status_update_create`` as the user who imports (ownership, 0–100 and the period's
    lock are checked as in the portal); a changed row with an id is refused."""

    plan_year = Field(attribute="period__plan__year", column_name="plan_year", readonly=True)
    section = Field(attribute="activity__section__slug", column_name="section", readonly=True)
    activity = Field(
        attribute="activity", column_name="activity", widget=ForeignKeyWidget(Activity, "pk")
    )
    activity_text = Field(attribute="activity__text", column_name="activity_text", readonly=True)
    period = Field(attribute="period", column_name="period", widget=PeriodWidget())
    status = Field(
        attribute="status", column_name="status", widget=ForeignKeyWidget(Status, "slug")
    )
    reported_by = Field(attribute="reported_by__username", column_name="reported_by", readonly=True)
    reported_at = Field(
        attribute="reported_at",
        column_name="reported_at",
        readonly=True,
        widget=DateTimeWidget(),
    )

    required_columns = ("activity", "period", "status", "progress")
    column_labels = {
        "plan_year": _("Plan year"),
        "section": _("Section (short name)"),
        "activity": _("Activity (id)"),
        "activity_text": _("Activity"),
        "period": _("Reporting period (short name)"),
        "status": _("Status (short name)"),
        "reported_by": _("Reported by (user name)"),
    }
    export_select_related = ("activity__section", "period__plan", "status", "reported_by")

    class Meta:
        model = StatusUpdate
        name = _("Status updates")
        fields = (
            "id",
            "plan_year",
            "section",
            "activity",
            "activity_text",
            "period",
            "status",
            "progress",
            "comment",
            "reported_by",
            "reported_at",
        )
        export_order = fields

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(*self.export_select_related)
            .order_by(
                "period__plan__year",
                "activity__section__order",
                "activity__order",
                "activity_id",
                "period__order",
                "reported_at",
                "pk",
            )
        )

    def save_instance(self, instance, is_create, row, **kwargs):
        if not is_create:
            raise ValidationError(
                gettext(
                    "Report %(id)s cannot be changed: a report is history. To correct it, "
                    "add a new row with an empty id."
                )
                % {"id": instance.pk}
            )
        try:
            created = services.status_update_create(
                activity=instance.activity,
                period=instance.period,
                status=instance.status,
                progress=instance.progress,
                comment=instance.comment,
                by=kwargs.get("user"),
            )
        except PermissionDenied as error:
            raise ValidationError(str(error)) from None
        instance.pk = created.pk
        instance.reported_by = created.reported_by
        instance.reported_at = created.reported_at
        instance._state.adding = False
