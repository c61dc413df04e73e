"""The En Bättre Sits programme page."""

from django.shortcuts import render

from members.county_map import county_map, map_texts
from members.models import Programme
from members.selectors import programme_overview

from . import selectors


def programme(request):
    overview = programme_overview(request.user, Programme.EBS)
    participating = selectors.participating_counties()
    programme_name = Programme.EBS.label
    context = {
        **overview,
        "programme_name": programme_name,
        "participating": participating,
        **map_texts(str(programme_name), [p.county.name for p in participating]),
        "map": county_map(overview["counties"], [p.county.code for p in participating]),
        "system_analyses": selectors.system_analyses(),
        "freight_strategies": selectors.freight_strategies(),
    }
    return render(request, "ebs/programme.html", context)
