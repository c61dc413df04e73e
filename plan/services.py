"""Writes for the plan's follow-up: reporting periods, status updates, goal assessments,
the links between activities and goals, the board's report requests and rolling a plan
over into next year's draft.

Every function here is the one way its write is made: the portal's forms, the admin,
the import and the Celery tasks call them. Each checks what it must, runs
``full_clean()`` and writes inside a transaction, so a refused write changes nothing.
"""

import datetime
import io
import logging
import re
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, translator

from audit.recorder import record_created
from malardal.types import Actor

from .defaults import default_periods
from .followup import REPORT_PERMISSION, user_may_report_on
from .freeze import check_plan_editable
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
    report_build_stale_after,
)
from .numbers import parse_decimal

if TYPE_CHECKING:
    from documents.models import Document

M = TypeVar("M", bound=models.Model)

logger = logging.getLogger(__name__)


# --- Reporting periods ----------------------------------------------------------------


@transaction.atomic
def reporting_periods_create_default(*, plan: Plan) -> list[ReportingPeriod]:
    """Give `plan` the default periods (tertial 1, tertial 2, the full year, each with a
    due date) if it has no periods yet. A plan that has periods — the secretariat's or
    the defaults — is left as it is, so this is safe to call again. Returns the periods
    created."""
    # Lock the plan row so two callers cannot both see "no periods" and both create.
    Plan.objects.select_for_update().filter(pk=plan.pk).first()
    if ReportingPeriod.objects.filter(plan=plan).exists():
        return []
    created = []
    for values in default_periods(plan.year):
        period = ReportingPeriod(plan=plan, **values)
        period.full_clean()
        period.save()
        created.append(period)
    return created


def reporting_periods_create_missing() -> dict[int, int]:
    """Default periods for every plan that has none (used by ``make run`` after the
    2023 plan is loaded). Returns {year: periods created}."""
    result = {}
    for plan in Plan.objects.filter(periods__isnull=True).order_by("year"):
        created = reporting_periods_create_default(plan=plan)
        if created:
            result[plan.year] = len(created)
    return result


def _set_period_lock(*, period: ReportingPeriod, locked: bool, by: Actor | None) -> ReportingPeriod:
    if by is not None and not by.has_perm("plan.change_reportingperiod"):
        raise PermissionDenied(gettext("You may not lock or unlock reporting periods."))
    with transaction.atomic():
        # The row lock orders this against a report being made for the period: the
        # report either commits before the lock or sees the period locked.
        period = (
            ReportingPeriod.objects.select_for_update().select_related("plan").get(pk=period.pk)
        )
        if period.is_locked != locked:
            period.is_locked = locked
            period.full_clean()
            period.save(update_fields=["is_locked"])
    return period


def reporting_period_lock(*, period: ReportingPeriod, by: Actor | None = None) -> ReportingPeriod:
    """Close `period`: it takes no more reports. Reports already made stay. Locking a
    locked period changes nothing."""
    return _set_period_lock(period=period, locked=True, by=by)


def reporting_period_unlock(*, period: ReportingPeriod, by: Actor | None = None) -> ReportingPeriod:
    """Open a locked period again, e.g. to let a late report in."""
    return _set_period_lock(period=period, locked=False, by=by)


# --- Status updates -------------------------------------------------------------------


def _check_progress(progress: object) -> int:
    """A whole number from 0 to 100: an int, a float without decimals (a spreadsheet
    cell) or digits in a string."""
    invalid = ValidationError(
        {"progress": _("Give the progress as a whole number from 0 to 100.")}, code="invalid"
    )
    if isinstance(progress, bool):
        raise invalid
    if isinstance(progress, int):
        value = progress
    elif isinstance(progress, float) and progress.is_integer():
        value = int(progress)
    elif isinstance(progress, str) and re.fullmatch(r"\s*[-+]?\d+\s*", progress):
        value = int(progress)
    else:
        raise invalid
    if not 0 <= value <= 100:
        raise ValidationError(
            {
                "progress": _("Progress is from 0 to 100 %%; %(value)s is outside that.")
                % {"value": value}
            },
            code="out_of_range",
        )
    return value


def status_update_create(
    *,
    activity: Activity,
    period: ReportingPeriod,
    status: Status,
    progress: int | None,
    comment: str = "",
    by: User | None,
) -> StatusUpdate:
    """Report on `activity` for `period`: a new row in the activity's history, with who
    (`by`) and when. Without `progress`, the status's default progress is used.

    Raises PermissionDenied when `by` may not report on the activity (only its owners,
    with ``plan.report_own_activity``, and the secretariat, with
    ``plan.add_statusupdate``), and ValidationError when the progress is not a whole
    number from 0 to 100, the period is locked, or it belongs to another year's plan.
    Nothing is written then.
    """
    if not user_may_report_on(by, activity):
        raise PermissionDenied(
            gettext("You can only report on activities you are responsible for.")
        )
    if progress is None or progress == "":
        progress = status.default_progress
    progress = _check_progress(progress)
    with transaction.atomic():
        # Lock the period row: a report and the locking of its period cannot cross.
        period = (
            ReportingPeriod.objects.select_for_update().select_related("plan").get(pk=period.pk)
        )
        update = StatusUpdate(
            activity=activity,
            period=period,
            status=status,
            progress=progress,
            comment=(comment or "").strip(),
            reported_by=by,
        )
        update.full_clean()
        update.save()
    return update


