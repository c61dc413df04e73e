"""The plan's version history (issue 10, point 1): each decision on the plan — its
adoption, its amendments — with what each amendment changed, as a word diff."""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from . import selectors
from .versions import snapshot_changes


def plan_versions(request, year):
    """``/plan/2023/versions/``: the decisions on the plan, newest first, each
    amendment with the texts it changed. Visible wherever the plan is."""
    plan = get_object_or_404(selectors.plans_visible_to(request.user), year=year)
    language = (get_language() or "sv")[:2]
    language = language if language in ("sv", "en") else "sv"
    decisions = list(plan.decisions.select_related("document").order_by("-version"))
    for decision in decisions:
        decision.changes = (
            snapshot_changes(decision.base_snapshot, decision.snapshot, language)
            if decision.base_snapshot
            else []
        )
    return render(
        request,
        "plan/versions.html",
        {"plan": plan, "decisions": decisions, "amending": plan.status == plan.Status.AMENDING},
    )
