from django.db import models
from django.utils.translation import gettext_lazy as _

from malardal.textlimits import DESCRIPTION, max_text
from members.models import County, Organisation


class ParticipatingRegion(models.Model):
    """A region (by its county) that takes part in En Bättre Matchning."""

    county = models.OneToOneField(
        County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="ebm_participation"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("regional organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("participating region")
        verbose_name_plural = _("participating regions")

    def __str__(self):
        return str(self.organisation or self.county)


class OccupationalArea(models.Model):
    """A prioritised occupational (education) area, e.g. teachers."""

    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("occupational area")
        verbose_name_plural = _("occupational areas")

    def __str__(self):
        return self.name


class ActionPlanArea(models.Model):
    """A prioritised area of the teacher-supply action plan."""

    text = models.CharField(_("text"), max_length=300)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("teacher action plan area")
        verbose_name_plural = _("teacher action plan areas")

    def __str__(self):
        return self.text


class RailwayProgramme(models.Model):
    """A railway education programme (the knowledge base the plan asks for)."""

    class Level(models.TextChoices):
        VOCATIONAL = "vocational", _("Higher vocational education")
        UNIVERSITY = "university", _("University")
        UPPER_SECONDARY = "upper_secondary", _("Upper secondary / adult education")

    name = models.CharField(_("name"), max_length=200)
    occupation = models.CharField(_("occupation"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("provider"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="railway_programmes",
    )
    county = models.ForeignKey(
        County,
        verbose_name=_("county"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="railway_programmes",
    )
    places = models.PositiveIntegerField(_("places a year"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))

    class Meta:
        ordering = ["name"]
        verbose_name = _("railway programme")
        verbose_name_plural = _("railway programmes")

    def __str__(self):
        return self.name


class TrainingFacility(models.Model):
    class Status(models.TextChoices):
        EXISTING = "existing", _("Existing")
        PROPOSED = "proposed", _("Proposed")

    name = models.CharField(_("name"), max_length=200)
    county = models.ForeignKey(
        County,
        verbose_name=_("county"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_facilities",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    description = models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))

    class Meta:
        ordering = ["name"]
        verbose_name = _("training facility")
        verbose_name_plural = _("training facilities")

    def __str__(self):
        return self.name
