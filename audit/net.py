"""The client's address (for the audit trail and for counting failed logins per address).

In `audit`, the lowest layer, because every audit entry records it; accounts uses it too."""

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)
_warned_about_proxy = False


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
    forwarded_header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies:
        forwarded = [a.strip() for a in forwarded_header.split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    elif forwarded_header:
        _warn_once_about_proxy(address)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _warn_once_about_proxy(address: str) -> None:
    """A request came through a proxy (it has X-Forwarded-For) while NUM_PROXIES is 0:
    every client then looks like the proxy, and the proxy's address would be throttled
    for everyone. Said once per process, so the log is not flooded."""
    global _warned_about_proxy
    if _warned_about_proxy:
        return
    _warned_about_proxy = True
    logger.warning(
        "A request from %s carries X-Forwarded-For but NUM_PROXIES is 0: failed logins "
        "are counted against the proxy's address, shared by every user. Set NUM_PROXIES "
        "to the number of reverse proxies in front of the portal (see README).",
        address,
    )
