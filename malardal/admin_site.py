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


class PortalAdminSite(admin.AdminSite):
    """Django's admin site, with :class:`SecretFieldsAdminMixin` on every admin."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SecretFieldsAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (SecretFieldsAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        return super().register(model_or_iterable, admin_class, **options)
