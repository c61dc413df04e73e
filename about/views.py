from django.conf import settings
from django.shortcuts import render

from .selectors import contact_details


def _page(request, template: str, **context):
    return render(request, template, {"contact": contact_details(), **context})


def accessibility(request):
    return _page(request, "about/accessibility.html")


def personal_data(request):
    return _page(
        request,
        "about/personal_data.html",
        session_hours=settings.SESSION_COOKIE_AGE // 3600,
        idle_minutes=getattr(settings, "SESSION_IDLE_TIMEOUT", 0) // 60,
    )


def cookies(request):
    return _page(request, "about/cookies.html", session_hours=settings.SESSION_COOKIE_AGE // 3600)


def contact(request):
    return _page(request, "about/contact.html")
