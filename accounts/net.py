"""The client's address, for counting failed logins per address."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The address of the client that sent ``request``, or None without a request.

    Behind ``NUM_PROXIES`` reverse proxies the address is read from X-Forwarded-For,
    counting proxies from the right: entries further left were written by the client
    and cannot be trusted. Without proxies it is REMOTE_ADDR.
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NUM_PROXIES
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
