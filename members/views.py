"""The member directory: the members by county, the partners and arenas, a page per
organisation with its membership history, and the bodies with their public roles.
Personal contact data only reaches users with ``members.view_contact_details`` (see
selectors)."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from . import selectors
from .forms import MemberFilterForm, YearForm


def directory(request):
    """The members (full and associated) today, or in a plan year (``?year=``), by
    county; searched by name (``?q=``) and filtered by county and kind. A filter that
    does not validate is a 400 with the form and its errors."""
    form = MemberFilterForm(
        request.GET or None,
        counties=selectors.counties_for_filter(),
        years=selectors.plan_years(request.user),
    )
    data = {}
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
        else:
            status = 400
    year = data.get("year")
    filtered = bool(data.get("q") or data.get("county") or data.get("kind"))
    groups = []
    if status == 200:
        groups = selectors.member_directory(
            year=year,
            county=data.get("county"),
            kind=data.get("kind") or None,
            q=data.get("q") or "",
        )
    context = {
        "form": form,
        "year": year,
        "today": timezone.localdate(),
        "filtered": filtered,
        "invalid": status == 400,
        "groups": groups,
        "count": sum(group.count for group in groups),
    }
    return render(request, "members/directory.html", context, status=status)


def partners(request):
    """Mälardalsrådet's own memberships and partnerships, and its partners and arenas,
    today or in a plan year (``?year=``)."""
    form = YearForm(request.GET or None, years=selectors.plan_years(request.user))
    year = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            year = form.cleaned_data["year"]
        else:
            status = 400
    context = {"form": form, "year": year, "today": timezone.localdate(), "invalid": status == 400}
    if status == 200:
        context.update(selectors.partners_and_arenas(year=year))
    return render(request, "members/partners.html", context, status=status)


def organisation_detail(request, slug):
    organisation = selectors.organisation_for_page(slug)
    if organisation is None:
        raise Http404
    context = {
        "organisation": organisation,
        **selectors.organisation_links(organisation, request.user),
    }
    return render(request, "members/organisation_detail.html", context)


def body_list(request):
    return render(
        request,
        "members/body_list.html",
        {
            "bodies": selectors.body_tree(request.user),
            "show_contact": selectors.can_view_contact_details(request.user),
        },
    )


def body_detail(request, slug):
    context = selectors.body_for_page(slug, request.user)
    if context is None:
        raise Http404
    return render(request, "members/body_detail.html", context)
