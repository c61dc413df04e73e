from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the portal: database backups and restores, the nightly housekeeping and
    the recovery of lost jobs (no models)."""

    name = "ops"
    verbose_name = _("Operations")
