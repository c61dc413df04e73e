"""The goal page: a goal with its current assessment and history, the activities that
contribute to it, its indicators and its earlier years; users who may assess goals
(the board, the secretariat) record an assessment there. Reads are
plan.selectors_goals, the write is plan.services.goal_assessment_create."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import followup, selectors, selectors_goals, services
from .forms import GoalAssessmentForm
from .models import AssessmentLevel


def _assessment_form(plan, data=None):
    periods = followup.plan_periods(plan)
    levels = list(AssessmentLevel.objects.order_by("order", "pk"))
    return GoalAssessmentForm(
        data,
        periods=periods,
        levels=levels,
        default_period=followup.current_period(periods),
    )


@require_http_methods(["GET", "POST"])
def goal_detail(request, year, pk):
    """The goal `pk` of the plan of `year`: 404 where the plan is a draft the user may
    not see or the goal is not the plan's. A POST records an assessment (board and
    secretariat only); on an error the page shows again with the message and what was
    typed, and nothing is saved."""
    plan = get_object_or_404(selectors.plans_visible_to(request.user), year=year)
    goal = selectors_goals.goal_for_plan(plan, pk)
    if goal is None:
        raise Http404
    may_assess = request.user.has_perm(services.ASSESS_PERMISSION)
    form = None
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_assess:
            raise PermissionDenied(_("You may not assess goals."))
        form = _assessment_form(plan, request.POST)
        if form.is_valid():
            try:
                services.goal_assessment_create(
                    goal=goal,
                    period=form.cleaned_data["period"],
                    level=form.cleaned_data["level"],
                    analysis=form.cleaned_data["analysis"],
                    analysis_en=form.cleaned_data["analysis_en"],
                    user=request.user,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The assessment is saved."))
                return redirect(f"{goal.get_absolute_url()}#assessment-heading")
        status = 400
    elif may_assess:
        form = _assessment_form(plan)

    page = selectors_goals.goal_page(goal)
    context = {
        "plan": plan,
        "goal": goal,
        "section": goal.section,
        "page": page,
        "form": form,
        "years": selectors.plan_years(request.user),
    }
    return render(request, "plan/goal_detail.html", context, status=status)
