from .context import acting_for_request


class AuditContextMiddleware:
    """Make the request's user the actor of every change recorded while the request is
    handled. Place it after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_for_request(request):
            return self.get_response(request)
