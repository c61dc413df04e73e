"""Views of the project itself: the error pages for bad requests and for a database
that does not answer."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import ensure_csrf_cookie, requires_csrf_token
from django.views.defaults import server_error as django_server_error

# How long a client should wait before asking again while the database is away.
RETRY_AFTER_SECONDS = 30


@ensure_csrf_cookie
def bad_request(request, exception=None):
    """The 400 page in the site's layout, in the request's language (``handler400``,
    and the answer of :class:`malardal.middleware.BadInputMiddleware`). The CSRF cookie
    is set so the page's language switch works even when no other middleware ran."""
    return render(request, "400.html", status=400)


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """handler500: the database not answering (stopped, restarting, unreachable) is not
    our bug but a pause: 503 with the site's "back soon" page (templates/503.html,
    Swedish and English, no database needed to render it) and a Retry-After header.
    Anything else is Django's 500 with templates/500.html.

    This sees errors from views and middleware alike (a session read in middleware
    fails first when the database is down); it runs inside Django's exception handling,
    so sys.exc_info() is the error being handled."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return django_server_error(request, template_name)
