from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from malardal.types import Actor

from .models import ContactDetails
from .selectors import contact_details

FIELDS = (
    "organisation_sv",
    "organisation_en",
    "email",
    "phone",
    "postal_address_sv",
    "postal_address_en",
    "visiting_address_sv",
    "visiting_address_en",
    "note_sv",
    "note_en",
    "privacy_email",
)


def contact_details_update(*, by: Actor | None = None, **values: object) -> ContactDetails:
    """Change the secretariat's contact details (the one row, made on first save).
    Raises PermissionDenied without ``about.change_contactdetails`` and ValidationError
    for a bad value; nothing is saved then."""
    if by is not None and not by.has_perm("about.change_contactdetails"):
        raise PermissionDenied(_("You may not change the contact details."))
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"contact_details_update cannot set {sorted(unknown)}")
    with transaction.atomic():
        details = contact_details()
        for name, value in values.items():
            setattr(details, name, value)
        details.organisation = details.organisation_sv  # type: ignore[attr-defined]  # modeltranslation
        details.full_clean()
        details.save()
    return details
