"""Public pages of the operations plan. Reads live in selectors; views only pick the
plan the visitor may see and hand the pieces to a template."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import budget, followup, navigation, selectors, selectors_goals
from . import search as plan_search
from .charts import progress_bars_svg, status_distribution_svg
from .forms import SearchForm
from .models import Status


def _visible_plan(request, year):
    """The plan of `year`, or 404 when it does not exist or is a draft the user may not
    see. A draft answers 404 rather than 403 so its existence is not disclosed."""
    return get_object_or_404(selectors.plans_visible_to(request.user), year=year)


@login_required
def start(request):
    """Where logging in leads (LOGIN_REDIRECT_URL) when no safe ``next`` is given: each
    role to its work (plan.navigation.start_url)."""
    return redirect(navigation.start_url(request.user))


def home(request):
    """The current year's plan at a glance: direction goals, focus areas with their
    progress, the follow-up charts, the key figures and the next meeting places."""
    plan = selectors.current_plan()
    context = {"plan": plan}
    if plan is not None:
        tree = selectors.section_tree(plan)
        progress = followup.plan_progress(plan, tree=tree)
        context.update(selectors.plan_front_matter(plan))
        context.update(
            {
                "tree": tree,
                "years": selectors.plan_years(request.user),
                "progress": progress,
                "focus_areas": [s for s in progress.sections if s.section.depth == 0],
                "key_figures": selectors.key_figures(plan),
                "events": selectors.upcoming_events(request.user),
                "attainment": _attainment(plan, progress),
                **_home_charts(progress),
            }
        )
    return render(request, "plan/home.html", context)


def _attainment(plan, progress):
    """The plan's goals by assessment level for the period its progress figure is for
    (the year strip, plan/includes/year_strip.html)."""
    return selectors_goals.goal_attainment_counts(plan, progress.period)


def _home_charts(progress) -> dict:
    """The status distribution of the whole plan, and the progress of the second-level
    sections (and of top-level ones without sub-sections) that have activities: the
    top level alone would repeat the focus areas above the charts."""
    rows = [
        (f"{s.section.number} {s.section.heading}".strip(), s.total.progress)
        for s in progress.sections
        if s.total.activity_count
        and (s.section.depth == 1 or (s.section.depth == 0 and not s.section.child_sections))
    ]
    status_rows = progress.status_counts()
    return {
        "status_chart": status_distribution_svg(status_rows, title=_("Activities by status")),
        "status_rows": status_rows,
        "progress_chart": progress_bars_svg(rows, title=_("Progress per section")),
        "section_rows": rows,
    }


def archive(request):
    """Every plan the visitor may read, newest first; drafts only for those who may see
    them."""
    return render(request, "plan/archive.html", {"plans": selectors.archive_listing(request.user)})


# Past this many activities the whole-plan page lists each section's goals but not its
# activities: they are on the section's page (issue 12: pages cost what they show).
PLAN_PAGE_ACTIVITY_LIMIT = 300


def plan_detail(request, year):
    """The whole plan on one page. A plan of more than PLAN_PAGE_ACTIVITY_LIMIT
    activities names, per section, how many it has with a link to the section's page,
    rather than listing them all."""
    plan = _visible_plan(request, year)
    tree = selectors.section_tree(plan, with_content=True, with_activities=False)
    progress = followup.plan_progress(plan, tree=tree)
    fold = progress.total.activity_count > PLAN_PAGE_ACTIVITY_LIMIT
    if not fold:
        selectors.section_tree_activities(tree)
    context = {
        "plan": plan,
        "tree": tree,
        "progress": progress,
        "fold_activities": fold,
        "attainment": _attainment(plan, progress),
        "events": selectors.upcoming_events(request.user, limit=1),
        "years": selectors.plan_years(request.user),
        **selectors.plan_front_matter(plan),
        **_budget_context(request, plan, tree),
    }
    return render(request, "plan/plan_detail.html", context)


def _budget_context(request, plan, tree) -> dict:
    """The budget per area and for the plan (plan/budget.py), for whoever may see it."""
    if not budget.may_see_budget(request.user, plan):
        return {}
    totals = budget.plan_budget(plan)
    areas = [(str(root).strip(), totals.areas.get(root.pk, budget.Totals())) for root in tree.roots]
    return {"budget": totals, "budget_areas": areas}


def section_detail(request, year, slug):
    plan = _visible_plan(request, year)
    tree = selectors.section_tree(plan)
    section = tree.by_slug.get(slug)
    if section is None:
        raise Http404
    previous, following = tree.neighbours(section)
    # Only this section and those under it: the page shows no other figure.
    progress = followup.plan_progress(plan, tree=tree, within=section)
    activities = selectors.section_activities(section)
    # The list shows each activity as its figure counts it (its latest report up to
    # the period the section's figure is for).
    statuses = {s.pk: s for s in progress.statuses}
    for activity in activities:
        figure = progress.activity(activity.pk)
        latest = figure.latest if figure is not None else None
        activity.latest_status = statuses.get(latest.status_id) if latest else None
        activity.latest_progress = figure.progress if latest else None
        activity.figure = figure
    context = {
        "plan": plan,
        "section": section,
        "progress": progress,
        "figure": progress.section(section).total,
        "goals": selectors.section_goals(section),
        "indicators": selectors_goals.section_indicators(section),
        "activities": activities,
        "previous": previous,
        "next": following,
        "years": selectors.plan_years(request.user),
    }
    return render(request, "plan/section_detail.html", context)


def activity_detail(request, year, pk):
    plan = _visible_plan(request, year)
    activity = selectors.activity_for_plan(plan, pk)
    if activity is None:
        raise Http404
    tree = selectors.section_tree(plan)
    section = tree.by_slug[activity.section.slug]
    activity.section = section
    status_updates = selectors.activity_status_history(activity)
    context = {
        "plan": plan,
        "activity": activity,
        "section": section,
        "events": selectors.activity_events(activity, request.user),
        "status_updates": status_updates,
        "show_comments": selectors.followup_comments_visible(plan, request.user),
        "latest": selectors.latest_of(status_updates),
        "years": selectors.plan_years(request.user),
        # Its owners report from "My activities" (issue 14, point 3).
        "may_report": request.user.is_authenticated
        and any(person.user_id == request.user.pk for person in activity.owners.all()),
    }
    return render(request, "plan/activity_detail.html", context)


def search(request):
    """Search at ``?q=…`` with filters for year, programme and status. Without a query
    or a filter, a page that says how to search."""
    statuses = list(Status.objects.order_by("order", "pk"))
    form = SearchForm(
        request.GET,
        years=plan_search.search_years(request.user),
        statuses=statuses,
        kinds=plan_search.KINDS,
        no_report=plan_search.NO_REPORT,
    )
    q = form.value("q") or ""
    filters = {name: form.value(name) for name in ("year", "programme", "status")}
    results = None
    if q or any(filters.values()):
        results = plan_search.search(
            request.user,
            q=q,
            **filters,
            kind=form.value("kind"),
            page=form.value("page") or 1,
            statuses=statuses,
        )
        for group in results.groups:
            group.url = _search_url(q, filters, kind=group.kind.key)
            number = group.page.number
            group.previous_url = _search_url(q, filters, kind=group.kind.key, page=number - 1)
            group.next_url = _search_url(q, filters, kind=group.kind.key, page=number + 1)
    context = {
        "form": form,
        "q": q,
        "filters": filters,
        "results": results,
        "all_kinds_url": _search_url(q, filters),
        "clear_filters_url": _search_url(q, {}),
    }
    return render(request, "plan/search.html", context)


def _search_url(q, filters, **extra) -> str:
    """The search page's address for `q`, `filters` and `extra` (kind, page); a first
    page is left out."""
    params = {name: value for name, value in filters.items() if value}
    if q:
        params["q"] = q
    params.update({name: value for name, value in extra.items() if value})
    if params.get("page") == 1:
        del params["page"]
    query = urlencode(params)
    return reverse("plan:search") + (f"?{query}" if query else "")
