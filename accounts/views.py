from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponseRedirect

from audit.net import client_ip

from .services import login_lock_clear, password_reset_address_allowed, password_reset_mail_allowed


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A password set through the link in the mail also lifts the pauses on the account
    from every address: whoever reads its mail may log in."""

    def form_valid(self, form):
        response = super().form_valid(form)
        login_lock_clear(username=form.user.get_username())
        return response


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's form, mailing only the accounts that have not had
    ``PASSWORD_RESET_LIMIT_PER_ACCOUNT`` reset mails within the window."""

    def get_users(self, email):
        for user in super().get_users(email):
            if password_reset_mail_allowed(user_id=user.pk):
                yield user


class PasswordResetView(auth_views.PasswordResetView):
    """Links in the mail start with SITE_URL, the portal's public address, rather than
    whatever host the request named.

    Rate-limited per address and per account (see :mod:`accounts.services`). Whether a
    mail went out or not, the answer is the same "check your e-mail" page, so the form
    tells no one whether an address has an account, or whether a limit was reached.
    """

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    form_class = ThrottledPasswordResetForm

    @property
    def extra_email_context(self):
        return {"site_url": settings.SITE_URL}

    def form_valid(self, form):
        # In the audit trail, with the client's address (issue 11): which logins a link
        # was asked for, or the address typed when it matches none.
        from audit.models import AuditEntry
        from audit.recorder import record

        email = form.cleaned_data["email"]
        # Django's own lookup: the throttled one counts a mail per call.
        logins = list(PasswordResetForm.get_users(form, email))
        for login in logins:
            record(AuditEntry.Action.PASSWORD_RESET, login)
        if not logins:
            record(AuditEntry.Action.PASSWORD_RESET, None, object_repr=email[:300])

        if not password_reset_address_allowed(ip=client_ip(self.request)):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
