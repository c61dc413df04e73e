from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from audit.net import client_ip

from .selectors import login_locked_until


class LockoutModelBackend(ModelBackend):
    """Django's ModelBackend, refusing every password — the right one too — while the
    (user name, client address) pair or the client address must wait (see
    :mod:`accounts.services`). The same user name from another address is not held.

    PermissionDenied stops ``authenticate()`` from trying further backends; it then
    returns None and sends ``user_login_failed``.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if login_locked_until(username=username, ip=client_ip(request)):
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)
