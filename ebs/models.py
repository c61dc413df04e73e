from django.db import models
from django.utils.translation import gettext_lazy as _

from malardal.textlimits import DESCRIPTION, max_text
from members.models import County


class ParticipatingCounty(models.Model):
    """A county whose actors take part in En Bättre Sits."""

    county = models.OneToOneField(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="ebs_participation"
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("participating county")
        verbose_name_plural = _("participating counties")

    def __str__(self):
        return str(self.county)


class SystemAnalysis(models.Model):
    """An edition of the Systemanalys, the joint prioritisation of the region's
    transport infrastructure."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        ADOPTED = "adopted", _("Adopted")

    year = models.PositiveIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    description = models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("system analysis")
        verbose_name_plural = _("system analyses")

    def __str__(self):
        return self.title


class PrioritisedMeasure(models.Model):
    class Mode(models.TextChoices):
        RAIL = "rail", _("Rail")
        ROAD = "road", _("Road")
        SEA = "sea", _("Shipping")
        AIR = "air", _("Aviation")
        PUBLIC_TRANSPORT = "public_transport", _("Public transport")
        MULTIMODAL = "multimodal", _("Several modes")

    class NationalPlan(models.TextChoices):
        INCLUDED = "included", _("In the national plan")
        PARTLY = "partly", _("Partly in the national plan")
        NOT_INCLUDED = "not_included", _("Not in the national plan")
        COMPLETED = "completed", _("Completed")

    system_analysis = models.ForeignKey(
        SystemAnalysis,
        verbose_name=_("system analysis"),
        on_delete=models.CASCADE,
        related_name="measures",
    )
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    national_plan = models.CharField(
        _("national plan"), max_length=20, choices=NationalPlan.choices, blank=True
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["system_analysis", "order"]
        verbose_name = _("measure of the system analysis")
        verbose_name_plural = _("measures of the system analysis")

    def __str__(self):
        return self.name


class FreightStrategy(models.Model):
    year = models.PositiveIntegerField(_("adopted in"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("freight strategy")
        verbose_name_plural = _("freight strategies")

    def __str__(self):
        return self.title


class FreightMeasure(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        DONE = "done", _("Done")

    strategy = models.ForeignKey(
        FreightStrategy,
        verbose_name=_("freight strategy"),
        on_delete=models.CASCADE,
        related_name="measures",
    )
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["strategy", "order"]
        verbose_name = _("freight measure")
        verbose_name_plural = _("freight measures")

    def __str__(self):
        return self.name
