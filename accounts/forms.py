from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from audit.net import client_ip

from .selectors import login_locked_until


class LockoutMessageMixin:
    """Say plainly that logging in is paused, and until when, instead of the usual
    "wrong user name or password" — from the failure that sets the pause on. The pause
    holds for this user name from this address, or for this address (see
    :mod:`accounts.services`); elsewhere the account logs in as usual."""

    locked_message = _(
        "Too many failed attempts to log in. For your security, logging in with this "
        "user name from this address is paused until %(time)s. Try again then, or "
        "reset your password."
    )

    def _locked_error(self):
        until = login_locked_until(
            username=self.cleaned_data.get("username"), ip=client_ip(self.request)
        )
        if until is None:
            return None
        time = formats.time_format(timezone.localtime(until), "H:i:s")
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


class NoAutofocusMixin:
    """Drop the autofocus Django's forms put on their first field. A page that starts
    in a field skips its heading and text for screen-reader users and jumps past the
    skip link: the first Tab must land on the skip link on every page (WCAG 2.4.1 and
    2.4.3, checked in tests/browser)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)


class LoginForm(NoAutofocusMixin, LockoutMessageMixin, AuthenticationForm):
    pass


class AdminLoginForm(NoAutofocusMixin, LockoutMessageMixin, AdminAuthenticationForm):
    pass


class PasswordChangeWithoutAutofocusForm(NoAutofocusMixin, PasswordChangeForm):
    pass
