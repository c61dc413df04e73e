import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from malardal.textlimits import BODY_TEXT, COMMENT, DESCRIPTION, ITEM_TEXT, max_text
from members.models import Organisation, Person, Programme

from . import links


def planned_amount_field() -> models.DecimalField:
    """A section's or activity's budgeted amount (plan text, frozen on adoption)."""
    return models.DecimalField(
        _("planned amount (SEK)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "The budget the plan gives, in kronor. Part of the plan's text: frozen when the "
            "plan is adopted. Leave empty where the plan gives no amount."
        ),
    )


def actual_amount_field() -> models.DecimalField:
    """A section's or activity's amount spent (follow-up, open after adoption)."""
    return models.DecimalField(
        _("actual amount (SEK)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "What was spent, in kronor. Follow-up: stays editable after the plan is "
            "adopted. Leave empty until the amount is known."
        ),
    )


class PlanQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status__in=Plan.PUBLISHED_STATUSES)


class Plan(models.Model):
    """One operations plan (verksamhetsplan) per year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSAL = "proposal", _("Proposal")
        ADOPTED = "adopted", _("Adopted")
        AMENDING = "amending", _("Amendment being prepared")
        AMENDED = "amended", _("Adopted with amendments")
        ARCHIVED = "archived", _("Archived")

    # Seen by visitors: the adopted text (an amendment being prepared edits a published
    # plan, whose page says so until the amendment is adopted).
    PUBLISHED_STATUSES = (Status.ADOPTED, Status.AMENDING, Status.AMENDED, Status.ARCHIVED)
    # The texts are read-only (plan/freeze.py): changed only by an amendment.
    FROZEN_STATUSES = (Status.ADOPTED, Status.AMENDED, Status.ARCHIVED)

    year = models.PositiveIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_by = models.CharField(_("adopted by"), max_length=200, blank=True)
    decision_reference = models.CharField(
        _("decision reference"),
        max_length=100,
        blank=True,
        help_text=_(
            "The paragraph of the minutes, e.g. “§ 12”. Set by the adoption; empty where "
            "the decision's reference is not known."
        ),
    )
    editorial_note = models.TextField(
        _("note on the text"),
        blank=True,
        help_text=_(
            "Shown on the plan page: e.g. which obvious typos of the adopted document are "
            "corrected."
        ),
        **max_text(DESCRIPTION),
    )
    introduction_heading = models.CharField(_("introduction heading"), max_length=200, blank=True)
    introduction = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_(
            "Paragraphs are separated by a blank line; lines starting with “- ” form a list."
        ),
        **max_text(BODY_TEXT),
    )
    priorities_intro = models.CharField(
        _("lead-in to the prioritised areas"), max_length=300, blank=True
    )
    public_followup_comments = models.BooleanField(
        _("follow-up comments are public"),
        default=False,
        help_text=_(
            "Off: the comments of activity owners' reports are shown to logged-in members "
            "only. On: visitors see them too."
        ),
    )
    budget_public = models.BooleanField(
        _("budget is public"),
        default=False,
        help_text=_(
            "Off: the budget (planned and actual amounts) is shown to the board and the "
            "secretariat only. On: everyone sees it on the plan's pages."
        ),
    )

    # The texts as they stood when an amendment was started: what the amendment's
    # decision is compared against. Empty when no amendment is being prepared.
    amendment_base = models.JSONField(
        _("texts before the amendment"), default=dict, blank=True, editable=False
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        permissions = [
            ("view_draft_plan", _("Can see draft plans")),
            ("view_followup_dashboard", _("Can see the follow-up dashboard")),
            ("request_followup_report", _("Can request the yearly follow-up report")),
            ("adopt_plan", _("Can record the adoption and amendments of a plan")),
            ("view_budget", _("Can see the budget of plans whose budget is not public")),
        ]

    def __str__(self):
        return self.title or str(self.year)

    def get_absolute_url(self):
        return reverse("plan:plan_detail", kwargs={"year": self.year})

    @property
    def is_published(self):
        return self.status in self.PUBLISHED_STATUSES

    @property
    def is_frozen(self) -> bool:
        """Adopted (or amended, or archived): its texts change only by an amendment."""
        return self.status in self.FROZEN_STATUSES


class DirectionGoal(models.Model):
    """An inriktningsmål, set by the council meeting."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="direction_goals"
    )
    slug = models.SlugField(_("short name"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("direction goal")
        verbose_name_plural = _("direction goals")
        constraints = [
            models.UniqueConstraint(fields=["plan", "slug"], name="unique_direction_goal_slug")
        ]

    def __str__(self):
        return self.name


class PriorityArea(models.Model):
    """One of the year's prioritised areas."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="priority_areas"
    )
    title = models.CharField(_("title"), max_length=200)
    programme = models.CharField(
        _("programme"), max_length=3, choices=Programme.choices, blank=True
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("prioritised area")
        verbose_name_plural = _("prioritised areas")

    def __str__(self):
        return self.title


class PriorityAreaItem(models.Model):
    area = models.ForeignKey(
        PriorityArea,
        verbose_name=_("prioritised area"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    text = models.TextField(_("text"), **max_text(ITEM_TEXT))
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["area", "order"]
        verbose_name = _("point under a prioritised area")
        verbose_name_plural = _("points under prioritised areas")

    def __str__(self):
        return self.text[:80]


class Section(models.Model):
    """A node of the plan's numbered tree (1, 1.1, the sub-sections under 1.1 … 4.2)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="sections"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    slug = models.SlugField(_("short name"), max_length=100)
    number = models.CharField(
        _("number"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\d+(\.\d+)*$", _("A number such as 1, 1.2 or 2.3.1."))],
        help_text=_("As printed, e.g. 1.2. Empty for unnumbered sub-sections."),
    )
    heading = models.CharField(_("heading"), max_length=300)
    body = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "Paragraphs are separated by a blank line; lines starting with “- ” form a list."
        ),
        **max_text(BODY_TEXT),
    )
    closing = models.TextField(
        _("closing text"),
        blank=True,
        help_text=_("Text shown after the goals and activities."),
        **max_text(BODY_TEXT),
    )
    programme = models.CharField(
        _("programme"), max_length=3, choices=Programme.choices, blank=True
    )
    direction_goal = models.ForeignKey(
        DirectionGoal,
        verbose_name=_("direction goal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sections",
    )
    order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Position in the whole plan, in document order.")
    )
    planned_amount = planned_amount_field()
    actual_amount = actual_amount_field()

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [models.UniqueConstraint(fields=["plan", "slug"], name="unique_section_slug")]

    def __str__(self):
        return f"{self.number} {self.heading}".strip()

    def get_absolute_url(self):
        return links.section_url(self.plan.year, self.slug)


class Goal(models.Model):
    """An overall goal (övergripande mål) of a section."""

    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="goals"
    )
    text = models.TextField(_("text"), **max_text(ITEM_TEXT))
    order = models.PositiveIntegerField(_("order"), default=0)
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_to",
        help_text=_("The same goal in an earlier year's plan (set when a plan is rolled over)."),
    )

    class Meta:
        ordering = ["section", "order", "pk"]
        verbose_name = _("overall goal")
        verbose_name_plural = _("overall goals")

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return links.goal_url(self.section.plan.year, self.pk)


class Activity(models.Model):
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="activities"
    )
    text = models.TextField(_("text"), **max_text(ITEM_TEXT))
    order = models.PositiveIntegerField(_("order"), default=0)
    owners = models.ManyToManyField(
        Person, verbose_name=_("owners"), blank=True, related_name="owned_activities"
    )
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("organisations"), blank=True, related_name="activities"
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    goals = models.ManyToManyField(
        Goal,
        through="ActivityGoal",
        verbose_name=_("contributes to goals"),
        blank=True,
        related_name="activities",
    )
    planned_amount = planned_amount_field()
    actual_amount = actual_amount_field()

    class Meta:
        ordering = ["section", "order", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return links.activity_url(self.section.plan.year, self.pk)


class ActivityGoal(models.Model):
    """An activity contributes to an overall goal of the same year's plan; `order` is
    the order of the activity's goals."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="goal_links"
    )
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("overall goal"),
        on_delete=models.CASCADE,
        related_name="activity_links",
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["activity", "order", "pk"]
        verbose_name = _("contribution to a goal")
        verbose_name_plural = _("contributions to goals")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "goal"],
                name="unique_activity_goal",
                violation_error_message=_("The activity is already linked to this goal."),
            )
        ]

    def __str__(self):
        return f"{self.activity} → {self.goal}"

    def clean(self):
        # The activity may be a new, unsaved one (the admin's add page, where its goals
        # are an inline): compare through the objects, not the ids.
        try:
            activity, goal = self.activity, self.goal
        except ObjectDoesNotExist:
            return
        if activity.section_id is None:
            return
        activity_plan = activity.section.plan
        goal_plan = goal.section.plan
        if activity_plan.pk != goal_plan.pk:
            # Not tied to a field: in the goal's admin the activity is the visible
            # column, in the activity's admin the goal.
            raise ValidationError(
                _(
                    "Goal %(goal)s belongs to the plan for %(goal_year)s, the activity to "
                    "the plan for %(activity_year)s. Link goals of the same year only."
                )
                % {
                    "goal": goal.pk,
                    "goal_year": goal_plan.year,
                    "activity_year": activity_plan.year,
                },
                code="other_plan",
            )


class CommunicationPriority(models.Model):
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="communication_priorities",
    )
    text = models.TextField(_("text"), **max_text(ITEM_TEXT))
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("communication priority")
        verbose_name_plural = _("communication priorities")

    def __str__(self):
        return self.text[:80]


class ReportingPeriod(models.Model):
    """A follow-up period of a plan, e.g. tertial 1, with a due date for reports."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="periods"
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("short name"),
        max_length=50,
        blank=True,
        help_text=_("Names the period in imported files; t1, t2 and year for the default ones."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    due_date = models.DateField(_("due date"))
    is_locked = models.BooleanField(
        _("locked"), default=False, help_text=_("A locked period takes no more reports.")
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["plan", "order", "due_date"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "slug"],
                condition=~models.Q(slug=""),
                name="unique_reporting_period_slug",
                violation_error_message=_("The plan already has a period with this short name."),
            )
        ]

    def __str__(self):
        return f"{self.name} {self.plan.year}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The period cannot end before it starts.")})

    def check_takes(self, *, plan_id: int, adding: bool, other_plan: str, locked: str) -> None:
        """Raise ValidationError unless this period may take a record (a status update,
        a goal assessment) of the plan `plan_id`: it must be that plan's, and a new record
        is refused while the period is locked. Only new records are checked against the
        lock, so history made before the period was locked stays valid. `other_plan` and
        `locked` are the messages (``locked`` with a ``%(period)s`` placeholder)."""
        if plan_id != self.plan_id:
            raise ValidationError({"period": other_plan}, code="other_plan")
        if adding and self.is_locked:
            raise ValidationError({"period": locked % {"period": self.name}}, code="locked")

    def is_open_on(self, day: datetime.date) -> bool:
        """Open for reports: not locked, and already started on `day`."""
        return not self.is_locked and self.starts_on <= day


class Status(models.Model):
    """A follow-up status defined by the secretariat (e.g. on track, delayed)."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("short name"),
        max_length=50,
        unique=True,
        help_text=_("Names the status in imported and exported files."),
    )
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#666666",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour such as #1a7f37."))],
        help_text=_(
            "Used in the charts next to the status name. Choose a colour with a contrast of "
            "at least 3:1 against white."
        ),
    )
    default_progress = models.PositiveSmallIntegerField(
        _("default progress (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("The progress a report gets with this status when none is given."),
    )
    is_delayed = models.BooleanField(
        _("counts as late"),
        default=False,
        help_text=_("Activities reported with this status are listed as late on the dashboard."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("status")
        verbose_name_plural = _("statuses")

    def __str__(self):
        return self.name


class StatusUpdate(models.Model):
    """One report on an activity for a period. Never edited in place: a new report is a
    new row, so the history stays."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="status_updates",
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="status_updates",
    )
    status = models.ForeignKey(
        Status, verbose_name=_("status"), on_delete=models.PROTECT, related_name="updates"
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    comment = models.TextField(_("comment"), blank=True, **max_text(COMMENT))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="status_updates",
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        ordering = ["activity", "-reported_at", "-pk"]
        indexes = [
            models.Index(
                fields=["activity", "period", "-reported_at"], name="statusupdate_latest_idx"
            )
        ]
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        permissions = [
            ("report_own_activity", _("Can report follow-up on activities they own")),
        ]

    def __str__(self):
        return f"{self.activity} – {self.period}: {self.status} {self.progress} %"

    def clean(self):
        if self.activity_id is None or self.period_id is None:
            return
        self.period.check_takes(
            plan_id=self.activity.section.plan_id,
            adding=self._state.adding,
            other_plan=_("The period belongs to another year's plan than the activity."),
            locked=_(
                "%(period)s is locked: it takes no more reports. Ask the "
                "secretariat if something must be corrected."
            ),
        )


COLOUR_VALIDATOR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour such as #1a7f37."))


class AssessmentLevel(models.Model):
    """A step of the scale goals are assessed on (e.g. achieved, partly achieved),
    defined by the secretariat."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("short name"),
        max_length=50,
        unique=True,
        help_text=_("Names the level in imported and exported files."),
    )
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#666666",
        validators=[COLOUR_VALIDATOR],
        help_text=_(
            "Shown next to the level's name, never instead of it. Choose a colour with a "
            "contrast of at least 4.5:1 against white."
        ),
    )
    counts_as_assessed = models.BooleanField(
        _("counts as assessed"),
        default=True,
        help_text=_("Off for a level such as “not assessed”: the goal has no assessment yet."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("assessment level")
        verbose_name_plural = _("assessment levels")

    def __str__(self):
        return self.name


class GoalAssessment(models.Model):
    """How far a goal was achieved in a reporting period, with an analysis. Never edited
    in place: a new assessment is a new row, so the history stays."""

    goal = models.ForeignKey(
        Goal, verbose_name=_("overall goal"), on_delete=models.CASCADE, related_name="assessments"
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="goal_assessments",
    )
    level = models.ForeignKey(
        AssessmentLevel,
        verbose_name=_("assessment"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    analysis = models.TextField(_("analysis"), blank=True, **max_text(COMMENT))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="goal_assessments",
    )
    assessed_at = models.DateTimeField(_("assessed at"), auto_now_add=True)

    class Meta:
        ordering = ["goal", "-assessed_at", "-pk"]
        indexes = [
            models.Index(
                fields=["goal", "period", "-assessed_at"], name="goalassessment_latest_idx"
            )
        ]
        verbose_name = _("goal assessment")
        verbose_name_plural = _("goal assessments")

    def __str__(self):
        return f"{self.goal} – {self.period}: {self.level}"

    def clean(self):
        if self.goal_id is None or self.period_id is None:
            return
        self.period.check_takes(
            plan_id=self.goal.section.plan_id,
            adding=self._state.adding,
            other_plan=_("The period belongs to another year's plan than the goal."),
            locked=_(
                "%(period)s is locked: it takes no more assessments. Ask the "
                "secretariat to unlock it if something must be corrected."
            ),
        )


class Indicator(models.Model):
    """A key figure of the plan (population, share of GDP, commuters …), with a baseline
    and a target. It belongs to at most one of a plan, a section or a goal."""

    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = "higher_is_better", _("Higher is better")
        LOWER_IS_BETTER = "lower_is_better", _("Lower is better")

    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        help_text=_("For a key figure of the whole plan."),
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
    )
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("overall goal"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
    )
    direction = models.CharField(
        _("direction"),
        max_length=20,
        choices=Direction.choices,
        default=Direction.HIGHER_IS_BETTER,
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveIntegerField(
        _("baseline year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2200)],
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_year = models.PositiveIntegerField(
        _("target year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2200)],
    )
    note = models.TextField(_("note"), blank=True, **max_text(DESCRIPTION))
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_to",
        help_text=_(
            "The same indicator in an earlier year's plan (set when a plan is rolled over)."
        ),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(plan__isnull=True, section__isnull=True)
                    | models.Q(plan__isnull=True, goal__isnull=True)
                    | models.Q(section__isnull=True, goal__isnull=True)
                ),
                name="indicator_one_owner",
                violation_error_message=_(
                    "An indicator belongs to one of a plan, a section or a goal, not several."
                ),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        owners = [f for f in ("plan", "section", "goal") if getattr(self, f"{f}_id")]
        if len(owners) > 1:
            errors["__all__"] = _(
                "An indicator belongs to one of a plan, a section or a goal, not several: "
                "choose one."
            )
        if (
            self.baseline_year is not None
            and self.target_year is not None
            and self.target_year < self.baseline_year
        ):
            errors["target_year"] = _(
                "The target year (%(target)s) is before the baseline year (%(baseline)s): "
                "a target is reached after its baseline."
            ) % {"target": self.target_year, "baseline": self.baseline_year}
        if (self.baseline_value is None) != (self.baseline_year is None):
            errors.setdefault(
                "baseline_year", _("Give the baseline as a value and its year, or neither.")
            )
        if (self.target_value is None) != (self.target_year is None):
            errors.setdefault(
                "target_year", _("Give the target as a value and its year, or neither.")
            )
        if errors:
            raise ValidationError(errors)

    @property
    def owner_plan_id(self) -> int | None:
        """The id of the plan the indicator belongs to, through its section or goal
        where it hangs there (loads them if not selected)."""
        if self.plan_id:
            return self.plan_id
        if self.section_id:
            return self.section.plan_id
        if self.goal_id:
            return self.goal.section.plan_id
        return None


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="values"
    )
    year = models.PositiveIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2200)],
        help_text=_(
            "The year the value is for, where the source says so. Leave it empty when the "
            "source gives no year: the portal never shows a year the data does not hold."
        ),
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    headline = models.CharField(
        _("headline"),
        max_length=200,
        blank=True,
        help_text=_(
            "The value as the source words it, shown instead of the bare number where the "
            "number alone would say more than the source, e.g. “över två miljoner”."
        ),
    )
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("A qualifier the bare number loses, e.g. “more than two million”."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["indicator", models.F("year").desc(nulls_last=True), "-pk"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="unique_indicator_year")
        ]

    def __str__(self):
        if self.year is None:
            return f"{self.indicator}: {self.value}"
        return f"{self.indicator}: {self.value} ({self.year})"


def report_build_stale_after() -> datetime.timedelta:
    """A build "running" for longer than this has lost its worker: Celery's hard time
    limit (REPORT_BUILD_TIME_LIMIT) would have stopped it before, plus a minute."""
    return datetime.timedelta(seconds=settings.REPORT_BUILD_TIME_LIMIT + 60)


def _report_upload_to(instance, filename):
    # A random directory: if the media directory is ever served as it is, a report's
    # address still cannot be guessed. Downloads go through a view that checks access.
    return f"reports/{instance.plan.year}/{uuid.uuid4().hex}/{filename}"


class ReportRequest(models.Model):
    """The board's request for the yearly follow-up report of a plan; a Celery task
    builds the file, which is kept for download later."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", _("Excel (XLSX)")
        CSV = "csv", "CSV"

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="report_requests"
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_requests",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    error = models.TextField(_("error message"), blank=True)
    file = models.FileField(_("file"), upload_to=_report_upload_to, blank=True, max_length=300)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The Celery task id of the build that claimed the request. A task delivered again
    # with the same id (its worker was killed: task_reject_on_worker_lost) finds its own
    # claim and takes it over; any other task leaves a running build alone.
    build_task_id = models.CharField(_("claimed by task"), max_length=64, blank=True)
    # What the file was built from (plan.report_files.data_version): a file whose
    # version is the current one is served at once instead of building it again.
    data_version = models.CharField(_("data version"), max_length=40, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")

    def __str__(self):
        return f"{self.plan.year} {self.get_format_display()} ({self.language})"

    def get_absolute_url(self):
        return reverse("plan:report_request_detail", kwargs={"pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status in {self.State.QUEUED, self.State.RUNNING}

    @property
    def is_stale(self) -> bool:
        """Queued or building for longer than a build takes: its task was lost (e.g. the
        broker restarted) or its worker died, so it may be started again."""
        if self.status == self.State.QUEUED:
            since = self.queued_at or self.created_at
        elif self.status == self.State.RUNNING:
            since = self.started_at
        else:
            return False
        return since is not None and timezone.now() - since > report_build_stale_after()

    @property
    def attempts_exhausted(self) -> bool:
        """Tried MAX_BUILD_ATTEMPTS times: nothing starts it again (ask for a new one)."""
        return self.attempts >= settings.MAX_BUILD_ATTEMPTS


class PlanDecision(models.Model):
    """A decision on a plan's text: its adoption, or an amendment after it. Recorded by
    the services ``plan_adopt`` and ``plan_amendment_adopt``, with the plan's texts as
    decided (``snapshot``) and, for an amendment, as they stood before it
    (``base_snapshot``), so the plan's page can show each version and what changed."""

    class Kind(models.TextChoices):
        ADOPTION = "adoption", _("Adoption")
        AMENDMENT = "amendment", _("Amendment")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="decisions"
    )
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    decided_on = models.DateField(_("decided on"))
    body = models.CharField(
        _("decided by"), max_length=200, help_text=_("The deciding body, e.g. the board.")
    )
    reference = models.CharField(
        _("decision reference"),
        max_length=100,
        help_text=_("The paragraph of the minutes, e.g. “§ 12”."),
    )
    summary = models.TextField(_("what the decision changes"), blank=True, **max_text(DESCRIPTION))
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("signed document"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_decisions",
        help_text=_("The signed decision or minutes, attached to the plan as a document."),
    )
    snapshot = models.JSONField(_("the texts as decided"), default=dict, editable=False)
    base_snapshot = models.JSONField(
        _("the texts before the decision"), default=dict, blank=True, editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["plan", "version"]
        verbose_name = _("plan decision")
        verbose_name_plural = _("plan decisions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "version"], name="unique_plan_version")
        ]

    def __str__(self):
        return f"{self.plan.year} v{self.version}: {self.body} {self.reference}"
