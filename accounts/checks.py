"""System checks of the login settings (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

NUM_PROXIES_ZERO = Warning(
    "NUM_PROXIES is 0, so the portal takes REMOTE_ADDR as the client's address.",
    hint=(
        "Behind a reverse proxy (nginx or a load balancer, as in the README's deployment "
        "section) every request comes from the proxy's address, so failed logins and password "
        "resets would be counted against one address shared by all users. Set the "
        "environment variable NUM_PROXIES to the number of proxies that append to "
        "X-Forwarded-For, e.g. NUM_PROXIES=1 for one nginx."
    ),
    id="accounts.W001",
)


@register(Tags.security, deploy=True)
def check_num_proxies(app_configs, **kwargs):
    if not settings.DEBUG and settings.NUM_PROXIES == 0:
        return [NUM_PROXIES_ZERO]
    return []
