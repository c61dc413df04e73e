from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from malardal.textlimits import DESCRIPTION, max_text


class Programme(models.TextChoices):
    """The plan's two long-running programmes."""

    EBS = "ebs", _("En Bättre Sits")
    EBM = "ebm", _("En Bättre Matchning")


class County(models.Model):
    """A Swedish county (län) with its official two-digit code."""

    code = models.CharField(
        _("county code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^\d{2}$", _("The county code is two digits, e.g. 01."))],
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self):
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region")
        AGENCY = "agency", _("Government agency")
        UNIVERSITY = "university", _("University or college")
        COMPANY = "company", _("Company")
        ASSOCIATION = "association", _("Association")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    county = models.ForeignKey(
        County,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    description = models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))
    website = models.URLField(_("website"), blank=True)
    member_since = models.DateField(_("member since"), null=True, blank=True)
    member_until = models.DateField(_("member until"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


class Person(models.Model):
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    title = models.CharField(_("title"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    party = models.CharField(
        _("party"), max_length=100, blank=True, help_text=_("For politicians.")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        permissions = [
            ("view_contact_details", _("Can see persons' contact details")),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self):
        return str(self)


class Body(models.Model):
    """A board, council, steering group, network or working group; nested where it is
    part of another body."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("Council")
        BOARD = "board", _("Board")
        STEERING_GROUP = "steering_group", _("Steering group")
        REFERENCE_GROUP = "reference_group", _("Reference group")
        PREPARATION_GROUP = "preparation_group", _("Preparation group")
        NETWORK = "network", _("Network")
        WORKING_GROUP = "working_group", _("Working group")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    programme = models.CharField(
        _("programme"), max_length=3, choices=Programme.choices, blank=True
    )
    description = models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")

    def __str__(self):
        return self.name


class Role(models.Model):
    class Position(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice chair")
        MEMBER = "member", _("Member")
        DEPUTY = "deputy", _("Deputy")
        COORDINATOR = "coordinator", _("Coordinator")
        SECRETARY = "secretary", _("Secretary")
        ADJUNCT = "adjunct", _("Adjunct")

    class Sector(models.TextChoices):
        POLITICS = "politics", _("Politics")
        ACADEMIA = "academia", _("Academia")
        BUSINESS = "business", _("Business")
        PUBLIC_ADMINISTRATION = "public_administration", _("Public administration")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="roles"
    )
    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.CASCADE, related_name="roles"
    )
    position = models.CharField(
        _("position"), max_length=20, choices=Position.choices, default=Position.MEMBER
    )
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices, blank=True)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Shown in the public member directory.")
    )

    class Meta:
        ordering = ["body", "position", "person__last_name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self):
        return f"{self.person} – {self.get_position_display()}, {self.body}"


class Partnership(models.Model):
    """An organisation Mälardalsrådet is a member of, a partner in, or works with."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Member of")
        PARTNER = "partner", _("Partner in")
        COLLABORATION = "collaboration", _("Works with")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="partnerships",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))
    since = models.DateField(_("since"), null=True, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "organisation__name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="unique_partnership_kind")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.organisation}"
