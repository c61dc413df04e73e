"""The member directory: organisations by county and kind, a page per organisation, and
the bodies with their public roles. Personal contact data only reaches users with
``members.view_contact_details`` (see selectors)."""

from django.http import Http404
from django.shortcuts import render

from . import selectors
from .forms import OrganisationFilterForm


def directory(request):
    form = OrganisationFilterForm(
        request.GET or None, counties=selectors.counties_with_organisations()
    )
    county = kind = None
    if form.is_bound and form.is_valid():
        county = form.cleaned_data["county"]
        kind = form.cleaned_data["kind"] or None
    context = {
        "form": form,
        "filtered": bool(county or kind),
        "groups": selectors.organisation_directory(county=county, kind=kind),
    }
    return render(request, "members/directory.html", context)


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
