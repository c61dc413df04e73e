"""Writes on members' data."""

import re

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from audit.context import acting_as

from .models import Person

ERASED = "[erased]"
# The person's fields that say who they are, and the login's.
PERSON_FIELDS = ("first_name", "last_name", "title", "email", "phone", "party")
USER_FIELDS = ("username", "first_name", "last_name", "email")


def _personal_strings(person: Person, user) -> list[str]:
    """Text that identifies the person, longest first, to be scrubbed from history."""
    strings = {
        person.full_name,
        f"{person.last_name} {person.first_name}",
        person.email,
        person.phone,
    }
    if user is not None:
        strings |= {user.get_username(), user.email, user.get_full_name()}
    return sorted((s.strip() for s in strings if s and len(s.strip()) >= 3), key=len, reverse=True)


def _scrub(value, strings):
    """`value` with each of `strings` replaced by "[erased]" where it stands as a whole
    word or more ("Anna" in "Anna Ek (#3)", not in "Johanna")."""
    if isinstance(value, str):
        for s in strings:
            value = re.sub(rf"(?<!\w){re.escape(s)}(?!\w)", ERASED, value)
        return value
    if isinstance(value, list):
        return [_scrub(v, strings) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, strings) for k, v in value.items()}
    return value


def _scrub_history(*, person: Person, user, strings: list[str]) -> None:
    """Take the person's details out of the audit trail and the admin's log: values of
    their personal fields become "[erased]", and their name, address and user name
    wherever else they appear (an activity's owners, a role's name …)."""
    from django.contrib.admin.models import LogEntry

    from audit.models import AuditEntry

    person_type = ContentType.objects.get_for_model(Person)
    user_model = get_user_model()
    user_type = ContentType.objects.get_for_model(user_model)
    # Entries that may name the person: about the person, the login, and every kind of
    # object that refers to either.
    models = {Person, user_model}
    for target in (Person, user_model):
        for relation in target._meta.get_fields():
            if relation.is_relation and relation.auto_created and not relation.concrete:
                models.add(relation.related_model)
    types = ContentType.objects.get_for_models(*models).values()

    # The personal fields of the person and the login, with their values now: any
    # other value they ever had is erased from the trail.
    person_fields = [
        f
        for f in Person._meta.concrete_fields
        if f.name in PERSON_FIELDS
        or (hasattr(f, "translated_field") and f.translated_field.name in PERSON_FIELDS)
    ]
    personal = {
        (person_type.pk, str(person.pk)): {
            f.name: f.value_from_object(person) for f in person_fields
        }
    }
    if user is not None:
        personal[(user_type.pk, str(user.pk))] = {name: getattr(user, name) for name in USER_FIELDS}

    changed = []
    for entry in AuditEntry.objects.filter(content_type__in=types).iterator():
        now = personal.get((entry.content_type_id, entry.object_id), {})
        changes = {
            name: [ERASED if name in now and v not in (None, "", now[name]) else v for v in pair]
            for name, pair in entry.changes.items()
        }
        changes = _scrub(changes, strings)
        object_repr = _scrub(entry.object_repr, strings)
        if changes != entry.changes or object_repr != entry.object_repr:
            entry.changes, entry.object_repr = changes, object_repr
            changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["changes", "object_repr"], batch_size=500)

    logs = []
    for entry in LogEntry.objects.filter(content_type__in=types).iterator():
        object_repr = _scrub(entry.object_repr, strings)
        if object_repr != entry.object_repr:
            entry.object_repr = object_repr
            logs.append(entry)
    LogEntry.objects.bulk_update(logs, ["object_repr"], batch_size=500)


@transaction.atomic
def person_erase(*, person: Person, by) -> Person:
    """Erase what identifies `person`, keeping the plan's history whole.

    The person stays as a placeholder ("Erased person #12"), so the activities they
    owned, their roles (now hidden from public lists) and the status updates they
    reported keep their place. Their title, e-mail, phone and party are blanked. Their
    login, if any, is detached, renamed "erased-<id>", emptied, deactivated and loses its
    password and groups; their event registrations, calendar feed and reminder
    preferences are deleted. The audit trail and the admin's log keep every change but
    no longer name them.

    `by` is the user doing it; the changes are recorded in the audit trail as theirs,
    with the source "person_erase". Returns the placeholder person.
    """
    user = person.user
    strings = _personal_strings(person, user)
    with acting_as(by, source=f"person_erase #{person.pk}"):
        with translation.override(settings.LANGUAGE_CODE):
            person.first_name = gettext("Erased person")
        person.last_name = f"#{person.pk}"
        for language, _name in settings.LANGUAGES:
            setattr(person, f"title_{language}", "")
        person.title = ""
        person.email = person.phone = person.party = ""
        person.user = None
        person.full_clean()
        person.save()

        for role in person.roles.filter(is_public=True):
            role.is_public = False
            role.save(update_fields=["is_public"])

        _erase_reminders(person, user, strings)
        if user is not None:
            _erase_login(user)

        _scrub_history(person=person, user=user, strings=strings)
    return person


def _erase_login(user) -> None:
    from events.models import CalendarToken, Registration

    Registration.objects.filter(user=user).delete()
    CalendarToken.objects.filter(user=user).delete()
    user.username = f"erased-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()  # also ends the login's sessions (their hash changes)
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def _erase_reminders(person: Person, user, strings) -> None:
    """Reminder preferences go; the reminder log keeps what was sent when, not to
    which address."""
    if not apps.is_installed("reminders"):
        return
    ContactPreference = apps.get_model("reminders", "ContactPreference")
    ReminderLog = apps.get_model("reminders", "ReminderLog")
    ContactPreference.objects.filter(person=person).delete()
    logs = ReminderLog.objects.filter(person=person)
    if user is not None:
        logs = logs | ReminderLog.objects.filter(user=user)
    logs = logs | ReminderLog.objects.filter(recipient_key__in=[f"email:{s}" for s in strings])
    for log in logs.distinct():
        log.email = ""
        if log.recipient_key.startswith("email:"):
            log.recipient_key = f"erased:{log.pk}"
        log.save(update_fields=["email", "recipient_key"])
