from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Logins")

    def ready(self):
        from django.contrib import admin

        from . import checks, forms, guards, signals  # noqa: F401 - receivers, checks

        # No user but a superuser changes a staff or superuser login, by any path.
        guards.connect()

        # The admin's login page shows the same lock-out message as the site's.
        admin.site.login_form = forms.AdminLoginForm
