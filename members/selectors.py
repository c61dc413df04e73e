"""Reads for the member directory and the programme pages.

Personal data rule: pages get people as ``RoleEntry`` values, never ``Person`` objects.
A ``RoleEntry`` carries a person's name and position, and their e-mail and phone only when
the reader has ``members.view_contact_details`` — so a template cannot show a visitor
what it was never given. Only public roles (``Role.is_public``) that are current today
are listed.

Every selector runs a fixed number of queries whatever the number of rows.
"""

import datetime
import unicodedata
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from events.models import Event
from events.selectors import upcoming_q
from plan.followup import plan_progress
from plan.models import Activity
from plan.selectors import current_plan, plans_visible_to, section_tree

from .models import Body, County, Membership, Organisation, Partnership, Person, Role

CONTACT_PERMISSION = "members.view_contact_details"


def can_view_contact_details(user) -> bool:
    return user.has_perm(CONTACT_PERMISSION)


# -- roles ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleEntry:
    """What a page may show of a person's role. ``email`` and ``phone`` are empty unless
    the reader may see contact details."""

    name: str
    position: str
    sector: str
    body: Body
    organisation: Organisation | None
    email: str = ""
    phone: str = ""

    @property
    def has_contact(self) -> bool:
        return bool(self.email or self.phone)


def current_public_roles(*, on: datetime.date | None = None) -> QuerySet[Role]:
    """Public roles that have started and not ended on `on` (today by default)."""
    on = on or timezone.localdate()
    return (
        Role.objects.filter(is_public=True)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=on))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
    )


_POSITION_ORDER = {value: index for index, value in enumerate(Role.Position.values)}


def _role_sort_key(role: Role):
    return (
        _POSITION_ORDER.get(role.position, len(_POSITION_ORDER)),
        role.person.last_name,
        role.person.first_name,
        role.pk,
    )


def role_entries(roles, *, with_contact: bool) -> list[RoleEntry]:
    """`roles` (with ``person`` and ``body`` loaded) as entries, chair first."""
    return [
        RoleEntry(
            name=role.person.full_name,
            position=str(role.get_position_display()),
            sector=str(role.get_sector_display()) if role.sector else "",
            body=role.body,
            organisation=role.person.organisation,
            email=role.person.email if with_contact else "",
            phone=role.person.phone if with_contact else "",
        )
        for role in sorted(roles, key=_role_sort_key)
    ]


# -- organisations -------------------------------------------------------------------


@dataclass
class KindGroup:
    kind: str
    label: str
    organisations: list[Organisation]


@dataclass
class CountyGroup:
    county: County | None
    kinds: list[KindGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(group.organisations) for group in self.kinds)


_KIND_ORDER = {value: index for index, value in enumerate(Organisation.Kind.values)}


