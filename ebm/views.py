"""The En Bättre Matchning programme page."""

from django.shortcuts import render

from members.county_map import county_map, map_texts
from members.models import Programme
from members.selectors import programme_overview

from . import selectors


def programme(request):
    overview = programme_overview(request.user, Programme.EBM)
    regions = selectors.participating_regions()
    programme_name = Programme.EBM.label
    context = {
        **overview,
        "programme_name": programme_name,
        "regions": regions,
        **map_texts(str(programme_name), [r.county.name for r in regions]),
        "map": county_map(overview["counties"], [region.county.code for region in regions]),
        "occupational_areas": selectors.occupational_areas(),
        "action_plan_areas": selectors.action_plan_areas(),
        "railway_programmes": selectors.railway_programmes(),
        "training_facilities": selectors.training_facilities(),
    }
    return render(request, "ebm/programme.html", context)
