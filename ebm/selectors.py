"""Reads for the En Bättre Matchning page (a fixed number of queries)."""

from .models import (
    ActionPlanArea,
    OccupationalArea,
    ParticipatingRegion,
    RailwayProgramme,
    TrainingFacility,
)


def participating_regions() -> list[ParticipatingRegion]:
    return list(
        ParticipatingRegion.objects.select_related("county", "organisation").order_by("order", "pk")
    )


def occupational_areas() -> list[OccupationalArea]:
    return list(OccupationalArea.objects.order_by("order", "pk"))


def action_plan_areas() -> list[ActionPlanArea]:
    return list(ActionPlanArea.objects.order_by("order", "pk"))


def railway_programmes() -> list[RailwayProgramme]:
    return list(
        RailwayProgramme.objects.select_related("provider", "county").order_by("name", "pk")
    )


def training_facilities() -> list[TrainingFacility]:
    return list(TrainingFacility.objects.select_related("county").order_by("name", "pk"))
