"""Logging in and out, changing and resetting the password: Django's views with the
site's templates (templates/registration/). The names are Django's own, which its views
and the admin's login page look up."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LoginForm, PasswordChangeWithoutAutofocusForm

password_reset = views.PasswordResetView.as_view()

urlpatterns = [
    # A logged-in user sent here by a page they may not see gets the form (and a word
    # on why), not a redirect back to that page and round again.
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password_change/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeWithoutAutofocusForm),
        name="password_change",
    ),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password_reset/", password_reset, name="password_reset"),
    # The admin's login page links to "Forgotten your password?" under this name.
    path("password_reset/", password_reset, name="admin_password_reset"),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
