"""Response headers that Django 5.2 does not set by itself.

Django's SecurityMiddleware already sends X-Content-Type-Options, Referrer-Policy,
Cross-Origin-Opener-Policy and (behind HTTPS) HSTS; XFrameOptionsMiddleware sends
X-Frame-Options. This adds the Content-Security-Policy and the Permissions-Policy,
and X-Frame-Options on the responses XFrameOptionsMiddleware never sees (redirects
made by the middleware above it).
"""

import logging
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.utils import translation

logger = logging.getLogger(__name__)


def build_csp(directives: dict[str, list[str]]) -> str:
    """``{"default-src": ["'self'"], …}`` → ``"default-src 'self'; …"``."""
    parts = []
    for name, sources in directives.items():
        parts.append(" ".join([name, *sources]) if sources else name)
    return "; ".join(parts)


class SecurityHeadersMiddleware:
    """Set Content-Security-Policy (from ``SECURE_CSP``), Permissions-Policy (from
    ``PERMISSIONS_POLICY``) and X-Frame-Options on every response that does not
    already carry them.

    It is the outermost middleware so redirects made by other middleware (language
    prefix, trailing slash, HTTPS) carry the headers too. The policy has no
    'unsafe-inline': pages load scripts and styles from files under STATIC_URL only.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = build_csp(settings.SECURE_CSP)
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.csp:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response


# C0 controls, DEL and C1 controls. Form fields may hold tab and line breaks (a
# textarea's text); paths and query strings none at all.
_CONTROL = {chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]}
_CONTROL_IN_FORMS = _CONTROL - {"\t", "\n", "\r"}


def _has_control(text: str, controls: set[str]) -> bool:
    return not controls.isdisjoint(text)


def _bad_urlencoded(raw: bytes, controls: set[str]) -> bool:
    """True when an ``a=1&b=2`` string (a query string or a form body) has a name or
    value that is not UTF-8 once percent-decoded, or holds a control character."""
    for part in raw.split(b"&"):
        for item in part.split(b"=", 1):
            try:
                text = unquote_to_bytes(item.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return True
            if _has_control(text, controls):
                return True
    return False


def bad_input_reason(request) -> str | None:
    """Why ``request`` cannot be served, or None: its path is not UTF-8 or holds a
    control character (a NUL byte, a line break …); its query string or its form data
    has a name or a value that does. Such input means nothing to any page, and further
    in it would end as a 500 (PostgreSQL refuses NUL in text)."""
    # Django has decoded the path already, putting invalid UTF-8 back as %XX escapes
    # (and the raw bytes are gone from META): decode once more. A path with a literal
    # "%C0" or "%00" (sent as %25C0) is refused too; no address of the portal has one.
    try:
        if _has_control(unquote_to_bytes(request.path_info).decode("utf-8"), _CONTROL):
            return "control character in the path"
    except UnicodeDecodeError:
        return "the path is not UTF-8"
    if _bad_urlencoded(get_bytes_from_wsgi(request.META, "QUERY_STRING", ""), _CONTROL):
        return "bad query string"
    if request.method == "POST":
        if request.content_type == "application/x-www-form-urlencoded":
            # Read the raw body: Django would decode bad UTF-8 into U+FFFD silently.
            if _bad_urlencoded(request.body, _CONTROL_IN_FORMS):
                return "bad form data"
        elif request.content_type == "multipart/form-data":
            for name, values in request.POST.lists():
                if any(_has_control(v, _CONTROL_IN_FORMS) for v in [name, *values]):
                    return "bad form data"
    return None


class BadInputMiddleware:
    """Answer 400, with the site's error page in the language of the address, to a
    request whose path, query string or form fields hold control characters (NUL, line
    breaks in a path …) or invalid UTF-8 percent-escapes (``%C0%AF``, ``%FF``).

    It is the first middleware that reads the request (only SecurityHeadersMiddleware,
    which adds headers on the way out, is outside it), so no view, form, session or
    database query ever sees such input. Over-long form data is refused the same way
    (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``, raised while this reads the body).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = bad_input_reason(request)
        if reason is None:
            return self.get_response(request)
        logger.info("400 for %s: %s", request.method, reason)
        language = translation.get_language_from_path(request.path_info)
        with translation.override(language or settings.LANGUAGE_CODE):
            from .views import bad_request

            return bad_request(request)
