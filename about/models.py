"""What a public body's site must say about itself: how to reach the secretariat (shown
on the contact, accessibility and personal-data pages). One row, kept in the admin."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactDetails(models.Model):
    """The secretariat's contact details. Empty until the secretariat fills them in:
    the pages then say so rather than show an address nobody entered."""

    organisation = models.CharField(_("organisation"), max_length=200, default="Mälardalsrådet")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    postal_address = models.TextField(_("postal address"), blank=True, max_length=500)
    visiting_address = models.TextField(_("visiting address"), blank=True, max_length=500)
    note = models.TextField(
        _("note"),
        blank=True,
        max_length=2000,
        help_text=_("E.g. when the secretariat answers the phone."),
    )
    privacy_email = models.EmailField(
        _("e-mail for questions on personal data"),
        blank=True,
        help_text=_("If empty, the general e-mail address is shown."),
    )

    class Meta:
        verbose_name = _("contact details")
        verbose_name_plural = _("contact details")

    def __str__(self):
        return str(_("Contact details of the secretariat"))
