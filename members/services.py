"""Writes on members' data."""

import contextlib
import datetime
import re
from collections.abc import Collection, Iterable
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ForeignObjectRel, Q
from django.utils import translation
from django.utils.translation import gettext

from accounts.permissions import may_erase_login, may_link_login
from audit.context import acting_as
from malardal.types import Actor

from . import guards
from .models import Membership, Organisation, Partnership, Person
from .signals import person_erasing

ERASED = "[erased]"
# The person's fields that say who they are, and the login's.
PERSON_FIELDS = ("first_name", "last_name", "title", "email", "phone", "party")
USER_FIELDS = ("username", "first_name", "last_name", "email")


def _person_field_names() -> list[str]:
    """The person's identifying fields as stored: ``title`` and its translations."""
    return [
        f.name
        for f in Person._meta.concrete_fields
        if f.name in PERSON_FIELDS
        or (hasattr(f, "translated_field") and f.translated_field.name in PERSON_FIELDS)
    ]


def _erase_values(changes: dict[str, Any], names: Collection[str]) -> dict[str, Any]:
    """`changes` with the old and new values of the fields `names` replaced by
    "[erased]" (an empty value stays empty: it says nothing)."""
    return {
        name: [ERASED if v not in (None, "") else v for v in pair]
        if name in names and isinstance(pair, list)
        else pair
        for name, pair in changes.items()
    }


def _related_to(target: type[models.Model], pk: object) -> list[tuple[Any, Any]]:
    """(model, field name) of every foreign key, one-to-one or many-to-many that points
    at `target` (Person or the user model), for finding the entries whose text was
    made from the person's name."""
    result = []
    for relation in target._meta.get_fields():
        if relation.is_relation and relation.auto_created and not relation.concrete:
            result.append((relation.related_model, cast(ForeignObjectRel, relation).field))
    return result


def _rewrite_history(
    *, person: Person, old_name: str, user: User | None, old_username: str
) -> dict[str, int]:
    """Remove the person's own values from the audit trail and the admin's log, and
    nothing else (issue 11):

    - entries about the person: the values of their identifying fields become
      "[erased]", and the entry names the placeholder;
    - entries about their login: its user name, names and address likewise;
    - entries about objects that point at the person (their roles, the activities
      they own): the person's old name, where the object's label was made from it, and
      their label in many-to-many lists ("Anna Ek (#3)"), become the placeholder's;
    - entries the login made: the actor's name becomes the pseudonym "erased-<id>" (the
      login's new user name), so what they did is still told apart from others.

    Free text typed elsewhere (a comment, a description) is never touched. Returns how
    many entries of each kind were rewritten, for the erasure's own entry.
    """
    from django.contrib.admin.models import LogEntry

    from audit.models import AuditEntry

    counts = {"about_them": 0, "naming_them": 0, "made_by_them": 0, "admin_log": 0}
    new_name = str(person)
    person_type = ContentType.objects.get_for_model(Person)
    person_names = set(_person_field_names())
    # QuerySet.update(): the trail refuses object saves (append-only); this rewrite is
    # the one the law asks for, and the erasure's entry records it.
    for entry in AuditEntry.objects.filter(content_type=person_type, object_id=str(person.pk)):
        AuditEntry.objects.filter(pk=entry.pk).update(
            changes=_erase_values(entry.changes, person_names), object_repr=new_name
        )
        counts["about_them"] += 1
    logs = LogEntry.objects.filter(content_type=person_type, object_id=str(person.pk))
    counts["admin_log"] += logs.update(object_repr=new_name[:200])

    pairs: list[tuple[type[models.Model], int, str, str]] = [
        (Person, person.pk, old_name, new_name)
    ]
    if user is not None:
        user_type = ContentType.objects.get_for_model(type(user))
        for entry in AuditEntry.objects.filter(content_type=user_type, object_id=str(user.pk)):
            AuditEntry.objects.filter(pk=entry.pk).update(
                changes=_erase_values(entry.changes, set(USER_FIELDS)),
                object_repr=user.get_username(),
            )
            counts["about_them"] += 1
        logs = LogEntry.objects.filter(content_type=user_type, object_id=str(user.pk))
        counts["admin_log"] += logs.update(object_repr=user.get_username())
        counts["made_by_them"] = AuditEntry.objects.filter(user=user).update(
            user_repr=user.get_username()
        )
        pairs.append((type(user), user.pk, old_username, user.get_username()))

    for target, pk, old, new in pairs:
        label_suffix = f" (#{pk})"
        for model, field in _related_to(target, pk):
            model_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
            if field.many_to_many:
                # Lists of labels in the entries of the model that has the field.
                for entry in AuditEntry.objects.filter(
                    content_type=model_type, changes__has_key=field.name
                ):
                    pair = entry.changes[field.name]
                    renamed = [
                        [new + label_suffix if x.endswith(label_suffix) else x for x in side]
                        if isinstance(side, list)
                        else side
                        for side in pair
                    ]
                    if renamed != pair:
                        AuditEntry.objects.filter(pk=entry.pk).update(
                            changes={**entry.changes, field.name: renamed}
                        )
                        counts["naming_them"] += 1
                continue
            # Objects that point at the person now, and those that did when deleted.
            ids = {
                str(x)
                for x in model._base_manager.filter(**{field.name: pk}).values_list("pk", flat=True)
            }
            pointed = Q(**{f"changes__{field.name}__0": pk}) | Q(
                **{f"changes__{field.name}__1": pk}
            )
            entries = AuditEntry.objects.filter(content_type=model_type).exclude(object_id__in=ids)
            ids |= set(entries.filter(pointed).values_list("object_id", flat=True))
            if not old or not ids:
                continue
            pattern = re.compile(rf"(?<!\w){re.escape(old)}(?!\w)")
            for entry in AuditEntry.objects.filter(content_type=model_type, object_id__in=ids):
                if pattern.search(entry.object_repr):
                    AuditEntry.objects.filter(pk=entry.pk).update(
                        object_repr=pattern.sub(new, entry.object_repr)[:300]
                    )
                    counts["naming_them"] += 1
            for log in LogEntry.objects.filter(content_type=model_type, object_id__in=ids):
                if pattern.search(log.object_repr):
                    LogEntry.objects.filter(pk=log.pk).update(
                        object_repr=pattern.sub(new, log.object_repr)[:200]
                    )
                    counts["admin_log"] += 1
    return counts


