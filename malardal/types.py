"""Type aliases shared by the services (checked by mypy, see pyproject.toml)."""

from django.contrib.auth.models import AnonymousUser, User

# Who acts in a service: the request's user (signed in or not). Services take None for
# work done by the system (imports on the command line, the seed, tasks).
Actor = User | AnonymousUser