# --- Goals: the activities that contribute to them, and their assessments ---------------

ASSESS_PERMISSION = "plan.add_goalassessment"


def activity_goal_link(*, activity: Activity, goal: Goal, order: int | None = None) -> ActivityGoal:
    """Record that `activity` contributes to `goal` (a goal of the same year's plan).
    Linking again changes only the order, when one is given; without one a new link
    goes last.

    Raises ValidationError when the goal belongs to another year's plan; nothing is
    written then.
    """
    with transaction.atomic():
        link = ActivityGoal.objects.filter(activity=activity, goal=goal).first()
        if link is None:
            if order is None:
                last = (
                    ActivityGoal.objects.filter(activity=activity)
                    .order_by("-order")
                    .values_list("order", flat=True)
                    .first()
                )
                order = (last or 0) + 1
            link = ActivityGoal(activity=activity, goal=goal, order=order)
        elif order is None or link.order == order:
            return link
        else:
            link.order = order
        check_plan_editable(activity.section.plan)
        link.full_clean()
        link.save()
    return link


def activity_goal_save(*, link: ActivityGoal) -> ActivityGoal:
    """Save a new or changed link between an activity and a goal (the admin's inlines).

    Raises ValidationError when the goal belongs to another year's plan or the link
    exists already; nothing is written then.
    """
    with transaction.atomic():
        check_plan_editable(link.activity.section.plan)
        link.full_clean()
        link.save()
    return link


def activity_goal_delete(*, link: ActivityGoal) -> None:
    """Remove a link between an activity and a goal (refused on an adopted plan)."""
    with transaction.atomic():
        check_plan_editable(link.activity.section.plan)
        link.delete()


def activity_goal_unlink(*, activity: Activity, goal: Goal) -> bool:
    """The activity no longer contributes to the goal. Returns whether a link went."""
    with transaction.atomic():
        links = list(ActivityGoal.objects.filter(activity=activity, goal=goal))
        if links:
            check_plan_editable(activity.section.plan)
        for link in links:
            link.delete()
    return bool(links)


def activity_goals_set(*, activity: Activity, goals: list[Goal]) -> list[ActivityGoal]:
    """Make `goals`, in this order, exactly the goals `activity` contributes to (the
    import's ``goals`` column). Links to other goals are removed.

    Raises ValidationError naming the first goal of another year's plan; nothing is
    written then.
    """
    unique = list(dict.fromkeys(goals))
    with transaction.atomic():
        current = list(
            ActivityGoal.objects.filter(activity=activity)
            .order_by("order", "pk")
            .values_list("goal_id", flat=True)
        )
        if current == [goal.pk for goal in unique]:
            return list(ActivityGoal.objects.filter(activity=activity).order_by("order", "pk"))
        check_plan_editable(activity.section.plan)
        keep = {goal.pk for goal in unique}
        for link in ActivityGoal.objects.filter(activity=activity).exclude(goal_id__in=keep):
            link.delete()
        return [
            activity_goal_link(activity=activity, goal=goal, order=position)
            for position, goal in enumerate(unique, start=1)
        ]


def goal_assessment_create(
    *,
    goal: Goal,
    period: ReportingPeriod,
    level: AssessmentLevel,
    analysis: str,
    user: User | None,
    analysis_en: str = "",
) -> GoalAssessment:
    """Record how far `goal` was achieved in `period`: a new row in the goal's history,
    with who (`user`) and when; `analysis` is the Swedish analysis, `analysis_en` its
    English translation (may be empty). Earlier assessments stay as they are. The audit
    trail records the new row.

    Raises PermissionDenied without ``plan.add_goalassessment`` (the board and the
    secretariat have it), and ValidationError when the period is locked or belongs to
    another year's plan than the goal. Nothing is written then.
    """
    if user is None or not user.has_perm(ASSESS_PERMISSION):
        raise PermissionDenied(gettext("You may not assess goals."))
    with transaction.atomic():
        # Lock the period row: an assessment and the locking of its period cannot cross.
        period = (
            ReportingPeriod.objects.select_for_update().select_related("plan").get(pk=period.pk)
        )
        assessment = GoalAssessment(
            goal=goal,
            period=period,
            level=level,
            analysis_sv=(analysis or "").strip(),
            analysis_en=(analysis_en or "").strip(),
            assessed_by=user,
        )
        assessment.full_clean()
        assessment.save()
    return assessment


