"""The open-data page: what the datasets are, their licence, how to fetch them."""

from django.shortcuts import render
from django.urls import reverse

from . import selectors
from .exports import LICENCE


def open_data(request):
    def absolute(viewname, **kwargs):
        return request.build_absolute_uri(reverse(viewname, kwargs=kwargs or None))

    plans = list(selectors.plans(request.user).only("pk", "year", "title_sv", "title_en"))
    example_year = plans[0].year if plans else None
    context = {
        "plans": plans,
        "example_year": example_year,
        "licence_url": LICENCE.replace("http://", "https://"),
        "api_root": absolute("api:root"),
        "schema_url": absolute("api:schema"),
        "dcat_url": absolute("api:dcat"),
        "api_plans_url": absolute("api:plan_list"),
        "api_activities_url": absolute("api:activity_list"),
        "api_events_url": absolute("api:event_list"),
    }
    return render(request, "api/open_data.html", context)
