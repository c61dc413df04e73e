from .models import ContactDetails


def contact_details() -> ContactDetails:
    """The secretariat's contact details (an unsaved, empty row before anyone has
    entered them). One query."""
    return ContactDetails.objects.order_by("pk").first() or ContactDetails()
