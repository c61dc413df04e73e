"""Public pages of the operations plan. Reads live in selectors; views only pick the
plan the visitor may see and hand the pieces to a template."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from . import selectors


def _visible_plan(request, year):
    """The plan of `year`, or 404 when it does not exist or is a draft the user may not
    see. A draft answers 404 rather than 403 so its existence is not disclosed."""
    return get_object_or_404(selectors.plans_visible_to(request.user), year=year)


def home(request):
    plan = selectors.current_plan()
    context = {"plan": plan}
    if plan is not None:
        context.update(selectors.plan_front_matter(plan))
        context["tree"] = selectors.section_tree(plan)
        context["archive"] = selectors.archive_plans(request.user, exclude=plan)
    return render(request, "plan/home.html", context)


def plan_detail(request, year):
    plan = _visible_plan(request, year)
    context = {
        "plan": plan,
        "tree": selectors.section_tree(plan, with_content=True),
        "archive": selectors.archive_plans(request.user, exclude=plan),
        **selectors.plan_front_matter(plan),
    }
    return render(request, "plan/plan_detail.html", context)


def section_detail(request, year, slug):
    plan = _visible_plan(request, year)
    tree = selectors.section_tree(plan)
    section = tree.by_slug.get(slug)
    if section is None:
        raise Http404
    previous, following = tree.neighbours(section)
    context = {
        "plan": plan,
        "section": section,
        **selectors.section_content(section),
        "previous": previous,
        "next": following,
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
    context = {
        "plan": plan,
        "activity": activity,
        "section": section,
        "events": selectors.activity_events(activity, request.user),
        "status_updates": selectors.activity_status_history(activity),
    }
    return render(request, "plan/activity_detail.html", context)