# --- The board's report requests ------------------------------------------------------


class TemporaryReportError(Exception):
    """Building the report failed for a reason that may pass (the database or the file
    storage did not answer); the task retries."""


def _enqueue_build(report_request: ReportRequest) -> None:
    from .tasks import build_followup_report

    pk = report_request.pk
    transaction.on_commit(lambda: build_followup_report.delay(pk))


def report_request_create(
    *, plan: Plan, format: str, language: str, by: User | None
) -> ReportRequest:
    """Ask for the yearly follow-up report of `plan` in `format` (pdf, xlsx, csv) and
    `language` (sv, en). A Celery task builds it once the request is committed.

    Raises PermissionDenied without ``plan.request_followup_report`` and
    ValidationError for an unknown format or language.
    """
    from .report_files import data_version

    if by is None or not by.has_perm(REPORT_PERMISSION):
        raise PermissionDenied(gettext("You may not request the follow-up report."))
    with transaction.atomic():
        report_request = ReportRequest(
            plan=plan,
            format=format,
            language=language,
            requested_by=by,
            queued_at=timezone.now(),
            data_version=data_version(),
        )
        report_request.full_clean()
        report_request.save()
        _enqueue_build(report_request)
    return report_request


def report_request_current(
    *,
    plan: Plan,
    format: str,
    language: str,
    by: User | None = None,
    version: str | None = None,
) -> ReportRequest:
    """The report file of `plan` in `format` and `language` for the data as it is now
    (plan.report_files.data_version): a build of it that is ready, queued or running is
    returned as it is; otherwise a new one is queued, so the same data is built once.

    `by` is the board member who asks ("Order a new report"; needs
    ``plan.request_followup_report``, else PermissionDenied), or None for the
    background refresh. ValidationError for an unknown format or language."""
    from .report_files import data_version

    if by is not None and not by.has_perm(REPORT_PERMISSION):
        raise PermissionDenied(gettext("You may not request the follow-up report."))
    version = version if version is not None else data_version()
    with transaction.atomic():
        # Serialise the check and the insert per plan: two clicks build once.
        Plan.objects.select_for_update().filter(pk=plan.pk).first()
        existing = (
            ReportRequest.objects.filter(
                plan=plan,
                format=format,
                language=language,
                data_version=version,
                status__in=[
                    ReportRequest.State.QUEUED,
                    ReportRequest.State.RUNNING,
                    ReportRequest.State.DONE,
                ],
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if existing is not None and not existing.is_stale:
            return existing
        report_request = ReportRequest(
            plan=plan,
            format=format,
            language=language,
            requested_by=by,
            queued_at=timezone.now(),
            data_version=version,
        )
        report_request.full_clean()
        report_request.save()
        _enqueue_build(report_request)
    return report_request


def report_files_refresh() -> list[ReportRequest]:
    """Build the report files (plan.report_files.READY_FORMATS, every language) of the
    adopted plans that are not current. The background task after a change calls it;
    safe to run twice (report_request_current builds the same data once)."""
    from .report_files import READY_FORMATS, data_version

    version = data_version()
    result = []
    for plan in Plan.objects.filter(status=Plan.Status.ADOPTED).order_by("-year"):
        for fmt in READY_FORMATS:
            for language, _name in settings.LANGUAGES:
                result.append(
                    report_request_current(
                        plan=plan, format=fmt, language=language, version=version
                    )
                )
    return result


def report_request_retry(*, report_request: ReportRequest, by: Actor | None) -> ReportRequest:
    """Queue a failed request again, or one that has waited or been building for longer
    than a build takes (its task was lost). Any other request is left alone, so a double
    click does not start two builds; so is one tried MAX_BUILD_ATTEMPTS times already
    (it stays failed: ask for a new one)."""
    if by is None or not by.has_perm(REPORT_PERMISSION):
        raise PermissionDenied(gettext("You may not request the follow-up report."))
    now = timezone.now()
    cutoff = now - report_build_stale_after()
    retryable = (
        Q(status=ReportRequest.State.FAILED)
        | Q(status=ReportRequest.State.QUEUED, queued_at__lt=cutoff)
        | Q(status=ReportRequest.State.QUEUED, queued_at__isnull=True, created_at__lt=cutoff)
        | Q(status=ReportRequest.State.RUNNING, started_at__lt=cutoff)
    ) & Q(attempts__lt=settings.MAX_BUILD_ATTEMPTS)
    with transaction.atomic():
        changed = ReportRequest.objects.filter(retryable, pk=report_request.pk).update(
            status=ReportRequest.State.QUEUED,
            error="",
            queued_at=now,
            started_at=None,
            finished_at=None,
            build_task_id="",
        )
        if changed:
            _enqueue_build(report_request)
    report_request.refresh_from_db()
    return report_request


def _lost(now: datetime.datetime, token: str = "") -> Q:
    """Builds whose worker is gone: "running" past the time limit, or — when `token` is
    given — claimed by this very task, delivered again because its worker was killed
    (task_reject_on_worker_lost). Redis only redelivers an unacknowledged task after its
    visibility timeout (an hour), far beyond the time limit, so a task id is never
    running twice at once."""
    lost = Q(status=ReportRequest.State.RUNNING, started_at__lt=now - report_build_stale_after())
    if token:
        lost |= Q(status=ReportRequest.State.RUNNING, build_task_id=token)
    return lost


def _claim(request_id: int, token: str = "") -> bool:
    """Move the request to "running" if it is queued (or its last build was lost) and
    has attempts left. Only one worker wins: the update is conditional and counts its
    rows."""
    now = timezone.now()
    claimable = (Q(status=ReportRequest.State.QUEUED) | _lost(now, token)) & Q(
        attempts__lt=settings.MAX_BUILD_ATTEMPTS
    )
    return bool(
        ReportRequest.objects.filter(claimable, pk=request_id).update(
            status=ReportRequest.State.RUNNING,
            started_at=now,
            build_task_id=token,
            attempts=models.F("attempts") + 1,
        )
    )


def _give_up(candidates: Q) -> list[int]:
    """Mark failed the `candidates` (waiting or lost builds) that have used up their
    MAX_BUILD_ATTEMPTS; the message, in the request's language, keeps the last error."""
    given_up = []
    exhausted = candidates & Q(attempts__gte=settings.MAX_BUILD_ATTEMPTS)
    for report_request in ReportRequest.objects.filter(exhausted):
        with translation.override(report_request.language):
            error = gettext(
                "The report could not be built: it was started %(count)d times and did "
                "not finish (the server stopped or did not answer during the build)."
            ) % {"count": report_request.attempts}
        if report_request.error:
            error = f"{error} {report_request.error}"
        changed = ReportRequest.objects.filter(exhausted, pk=report_request.pk).update(
            status=ReportRequest.State.FAILED, error=error[:2000], finished_at=timezone.now()
        )
        if changed:
            logger.warning(
                "Report request %s: given up after %s attempts",
                report_request.pk,
                report_request.attempts,
            )
            given_up.append(report_request.pk)
    return given_up


def report_request_build(*, request_id: int, claim: str = "") -> ReportRequest | None:
    """Build the file of a queued request and keep it. Safe to run twice: a request
    that another worker has claimed, or that is done, is left alone (returns None).
    `claim` is the calling task's id: the same task delivered again after its worker
    died takes its own claim over.

    On success the request is "done" with its file; on an error in the data or the
    templates it is "failed" with a message saying why. A temporary error (database,
    file storage) puts it back in the queue and raises TemporaryReportError for the
    task to retry. A request that has been started MAX_BUILD_ATTEMPTS times is not
    started again: it is marked failed.
    """
    from .reports import build_followup_report_file

    if not _claim(request_id, claim):
        now = timezone.now()
        _give_up((Q(status=ReportRequest.State.QUEUED) | _lost(now, claim)) & Q(pk=request_id))
        return None
    report_request = ReportRequest.objects.select_related("plan").get(pk=request_id)
    try:
        name, content = build_followup_report_file(
            report_request.plan, fmt=report_request.format, language=report_request.language
        )
        report_request.file.save(name, ContentFile(content), save=False)
    except (OperationalError, InterfaceError, OSError) as exc:
        logger.warning("Report request %s: temporary error: %s", request_id, exc)
        ReportRequest.objects.filter(pk=request_id).update(
            status=ReportRequest.State.QUEUED,
            started_at=None,
            queued_at=timezone.now(),
            error=_describe(exc)[:2000],
        )
        raise TemporaryReportError(str(exc)) from exc
    except Exception as exc:
        logger.exception("Report request %s failed", request_id)
        return report_request_fail(request_id=request_id, error=_describe(exc))
    ReportRequest.objects.filter(pk=request_id).update(
        status=ReportRequest.State.DONE,
        file=report_request.file.name,
        error="",
        finished_at=timezone.now(),
        page_count=_page_count(content) if report_request.format == "pdf" else None,
    )
    report_request.refresh_from_db()
    return report_request


def report_requests_recover(*, now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """Pick up builds nobody is working on (beat runs this every JOB_RECOVERY_SECONDS
    through ops.tasks.recover_jobs): requests queued for longer than that (their message
    was lost, e.g. with a Redis restart) and builds "running" past the time limit (their
    worker died) are queued again; those tried MAX_BUILD_ATTEMPTS times are marked
    failed instead. Safe to run twice and beside the workers: a request queued again
    while its first message is still on its way is built once (the claim). Returns the
    ids, {"requeued": [...], "failed": [...]}."""
    now = now or timezone.now()
    waited = now - datetime.timedelta(seconds=settings.JOB_RECOVERY_SECONDS)
    candidates = (
        Q(status=ReportRequest.State.QUEUED, queued_at__lt=waited)
        | Q(status=ReportRequest.State.QUEUED, queued_at__isnull=True, created_at__lt=waited)
        | _lost(now)
    )
    failed = _give_up(candidates)
    requeued = []
    again = candidates & Q(attempts__lt=settings.MAX_BUILD_ATTEMPTS)
    for pk in ReportRequest.objects.filter(again).values_list("pk", flat=True):
        with transaction.atomic():
            changed = ReportRequest.objects.filter(again, pk=pk).update(
                status=ReportRequest.State.QUEUED, queued_at=now, started_at=None, build_task_id=""
            )
            if changed:
                _enqueue_build(ReportRequest(pk=pk))
                requeued.append(pk)
    if requeued:
        logger.warning("Report requests queued again (lost builds): %s", requeued)
    return {"requeued": requeued, "failed": failed}


def _page_count(content: bytes) -> int | None:
    """The number of pages of a PDF, for "PDF, 23 pages" on the follow-up page."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            return len(pdf.pages)
    except pikepdf.PdfError:
        logger.warning("Could not count the pages of a report PDF", exc_info=True)
        return None


def report_request_fail(*, request_id: int, error: str) -> ReportRequest:
    """Mark a request failed with a message for the board; it can be started again."""
    ReportRequest.objects.filter(pk=request_id).update(
        status=ReportRequest.State.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    return ReportRequest.objects.get(pk=request_id)


def report_request_delete(*, report_request: ReportRequest) -> None:
    """Delete a request. Its file goes too, once the deletion is committed (the
    post_delete receiver in plan.signals, which also covers a plan deleted with its
    requests); a rolled-back deletion keeps the file."""
    with transaction.atomic():
        report_request.delete()


def _describe(exc: Exception) -> str:
    detail = str(exc).strip() or exc.__class__.__name__
    return gettext("The report could not be built: %(reason)s") % {"reason": detail}


# --- Next year's plan -----------------------------------------------------------------


def _translated_originals(model: type[models.Model]) -> set[str]:
    try:
        return set(translator.get_options_for_model(model).fields)  # type: ignore[attr-defined]
    except NotRegistered:
        return set()


def _copy(obj: M, **overrides: Any) -> M:
    """A new, unsaved copy of `obj` with `overrides`: every concrete field except the
    primary key, and the per-language columns (``text_sv``, ``text_en``) rather than the
    original translated field, so both languages are copied as they are."""
    model = type(obj)
    skip = _translated_originals(model) | {model._meta.pk.name}
    values = {}
    for field in model._meta.concrete_fields:
        if field.name in skip or field.name in overrides:
            continue
        values[field.attname] = getattr(obj, field.attname)
    for name, value in overrides.items():
        values[name] = value
    return model(**values)


def _next_year_title(title: str, year: int) -> str:
    if not title:
        return title
    replaced, count = re.subn(rf"\b{year}\b", str(year + 1), title)
    return replaced if count else f"{title} {year + 1}"


def plan_roll_over(*, plan: Plan, by: Actor | None = None) -> Plan:
    """Turn `plan` into next year's draft: a new plan for ``year + 1`` with copies of
    its texts (both languages), direction goals, prioritised areas and their items,
    communication priorities, the section tree with each section's text, programme and
    direction goal, the goals, and the activities with their owners and organisations.
    Each goal and indicator copied points back to its original (``carried_from``), and
    the activities keep their links to the goals they contribute to. Indicators keep
    their baseline and target; their values stay with the year they were recorded for.
    Status updates, goal assessments, events, activity dates, budget amounts (each
    year's budget is its own decision) and the adoption with its decisions are not
    copied: the new draft is editable. The new plan
    is a draft (hidden from visitors) and gets the default reporting periods.

    Raises PermissionDenied without ``plan.add_plan``, and ValidationError when the
    plan is a draft or next year's plan exists already.
    """
    if by is not None and not by.has_perm("plan.add_plan"):
        raise PermissionDenied(gettext("You may not create plans."))
    if not plan.is_frozen:
        raise ValidationError(
            _("Only an adopted plan can be rolled over; the plan for %(year)s is %(status)s.")
            % {"year": plan.year, "status": plan.get_status_display().lower()}
        )
    new_year = plan.year + 1
    with transaction.atomic():
        if Plan.objects.filter(year=new_year).exists():
            raise ValidationError(_("There is already a plan for %(year)s.") % {"year": new_year})
        titles = {
            name: _next_year_title(getattr(plan, name), plan.year)
            for name in ("title_sv", "title_en")
        }
        new_plan = _copy(
            plan,
            year=new_year,
            status=Plan.Status.DRAFT,
            adopted_on=None,
            adopted_by_sv="",
            adopted_by_en="",
            decision_reference="",
            amendment_base={},
            **titles,
        )
        new_plan.full_clean()
        new_plan.save()

        # Keyed by the id a section points to (None: no direction goal, no copy).
        goal_map: dict[int | None, DirectionGoal] = {}
        for direction_goal in DirectionGoal.objects.filter(plan=plan).order_by("order", "pk"):
            goal_copy = _copy(direction_goal, plan=new_plan)
            goal_copy.full_clean()
            goal_copy.save()
            goal_map[direction_goal.pk] = goal_copy

        items_written = []
        for area in PriorityArea.objects.filter(plan=plan).prefetch_related("items"):
            area_copy = _copy(area, plan=new_plan)
            area_copy.full_clean()
            area_copy.save()
            items = [_copy(item, area=area_copy) for item in area.items.all()]
            for item in items:
                item.full_clean()
            items_written.extend(PriorityAreaItem.objects.bulk_create(items))

        priorities = [
            _copy(p, plan=new_plan) for p in CommunicationPriority.objects.filter(plan=plan)
        ]
        for priority in priorities:
            priority.full_clean()
        CommunicationPriority.objects.bulk_create(priorities)

        sections = list(Section.objects.filter(plan=plan).order_by("order", "pk"))
        section_map: dict[int, Section] = {}
        for section in sections:
            section_copy = _copy(
                section,
                plan=new_plan,
                parent=None,
                direction_goal=goal_map.get(section.direction_goal_id),
                planned_amount=None,
                actual_amount=None,
            )
            section_copy.full_clean()
            section_map[section.pk] = section_copy
        Section.objects.bulk_create(section_map.values())
        with_parent = []
        for section in sections:
            if section.parent_id:
                section_copy = section_map[section.pk]
                section_copy.parent = section_map[section.parent_id]
                with_parent.append(section_copy)
        Section.objects.bulk_update(with_parent, ["parent"])

        old_goals = list(Goal.objects.filter(section__plan=plan).order_by("pk"))
        overall_goal_map = {
            goal.pk: _copy(goal, section=section_map[goal.section_id], carried_from=goal)
            for goal in old_goals
        }
        for goal in overall_goal_map.values():
            goal.full_clean()
        Goal.objects.bulk_create(overall_goal_map.values())

        activities = list(
            Activity.objects.filter(section__plan=plan)
            .order_by("pk")
            .prefetch_related("owners", "organisations")
        )
        activity_map: dict[int, Activity] = {}
        for activity in activities:
            activity_copy = _copy(
                activity,
                section=section_map[activity.section_id],
                start_date=None,
                end_date=None,
                planned_amount=None,
                actual_amount=None,
            )
            activity_copy.full_clean()
            activity_map[activity.pk] = activity_copy
        Activity.objects.bulk_create(activity_map.values())
        # The auto-created through models (no class of their own to name).
        owners: Any = Activity.owners.through
        organisations: Any = Activity.organisations.through
        owners.objects.bulk_create(
            owners(activity_id=activity_map[a.pk].pk, person_id=p.pk)
            for a in activities
            for p in a.owners.all()
        )
        organisations.objects.bulk_create(
            organisations(activity_id=activity_map[a.pk].pk, organisation_id=o.pk)
            for a in activities
            for o in a.organisations.all()
        )
        goal_links = ActivityGoal.objects.bulk_create(
            [
                ActivityGoal(
                    activity_id=activity_map[link.activity_id].pk,
                    goal_id=overall_goal_map[link.goal_id].pk,
                    order=link.order,
                )
                for link in ActivityGoal.objects.filter(activity__section__plan=plan)
            ]
        )
        _roll_over_indicators(
            plan=plan, new_plan=new_plan, section_map=section_map, goal_map=overall_goal_map
        )

        # bulk_create() sends no signals: one audit entry per row it wrote (issue 11),
        # with the sections' parents and the activities' owners and organisations.
        record_created(items_written)
        record_created(priorities)
        record_created(section_map.values())
        record_created(overall_goal_map.values())
        record_created(goal_links)
        record_created(activity_map.values())

        reporting_periods_create_default(plan=new_plan)
    return new_plan


def _next_year_slug(slug: str, new_year: int) -> str:
    base = re.sub(r"-\d{4}$", "", slug)
    candidate = f"{base}-{new_year}"[:100]
    if not Indicator.objects.filter(slug=candidate).exists():
        return candidate
    number = 2
    while Indicator.objects.filter(slug=f"{candidate[:96]}-{number}").exists():
        number += 1
    return f"{candidate[:96]}-{number}"


def _roll_over_indicators(
    *, plan: Plan, new_plan: Plan, section_map: dict[int, Section], goal_map: dict[int, Goal]
) -> None:
    """Copy the indicators of `plan` (its own, its sections' and its goals') to
    `new_plan`, each pointing back to its original. Values are not copied."""
    indicators = Indicator.objects.filter(
        Q(plan=plan) | Q(section__plan=plan) | Q(goal__section__plan=plan)
    ).order_by("order", "pk")
    for indicator in indicators:
        owner: dict[str, Plan | Section | Goal | None] = {
            "plan": None,
            "section": None,
            "goal": None,
        }
        if indicator.plan_id:
            owner["plan"] = new_plan
        elif indicator.section_id:
            owner["section"] = section_map[indicator.section_id]
        else:
            owner["goal"] = goal_map[cast(int, indicator.goal_id)]
        copy = _copy(
            indicator,
            slug=_next_year_slug(indicator.slug, new_plan.year),
            carried_from=indicator,
            **owner,
        )
        copy.full_clean()
        copy.save()


def indicator_value_save(
    *,
    indicator: Indicator,
    year: int | None,
    value: object,
    texts: dict[str, str] | None = None,
) -> IndicatorValue:
    """Record the value of `indicator` for `year` (None where the source gives no year),
    replacing the value recorded for that year. `value` may be a Decimal, a number or a
    text with a decimal comma ("37,5" is 37.5, never 37). `texts` gives the
    per-language texts by column (``source_sv``, ``note_en``, ``headline_sv`` …).

    Raises ValidationError for a value that is not a number; nothing is written then.
    """
    number = parse_decimal(value, field="value")
    with transaction.atomic():
        existing = IndicatorValue.objects.filter(indicator=indicator, year=year).first()
        row = existing or IndicatorValue(indicator=indicator, year=year)
        row.value = number
        for name, text in (texts or {}).items():
            setattr(row, name, text)
        row.full_clean()
        row.save()
    return row


# --- Adoption and amendments (issue 10, point 1) -----------------------------------------

ADOPT_PERMISSION = "plan.adopt_plan"


def _check_may_adopt(by: Actor | None) -> None:
    if by is None or not by.has_perm(ADOPT_PERMISSION):
        raise PermissionDenied(gettext("You may not record decisions on plans."))


def _check_document(plan: Plan, document: "Document | None") -> None:
    if document is None:
        return
    from django.contrib.contenttypes.models import ContentType

    if (
        document.content_type_id != ContentType.objects.get_for_model(Plan).pk
        or document.object_id != plan.pk
    ):
        raise ValidationError(
            {
                "document": _(
                    "Choose a document attached to the plan for %(year)s (attach the signed "
                    "document on the plan's page first)."
                )
                % {"year": plan.year}
            },
            code="other_document",
        )


def _record_decision(*, plan: Plan, kind: str, base: dict[str, Any], **values: Any) -> PlanDecision:
    from .versions import plan_snapshot

    last = plan.decisions.order_by("-version").values_list("version", flat=True).first()
    decision = PlanDecision(
        plan=plan,
        kind=kind,
        version=(last or 0) + 1,
        snapshot=plan_snapshot(plan),
        base_snapshot=base,
        **values,
    )
    decision.full_clean()
    decision.save()
    return decision


def plan_propose(*, plan: Plan, by: Actor | None) -> Plan:
    """Mark a draft as the proposal put to the board. Its texts stay editable; it stays
    hidden from visitors. Raises PermissionDenied without ``plan.change_plan`` and
    ValidationError when the plan is not a draft."""
    if by is None or not by.has_perm("plan.change_plan"):
        raise PermissionDenied(gettext("You may not change plans."))
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != Plan.Status.DRAFT:
            raise ValidationError(
                _("Only a draft can become a proposal; the plan for %(year)s is %(status)s.")
                % {"year": plan.year, "status": plan.get_status_display().lower()}
            )
        plan.status = Plan.Status.PROPOSAL
        plan.full_clean()
        plan.save(update_fields=["status"])
    return plan


def plan_adopt(
    *,
    plan: Plan,
    decided_on: datetime.date,
    body: str,
    reference: str,
    by: Actor | None,
    body_en: str = "",
    document: "Document | None" = None,
) -> PlanDecision:
    """Record that `body` adopted `plan` on `decided_on` by decision `reference` (e.g.
    "§ 12"), optionally with the signed `document` (one attached to the plan). The plan
    becomes adopted and its texts are frozen (plan/freeze.py); the decision keeps a
    snapshot of them (version 1). A plan that is already adopted but has no decision
    recorded (the shipped 2023 plan, whose text gives no date) gets its decision
    recorded the same way.

    Raises PermissionDenied without ``plan.adopt_plan``; ValidationError when the plan
    is not a draft or proposal (or an adopted plan without a recorded adoption), the
    date lies in the future, the reference or the body is empty, or the document belongs
    to something else. Nothing is written then.
    """
    _check_may_adopt(by)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        open_statuses = (Plan.Status.DRAFT, Plan.Status.PROPOSAL)
        unrecorded = (
            plan.status == Plan.Status.ADOPTED
            and not plan.decisions.filter(kind=PlanDecision.Kind.ADOPTION).exists()
        )
        if plan.status not in open_statuses and not unrecorded:
            raise ValidationError(
                _("The plan for %(year)s is %(status)s: its adoption is recorded already.")
                % {"year": plan.year, "status": plan.get_status_display().lower()},
                code="adopted",
            )
        _check_decision_values(decided_on=decided_on, body=body, reference=reference)
        _check_document(plan, document)
        plan.status = Plan.Status.ADOPTED
        plan.adopted_on = decided_on
        # adopted_by_sv/_en: modeltranslation's columns, unknown to the stubs.
        plan.adopted_by_sv = body.strip()  # type: ignore[attr-defined]
        plan.adopted_by_en = (body_en or "").strip()  # type: ignore[attr-defined]
        plan.adopted_by = plan.adopted_by_sv  # type: ignore[attr-defined]
        plan.decision_reference = reference.strip()
        plan.full_clean()
        plan.save()
        return _record_decision(
            plan=plan,
            kind=PlanDecision.Kind.ADOPTION,
            base={},
            decided_on=decided_on,
            body_sv=body.strip(),
            body_en=(body_en or "").strip(),
            reference=reference.strip(),
            document=document,
            recorded_by=by,
        )


def _check_decision_values(*, decided_on: datetime.date | None, body: str, reference: str) -> None:
    errors = {}
    if decided_on is None:
        errors["decided_on"] = _("Give the date of the decision.")
    elif decided_on > timezone.localdate():
        errors["decided_on"] = _("The decision's date cannot be in the future.")
    if not (body or "").strip():
        errors["body"] = _("Give the body that decided, e.g. Mälardalsrådets styrelse.")
    if not (reference or "").strip():
        errors["reference"] = _("Give the decision's reference, e.g. § 12.")
    if errors:
        raise ValidationError(errors)


def plan_amendment_start(*, plan: Plan, by: Actor | None) -> Plan:
    """Open an adopted (or amended) plan for an amendment: its texts become editable
    until ``plan_amendment_adopt`` records the decision. The plan stays public; its page
    says that an amendment is being prepared. The texts as they stand are kept, so the
    amendment's decision shows what it changed.

    Raises PermissionDenied without ``plan.adopt_plan`` and ValidationError when the
    plan is not adopted or amended (a draft is edited directly; an archived plan is
    history)."""
    from .versions import plan_snapshot

    _check_may_adopt(by)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status not in (Plan.Status.ADOPTED, Plan.Status.AMENDED):
            raise ValidationError(
                _("An amendment is made to an adopted plan; the plan for %(year)s is %(status)s.")
                % {"year": plan.year, "status": plan.get_status_display().lower()},
                code="not_adopted",
            )
        plan.amendment_base = plan_snapshot(plan)
        plan.status = Plan.Status.AMENDING
        plan.full_clean()
        plan.save(update_fields=["status", "amendment_base"])
    return plan


def plan_amendment_adopt(
    *,
    plan: Plan,
    decided_on: datetime.date,
    body: str,
    reference: str,
    by: Actor | None,
    summary: str = "",
    body_en: str = "",
    summary_en: str = "",
    document: "Document | None" = None,
) -> PlanDecision:
    """Record the decision that adopts the amendment being prepared: the plan is
    frozen again (status amended) and the decision keeps the texts before and after,
    for the version history. Its own reference (e.g. "§ 31") and date are recorded;
    the plan's first adoption stays as it was.

    Raises PermissionDenied without ``plan.adopt_plan`` and ValidationError when no
    amendment is being prepared, or for the same faults as ``plan_adopt``."""
    _check_may_adopt(by)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != Plan.Status.AMENDING:
            raise ValidationError(
                _("No amendment of the plan for %(year)s is being prepared.") % {"year": plan.year},
                code="not_amending",
            )
        _check_decision_values(decided_on=decided_on, body=body, reference=reference)
        _check_document(plan, document)
        base = plan.amendment_base or {}
        plan.status = Plan.Status.AMENDED
        plan.amendment_base = {}
        plan.full_clean()
        plan.save(update_fields=["status", "amendment_base"])
        return _record_decision(
            plan=plan,
            kind=PlanDecision.Kind.AMENDMENT,
            base=base,
            decided_on=decided_on,
            body_sv=body.strip(),
            body_en=(body_en or "").strip(),
            summary_sv=(summary or "").strip(),
            summary_en=(summary_en or "").strip(),
            reference=reference.strip(),
            document=document,
            recorded_by=by,
        )
