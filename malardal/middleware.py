"""Response headers that Django 5.2 does not set by itself.

Django's SecurityMiddleware already sends X-Content-Type-Options, Referrer-Policy,
Cross-Origin-Opener-Policy and (behind HTTPS) HSTS; XFrameOptionsMiddleware sends
X-Frame-Options. This adds the Content-Security-Policy and the Permissions-Policy,
and X-Frame-Options on the responses XFrameOptionsMiddleware never sees (redirects
made by the middleware above it).
"""

from django.conf import settings


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
