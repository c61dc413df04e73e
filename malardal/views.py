"""Views of the project itself: the error page for bad requests."""

from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


@ensure_csrf_cookie
def bad_request(request, exception=None):
    """The 400 page in the site's layout, in the request's language (``handler400``,
    and the answer of :class:`malardal.middleware.BadInputMiddleware`). The CSRF cookie
    is set so the page's language switch works even when no other middleware ran."""
    return render(request, "400.html", status=400)
