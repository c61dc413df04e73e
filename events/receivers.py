"""What the events app does when the members app says something happened."""


def erase_person(sender, *, person, user=None, emails=(), **kwargs) -> dict:
    """A person's personal data is being erased (members.services.person_erase): their
    login's event registrations and calendar feed go. Returns what went."""
    from .models import CalendarToken, Registration

    if user is None:
        return {}
    registrations = list(Registration.objects.filter(user=user).values_list("pk", flat=True))
    Registration.objects.filter(pk__in=registrations).delete()
    tokens = CalendarToken.objects.filter(user=user).delete()[0]
    done: dict[str, list[object]] = {}
    if registrations:
        done["registrations_deleted"] = [None, [f"#{pk}" for pk in registrations]]
    if tokens:
        done["calendar_token_deleted"] = [None, True]
    return done
