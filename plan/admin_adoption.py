"""The secretariat's pages for a plan's decisions (issue 10, point 1), under the plan's
page in the admin: propose a draft, adopt it (date, body, decision reference, signed
document), start an amendment and record the decision that adopts it. Each page hands
off to a service in plan/services.py, which checks the permission and the plan's state
again and leaves an audit entry."""

from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import AdminDateWidget
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from documents.models import Document

from . import services
from .models import Plan, PlanDecision


class DecisionForm(forms.Form):
    decided_on = forms.DateField(label=_("Decided on"), widget=AdminDateWidget)
    body_sv = forms.CharField(
        label=_("Decided by (Swedish)"),
        max_length=200,
        help_text=_("The deciding body, e.g. Mälardalsrådets styrelse."),
    )
    body_en = forms.CharField(label=_("Decided by (English)"), max_length=200, required=False)
    reference = forms.CharField(
        label=_("Decision reference"),
        max_length=100,
        help_text=_("The paragraph of the minutes, e.g. “§ 12”."),
    )
    document = forms.ModelChoiceField(
        label=_("Signed document"),
        queryset=Document.objects.none(),
        required=False,
        help_text=_(
            "A document attached to this plan (attach the signed plan or the minutes on "
            "the plan's page first)."
        ),
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = Document.objects.filter(
            content_type=ContentType.objects.get_for_model(Plan), object_id=plan.pk
        )


class AmendmentForm(DecisionForm):
    summary_sv = forms.CharField(
        label=_("What the amendment changes (Swedish)"), widget=forms.Textarea, required=False
    )
    summary_en = forms.CharField(
        label=_("What the amendment changes (English)"), widget=forms.Textarea, required=False
    )


def plan_decision_urls(model_admin):
    info = "plan_plan"
    wrap = model_admin.admin_site.admin_view
    views = PlanDecisionViews(model_admin)
    return [
        path("<int:object_id>/propose/", wrap(views.propose), name=f"{info}_propose"),
        path("<int:object_id>/adopt/", wrap(views.adopt), name=f"{info}_adopt"),
        path("<int:object_id>/amend/", wrap(views.amend), name=f"{info}_amend"),
        path(
            "<int:object_id>/amendment/adopt/",
            wrap(views.amendment_adopt),
            name=f"{info}_amendment_adopt",
        ),
    ]


class PlanDecisionViews:
    def __init__(self, model_admin):
        self.model_admin = model_admin

    def _plan(self, request, object_id, permission):
        if not request.user.has_perm(permission):
            raise PermissionDenied
        return get_object_or_404(Plan, pk=object_id)

    def _back(self, plan):
        return HttpResponseRedirect(reverse("admin:plan_plan_change", args=[plan.pk]))

    def _render(self, request, plan, title, form=None, intro=""):
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": Plan._meta,
            "original": plan,
            "title": title,
            "form": form,
            "intro": intro,
            "media": self.model_admin.media + (form.media if form else forms.Media()),
        }
        return TemplateResponse(request, "admin/plan/plan/decision.html", context)

    def _refused(self, request, plan, error):
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return self._back(plan)

    def propose(self, request, object_id):
        plan = self._plan(request, object_id, "plan.change_plan")
        if plan.status != Plan.Status.DRAFT:
            messages.error(request, gettext("Only a draft can become a proposal."))
            return self._back(plan)
        if request.method == "POST":
            try:
                services.plan_propose(plan=plan, by=request.user)
            except ValidationError as error:
                return self._refused(request, plan, error)
            self.model_admin.log_change(request, plan, [{"changed": {"fields": ["status"]}}])
            messages.success(request, gettext("The plan is now a proposal to the board."))
            return self._back(plan)
        return self._render(
            request,
            plan,
            gettext("Put the plan for %(year)s to the board as a proposal") % {"year": plan.year},
            intro=gettext(
                "The proposal stays editable and hidden from visitors until the board's "
                "adoption is recorded."
            ),
        )

    def adopt(self, request, object_id):
        plan = self._plan(request, object_id, services.ADOPT_PERMISSION)
        recorded = plan.decisions.filter(kind=PlanDecision.Kind.ADOPTION).exists()
        if recorded or plan.status not in (
            Plan.Status.DRAFT,
            Plan.Status.PROPOSAL,
            Plan.Status.ADOPTED,
        ):
            messages.error(request, gettext("The adoption of this plan is recorded already."))
            return self._back(plan)
        initial = {"body_sv": plan.adopted_by_sv, "body_en": plan.adopted_by_en}
        form = DecisionForm(request.POST or None, plan=plan, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.plan_adopt(
                    plan=plan,
                    decided_on=data["decided_on"],
                    body=data["body_sv"],
                    body_en=data["body_en"],
                    reference=data["reference"],
                    document=data["document"],
                    by=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                self.model_admin.log_change(
                    request, plan, [{"changed": {"fields": ["status", "adopted_on"]}}]
                )
                messages.success(
                    request,
                    gettext(
                        "The plan for %(year)s is adopted (%(reference)s); its texts are now "
                        "read-only."
                    )
                    % {"year": plan.year, "reference": data["reference"]},
                )
                return self._back(plan)
        return self._render(
            request,
            plan,
            gettext("Adopt the plan for %(year)s") % {"year": plan.year},
            form,
            gettext(
                "Record the board's decision. The plan's texts are then frozen: a later "
                "change is an amendment with a decision of its own. Follow-up stays open."
            ),
        )

    def amend(self, request, object_id):
        plan = self._plan(request, object_id, services.ADOPT_PERMISSION)
        if plan.status not in (Plan.Status.ADOPTED, Plan.Status.AMENDED):
            messages.error(request, gettext("Only an adopted plan can be amended."))
            return self._back(plan)
        if request.method == "POST":
            try:
                services.plan_amendment_start(plan=plan, by=request.user)
            except ValidationError as error:
                return self._refused(request, plan, error)
            self.model_admin.log_change(request, plan, [{"changed": {"fields": ["status"]}}])
            messages.success(
                request,
                gettext(
                    "An amendment is being prepared: the texts are open. Record the "
                    "board's decision with “Adopt the amendment” when it is made."
                ),
            )
            return self._back(plan)
        return self._render(
            request,
            plan,
            gettext("Start an amendment of the plan for %(year)s") % {"year": plan.year},
            intro=gettext(
                "The texts become editable. The plan stays public, and its page says that an "
                "amendment is being prepared until the board's decision is recorded; the "
                "version history then shows what changed."
            ),
        )

    def amendment_adopt(self, request, object_id):
        plan = self._plan(request, object_id, services.ADOPT_PERMISSION)
        if plan.status != Plan.Status.AMENDING:
            messages.error(request, gettext("No amendment of this plan is being prepared."))
            return self._back(plan)
        initial = {"body_sv": plan.adopted_by_sv, "body_en": plan.adopted_by_en}
        form = AmendmentForm(request.POST or None, plan=plan, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.plan_amendment_adopt(
                    plan=plan,
                    decided_on=data["decided_on"],
                    body=data["body_sv"],
                    body_en=data["body_en"],
                    reference=data["reference"],
                    summary=data["summary_sv"],
                    summary_en=data["summary_en"],
                    document=data["document"],
                    by=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                self.model_admin.log_change(request, plan, [{"changed": {"fields": ["status"]}}])
                messages.success(
                    request,
                    gettext(
                        "The amendment is adopted (%(reference)s); the texts are read-only again."
                    )
                    % {"reference": data["reference"]},
                )
                return self._back(plan)
        return self._render(
            request,
            plan,
            gettext("Adopt the amendment of the plan for %(year)s") % {"year": plan.year},
            form,
        )


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            name = {"body": "body_sv"}.get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
