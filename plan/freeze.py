"""The one rule for what an adopted plan lets change (issue 10, point 1).

A plan whose status is adopted, amended or archived (``Plan.FROZEN_STATUSES``) has
*frozen* texts: its goals, activities, sections, direction goals, prioritised areas,
communication priorities, indicators' definitions, planned amounts and the registers
of its year change only through an amendment (``plan_amendment_start`` opens the plan,
``plan_amendment_adopt`` records the decision and freezes it again). Follow-up stays
open: status updates, goal assessments, indicator values, actual amounts, the owners who
report, reporting periods and attached documents.

Every path that writes plan text calls this module: the admin (``FrozenPlanAdminMixin``
on model admins and inlines), the import resources (a row error) and the services. Other
apps' year-scoped registers call :func:`check_plan_editable` with the plan of their year.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.admin.options import InlineModelAdmin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

if TYPE_CHECKING:
    from .models import Plan


# The mixin goes on model admins and inlines (django-stubs has no type for "either"): to
# mypy its base is Any, so what it calls on super() is not checked.
_AdminBase: Any = object


class PlanFrozen(ValidationError):
    """A write to the text of an adopted (amended, archived) plan, refused."""


def is_plan_editable(plan: Plan | None) -> bool:
    """True where the plan's texts may be written: a draft, a proposal, or an adopted
    plan with an amendment being prepared. No plan (a new, unattached object) is
    editable."""
    return plan is None or not plan.is_frozen


def frozen_message(plan: Plan) -> str:
    """The reason, in the active language, naming the plan, its status and the way to
    change it."""
    return gettext(
        "The plan for %(year)s is %(status)s: its texts are read-only. A change to an "
        "adopted plan is an amendment: the secretariat starts one on the plan's page in "
        "the admin (“Start an amendment”), makes the change and records the board's "
        "decision. Follow-up (status reports, goal assessments, indicator values, actual "
        "amounts) stays open."
    ) % {"year": plan.year, "status": plan.get_status_display().lower()}


def check_plan_editable(plan: Plan | None) -> None:
    """Raise :class:`PlanFrozen` (a ValidationError with a clear, translated message)
    when `plan`'s texts are frozen; return None otherwise."""
    if not is_plan_editable(plan):
        raise PlanFrozen(frozen_message(cast("Plan", plan)), code="plan_frozen")


# --- The admin -------------------------------------------------------------------------


def _flatten(fields: Iterable[Any]) -> list[str]:
    names: list[str] = []
    for item in fields:
        if isinstance(item, list | tuple):
            names.extend(_flatten(item))
        else:
            names.append(item)
    return names


class FrozenPlanAdminMixin(_AdminBase):
    """Admin and inline mixin: the objects of a frozen plan are read-only.

    Override :meth:`get_plan_of` (the plan an object belongs to; for an inline, it is
    given the parent object). ``frozen_open_fields`` names the fields that stay editable
    (follow-up, e.g. ``actual_amount``).

    On a model admin, the change page of a frozen plan's object shows every other field
    read-only with a message saying why; where nothing stays open (no open fields and
    no inline that stays open) it is a view-only page. Deleting (one or in bulk) is
    refused, and a form (the add page, a change page, the list's editable columns) that
    would put or change text in a frozen plan is refused with the message — that check
    is what holds even against a hand-made POST. On an inline, a frozen parent's rows
    cannot be added, changed or deleted.
    """

    frozen_open_fields: tuple[str, ...] = ()
    # Inlines that stay open on a frozen object (e.g. indicator values, documents).
    frozen_open_inlines: tuple[type, ...] = ()

    def get_plan_of(self, obj: Any) -> Plan | None:
        raise NotImplementedError

    def _plan_of(self, obj: Model | None) -> Plan | None:
        if obj is None:
            return None
        cache = obj.__dict__.setdefault("_frozen_plan_cache", {})
        if "plan" not in cache:
            cache["plan"] = self.get_plan_of(obj)
        plan: Plan | None = cache["plan"]
        return plan

    def is_frozen(self, obj: Model | None) -> bool:
        if obj is None or obj.pk is None:
            return False
        return not is_plan_editable(self._plan_of(obj))

    # -- both kinds ----------------------------------------------------------------------

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if self.is_frozen(obj):
            return False
        allowed: bool = super().has_delete_permission(request, obj)
        return allowed

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if self.is_frozen(obj):
            if isinstance(self, InlineModelAdmin):
                return False
            if not self.frozen_open_fields and not self._open_inlines(request, obj):
                return False
        allowed: bool = super().has_change_permission(request, obj)
        return allowed

    def has_add_permission(
        self, request: HttpRequest, obj: Model | None = None, *args: Any
    ) -> bool:
        allowed: bool
        if isinstance(self, InlineModelAdmin):
            if self.is_frozen(obj):
                return False
            allowed = super().has_add_permission(request, obj)
            return allowed
        # The model admin's add page has no object yet: the form refuses a frozen plan.
        allowed = super().has_add_permission(request)
        return allowed

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: Model | None = None
    ) -> dict[str, Any]:
        # A read-only field cannot be filled in from another.
        if self.is_frozen(obj):
            return {}
        fields: dict[str, Any] = super().get_prepopulated_fields(request, obj)
        return fields

    # -- model admins --------------------------------------------------------------------

    def _open_inlines(self, request: HttpRequest, obj: Model | None) -> list[type]:
        # By class, not instance: no permission (and no query) is looked at for this.
        return [
            cls
            for cls in self.get_inlines(request, obj)
            if issubclass(cls, self.frozen_open_inlines)
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if isinstance(self, InlineModelAdmin) or not self.is_frozen(obj):
            return readonly
        names = _flatten([options["fields"] for _name, options in self.get_fieldsets(request, obj)])
        return list(
            dict.fromkeys(readonly + [n for n in names if n not in self.frozen_open_fields])
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str | None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id) if object_id else None
        if obj is not None and self.is_frozen(obj) and request.method == "GET":
            messages.warning(request, frozen_message(cast("Plan", self._plan_of(obj))))
        response: HttpResponse = super().change_view(request, object_id, form_url, extra_context)
        return response

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            if self.is_frozen(obj):
                raise PlanFrozen(frozen_message(cast("Plan", self._plan_of(obj))))
        super().delete_queryset(request, queryset)

    def _frozen_form(self, form_class: type[BaseForm]) -> type[BaseForm]:
        admin = self
        open_fields = set(self.frozen_open_fields)

        class FrozenCheckForm(form_class):  # type: ignore[valid-type,misc]  # a class made at run time
            def _post_clean(self) -> None:
                super()._post_clean()
                instance = self.instance
                changed = set(self.changed_data) - open_fields
                adding = instance._state.adding
                if not adding and not changed:
                    return
                plans = [admin.get_plan_of(instance)]
                if not adding:
                    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
                    if stored is not None:
                        plans.append(admin.get_plan_of(stored))
                for plan in plans:
                    if not is_plan_editable(plan):
                        self.add_error(None, frozen_message(cast("Plan", plan)))
                        return

        FrozenCheckForm.__name__ = form_class.__name__
        return FrozenCheckForm

    def get_form(
        self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any
    ) -> type[BaseForm]:
        return self._frozen_form(super().get_form(request, obj, change=change, **kwargs))

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> type[BaseForm]:
        return self._frozen_form(super().get_changelist_form(request, **kwargs))
