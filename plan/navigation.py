"""What the header offers a logged-in user, and where each role starts after logging in
(issue 14, point 1).

A visitor gets neither: every anonymous visitor sees the same header, so anonymous
pages can be cached. Links appear by what the user may use, decided by permissions
(the roles are groups, members/roles.py), never by a role's name:

- "My activities", with the number of reports due, for users who own an activity
  (plan.followup.owner_work, the rule of the owner's own page);
- "Follow-up" for users with the dashboard permission (board, secretariat), to the
  follow-up of the current year's plan;
- "Administration" for staff (the secretariat).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Value, When
from django.urls import NoReverseMatch, reverse

from . import followup, selectors
from .models import Plan

# The secretariat's to-do page in the admin (issue 14, point 6); until it exists the
# secretariat starts on the admin's index.
ADMIN_START_URL_NAMES = ("admin:todo", "admin:index")


@dataclass(frozen=True)
class WorkLinks:
    my_activities_url: str = ""
    reports_due: int = 0
    followup_url: str = ""
    followup_year: int | None = None
    admin_url: str = ""

    @property
    def count(self) -> int:
        return sum(bool(url) for url in (self.my_activities_url, self.followup_url, self.admin_url))

    def __bool__(self) -> bool:
        return self.count > 0


def followup_plan(user, *, on: datetime.date | None = None) -> Plan | None:
    """The plan whose follow-up is "the year's": the newest plan the user may read that
    is not of a later year than today's, else the newest one they may read. One query."""
    year = (on or followup.today()).year
    later = Case(When(year__gt=year, then=Value(1)), default=Value(0))
    return selectors.plans_visible_to(user).order_by(later, "-year").first()


def admin_start_url() -> str:
    for name in ADMIN_START_URL_NAMES:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


def work_links(user) -> WorkLinks:
    """The work links of `user`'s header (empty for a visitor). At most four queries:
    permissions are cached on the user; owner_work runs one to three, the follow-up's
    plan one."""
    if not user.is_authenticated:
        return WorkLinks()
    work = followup.owner_work(user)
    followup_url, followup_year = "", None
    if user.has_perm(followup.DASHBOARD_PERMISSION):
        plan = followup_plan(user)
        if plan is not None:
            followup_url = reverse("plan:followup_dashboard", kwargs={"year": plan.year})
            followup_year = plan.year
    return WorkLinks(
        my_activities_url=reverse("plan:my_activities") if work.owns_any else "",
        reports_due=work.reports_due,
        followup_url=followup_url,
        followup_year=followup_year,
        admin_url=reverse("admin:index") if user.is_staff else "",
    )


def start_url(user) -> str:
    """Where `user` lands after logging in (unless a safe ``next`` says otherwise): the
    secretariat (staff) on its to-do page in the admin; an owner with a report due on
    "My activities"; the board on the year's follow-up; any other owner on "My
    activities"; everyone else on the home page."""
    if user.is_authenticated and user.is_staff:
        url = admin_start_url()
        if url:
            return url
    links = work_links(user)
    if links.my_activities_url and links.reports_due:
        return links.my_activities_url
    if links.followup_url:
        return links.followup_url
    if links.my_activities_url:
        return links.my_activities_url
    return reverse("plan:home")
