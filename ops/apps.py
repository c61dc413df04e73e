from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the portal: database backups and restores (no models)."""

    name = "ops"
    verbose_name = _("Operations")
