"""Import and export of the plan's goals and activities (CSV, XLSX).

A goal or activity names its section by the plan's year and the section's short name
(columns ``plan_year`` and ``section``), so a file reads the same in every database.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.fields import Field

from malardal.importexport import BaseResource, ForeignKeyWidget, ManyToManyWidget
from members.models import Organisation, Person

from .models import Activity, Goal, Section


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

    def get_queryset(self):
        return super().get_queryset().select_related("section__plan")


class GoalResource(_SectionItemResource):
    class Meta:
        model = Goal
        name = _("Overall goals")
        fields = ("id", "plan_year", "section", "order", "text_sv", "text_en")
        export_order = fields


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

    export_prefetch_related = ("owners", "organisations")

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
            "start_date",
            "end_date",
        )
        export_order = fields