def _check_login_link(*, person: Person, by: Actor | None) -> None:
    """Raise PermissionDenied unless `by` may make the change to `person`'s login that
    saving it would make (link, relink or unlink); mark the person as checked for
    members.guards."""
    stored = None
    if person.pk is not None:
        stored = Person._base_manager.filter(pk=person.pk).values_list("user_id", flat=True).first()
    if stored != person.user_id:
        changed = [pk for pk in (stored, person.user_id) if pk]
        logins = get_user_model()._base_manager.filter(pk__in=changed)
        for login in logins:
            if not may_link_login(by, login):
                raise PermissionDenied(
                    gettext(
                        "You may not link a person to the login “%(login)s” or unlink it: "
                        "that needs the right to change users, and a superuser for a login "
                        "with staff or superuser status."
                    )
                    % {"login": login.get_username()}
                )
    person.__dict__[guards.CHECKED] = True


@transaction.atomic
def person_save(*, person: Person, by: Actor | None) -> Person:
    """Create or change `person` (from the admin's form or an import), after
    ``full_clean()``. `by` is the user saving it (None: the system).

    Raises ValidationError for invalid data and PermissionDenied when the save would
    link, relink or unlink a login that `by` may not link (accounts.permissions)."""
    person.full_clean()
    _check_login_link(person=person, by=by)
    person.save()
    return person


def person_erase_check(*, person: Person, by: Actor | None) -> None:
    """Raise PermissionDenied unless `by` may erase `person`: erasure closes the
    person's login, and only a superuser closes a staff or superuser login."""
    if person.user_id is not None and not may_erase_login(by, person.user):
        raise PermissionDenied(
            gettext(
                "%(person)s has a login with staff or superuser status. Only a superuser "
                "may erase them."
            )
            % {"person": person}
        )


