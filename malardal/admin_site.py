"""The portal's admin site: every ModelAdmin registered on it refuses changelist lookups
on secret fields (issue 11, point 3).

Django lets a changelist filter on any local field from the query string
(``?token__startswith=a``), so a value the admin never shows can still be read back one
character at a time. Django guards its own ``password`` field that way; here every
admin does, for every field named in :data:`SECRET_FIELDS`, directly or across a
relation (``?user__password__regex=…``): the changelist answers 400 (Django turns
``DisallowedModelAdminLookup`` into a 400). The same fields are left out of the admin's
forms, read-only displays, lists and searches.

:class:`PortalAdminSite.register` puts :class:`SecretFieldsAdminMixin` in front of every
admin class registered, Django's own (users, groups) included, so a new admin is covered
without anyone remembering to.
"""

from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP

# Field names whose values are credentials or derived from one: the audit recorder masks
# them, the admin refuses lookups on them. One list, kept in the lower layer.
from audit.recorder import SECRET_FIELDS

__all__ = ["SECRET_FIELDS", "PortalAdminSite", "SecretFieldsAdminMixin", "is_secret_lookup"]


def is_secret_lookup(lookup: str) -> bool:
    """Whether a query-string lookup (``user__password__startswith``) touches a secret
    field anywhere along its path."""
    return any(part in SECRET_FIELDS for part in lookup.split(LOOKUP_SEP))


def _without_secrets(names):
    """`names` (field names, or fieldset-style tuples of them) without secret fields.
    A field the admin shows through its own masked widget (the password's summary on
    the user page) is left to that widget: only names equal to a secret are dropped."""
    result = []
    for name in names:
        if isinstance(name, list | tuple):
            inner = _without_secrets(name)
            if inner:
                result.append(type(name)(inner))
        elif not (isinstance(name, str) and name in SECRET_FIELDS - {"password"}):
            result.append(name)
    return result


class SecretFieldsAdminMixin:
    """Refuse lookups on secret fields, and keep them out of the admin's pages."""

    def lookup_allowed(self, lookup, value, request=None):
        if is_secret_lookup(lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_fields(self, request, obj=None):
        return _without_secrets(super().get_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        return _without_secrets(super().get_readonly_fields(request, obj))

    def get_list_display(self, request):
        return _without_secrets(super().get_list_display(request))

    def get_search_fields(self, request):
        return [f for f in super().get_search_fields(request) if not is_secret_lookup(f)]

    def get_fieldsets(self, request, obj=None):
        return [
            (name, {**options, "fields": _without_secrets(options.get("fields", ()))})
            for name, options in super().get_fieldsets(request, obj)
        ]


def _without_slug(names):
    result = []
    for name in names:
        if isinstance(name, list | tuple):
            inner = _without_slug(name)
            if inner:
                result.append(type(name)(inner) if len(inner) > 1 else inner[0])
        elif name != "slug":
            result.append(name)
    return result


def _has_slug(names) -> bool:
    return any(
        _has_slug(name) if isinstance(name, list | tuple) else name == "slug" for name in names
    )


def _open(classes):
    return [c for c in classes if c != "collapse"]


class SlugOutOfTheWayMixin:
    """A slug (the part of a web address) is set once and rarely read: on a change page
    it moves to a folded fieldset at the end ("Web address"), on an add page to the end,
    filled in from the name (prepopulated_fields). When the slug has an error, its
    fieldset is open (issue 14, point 6)."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not any(_has_slug(options.get("fields", ())) for _name, options in fieldsets):
            return fieldsets
        moved = [
            (name, {**options, "fields": _without_slug(options.get("fields", ()))})
            for name, options in fieldsets
        ]
        moved = [(name, options) for name, options in moved if options["fields"]]
        from django.utils.translation import gettext_lazy as _

        classes = ["collapse"] if obj is not None else []
        return [*moved, (_("Web address"), {"fields": ["slug"], "classes": classes})]

    def render_change_form(self, request, context, *args, **kwargs):
        adminform = context.get("adminform")
        if adminform is not None and "slug" in adminform.form.errors:
            adminform.fieldsets = [
                (name, {**options, "classes": _open(options.get("classes", ()))})
                for name, options in adminform.fieldsets
            ]
        return super().render_change_form(request, context, *args, **kwargs)


class FitTheScreenMixin:
    """The portal's admin style sheet on every model's pages: lists and inlines fit
    1280 px (static/css/admin-portal.css)."""

    @property
    def media(self):
        from django import forms

        return super().media + forms.Media(css={"all": ["css/admin-portal.css"]})


class PortalAdminSite(admin.AdminSite):
    """Django's admin site, with :class:`SecretFieldsAdminMixin` and
    :class:`SlugOutOfTheWayMixin` on every admin."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SecretFieldsAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (SecretFieldsAdminMixin, SlugOutOfTheWayMixin, FitTheScreenMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        return super().register(model_or_iterable, admin_class, **options)

    # No sidebar of every app on every page: at 1280 px it left a list 630 px for its
    # columns. The start page lists the apps; the breadcrumbs lead back to it.
    enable_nav_sidebar = False

    # --- Ordered by task (issue 14, point 6) -------------------------------------------
    # The plan and its follow-up first, then who takes part, meetings and documents, the
    # programmes, mail; the machinery (logins, audit) last. Apps and models not named
    # keep Django's alphabetical order after those that are.
    APP_ORDER = [
        "plan",
        "members",
        "events",
        "documents",
        "reminders",
        "ebs",
        "ebm",
        "about",
        "audit",
        "accounts",
        "auth",
    ]
    MODEL_ORDER = {
        "plan": [
            "Plan",
            "Section",
            "Activity",
            "Goal",
            "StatusUpdate",
            "ReportingPeriod",
            "GoalAssessment",
            "Indicator",
            "IndicatorValue",
            "ReportRequest",
            "DirectionGoal",
            "PriorityArea",
            "PriorityAreaItem",
            "CommunicationPriority",
            "ActivityGoal",
            "Status",
            "AssessmentLevel",
        ],
        "members": ["Person", "Organisation", "Body", "Role", "Partnership", "County"],
        "events": ["Event", "Registration", "CalendarToken"],
        "reminders": ["ReminderLog", "ContactPreference"],
    }

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)

        def app_key(app):
            label = app["app_label"]
            return (self.APP_ORDER.index(label) if label in self.APP_ORDER else 99, app["name"])

        apps.sort(key=app_key)
        for app in apps:
            order = self.MODEL_ORDER.get(app["app_label"], [])
            app["models"].sort(
                key=lambda m, order=order: (
                    order.index(m["object_name"]) if m["object_name"] in order else 99,
                    m["name"],
                )
            )
        return apps

    # --- The secretariat's to-do page ----------------------------------------------------

    index_template = "admin/portal_index.html"

    def get_urls(self):
        from django.urls import path

        return [
            path("todo/", self.admin_view(self.todo_view), name="todo"),
            *super().get_urls(),
        ]

    def todo_view(self, request):
        """Reports missing per owner (with a mail link), late activities, imports
        waiting and reminders that failed: plan.todo.secretariat_todo. Staff only (the
        admin's login for anyone else), and only for those who may see the follow-up."""
        from django.core.exceptions import PermissionDenied
        from django.template.response import TemplateResponse
        from django.urls import reverse
        from django.utils.translation import gettext as _

        from plan import todo

        if not request.user.has_perm("plan.view_statusupdate"):
            raise PermissionDenied
        context = {
            **self.each_context(request),
            "title": _("To do"),
            **todo.secretariat_todo(
                report_url=request.build_absolute_uri(reverse("plan:my_activities"))
            ),
            "can_see_reminders": request.user.has_perm("reminders.view_reminderlog"),
        }
        return TemplateResponse(request, "admin/todo.html", context)
