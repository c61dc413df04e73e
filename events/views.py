"""Event pages, registration and the calendar feeds. Reads are in selectors, writes in
services; the views pick what the user may see and render it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from members.models import Body

from . import selectors, services
from .forms import EventFilterForm, RegistrationForm
from .ics import calendar_for
from .models import Event, Registration
from .templatetags.calendars import as_webcal

PAST_EVENTS_PER_PAGE = 25


def event_list(request):
    form = EventFilterForm(request.GET or None, bodies=selectors.bodies_with_events(request.user))
    kind = body = None
    if form.is_bound and form.is_valid():
        kind = form.cleaned_data["kind"] or None
        body = form.cleaned_data["body"]
    listing = selectors.event_listing(request.user, kind=kind, body=body)
    past_page = Paginator(listing.past, PAST_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "filtered": bool(kind or body),
        "upcoming": listing.upcoming,
        "past_page": past_page,
        "filter_query": query.urlencode(),
    }
    return render(request, "events/event_list.html", context)


def _event_or_404(request, slug):
    event = selectors.event_for_page(request.user, slug)
    if event is None:
        # A members-only event answers 404, not 403, so its existence is not disclosed.
        raise Http404
    return event


def event_detail(request, slug):
    event = _event_or_404(request, slug)
    registration = selectors.registration_of(event, request.user)
    can_register = request.user.has_perm(services.REGISTER_PERMISSION)
    is_past = selectors.event_is_past(event)
    context = {
        "event": event,
        "is_past": is_past,
        "parent": selectors.event_parent(event, request.user),
        "children": selectors.event_children(event, request.user),
        **selectors.event_plan_links(event, request.user),
        "registration": registration,
        "can_register": can_register,
        "registration_form": (
            RegistrationForm(initial={"response": registration.response if registration else None})
            if can_register and event.registration_open and not is_past and not event.is_cancelled
            else None
        ),
    }
    return render(request, "events/event_detail.html", context)


@require_POST
def event_register(request, slug):
    if not request.user.is_authenticated:
        return redirect_to_login(
            request.build_absolute_uri(_event_or_404(request, slug).get_absolute_url())
        )
    event = _event_or_404(request, slug)
    if not request.user.has_perm(services.REGISTER_PERMISSION):
        raise PermissionDenied
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you will attend."))
        return redirect(f"{event.get_absolute_url()}#registration")
    try:
        registration = services.registration_set(
            event=event, user=request.user, response=form.cleaned_data["response"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if registration.response == Registration.Response.ATTENDING:
            messages.success(request, _("Your answer is saved: you will attend."))
        else:
            messages.success(request, _("Your answer is saved: you will not attend."))
    return redirect(f"{event.get_absolute_url()}#registration")


@login_required
@permission_required(services.REGISTER_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def my_calendar(request):
    """The member's personal feed. POST makes a new address (replacing the old one, if
    any) and shows it this once: only its hash is kept, so the page cannot show it
    again later."""
    feed_url = None
    replaced = False
    if request.method == "POST":
        replaced = hasattr(request.user, "calendar_token")
        token, raw = services.calendar_token_issue(user=request.user)
        request.user.calendar_token = token
        feed_url = request.build_absolute_uri(
            reverse("events:personal_feed", kwargs={"token": raw})
        )
    token = getattr(request.user, "calendar_token", None)
    webcal_feed_url = as_webcal(feed_url) if feed_url else None
    response = render(
        request,
        "events/my_calendar.html",
        {
            "token": token,
            "feed_url": feed_url,
            "replaced": replaced,
            "webcal_feed_url": webcal_feed_url,
            "attending": list(selectors.personal_feed_events(request.user).select_related("body")),
        },
    )
    # The page may hold the feed's secret address: no cache keeps it.
    response["Cache-Control"] = "private, no-store"
    return response


def _calendar_response(content: bytes, filename: str, *, private: bool = False):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if private:
        # The feed is personal: no shared cache may keep it, no search engine index it.
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


def public_feed(request):
    content = calendar_for(
        selectors.public_feed_events(),
        language=get_language(),
        name=_("Mälardalsrådet: events"),
    )
    return _calendar_response(content, "malardalsradet.ics")


def body_feed(request, slug):
    body = get_object_or_404(Body, slug=slug)
    content = calendar_for(
        selectors.body_feed_events(body),
        language=get_language(),
        name=_("Mälardalsrådet: %(body)s") % {"body": body.name},
    )
    return _calendar_response(content, f"{body.slug}.ics")


def personal_feed(request, token):
    user = selectors.calendar_token_owner(token)
    if user is None:
        raise Http404
    content = calendar_for(
        selectors.personal_feed_events(user),
        language=get_language(),
        name=_("Mälardalsrådet: my events"),
    )
    return _calendar_response(content, "my-events.ics", private=True)


def event_ics(request, slug):
    """One event as a calendar file, for "add to my calendar"."""
    event = _event_or_404(request, slug)
    if event.start_date is None:
        raise Http404
    content = calendar_for([event], language=get_language(), name=event.title)
    return _calendar_response(
        content, f"{event.slug}.ics", private=event.visibility != Event.Visibility.PUBLIC
    )
