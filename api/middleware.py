"""HTTP behaviour of the open-data API, for everything under ``/api/``.

- **CORS**: any origin may read (``Access-Control-Allow-Origin: *``), never with
  credentials; a preflight ``OPTIONS`` is answered here. Only safe methods are offered.
- **Caching** like the anonymous pages: a 200 answer to GET or HEAD gets a strong ETag
  (a hash of the body) and ``Cache-Control: public, max-age=API_CACHE_SECONDS``; a
  request whose ``If-None-Match`` matches gets ``304 Not Modified`` with no body. The API
  never authenticates, so the same URL gives every client the same body and a shared
  cache may keep it.
- **Anonymous**: the request's cookies are dropped before anything below sees them, so
  no session is loaded or written (no idle-timeout write, no ``Vary: Cookie``) and a
  logged-in browser gets the very answer a visitor gets, cacheable publicly (the
  logged-in pages' ``private, no-store`` is for pages made for one person; these are
  not).
- **Errors in JSON**: a 4xx made outside the API's views as an HTML page (the URL
  resolver's 404, the bad-input 400 for a NUL byte) becomes ``{"detail": …}`` like the
  API's own errors.
"""

import json

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.translation import gettext

PREFIX = "/api/"
SAFE_METHODS = ("GET", "HEAD")
ALLOWED_METHODS = "GET, HEAD, OPTIONS"


def _cors(response) -> None:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Link, Content-Disposition"


def _no_vary_on_cookie(response) -> None:
    """The cookies were dropped, so the answer cannot depend on them, whatever a
    middleware that looked at the (empty) session added to Vary."""
    if "Vary" in response:
        kept = [v.strip() for v in response["Vary"].split(",") if v.strip().lower() != "cookie"]
        if kept:
            response["Vary"] = ", ".join(kept)
        else:
            del response["Vary"]


class OpenDataMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        request.META.pop("HTTP_COOKIE", None)
        request.COOKIES = {}
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            response = HttpResponse(status=204)
            _cors(response)
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Allow-Headers"] = "Accept, If-None-Match"
            response["Access-Control-Max-Age"] = "86400"
            return response
        response = self.get_response(request)
        _cors(response)
        _no_vary_on_cookie(response)
        if 400 <= response.status_code < 500 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return self._json_error(response)
        if request.method in SAFE_METHODS and response.status_code == 200:
            if not response.streaming:
                set_response_etag(response)
            patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
            conditional = get_conditional_response(
                request, etag=response.get("ETag"), response=response
            )
            _cors(conditional)  # a 304 is a new response: Django copies only a few headers
            return conditional
        return response

    def _json_error(self, response):
        detail = gettext("Not found.") if response.status_code == 404 else gettext("Bad request.")
        body = json.dumps({"detail": detail})
        replacement = HttpResponse(
            body, status=response.status_code, content_type="application/json"
        )
        if "Vary" in response:
            replacement["Vary"] = response["Vary"]
        _cors(replacement)
        return replacement
