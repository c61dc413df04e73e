"""Policies for logged-in users: the idle timeout, and no caching of their pages."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import ngettext

LAST_ACTIVITY = "_last_activity"


class IdleTimeoutMiddleware:
    """End a login after ``SESSION_IDLE_TIMEOUT`` seconds without a request (0: never).

    The next request after that logs the user out and sends them to the login page
    (the admin's for admin pages), which says why and brings them back afterwards.
    The time of the last request is kept in the session, written at most once a minute
    (or once per tenth of the timeout, if shorter) so that pages do not each cost a
    session write. Place it after AuthenticationMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.SESSION_IDLE_TIMEOUT
        if timeout and request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > timeout:
                return self._logged_out(request, timeout)
            if last is None or now - last >= min(60, max(timeout // 10, 1)):
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)

    def _logged_out(self, request, timeout):
        logout(request)
        minutes = max(round(timeout / 60), 1)
        messages.info(
            request,
            ngettext(
                "You were logged out after %(minutes)d minute without activity. "
                "Log in again to go on.",
                "You were logged out after %(minutes)d minutes without activity. "
                "Log in again to go on.",
                minutes,
            )
            % {"minutes": minutes},
        )
        admin_root = reverse("admin:index")
        login_url = reverse("admin:login") if request.path.startswith(admin_root) else None
        next_url = request.get_full_path() if request.method == "GET" else request.path
        response = redirect_to_login(next_url, login_url)
        add_never_cache_headers(response)
        return response


class PrivatePagesMiddleware:
    """``Cache-Control: private, no-store`` on every response to a logged-in user: no
    shared cache (a proxy, a CDN) may keep a page made for one person, and the browser
    keeps no copy on disk after logout. Pages that are personal without a login (the
    personal calendar feed, the password-reset link) set the same header themselves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None:
            logged_in = user.is_authenticated
        else:
            # Answered before AuthenticationMiddleware ran (a redirect to the language
            # prefix …): whoever sends a session cookie may be logged in. Reading the
            # session itself would add "Vary: Cookie" to static files.
            logged_in = settings.SESSION_COOKIE_NAME in request.COOKIES
        if logged_in:
            mark_private(response)
        return response


def mark_private(response):
    """Make ``response`` uncacheable anywhere: ``private, no-store`` (and no max-age)."""
    patch_cache_control(response, private=True, no_store=True)
    cache_control = response.headers.get("Cache-Control", "")
    parts = [p.strip() for p in cache_control.split(",") if p.strip()]
    parts = [p for p in parts if p.split("=")[0].lower() not in {"public", "max-age", "s-maxage"}]
    response.headers["Cache-Control"] = ", ".join(parts)
    return response
