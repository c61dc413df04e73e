import re

from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from members.models import Programme

from .models import ReportRequest

PROGRESS_MESSAGE = _("Give the progress as a whole number from 0 to 100.")


class StatusReportForm(forms.Form):
    """An owner's report on one activity. The checks that matter (ownership, the
    period's lock, 0–100) are the service's; this form only reads the input. Periods and
    statuses come as lists, so a page with many forms runs no query per form."""

    period = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        error_messages={
            "required": _("Choose a period."),
            "invalid_choice": _("That period does not take reports."),
        },
    )
    status = forms.TypedChoiceField(
        label=_("Status"),
        coerce=int,
        error_messages={
            "required": _("Choose a status."),
            "invalid_choice": _("Choose one of the statuses."),
        },
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("0–100. Leave empty to use the status's usual progress."),
        error_messages={
            "invalid": PROGRESS_MESSAGE,
            "min_value": PROGRESS_MESSAGE,
            "max_value": PROGRESS_MESSAGE,
        },
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        help_text=_("What has been done, what is next, what stands in the way."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, periods, statuses, default_period=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods_by_pk = {p.pk: p for p in periods}
        self.statuses_by_pk = {s.pk: s for s in statuses}
        self.fields["period"].choices = [(p.pk, _period_label(p)) for p in periods]
        self.fields["status"].choices = [("", _("Choose a status"))] + [
            (s.pk, s.name) for s in statuses
        ]
        if periods and not self.is_bound:
            self.initial.setdefault("period", (default_period or periods[0]).pk)

    def clean(self):
        data = super().clean()
        if data.get("period") is not None:
            data["period"] = self.periods_by_pk[data["period"]]
        if data.get("status") is not None:
            data["status"] = self.statuses_by_pk[data["status"]]
        return data


def _period_label(period) -> str:
    return _("%(name)s (report by %(due)s)") % {
        "name": period.name,
        "due": date_format(period.due_date, "j F Y"),
    }


class ReportRequestForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ReportRequest.Format.choices,
        initial=ReportRequest.Format.PDF,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
    )


class DashboardFilterForm(forms.Form):
    """The dashboard's filters (GET): show only the activities that are late and/or
    have a report missing (both ticked: only those that are both), and only the goals
    assessed at a level (and the activities that contribute to them). The figures
    above the lists stay those of the whole plan; the filters narrow the lists only.
    `levels` are the assessment levels (a choice per level's slug, and "none")."""

    late = forms.BooleanField(label=_("Late"), required=False)
    missing = forms.BooleanField(label=_("Report missing"), required=False)
    level = forms.ChoiceField(
        label=_("Assessment"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the assessment levels.")},
    )

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        from .followup import NO_LEVEL

        self.fields["level"].choices = [
            ("", _("Any")),
            *[(level.slug, level.name) for level in levels],
            (NO_LEVEL, _("No assessment")),
        ]

    @property
    def data_or_empty(self) -> dict:
        return self.cleaned_data if self.is_bound and self.is_valid() else {}

    def keep_goal(self, goal) -> bool:
        """Whether the goal `goal` (a plan.followup.DashboardGoal) is shown."""
        level = self.data_or_empty.get("level")
        return not level or goal.level_key == level

    def keep(self, item, *, activity_ids=None) -> bool:
        """Whether the activity `item` (a plan.followup.ActivityFollowUp) is shown;
        `activity_ids`: the activities of the goals shown, when a level is chosen."""
        data = self.data_or_empty
        if data.get("late") and not item.is_late:
            return False
        if data.get("missing") and not item.report_missing:
            return False
        if data.get("level") and activity_ids is not None:
            return item.activity.pk in activity_ids
        return True

    @property
    def active(self) -> bool:
        return any(self.data_or_empty.values())


class GoalAssessmentForm(forms.Form):
    """The board's or the secretariat's assessment of a goal on the goal page. The
    rules (permission, the period's lock, the period's plan) are the service's; this
    form reads the input. Every period of the plan is offered, a locked one marked so:
    choosing it gets the service's clear message rather than a bare "invalid choice"."""

    period = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        error_messages={
            "required": _("Choose a period."),
            "invalid_choice": _("Choose one of the plan's periods."),
        },
    )
    level = forms.TypedChoiceField(
        label=_("Assessment"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how far the goal was achieved."),
            "invalid_choice": _("Choose one of the levels."),
        },
    )
    analysis = forms.CharField(
        label=_("Analysis (Swedish)"),
        required=False,
        max_length=4000,
        help_text=_("Why this assessment: what was done, what the indicators show."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    analysis_en = forms.CharField(
        label=_("Analysis (English)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, periods, levels, default_period=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods_by_pk = {p.pk: p for p in periods}
        self.levels_by_pk = {lvl.pk: lvl for lvl in levels}
        self.fields["period"].choices = [
            (p.pk, _("%(name)s (locked)") % {"name": p.name} if p.is_locked else p.name)
            for p in periods
        ]
        self.fields["level"].choices = [(lvl.pk, lvl.name) for lvl in levels]
        if default_period is not None and not self.is_bound:
            self.initial.setdefault("period", default_period.pk)

    def clean(self):
        data = super().clean()
        if data.get("period") is not None:
            data["period"] = self.periods_by_pk[data["period"]]
        if data.get("level") is not None:
            data["level"] = self.levels_by_pk[data["level"]]
        return data


SEARCH_QUERY_MAX_LENGTH = 200
# Control characters (NUL cannot even be stored) and the private-use characters the
# search's snippets use as markers (malardal.fulltext.MARK_START/MARK_END).
_NOT_SEARCHABLE = re.compile(r"[\x00-\x1f\x7f\ue000\ue001]")


class SearchForm(forms.Form):
    """The search page's query and filters. Invalid filter values are ignored rather than
    reported: a search link with a stale year or status still shows results."""

    q = forms.CharField(label=_("Search for"), required=False, max_length=SEARCH_QUERY_MAX_LENGTH)
    year = forms.TypedChoiceField(
        label=_("Plan year"), required=False, coerce=int, empty_value=None
    )
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    status = forms.ChoiceField(label=_("Status of activities"), required=False)
    kind = forms.ChoiceField(required=False)
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, data, *, years: list[int], statuses, kinds, no_report: str):
        data = data.copy()
        # A pasted essay is cut rather than refused; characters no text holds go.
        query = _NOT_SEARCHABLE.sub(" ", data.get("q", ""))
        data["q"] = " ".join(query.split())[:SEARCH_QUERY_MAX_LENGTH]
        super().__init__(data)
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]
        self.fields["programme"].choices = [("", _("All programmes")), *Programme.choices]
        self.fields["status"].choices = [
            ("", _("Any status")),
            *[(status.slug, status.name) for status in statuses],
            (no_report, _("No report yet")),
        ]
        self.fields["kind"].choices = [("", "")] + [(k.key, k.label) for k in kinds]

    def value(self, name):
        """The cleaned value of `name`, or None when it was missing or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None
