from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from . import auth, recorder

        recorder.connect_signals()
        # Logins, logouts, failed logins and lock-outs (issue 11).
        auth.connect()
