"""Event pages, registration and the calendar feeds. Reads are in selectors, writes in
services; the views pick what the user may see and render it."""

import datetime
import hashlib
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, urlencode
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
        # A visitor learns that members-only meetings exist (one number for every
        # visitor: the page is cached for them).
        "members_only_count": (
            selectors.members_only_count() if not request.user.is_authenticated else 0
        ),
        "login_url": f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}",
    }
    return render(request, "events/event_list.html", context)


def _event_or_404(request, slug):
    event = selectors.event_for_page(request.user, slug)
    if event is None:
        # A members-only event answers 404, not 403, so its existence is not disclosed.
        raise Http404
    return event


def event_detail(request, slug):
    if not request.user.is_authenticated and selectors.event_for_page(request.user, slug) is None:
        # A members-only event: log in and come back (issue 14, point 7). Anything
        # members could not see either stays a 404.
        if selectors.event_for_login(slug) is not None:
            return redirect_to_login(request.get_full_path())
        raise Http404
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
    _calendar_headers(response, filename, private=private)
    return response


def _calendar_headers(response, filename: str, *, private: bool) -> None:
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if private:
        # The feed is personal: no shared cache may keep it, no search engine index it.
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    else:
        # Calendar apps poll; a short max-age, then a conditional request (304).
        response["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"


FEED_MAX_AGE = 300


class FeedWindowError(ValueError):
    pass


def _feed_since(request) -> datetime.date | None:
    """The first day a feed carries: a year ago by default; ``?since=YYYY`` from 1
    January of that year; ``?past=all`` everything. Anything else is a FeedWindowError."""
    past = request.GET.get("past", "")
    since = request.GET.get("since", "")
    if past and past != "all":
        raise FeedWindowError(_("“past” can only be “all”."))
    if past == "all":
        if since:
            raise FeedWindowError(_("Give either “past” or “since”, not both."))
        return None
    if since:
        if not re.fullmatch(r"\d{4}", since) or not 1900 <= int(since) <= 2100:
            raise FeedWindowError(_("“since” must be a year, for example since=2020."))
        return datetime.date(int(since), 1, 1)
    return selectors.today() - datetime.timedelta(days=selectors.FEED_PAST_DAYS)


def _calendar_feed(request, events, *, name: str, filename: str, private: bool = False):
    """A feed of `events` within the window the request asks for (_feed_since), with an
    ETag made from the events' fingerprint: a request whose If-None-Match still
    matches gets 304 without the calendar being made. Last-Modified is the latest change
    among the events, for information: If-Modified-Since alone is not trusted, since an
    event that left the feed leaves no time behind."""
    try:
        since = _feed_since(request)
    except FeedWindowError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    events = selectors.feed_window(events, since)
    stamp = selectors.feed_fingerprint(events)
    language = get_language()
    key = "|".join(map(str, [language, since, name, *sorted(stamp.items())]))
    etag = f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(
            calendar_for(events, language=language, name=name),
            content_type="text/calendar; charset=utf-8",
        )
    response["ETag"] = etag
    if stamp["changed"] is not None:
        response["Last-Modified"] = http_date(stamp["changed"].timestamp())
    _calendar_headers(response, filename, private=private)
    return response


def public_feed(request):
    return _calendar_feed(
        request,
        selectors.public_feed_events(),
        name=_("Mälardalsrådet: events"),
        filename="malardalsradet.ics",
    )


def body_feed(request, slug):
    body = get_object_or_404(Body, slug=slug)
    return _calendar_feed(
        request,
        selectors.body_feed_events(body),
        name=_("Mälardalsrådet: %(body)s") % {"body": body.name},
        filename=f"{body.slug}.ics",
    )


def personal_feed(request, token):
    user = selectors.calendar_token_owner(token)
    if user is None:
        raise Http404
    return _calendar_feed(
        request,
        selectors.personal_feed_events(user),
        name=_("Mälardalsrådet: my events"),
        filename="my-events.ics",
        private=True,
    )


def event_ics(request, slug):
    """One event as a calendar file, for "add to my calendar"."""
    event = _event_or_404(request, slug)
    if event.start_date is None:
        raise Http404
    content = calendar_for([event], language=get_language(), name=event.title)
    return _calendar_response(
        content, f"{event.slug}.ics", private=event.visibility != Event.Visibility.PUBLIC
    )
