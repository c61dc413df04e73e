"""Follow-up pages: owners report on their activities, the board's dashboard, the
yearly report (web page, requests and downloads), the plan document and what changed
between two years. Reads are selectors (plan.followup, plan.changes), writes services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import (
    budget,
    changes,
    downloads,
    followup,
    report_files,
    reports,
    selectors,
    selectors_goals,
    services,
)
from .forms import DashboardFilterForm, ReportRequestForm, StatusReportForm
from .models import Plan, ReportRequest, Status

DASHBOARD = followup.DASHBOARD_PERMISSION
REQUEST_REPORT = followup.REPORT_PERMISSION
REFRESH_SECONDS = 3


def _visible_plan(request, year) -> Plan:
    return get_object_or_404(selectors.plans_visible_to(request.user), year=year)


# --- My activities --------------------------------------------------------------------


def _activity_forms(owned, statuses, *, bound=None):
    """A form per owned activity; `bound` = (activity pk, bound form) keeps what was
    typed in the one that was sent."""
    for group in owned:
        for item in group.activities:
            if bound is not None and bound[0] == item.activity.pk:
                item.form = bound[1]
            elif item.periods:
                item.form = StatusReportForm(
                    prefix=f"a{item.activity.pk}",
                    periods=item.periods,
                    statuses=statuses,
                    default_period=item.due_period,
                )
            else:
                item.form = None
    return owned


@login_required
@require_http_methods(["GET", "POST"])
def my_activities(request):
    """The activities the logged-in member owns, each with a report form for its open
    periods. A report goes through status_update_create; on an error the page shows
    again with the message and what was typed."""
    statuses = list(Status.objects.order_by("order", "pk"))
    owned = followup.owned_activities(request.user)
    context = {
        "owned": owned,
        "statuses": statuses,
        "has_person": hasattr(request.user, "person"),
        "owns_any": followup.owns_any_activity(request.user),
    }
    if request.method == "GET":
        _activity_forms(owned, statuses)
        context["messages"] = _place_messages(request, owned)
        return render(request, "plan/followup/my_activities.html", context)

    by_pk = {item.activity.pk: item for group in owned for item in group.activities}
    try:
        activity_pk = int(request.POST.get("activity", ""))
    except ValueError:
        activity_pk = None
    item = by_pk.get(activity_pk)
    if item is None:
        # Someone else's activity, or one with no open period: nothing is written.
        _activity_forms(owned, statuses)
        context["page_error"] = _(
            "You can only report on activities you are responsible for, in a period that "
            "is open. Nothing was saved."
        )
        return render(request, "plan/followup/my_activities.html", context, status=403)
    form = StatusReportForm(
        request.POST, prefix=f"a{item.activity.pk}", periods=item.periods, statuses=statuses
    )
    if form.is_valid():
        try:
            services.status_update_create(
                activity=item.activity,
                period=form.cleaned_data["period"],
                status=form.cleaned_data["status"],
                progress=form.cleaned_data["progress"],
                comment=form.cleaned_data["comment"],
                by=request.user,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            # Shown next to the activity (_place_messages), where the redirect lands.
            messages.success(
                request,
                _("Your report on “%(activity)s” is saved.")
                % {"activity": Truncator(item.activity.text).words(12)},
                extra_tags=f"{SAVED_TAG}{item.activity.pk}",
            )
            return redirect(f"{reverse('plan:my_activities')}#{result_anchor(item.activity.pk)}")
    _activity_forms(owned, statuses, bound=(item.activity.pk, form))
    context["failed"] = item
    return render(request, "plan/followup/my_activities.html", context, status=400)


SAVED_TAG = "saved-activity-"


def result_anchor(activity_pk: int) -> str:
    """The id of the box beside an activity that says its report was saved, or why
    not: the form posts to it and the redirect after saving lands on it."""
    return f"report-{activity_pk}-result"


def _place_messages(request, owned) -> list:
    """Give each activity the confirmation of its saved report (item.saved_message);
    return the other messages, for the top of the page."""
    by_pk = {item.activity.pk: item for group in owned for item in group.activities}
    others = []
    for message in messages.get_messages(request):
        tag = message.extra_tags or ""
        pk = tag.removeprefix(SAVED_TAG)
        if tag.startswith(SAVED_TAG) and pk.isdigit() and int(pk) in by_pk:
            by_pk[int(pk)].saved_message = message
        else:
            others.append(message)
    return others


def _add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- The board's dashboard ------------------------------------------------------------


# Up to this many activity rows the dashboard holds them all (each section's folded
# under its summary); past it, a section's rows are read only when it is opened
# (``?section=<slug>``), so the page costs what it shows (issue 12).
DASHBOARD_ROW_LIMIT = 300
# The "late or report missing" list names at most this many; the filters show the rest.
ATTENTION_LIMIT = 50


@login_required
@permission_required(DASHBOARD, raise_exception=True)
def dashboard(request, year):
    """For a chosen period (``?period=<id>``; by default the one due next), summaries
    first: the plan's progress figure with its counts (plan.rollup, through
    plan.followup.plan_progress) and goal attainment; then every goal with its
    assessment, the charts, the activities late or with a report missing, and per
    section its figure and counts with its activities folded below (a ``<details>``,
    no script). A plan of more than DASHBOARD_ROW_LIMIT rows to show lists a section's
    rows only when it is opened with ``?section=<slug>`` (an unknown one answers 404).
    ``?late=1``, ``?missing=1`` and ``?level=<slug>|none`` narrow the lists
    (plan.forms.DashboardFilterForm); a level that does not exist answers 400. A fixed
    number of queries."""
    plan = _visible_plan(request, year)
    periods = followup.plan_periods(plan)
    period = None
    wanted = request.GET.get("period")
    if wanted:
        period = next((p for p in periods if str(p.pk) == wanted), None)
        if period is None:
            raise Http404
    result = followup.plan_progress(plan, period=period, periods=periods)
    opened = None
    if request.GET.get("section"):
        opened = result.tree.by_slug.get(request.GET["section"])
        if opened is None:
            raise Http404
    attainment = selectors_goals.goal_attainment_counts(plan, result.period)
    filters = DashboardFilterForm(request.GET, levels=attainment.levels)
    if not filters.is_valid():
        return render(
            request,
            "plan/followup/dashboard_invalid.html",
            {"plan": plan, "filters": filters},
            status=400,
        )
    goals = followup.dashboard_goals(plan, result.period, result.tree)
    shown_goals = [g for g in goals if filters.keep_goal(g)]
    level_activities = None
    if filters.cleaned_data.get("level"):
        level_activities = {pk for g in shown_goals for pk in g.activity_ids}
    shown = 0
    for item in result.sections:
        item.shown = [a for a in item.activities if filters.keep(a, activity_ids=level_activities)]
        shown += len(item.shown)
    all_rows = shown <= DASHBOARD_ROW_LIMIT
    listed = []
    for item in result.sections:
        item.listed = bool(item.shown) and (all_rows or item.section == opened)
        item.opened = item.listed and (item.section == opened or filters.active)
        if item.listed:
            listed.extend(item.shown)
    attention = result.needing_attention
    followup.dashboard_rows(
        listed + attention[:ATTENTION_LIMIT],
        tree=result.tree,
        periods=periods,
        statuses=result.statuses,
    )
    # The query that keeps the period and the filters, for the sections' links.
    keep = {"period": result.period.pk if result.period else None, **filters.cleaned_data}
    query = urlencode({k: ("1" if v is True else v) for k, v in keep.items() if v})
    context = {
        "plan": plan,
        "follow": result,
        "period": result.period,
        "periods": result.periods,
        "filters": filters,
        "attainment": attainment,
        "attainment_parts": followup.attainment_parts(attainment),
        "goals": shown_goals,
        "goal_count": len(goals),
        "shown_count": shown,
        # Filtered: only the sections with an activity to show; otherwise every section
        # with activities (also one whose activities are all in its sub-sections).
        "shown_sections": (
            [s for s in result.sections_with_activities if s.shown] if filters.active else None
        ),
        "attention": attention[:ATTENTION_LIMIT],
        "attention_count": len(attention),
        "attention_more": max(0, len(attention) - ATTENTION_LIMIT),
        "opened": opened,
        "section_query": f"?{query}&section=" if query else "?section=",
        **reports.summary_charts(result),
        "other_plans": selectors.plans_visible_to(request.user).exclude(pk=plan.pk),
        # The report's files, served at once when built from the current data
        # (plan.report_files; plan/followup/report_downloads.html).
        "downloads": (
            report_files.downloads(plan, language=get_language())
            if request.user.has_perm(REQUEST_REPORT)
            else None
        ),
    }
    return render(request, "plan/followup/dashboard.html", context)


# --- The yearly report ----------------------------------------------------------------


@login_required
@permission_required(DASHBOARD, raise_exception=True)
def report_page(request, year):
    """The yearly follow-up report as a web page: the same body as the PDF."""
    plan = _visible_plan(request, year)
    context = reports.followup_report_context(
        plan, with_budget=budget.may_see_budget(request.user, plan)
    )
    return render(request, "plan/followup/report_page.html", context)


@login_required
@permission_required(REQUEST_REPORT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def report_requests(request, year):
    """Ask for the yearly report as a file, and the files asked for before."""
    plan = _visible_plan(request, year)
    if request.method == "POST":
        form = ReportRequestForm(request.POST)
        if form.is_valid():
            report_request = services.report_request_create(
                plan=plan,
                format=form.cleaned_data["format"],
                language=form.cleaned_data["language"],
                by=request.user,
            )
            return redirect(report_request)
        status = 400
    else:
        form = ReportRequestForm(initial={"language": get_language()})
        status = 200
    requests_ = list(
        ReportRequest.objects.filter(plan=plan)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")[:50]
    )
    return render(
        request,
        "plan/followup/report_requests.html",
        {"plan": plan, "form": form, "report_requests": requests_},
        status=status,
    )


@login_required
@permission_required(REQUEST_REPORT, raise_exception=True)
@require_POST
def report_current(request, year):
    """ "Order a new report" on the follow-up page: build the report of the current
    data in the page's language (plan.services.report_request_current: a build of the
    same data already ready or under way is not started again), then back to the
    page, where its progress shows."""
    plan = _visible_plan(request, year)
    fmt = request.POST.get("format", "")
    if fmt not in report_files.READY_FORMATS:
        raise BadRequest("unknown format")
    services.report_request_current(plan=plan, format=fmt, language=get_language(), by=request.user)
    return redirect(f"{reverse('plan:followup_dashboard', args=[plan.year])}#report-downloads")


def _report_request(request, pk) -> ReportRequest:
    report_request = get_object_or_404(
        ReportRequest.objects.select_related("plan", "requested_by"), pk=pk
    )
    # The plan must still be one the user may see (a draft only for the board).
    _visible_plan(request, report_request.plan.year)
    return report_request


@login_required
@permission_required(REQUEST_REPORT, raise_exception=True)
def report_request_detail(request, pk):
    """One request: while it is queued or being built the page reloads itself every
    few seconds (a meta refresh; no script)."""
    report_request = _report_request(request, pk)
    return render(
        request,
        "plan/followup/report_request.html",
        {
            "plan": report_request.plan,
            "report_request": report_request,
            "refresh": (
                REFRESH_SECONDS
                if report_request.is_pending and not report_request.is_stale
                else None
            ),
        },
    )


@login_required
@permission_required(REQUEST_REPORT, raise_exception=True)
@require_POST
def report_request_retry(request, pk):
    report_request = _report_request(request, pk)
    services.report_request_retry(report_request=report_request, by=request.user)
    return redirect(report_request)


@login_required
@permission_required(REQUEST_REPORT, raise_exception=True)
def report_request_download(request, pk):
    report_request = _report_request(request, pk)
    if report_request.status != ReportRequest.State.DONE or not report_request.file:
        raise Http404
    try:
        handle = report_request.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = reports.report_filename(
        report_request.plan, fmt=report_request.format, language=report_request.language
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=reports.CONTENT_TYPES[report_request.format],
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- The plan document ----------------------------------------------------------------


def plan_document(request, year, fmt="pdf"):
    """The plan as a PDF (tagged) or a Word document in the page's language, made once
    per version of the plan and kept in the file storage (plan.downloads)."""
    plan = _visible_plan(request, year)
    document = downloads.plan_document_file(plan=plan, language=get_language(), fmt=fmt)
    response = FileResponse(
        default_storage.open(document.path, "rb"),
        filename=document.filename,
        content_type=document.content_type,
        as_attachment=fmt != "pdf",
    )
    if not plan.is_published:
        response["Cache-Control"] = "private, no-store"
    return response


# --- What changed between two years ---------------------------------------------------


def plan_changes(request, year):
    """``/plan/2024/changes/?from=2023``: goals and activities added, removed and
    reworded, section by section. Without ``from`` the year before is compared."""
    new = _visible_plan(request, year)
    visible = selectors.plans_visible_to(request.user)
    try:
        from_year = int(request.GET.get("from") or year - 1)
    except ValueError:
        raise Http404 from None
    old = get_object_or_404(visible, year=from_year)
    if old.pk == new.pk:
        raise Http404
    return render(
        request,
        "plan/followup/changes.html",
        {
            "plan": new,
            "old": old,
            "result": changes.plan_changes(old, new),
            "other_plans": [p for p in visible.order_by("-year") if p.pk != new.pk],
        },
    )
