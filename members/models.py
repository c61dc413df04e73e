import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
    code = models.CharField(
        _("official code"),
        max_length=4,
        unique=True,
        null=True,
        blank=True,
        validators=[
            RegexValidator(
                r"^(\d{2}|\d{4})$",
                _("The code is a municipality's four-digit code or a county's two digits."),
            )
        ],
        help_text=_(
            "A municipality's kommunkod (four digits, from SCB, e.g. 0180); for a region, "
            "its county's code (two digits, e.g. 01). Region Gotland has 0980."
        ),
    )
    description = models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def clean(self):
        # An empty code is "none" (NULL), so any number of organisations may lack one.
        self.code = (self.code or "").strip() or None

    @property
    def is_municipality(self) -> bool:
        """A municipality, or Region Gotland, which is Gotland's municipality too (its
        code is a four-digit kommunkod)."""
        return self.kind == self.Kind.MUNICIPALITY or len(self.code or "") == 4


class MembershipQuerySet(models.QuerySet):
    def valid_between(self, start: datetime.date, end: datetime.date):
        """Memberships that held on some day from `start` to `end` (inclusive). A
        missing start or end date is open on that side."""
        return self.filter(
            models.Q(start_date__isnull=True) | models.Q(start_date__lte=end),
            models.Q(end_date__isnull=True) | models.Q(end_date__gte=start),
        )

    def valid_on(self, day: datetime.date):
        return self.valid_between(day, day)

    def valid_in_year(self, year: int):
        return self.valid_between(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    def members(self):
        """Full and associated members (not partners or other relations)."""
        return self.filter(kind__in=Membership.MEMBER_KINDS)


class Membership(models.Model):
    """An organisation's tie to Mälardalsrådet for a period: a (full) member, an
    associated member, a partner, or another relation such as an arena Mälardalsrådet
    works in. History is kept: a change is a new row (or an end date), not an edit of
    the old one's kind."""

    class Kind(models.TextChoices):
        MEMBER = "member", pgettext_lazy("membership", "Member")
        ASSOCIATED = "associated", _("Associated member")
        PARTNER = "partner", pgettext_lazy("membership", "Partner")
        OTHER = "other", _("Arena or other")

    MEMBER_KINDS = (Kind.MEMBER, Kind.ASSOCIATED)

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEMBER)
    start_date = models.DateField(
        _("from"), null=True, blank=True, help_text=_("Empty: the date is not recorded.")
    )
    end_date = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty: it still holds.")
    )
    note = models.TextField(_("note"), blank=True, **max_text(DESCRIPTION))

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "start_date", "pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.organisation} – {self.get_kind_display()}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {"end_date": _("A membership cannot end before it starts.")}, code="order"
            )
        if self.organisation_id is None or getattr(self, "overlap_checked_by_form", False):
            return
        earliest, latest = datetime.date.min, datetime.date.max
        others = Membership.objects.filter(organisation_id=self.organisation_id).exclude(pk=self.pk)
        overlapping = others.valid_between(
            self.start_date or earliest, self.end_date or latest
        ).first()
        if overlapping is not None:
            raise ValidationError(
                _(
                    "%(organisation)s already has a membership for part of this period "
                    "(%(kind)s, %(period)s). End that one first, or change its dates."
                )
                % {
                    "organisation": self.organisation,
                    "kind": overlapping.get_kind_display(),
                    "period": overlapping.period_display,
                },
                code="overlap",
            )

    @property
    def period_display(self) -> str:
        """ "2023-01-01 – 2024-12-31", "– 2024-12-31", "2023-01-01 –" (ISO dates)."""
        start = self.start_date.isoformat() if self.start_date else ""
        end = self.end_date.isoformat() if self.end_date else ""
        return f"{start} – {end}".strip()


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


class PartnershipQuerySet(models.QuerySet):
    def valid_between(self, start: datetime.date, end: datetime.date):
        """Partnerships that held on some day from `start` to `end` (inclusive)."""
        return self.filter(
            models.Q(since__isnull=True) | models.Q(since__lte=end),
            models.Q(until__isnull=True) | models.Q(until__gte=start),
        )

    def valid_on(self, day: datetime.date):
        return self.valid_between(day, day)

    def valid_in_year(self, year: int):
        return self.valid_between(datetime.date(year, 1, 1), datetime.date(year, 12, 31))


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
    since = models.DateField(
        _("since"), null=True, blank=True, help_text=_("Empty: the date is not recorded.")
    )
    until = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty: it still holds.")
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["order", "organisation__name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(since__isnull=True)
                | models.Q(until__isnull=True)
                | models.Q(until__gte=models.F("since")),
                name="partnership_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.organisation}"

    def clean(self):
        if self.since and self.until and self.until < self.since:
            raise ValidationError(
                {"until": _("A partnership cannot end before it starts.")}, code="order"
            )
        if self.organisation_id is None or not self.kind:
            return
        overlapping = (
            Partnership.objects.filter(organisation_id=self.organisation_id, kind=self.kind)
            .exclude(pk=self.pk)
            .valid_between(self.since or datetime.date.min, self.until or datetime.date.max)
        )
        if overlapping.exists():
            raise ValidationError(
                _(
                    "This partnership with %(organisation)s already holds for part of this "
                    "period. End that one first, or change its dates."
                )
                % {"organisation": self.organisation},
                code="overlap",
            )