def fold(text: str) -> str:
    """`text` for matching a search: case and accents folded, so "orebro" finds
    "Örebro" and "ALVDALEN" finds "Älvdalen"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def plan_years(user) -> list[int]:
    """The years of the plans `user` may read, newest first (one query): the years a
    register page can be asked for with ``?year=``."""
    return list(plans_visible_to(user).order_by("-year").values_list("year", flat=True).distinct())


def _memberships_in(queryset, year: int | None):
    if year is None:
        return queryset.valid_on(timezone.localdate())
    return queryset.valid_in_year(year)


def member_directory(
    *,
    year: int | None = None,
    county: County | None = None,
    kind: str | None = None,
    q: str = "",
) -> list[CountyGroup]:
    """The members (full and associated) on today's date, or at some time in `year`,
    grouped by county (in county-code order, those without a county last) and, inside a
    county, by the organisation's kind (in the order of ``Organisation.Kind``). Every
    organisation carries ``membership``: the one that holds (the latest, if several did
    in the year). `kind` narrows to one membership kind; `q` to names (Swedish or
    English) or codes containing it, case and accents folded. One query."""
    memberships = _memberships_in(Membership.objects.members(), year).select_related(
        "organisation__county"
    )
    if county is not None:
        memberships = memberships.filter(organisation__county=county)
    if kind:
        memberships = memberships.filter(kind=kind)
    latest: dict[int, Membership] = {}
    for membership in memberships.order_by("start_date", "pk"):
        # The later one wins (a missing start counts as the earliest).
        previous = latest.get(membership.organisation_id)
        if previous is None or (membership.start_date or datetime.date.min) >= (
            previous.start_date or datetime.date.min
        ):
            latest[membership.organisation_id] = membership
    needle = fold(q.strip())
    organisations = []
    for membership in latest.values():
        organisation = membership.organisation
        if needle and not any(
            needle in fold(text)
            for text in (organisation.name_sv, organisation.name_en, organisation.code)
        ):
            continue
        organisation.membership = membership
        organisations.append(organisation)
    return _group_by_county(organisations)


def _group_by_county(organisations) -> list[CountyGroup]:
    rows = sorted(
        organisations,
        key=lambda o: (
            o.county is None,
            o.county.code if o.county else "",
            _KIND_ORDER.get(o.kind, len(_KIND_ORDER)),
            o.name.casefold(),
        ),
    )
    groups = []
    for county_key, in_county in groupby(rows, key=lambda o: o.county_id):
        in_county = list(in_county)
        group = CountyGroup(county=in_county[0].county if county_key else None)
        for kind_key, of_kind in groupby(in_county, key=lambda o: o.kind):
            of_kind = list(of_kind)
            group.kinds.append(
                KindGroup(
                    kind=kind_key,
                    label=str(of_kind[0].get_kind_display()),
                    organisations=of_kind,
                )
            )
        groups.append(group)
    return groups


@dataclass
class RelationGroup:
    kind: str
    label: str
    items: list


def partners_and_arenas(*, year: int | None = None) -> dict:
    """What the partners page shows for today, or for some time in `year` (two
    queries):

    - ``partnerships``: Mälardalsrådet's own memberships, partnerships and
      collaborations that held, as ``RelationGroup`` values by ``Partnership.Kind``;
    - ``relations``: the organisations that were Mälardalsrådet's partners or arenas
      (``Membership`` of kind partner or other), as ``RelationGroup`` values.
    """
    if year is None:
        today = timezone.localdate()
        partnerships = Partnership.objects.valid_on(today)
    else:
        partnerships = Partnership.objects.valid_in_year(year)
    partnerships = list(
        partnerships.select_related("organisation").order_by("order", "organisation__name", "pk")
    )
    relations = list(
        _memberships_in(
            Membership.objects.filter(kind__in=[Membership.Kind.PARTNER, Membership.Kind.OTHER]),
            year,
        )
        .select_related("organisation__county")
        .order_by("organisation__name", "start_date", "pk")
    )
    return {
        "partnerships": _relation_groups(partnerships, Partnership.Kind),
        "relations": _relation_groups(relations, Membership.Kind),
    }


def _relation_groups(rows, kinds) -> list[RelationGroup]:
    groups = []
    for value, label in kinds.choices:
        items = [row for row in rows if row.kind == value]
        if items:
            groups.append(RelationGroup(kind=value, label=str(label), items=items))
    return groups


def counties_for_filter() -> QuerySet[County]:
    return County.objects.order_by("code")


def organisation_for_page(slug: str) -> Organisation | None:
    """The organisation `slug` with its county, its membership history
    (``membership_history``, oldest first, a missing start first), the membership that
    holds today (``membership_today``) and Mälardalsrådet's partnerships with it
    (``partnerships_with``): three queries, or None."""
    organisation = Organisation.objects.select_related("county").filter(slug=slug).first()
    if organisation is None:
        return None
    today = timezone.localdate()
    history = list(organisation.memberships.order_by(F("start_date").asc(nulls_first=True), "pk"))
    organisation.membership_history = history
    organisation.membership_today = next(
        (
            m
            for m in reversed(history)
            if (m.start_date is None or m.start_date <= today)
            and (m.end_date is None or m.end_date >= today)
        ),
        None,
    )
    organisation.partnerships_with = list(
        organisation.partnerships.order_by(F("since").asc(nulls_first=True), "pk")
    )
    return organisation


def organisation_links(organisation: Organisation, user) -> dict:
    """What `organisation` is tied to, as `user` may see it (four queries):

    - ``activities``: plan activities it takes part in, in plans the user may read;
    - ``events``: events it hosts that the user may see;
    - ``roles``: its people's current public roles, as ``RoleEntry`` values;
    - ``show_contact``: whether the entries carry contact details.
    """
    with_contact = can_view_contact_details(user)
    activities = list(
        Activity.objects.filter(
            organisations=organisation, section__plan__in=plans_visible_to(user)
        )
        .select_related("section__plan")
        .order_by("-section__plan__year", "section__order", "order", "pk")
    )
    events = list(
        Event.objects.visible_to(user)
        .filter(hosts=organisation)
        .select_related("body")
        .order_by("-start_date", "title", "pk")
    )
    roles = (
        current_public_roles()
        .filter(person__organisation=organisation)
        .select_related("person__organisation", "body")
    )
    return {
        "activities": activities,
        "events": events,
        "roles": role_entries(roles, with_contact=with_contact),
        "show_contact": with_contact,
    }


# -- bodies --------------------------------------------------------------------------


def _public_roles_prefetch() -> Prefetch:
    return Prefetch(
        "roles",
        queryset=current_public_roles().select_related("person__organisation"),
        to_attr="current_public_roles",
    )


def body_tree(user, *, programme: str | None = None, top_heading: int = 2) -> list[Body]:
    """The bodies as a forest (two queries), roots in order. Every body carries:

    - ``child_bodies``: its direct sub-bodies, in order;
    - ``depth``: 0 for a root, and ``heading_level``: `top_heading` for a root, one more
      per level down, at most 6;
    - ``role_entries``: its current public roles as ``RoleEntry`` values.

    With `programme`, only the bodies of that programme (and their sub-bodies).
    """
    with_contact = can_view_contact_details(user)
    bodies = list(
        Body.objects.order_by("order", "name", "pk").prefetch_related(_public_roles_prefetch())
    )
    by_pk = {body.pk: body for body in bodies}
    for body in bodies:
        body.child_bodies = []
        for role in body.current_public_roles:
            role.body = body  # so RoleEntry.body never costs a query
        body.role_entries = role_entries(body.current_public_roles, with_contact=with_contact)
    roots = []
    for body in bodies:
        parent = by_pk.get(body.parent_id)
        if parent is not None and parent is not body:
            parent.child_bodies.append(body)
        else:
            roots.append(body)
    if programme:
        roots = [
            body
            for body in bodies
            if body.programme == programme
            and (body.parent_id is None or by_pk[body.parent_id].programme != programme)
        ]
    _set_depth(roots, 0, top_heading, set())
    return roots


def _set_depth(bodies: list[Body], depth: int, top_heading: int, seen: set[int]) -> None:
    for body in bodies:
        if body.pk in seen:  # a parent cycle an admin edit might have made
            body.child_bodies = []
            continue
        seen.add(body.pk)
        body.depth = depth
        body.heading_level = min(top_heading + depth, 6)
        _set_depth(body.child_bodies, depth + 1, top_heading, seen)


def body_for_page(slug: str, user) -> dict | None:
    """The body `slug` with its parent, sub-bodies, current public roles and the events
    where it meets that `user` may see (five queries), or None."""
    body = Body.objects.select_related("parent").filter(slug=slug).first()
    if body is None:
        return None
    with_contact = can_view_contact_details(user)
    roles = list(current_public_roles().filter(body=body).select_related("person__organisation"))
    for role in roles:
        role.body = body
    events = Event.objects.visible_to(user).filter(body=body).select_related("body")
    return {
        "body": body,
        "children": list(Body.objects.filter(parent=body).order_by("order", "name")),
        "roles": role_entries(roles, with_contact=with_contact),
        "show_contact": with_contact,
        "upcoming_events": list(events.filter(upcoming_q(timezone.localdate()))),
    }


# -- programmes ----------------------------------------------------------------------


def programme_overview(user, programme: str) -> dict:
    """What the En Bättre Sits and En Bättre Matchning pages share (eight queries):

    - ``plan``: the current (newest published) plan, or None;
    - ``sections``: that plan's sections of `programme` in document order, each with
      ``depth`` relative to the shallowest of them;
    - ``progress`` (plan.followup.plan_progress) and ``programme_figure``: the
      programme's progress figure (plan.rollup), the same the dashboard shows for it;
    - ``bodies``: the programme's bodies as a tree (see ``body_tree``), headings from h3;
    - ``show_contact``; ``counties``: every county, for the map's labels.
    """
    plan = current_plan()
    sections = []
    progress = None
    if plan is not None:
        tree = section_tree(plan)
        sections = [s for s in tree.sections if s.programme == programme]
        progress = plan_progress(plan, tree=tree)
        if sections:
            top = min(section.depth for section in sections)
            for section in sections:
                section.programme_depth = section.depth - top
    return {
        "plan": plan,
        "sections": sections,
        "progress": progress,
        "programme_figure": progress.programme(programme) if progress is not None else None,
        "bodies": body_tree(user, programme=programme, top_heading=3),
        "show_contact": can_view_contact_details(user),
        "counties": list(County.objects.order_by("code")),
    }


# -- personal data: everything held about one person ----------------------------------


PERSONAL_DATA_FORMAT = "malardalsportalen-personal-data/1"
# Credentials are never exported, only that they exist.
_SECRET_FIELDS = {"password", "token", "token_hash", "claim_token"}


def _serialise(objects) -> list[dict]:
    from django.core import serializers

    rows = serializers.serialize("python", objects)
    for row in rows:
        for name in _SECRET_FIELDS & row["fields"].keys():
            row["fields"][name] = "***" if row["fields"][name] else ""
    return rows


def _related_to(obj, *, skip: set[str]) -> dict[str, list[dict]]:
    """Every object that points at `obj` through a foreign key, one-to-one or
    many-to-many field, by ``app.model.field`` — models added later are included
    without anyone remembering to."""
    found = {}
    for relation in obj._meta.get_fields():
        if not (relation.is_relation and relation.auto_created and not relation.concrete):
            continue
        field = relation.field
        key = f"{relation.related_model._meta.label_lower}.{field.name}"
        if key in skip:
            continue
        objects = relation.related_model._base_manager.filter(**{field.name: obj}).order_by("pk")
        rows = _serialise(objects)
        if rows:
            found[key] = rows
    return found


def person_personal_data(*, person: Person) -> dict:
    """All that the portal holds about `person`, for a data subject's request: the
    person, their login (no password), everything that points at either, and the audit
    trail's entries about the person, their login and their roles. JSON-ready with
    DjangoJSONEncoder."""
    from django.contrib.contenttypes.models import ContentType

    from audit.models import AuditEntry

    user = person.user
    role_ids = [str(pk) for pk in person.roles.values_list("pk", flat=True)]
    about = Q(content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk))
    about |= Q(content_type=ContentType.objects.get_for_model(Role), object_id__in=role_ids)
    data = {
        "format": PERSONAL_DATA_FORMAT,
        "exported_at": timezone.now(),
        "person": _serialise([person])[0],
        "related_to_person": _related_to(person, skip={"members.person.user"}),
        "login": None,
        "related_to_login": {},
    }
    if user is not None:
        login = _serialise([user])[0]
        login["groups"] = sorted(user.groups.values_list("name", flat=True))
        data["login"] = login
        # The login's own audit entries are listed below, with what they say about it.
        data["related_to_login"] = _related_to(
            user, skip={"members.person.user", "audit.auditentry.user"}
        )
        data["changes_made_by_login"] = _serialise(
            AuditEntry.objects.filter(user=user).order_by("pk")
        )
        about |= Q(content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk))
    data["audit_entries_about_them"] = _serialise(AuditEntry.objects.filter(about).order_by("pk"))
    return data