@transaction.atomic
def person_erase(*, person: Person, by: Actor | None) -> Person:
    """Erase what identifies `person`, keeping the plan's history whole.

    The person stays as a placeholder ("Erased person #12"), so the activities they
    owned, their roles (now hidden from public lists) and the status updates they
    reported keep their place. Their title, e-mail, phone and party are blanked. Their
    login, if any, is detached, renamed "erased-<id>", emptied, deactivated and loses its
    password, groups and permissions; their event registrations, calendar feed and
    reminder preferences are deleted. The audit trail and the admin's log keep every
    change but no longer hold the person's own values (see _rewrite_history).

    `by` is the user doing it. The erasure is recorded as one audit entry ("Personal
    data erased", by `by`, from the request's address) that names what was erased and
    how many entries were rewritten, never the erased values; its writes leave no other
    entries. Returns the placeholder person.

    Raises PermissionDenied when the person's login has staff or superuser status and
    `by` is not a superuser (person_erase_check): nothing is erased then.
    """
    from audit.context import suspend_recording
    from audit.models import AuditEntry
    from audit.recorder import record

    person_erase_check(person=person, by=by)
    user = person.user
    old_name = str(person)
    old_username = user.get_username() if user is not None else ""
    emails = [e for e in (person.email, user.email if user is not None else "") if e]
    erased_fields = [name for name in _person_field_names() if getattr(person, name)]
    summary: dict[str, Any] = {}
    with acting_as(by, source=f"person_erase #{person.pk}"), suspend_recording():
        with translation.override(settings.LANGUAGE_CODE):
            person.first_name = gettext("Erased person")
        person.last_name = f"#{person.pk}"
        for language, _name in settings.LANGUAGES:
            setattr(person, f"title_{language}", "")
        person.title = ""
        person.email = person.phone = person.party = ""
        person.user = None
        person.full_clean()
        # The login goes with the erasure, which person_erase_check allowed.
        person.__dict__[guards.CHECKED] = True
        person.save()
        summary = {name: [ERASED, getattr(person, name)] for name in erased_fields}

        hidden = []
        for role in person.roles.filter(is_public=True):
            role.is_public = False
            role.save(update_fields=["is_public"])
            hidden.append(f"#{role.pk}")
        if hidden:
            summary["roles_hidden"] = [None, hidden]

        # What the apps above keep about them (registrations, calendar feeds, reminder
        # preferences and addresses): each says what went.
        for _receiver, done in person_erasing.send(
            sender=Person, person=person, user=user, emails=emails
        ):
            summary.update(cast("dict[str, Any] | None", done) or {})
        if user is not None:
            summary.update(_erase_login(user))
            summary["user"] = [ERASED, user.get_username()]

        counts = _rewrite_history(
            person=person, old_name=old_name, user=user, old_username=old_username
        )
        summary["audit_entries_rewritten"] = [
            None,
            {
                "about_them": counts["about_them"],
                "naming_them": counts["naming_them"],
                "made_by_them_now_signed": user.get_username() if user is not None else None,
                "made_by_them": counts["made_by_them"],
                "admin_log": counts["admin_log"],
            },
        ]
    with acting_as(by, source=f"person_erase #{person.pk}"):
        record(AuditEntry.Action.ERASE, person, changes=summary)
    return person


def _erase_login(user: User) -> dict[str, Any]:
    """Close the login; returns what went, for the erasure's entry."""
    groups = sorted(user.groups.values_list("name", flat=True))
    user.username = f"erased-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()  # also ends the login's sessions (their hash changes)
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    done = {
        "login_closed": [
            None,
            [
                "username",
                "first_name",
                "last_name",
                "email",
                "password",
                "is_active",
                "is_staff",
                "is_superuser",
                "groups",
                "user_permissions",
            ],
        ],
    }
    if groups:
        done["groups"] = [groups, []]
    return done


# -- the member register ----------------------------------------------------------------


@transaction.atomic
def organisation_save(*, organisation: Organisation, by: Actor | None = None) -> Organisation:
    """Create or change `organisation` after ``full_clean()`` (an empty code is stored
    as none). `by` is the user saving it, for the audit trail."""
    with acting_as(by, source="organisation_save") if by is not None else _nothing():
        organisation.full_clean()
        organisation.save()
    return organisation


