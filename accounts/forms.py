from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .net import client_ip
from .selectors import login_locked_until


class LockoutMessageMixin:
    """Say plainly that logging in is blocked, and until when, instead of the usual
    "wrong user name or password" — from the failure that sets the lock on."""

    locked_message = _(
        "Too many failed attempts to log in. For your security, logging in with this "
        "user name or from this address is blocked until %(time)s. Try again then, or "
        "reset your password."
    )

    def _locked_error(self):
        until = login_locked_until(
            username=self.cleaned_data.get("username"), ip=client_ip(self.request)
        )
        if until is None:
            return None
        time = formats.time_format(timezone.localtime(until), "H:i")
        return ValidationError(self.locked_message, code="locked", params={"time": time})

    def clean(self):
        error = self._locked_error()
        if error:
            raise error
        try:
            return super().clean()
        except ValidationError:
            error = self._locked_error()
            if error:
                raise error from None
            raise


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass
