from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class MalardalConfig(AppConfig):
    """Project-wide hooks. Listed before django.contrib.admin so they are in place when
    the admin classes are made."""

    name = "malardal"
    verbose_name = "Mälardalsportalen"

    def ready(self):
        from django.contrib import admin
        from django.contrib.admin import options
        from django.db import models
        from django.utils.translation import gettext_lazy as _

        from . import pagecache
        from .forms import PlainTextField

        # Every write to the database, whatever the path, bumps the anonymous page
        # cache's data version (malardal/pagecache.py).
        pagecache.watch_all()

        # Every admin form and inline (translated fields too: they subclass TextField)
        # keeps text with LF line ends; see PlainTextField.
        options.FORMFIELD_FOR_DBFIELD_DEFAULTS.setdefault(models.TextField, {})["form_class"] = (
            PlainTextField
        )

        # The admin's name in its header, the browser tab and the start page, in the
        # request's language (not "Django-administration").
        admin.site.site_header = _("Mälardalsportalen – administration")
        admin.site.site_title = _("Mälardalsportalen – administration")
        admin.site.index_title = _("Administration")


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's site (malardal.admin_site), whose admins
    refuse lookups on secret fields. Listed in INSTALLED_APPS instead of
    "django.contrib.admin"."""

    default_site = "malardal.admin_site.PortalAdminSite"