@transaction.atomic
def membership_save(*, membership: Membership, by: Actor | None = None) -> Membership:
    """Create or change one membership after ``full_clean()``: the end is not before
    the start, and the organisation has no other membership that overlaps it. Raises
    ValidationError otherwise; nothing is written then."""
    with acting_as(by, source="membership_save") if by is not None else _nothing():
        membership.full_clean()
        membership.save()
    return membership


@transaction.atomic
def membership_delete(*, membership: Membership, by: Actor | None = None) -> None:
    with acting_as(by, source="membership_delete") if by is not None else _nothing():
        membership.delete()


@transaction.atomic
def memberships_start(
    *,
    organisations: Iterable[Organisation],
    kind: str,
    start_date: datetime.date | None,
    note: dict[str, str] | None = None,
    by: Actor | None = None,
) -> tuple[list[Organisation], list[Organisation]]:
    """Mark each of `organisations` as `kind` (a ``Membership.Kind``) from `start_date`,
    open-ended; the admin action "Mark as member from a date" calls this.

    For each organisation:

    - no membership on or after `start_date`: a new one is made;
    - an open-ended one of the same kind that started before: it already holds, nothing
      changes;
    - an open-ended one of another kind that started before (an associated member who
      becomes a full member): it ends the day before `start_date` and the new one starts
      (the history keeps both);
    - anything else (a membership that starts on or after `start_date`, or one with an
      end date after it): refused, naming the organisation.

    All or nothing: with any refusal, ValidationError listing every refused
    organisation, and nothing is written. Every write leaves an audit entry by `by`.
    Returns ``(created, unchanged)``: lists of organisations.
    """
    if kind not in Membership.Kind.values:
        raise ValidationError(gettext("Unknown kind of membership: %(kind)s") % {"kind": kind})
    if start_date is None:
        raise ValidationError(gettext("Give the date the membership starts."))
    note = note or {}
    organisations = list(organisations)
    current: dict[int, list[Membership]] = {}
    for membership in (
        Membership.objects.filter(organisation__in=organisations)
        .valid_between(start_date, datetime.date.max)
        .select_related("organisation")
        .order_by("pk")
    ):
        current.setdefault(membership.organisation_id, []).append(membership)
    problems: list[str] = []
    # (organisation, whether it already holds, the open membership to end or None)
    plan: list[tuple[Organisation, bool, Membership | None]] = []
    for organisation in organisations:
        found = current.get(organisation.pk, [])
        if not found:
            plan.append((organisation, False, None))
            continue
        held = found[0]
        open_before = (
            len(found) == 1
            and held.end_date is None
            and (held.start_date is None or held.start_date < start_date)
        )
        if open_before and held.kind == kind:
            plan.append((organisation, True, None))
        elif open_before:
            plan.append((organisation, False, held))
        else:
            problems.append(
                gettext(
                    "%(organisation)s: a membership already holds on or after %(date)s "
                    "(%(kind)s, %(period)s). Change it on the organisation's page."
                )
                % {
                    "organisation": organisation,
                    "date": start_date.isoformat(),
                    "kind": held.get_kind_display(),
                    "period": held.period_display,
                }
            )
    if problems:
        raise ValidationError(problems)
    created: list[Organisation] = []
    unchanged: list[Organisation] = []
    with acting_as(by, source="memberships_start"):
        for organisation, holds, to_end in plan:
            if holds:
                unchanged.append(organisation)
                continue
            if to_end is not None:
                to_end.end_date = start_date - datetime.timedelta(days=1)
                to_end.full_clean()
                to_end.save()
            membership = Membership(
                organisation=organisation,
                kind=kind,
                start_date=start_date,
                **{f"note_{code}": note.get(code, "") for code, _name in settings.LANGUAGES},
            )
            membership.full_clean()
            membership.save()
            created.append(organisation)
    return created, unchanged


@transaction.atomic
def partnership_save(*, partnership: Partnership, by: Actor | None = None) -> Partnership:
    """Create or change one of Mälardalsrådet's partnerships after ``full_clean()``
    (its period does not overlap another of the same organisation and kind)."""
    with acting_as(by, source="partnership_save") if by is not None else _nothing():
        partnership.full_clean()
        partnership.save()
    return partnership


def _nothing() -> contextlib.AbstractContextManager[None]:
    return contextlib.nullcontext()
