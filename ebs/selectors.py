"""Reads for the En Bättre Sits page (a fixed number of queries)."""

from django.db.models import Prefetch

from .models import (
    FreightMeasure,
    FreightStrategy,
    ParticipatingCounty,
    PrioritisedMeasure,
    SystemAnalysis,
)


def participating_counties() -> list[ParticipatingCounty]:
    return list(ParticipatingCounty.objects.select_related("county").order_by("order", "pk"))


def system_analyses() -> list[SystemAnalysis]:
    """Every edition, newest first, with its prioritised measures in order."""
    return list(
        SystemAnalysis.objects.order_by("-year").prefetch_related(
            Prefetch("measures", queryset=PrioritisedMeasure.objects.order_by("order", "pk"))
        )
    )


def freight_strategies() -> list[FreightStrategy]:
    """Every freight strategy, newest first, with its measures in order."""
    return list(
        FreightStrategy.objects.order_by("-year").prefetch_related(
            Prefetch("measures", queryset=FreightMeasure.objects.order_by("order", "pk"))
        )
    )
