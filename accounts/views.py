from django.conf import settings
from django.contrib.auth import views as auth_views

from .services import login_lock_clear


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A password set through the link in the mail also lifts a lock on the account:
    whoever reads its mail may log in."""

    def form_valid(self, form):
        response = super().form_valid(form)
        login_lock_clear(username=form.user.get_username())
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Links in the mail start with SITE_URL, the portal's public address, rather than
    whatever host the request named."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self):
        return {"site_url": settings.SITE_URL}
