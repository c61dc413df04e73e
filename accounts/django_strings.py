"""Django's own texts that our catalogue words differently (docs/glossary.md): listed
here so that ``makemessages`` keeps them in locale/, whose translations come before
Django's. Never imported; read by makemessages only."""

from django.utils.translation import gettext_noop

DJANGO_TEXTS = [
    # django.contrib.auth's login form and the admin's: "skiftlägeskänsliga" in Django's
    # Swedish catalogue; we say it plainly.
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both fields may be "
        "case-sensitive."
    ),
    gettext_noop(
        "Please enter the correct %(username)s and password for a staff account. Note that "
        "both fields may be case-sensitive."
    ),
]
