"""The pages `make bench` and `make bench-load` measure, found in the database as it is
(the 2023 plan alone, or the bench's large data set), and the targets of issue 12.

Each page is (label, path, who): who is "visitor" (no login), "board" (a board member)
or "member" (a member who owns activities, for "my activities").
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import translation

MINIMAL_PATH = "/bench/minimal/"
BOARD_USERNAME = "bench-board"
MEMBER_USERNAME = "bench-member"

# Issue 12, point 1 and 3. Uncached: a page's median server time at most this many
# times the bare view's; warm (cache filled): at least this share of the bare view's
# requests per second (for anonymous pages 1/2, for logged-in pages, never cached,
# 1/10 at 1× and 1/40 at bench scale).
UNCACHED_MAX = {"1x": 15, "scale": 40}
WARM_MIN_SHARE = {"visitor": {"1x": 1 / 2, "scale": 1 / 2}, "user": {"1x": 1 / 10, "scale": 1 / 40}}


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    who: str = "visitor"

    @property
    def logged_in(self) -> bool:
        return self.who != "visitor"


def warm_min_share(page: Page, stage: str) -> float:
    return WARM_MIN_SHARE["user" if page.logged_in else "visitor"][stage]


def share_label(share: float) -> str:
    return f"1/{round(1 / share)}"


def users():
    """The bench's board member and a member who owns activities (made if missing):
    the member is linked to the person who owns the most activities now, or, when
    nobody owns any (the 2023 plan as loaded), to a person given every tenth activity
    of the newest plan."""
    from members import roles
    from members.models import Person
    from plan.models import Activity, Plan

    User = get_user_model()
    made = {}
    for username, group in [(MEMBER_USERNAME, roles.MEMBER), (BOARD_USERNAME, roles.BOARD)]:
        user, _created = User.objects.get_or_create(username=username)
        user.groups.add(*Group.objects.filter(name=group))
        made[username] = user
    member = made[MEMBER_USERNAME]
    owner = (
        Person.objects.filter(Q(user__isnull=True) | Q(user=member))
        .annotate(owned=Count("owned_activities"))
        .order_by("-owned", "pk")
        .first()
    )
    if owner is not None and owner.user_id != member.pk:
        for linked in Person.objects.filter(user=member):
            linked.user = None
            linked.save(update_fields=["user"])
        if not owner.owned:
            plan = Plan.objects.published().order_by("-year").first()
            activities = Activity.objects.filter(section__plan=plan).order_by("pk")
            owner.owned_activities.add(*list(activities)[::10])
        owner.user = member
        owner.save(update_fields=["user"])
    return made[BOARD_USERNAME], member


def main_pages() -> list[Page]:
    """The main pages, for the newest published plan and the first of each kind."""
    from events.models import Event
    from members.models import Body, Organisation
    from plan.models import Activity, Plan, Section

    plan = Plan.objects.published().order_by("-year").first()
    section = (
        plan
        and Section.objects.filter(plan=plan)
        .annotate(n=Count("activities"))
        .order_by("-n", "order", "pk")
        .first()
    )
    activity = plan and Activity.objects.filter(section__plan=plan).order_by("pk").first()
    event = Event.objects.filter(visibility="public").order_by("-start_date", "pk").first()
    organisation = Organisation.objects.order_by("pk").first()
    body = Body.objects.order_by("pk").first()

    def url(name, language="sv", **kwargs):
        try:
            with translation.override(language):
                return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            return None

    pages = [
        Page("home (sv)", url("plan:home")),
        Page("home (en)", url("plan:home", "en")),
        Page("plan archive", url("plan:archive")),
        Page("events list", url("events:event_list")),
        Page("events feed (.ics)", url("events:feed")),
        Page("member directory", url("members:directory")),
        Page("bodies", url("members:body_list")),
        Page("En Bättre Sits", url("ebs:programme")),
        Page("En Bättre Matchning", url("ebm:programme")),
        Page("search 'region'", _query(url("plan:search"), "q=region")),
        Page("search 'mälar'", _query(url("plan:search"), "q=m%C3%A4lar")),
    ]
    if plan:
        pages += [
            Page("plan (whole year)", url("plan:plan_detail", year=plan.year)),
            Page(
                "search, status filter",
                _query(url("plan:search"), f"year={plan.year}&status=delayed"),
            ),
        ]
    if section:
        pages.append(Page("section", url("plan:section_detail", year=plan.year, slug=section.slug)))
    if activity:
        pages.append(Page("activity", url("plan:activity_detail", year=plan.year, pk=activity.pk)))
    if event:
        pages.append(Page("event", url("events:event_detail", slug=event.slug)))
    if organisation:
        pages.append(
            Page("organisation", url("members:organisation_detail", slug=organisation.slug))
        )
    if body:
        pages.append(Page("body", url("members:body_detail", slug=body.slug)))
    if plan:
        pages.append(
            Page(
                "follow-up dashboard (board)",
                url("plan:followup_dashboard", year=plan.year),
                "board",
            )
        )
    pages.append(Page("my activities (member)", url("plan:my_activities"), "member"))
    return [page for page in pages if page.path]


def _query(path, query):
    return f"{path}?{query}" if path else None
