"""The permission matrix (issue 6, point 1): for every URL and every admin action, what
each role gets — a page (200), the login page (302 to the site's or the admin's login),
403, 404, a redirect after a write, 405 for a wrong method.

The rules are the tables below: PAGES for every named URL of the portal and of the
admin site itself, UNNAMED for the admin's catch-all, ADMIN_MODELS for every registered
ModelAdmin (its pages and every action).
`test_every_url_and_admin_action_has_a_rule` walks the URL configuration (both /sv/ and
/en/) and the admin registry, so a URL or an action added without a rule fails it; a
rule left behind for a URL that is gone fails it too.

Roles: a visitor (not logged in); a member; a member who owns the item (activity
owner); the board; the secretariat (staff, not superuser); a superuser. Every request is
made with ``Client(enforce_csrf_checks=True)``; every POST is made once without a CSRF
token (refused with 403 before any view runs) and once with one.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext

from .world import ROLES, build_world

LANGUAGES = ("sv", "en")

# Outcomes. Numbers are status codes; the names below are redirects told apart by
# where they go, and the two results of an admin action.
OK = 200
DENIED = 403
MISSING = 404
WRONG_METHOD = 405
LOGIN = "302 to the login page"
ADMIN_LOGIN = "302 to the admin's login page"
REDIRECT = "302 elsewhere (done)"
RAN = "action ran"
REFUSED = "action refused (not offered to this user)"


def expect(default, **by_role) -> dict:
    """The outcome for every role: `default`, except the roles named."""
    unknown = set(by_role) - set(ROLES)
    assert not unknown, unknown
    return {role: by_role.get(role, default) for role in ROLES}


EVERYONE = expect(OK)
LOGGED_IN = expect(OK, visitor=LOGIN)
# Drafts are the board's and the secretariat's; others get 404, not 403, so that a
# draft's existence is not disclosed.
DRAFT_READERS = expect(OK, visitor=MISSING, member=MISSING, owner=MISSING)
BOARD = expect(OK, visitor=LOGIN, member=DENIED, owner=DENIED)
MEMBERS_ONLY_EVENT = expect(OK, visitor=MISSING)
NOBODY = expect(MISSING)


def staff(default, **by_role) -> dict:
    """The admin's pages: whoever is not staff is sent to the admin's login page."""
    not_staff = {"visitor": ADMIN_LOGIN, "member": ADMIN_LOGIN, "owner": ADMIN_LOGIN}
    return expect(default, **not_staff, board=ADMIN_LOGIN, **by_role)


STAFF = staff(OK)


@dataclass(frozen=True)
class Case:
    """One request to one URL name. `kwargs`, `data` and `query` take the world (the
    fixture objects) and return the URL's arguments, the POST data, the query string."""

    label: str
    expect: dict
    kwargs: Callable[[Any], dict] = lambda w: {}
    method: str = "get"
    data: Callable[[Any], dict] = lambda w: {}
    query: Callable[[Any], dict] = lambda w: {}


def post(label, expect_, kwargs=lambda w: {}, data=lambda w: {}):
    return Case(label, expect_, kwargs=kwargs, method="post", data=data)


def year(plan_name):
    return lambda w: {"year": getattr(w, plan_name).year}


def status_report(activity_name):
    def data(w):
        activity = getattr(w, activity_name)
        prefix = f"a{activity.pk}"
        period = w.periods[activity.section.plan.year][0]
        return {
            "activity": activity.pk,
            f"{prefix}-period": period.pk,
            f"{prefix}-status": w.status.pk,
            f"{prefix}-progress": "60",
            f"{prefix}-comment": "Klart snart.",
        }

    return data


def _document(document):
    return {"pk": document.pk, "filename": document.filename}


def reset_link(w):
    # From the database: the token depends on the last login, which the tests change.
    user = get_user_model().objects.get(pk=w.users["member"].pk)
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


# --- The portal --------------------------------------------------------------------------

PAGES: dict[str, list[Case]] = {
    # Language switch (outside the /sv/ /en/ prefixes).
    "set_language": [
        post("to English", expect(REDIRECT), data=lambda w: {"language": "en", "next": "/en/"}),
        Case("GET only redirects", expect(REDIRECT), query=lambda w: {"next": "/en/"}),
    ],
    # Accounts.
    # Logged in too: a page the user may not see sends them here, to log in as someone
    # else, so the form is shown rather than a redirect back (which would loop).
    "login": [
        Case("form", EVERYONE),
        post(
            "wrong password",
            EVERYONE,
            data=lambda w: {"username": "medlem", "password": "fel"},
        ),
    ],
    "logout": [
        Case("GET is not allowed", expect(WRONG_METHOD)),
        post("log out", expect(REDIRECT)),
    ],
    "password_change": [
        Case("form", LOGGED_IN),
        post(
            "new passwords differ",
            LOGGED_IN,
            data=lambda w: {
                "old_password": "correct horse battery staple",
                "new_password1": "ett långt lösenord 1",
                "new_password2": "ett långt lösenord 2",
            },
        ),
    ],
    "password_change_done": [Case("", LOGGED_IN)],
    "password_reset": [
        Case("form", EVERYONE),
        post("ask for a link", expect(REDIRECT), data=lambda w: {"email": "medlem@example.org"}),
    ],
    "admin_password_reset": [Case("the admin's link to the same form", EVERYONE)],
    "password_reset_done": [Case("", EVERYONE)],
    "password_reset_confirm": [
        Case("a valid link", expect(REDIRECT), kwargs=reset_link),
        Case("a forged link", EVERYONE, kwargs=lambda w: {"uidb64": "MQ", "token": "x-y"}),
    ],
    "password_reset_complete": [Case("", EVERYONE)],
    # The plan.
    "plan:home": [Case("", EVERYONE)],
    # Where logging in leads: each role to its work (a redirect), a visitor to log in.
    "plan:start": [Case("", expect(REDIRECT, visitor=LOGIN))],
    "plan:archive": [Case("", EVERYONE)],
    "plan:search": [
        Case("no query", EVERYONE),
        Case("a query", EVERYONE, query=lambda w: {"q": "aktivitet"}),
        Case("the draft's year", EVERYONE, query=lambda w: {"year": w.draft.year}),
    ],
    "plan:plan_detail": [
        Case("adopted", EVERYONE, kwargs=year("adopted")),
        Case("archived", EVERYONE, kwargs=year("archived")),
        Case("draft", DRAFT_READERS, kwargs=year("draft")),
        Case("no such year", NOBODY, kwargs=lambda w: {"year": 1999}),
    ],
    "plan:section_detail": [
        Case(
            "adopted",
            EVERYONE,
            kwargs=lambda w: {"year": w.adopted.year, "slug": w.section.slug},
        ),
        Case(
            "draft",
            DRAFT_READERS,
            kwargs=lambda w: {"year": w.draft.year, "slug": w.draft_section.slug},
        ),
        Case("no such section", NOBODY, kwargs=lambda w: {"year": w.adopted.year, "slug": "x"}),
    ],
    "plan:activity_detail": [
        Case("adopted", EVERYONE, kwargs=lambda w: {"year": w.adopted.year, "pk": w.owned.pk}),
        Case(
            "draft",
            DRAFT_READERS,
            kwargs=lambda w: {"year": w.draft.year, "pk": w.draft_activity.pk},
        ),
        Case(
            "a draft's activity under a published year",
            NOBODY,
            kwargs=lambda w: {"year": w.adopted.year, "pk": w.draft_activity.pk},
        ),
    ],
    "plan:goal_detail": [
        Case("adopted", EVERYONE, kwargs=lambda w: {"year": w.adopted.year, "pk": w.goal.pk}),
        Case(
            "a goal under another year",
            NOBODY,
            kwargs=lambda w: {"year": w.archived.year, "pk": w.goal.pk},
        ),
        post(
            "assess (board and secretariat)",
            expect(REDIRECT, visitor=LOGIN, member=DENIED, owner=DENIED),
            kwargs=lambda w: {"year": w.adopted.year, "pk": w.goal.pk},
            data=lambda w: {
                "period": w.periods[w.adopted.year][1].pk,
                "level": w.assessment_level.pk,
                "analysis": "Bedömt.",
            },
        ),
    ],
    "plan:plan_document": [
        Case("adopted", EVERYONE, kwargs=year("adopted")),
        Case("draft", DRAFT_READERS, kwargs=year("draft")),
    ],
    "plan:plan_document_docx": [
        Case("adopted", EVERYONE, kwargs=year("adopted")),
        Case("draft", DRAFT_READERS, kwargs=year("draft")),
    ],
    "plan:plan_changes": [
        Case("adopted against archived", EVERYONE, kwargs=year("adopted")),
        Case("draft against adopted", DRAFT_READERS, kwargs=year("draft")),
        Case(
            "adopted against draft",
            DRAFT_READERS,
            kwargs=year("adopted"),
            query=lambda w: {"from": w.draft.year},
        ),
    ],
    "plan:plan_versions": [
        Case("adopted", EVERYONE, kwargs=year("adopted")),
        Case("draft", DRAFT_READERS, kwargs=year("draft")),
    ],
    # Follow-up: owners report, the board reads and asks for the report.
    "plan:my_activities": [
        Case("list", LOGGED_IN),
        post(
            "report on an owned activity",
            expect(DENIED, visitor=LOGIN, owner=REDIRECT),
            data=status_report("owned"),
        ),
        post(
            "report on someone else's activity",
            expect(DENIED, visitor=LOGIN),
            data=status_report("not_owned"),
        ),
        post(
            "report on an owned activity of a draft plan",
            expect(DENIED, visitor=LOGIN),
            data=status_report("draft_activity"),
        ),
    ],
    "plan:followup_dashboard": [
        Case("adopted", BOARD, kwargs=year("adopted")),
        Case("draft", BOARD, kwargs=year("draft")),
    ],
    "plan:followup_report": [
        Case("adopted", BOARD, kwargs=year("adopted")),
        Case("draft", BOARD, kwargs=year("draft")),
    ],
    "plan:report_requests": [
        Case("list", BOARD, kwargs=year("adopted")),
        post(
            "ask for a CSV",
            expect(REDIRECT, visitor=LOGIN, member=DENIED, owner=DENIED),
            kwargs=year("adopted"),
            data=lambda w: {"format": "csv", "language": "sv"},
        ),
    ],
    # "Order a new report" on the follow-up page (issue 14, point 2).
    "plan:report_current": [
        Case(
            "GET is not allowed",
            expect(WRONG_METHOD, visitor=LOGIN, member=DENIED, owner=DENIED),
            kwargs=year("adopted"),
        ),
        post(
            "order the Excel file",
            expect(REDIRECT, visitor=LOGIN, member=DENIED, owner=DENIED),
            kwargs=year("adopted"),
            data=lambda w: {"format": "xlsx"},
        ),
    ],
    "plan:report_request_detail": [
        Case("", BOARD, kwargs=lambda w: {"pk": w.done_request.pk}),
    ],
    "plan:report_request_download": [
        Case("finished", BOARD, kwargs=lambda w: {"pk": w.done_request.pk}),
        Case(
            "failed (no file)",
            expect(MISSING, visitor=LOGIN, member=DENIED, owner=DENIED),
            kwargs=lambda w: {"pk": w.failed_request.pk},
        ),
    ],
    "plan:report_request_retry": [
        Case(
            "GET is not allowed",
            expect(WRONG_METHOD, visitor=LOGIN, member=DENIED, owner=DENIED),
            kwargs=lambda w: {"pk": w.failed_request.pk},
        ),
        post(
            "build again",
            expect(REDIRECT, visitor=LOGIN, member=DENIED, owner=DENIED),
            kwargs=lambda w: {"pk": w.failed_request.pk},
        ),
    ],
    # Events.
    "events:event_list": [Case("", EVERYONE)],
    "events:event_detail": [
        Case("public", EVERYONE, kwargs=lambda w: {"slug": w.public_event.slug}),
        # A visitor is asked to log in and comes back (issue 14, point 7).
        Case(
            "members only",
            expect(OK, visitor=LOGIN),
            kwargs=lambda w: {"slug": w.members_event.slug},
        ),
    ],
    "events:event_ics": [
        Case("public", EVERYONE, kwargs=lambda w: {"slug": w.public_event.slug}),
        Case("members only", MEMBERS_ONLY_EVENT, kwargs=lambda w: {"slug": w.members_event.slug}),
    ],
    "events:event_register": [
        Case(
            "GET is not allowed",
            expect(WRONG_METHOD),
            kwargs=lambda w: {"slug": w.public_event.slug},
        ),
        post(
            "public",
            expect(REDIRECT, visitor=LOGIN),
            kwargs=lambda w: {"slug": w.public_event.slug},
            data=lambda w: {"response": "attending"},
        ),
        post(
            "members only",
            expect(REDIRECT, visitor=MISSING),
            kwargs=lambda w: {"slug": w.members_event.slug},
            data=lambda w: {"response": "not_attending"},
        ),
    ],
    "events:feed": [Case("", EVERYONE)],
    "events:body_feed": [Case("", EVERYONE, kwargs=lambda w: {"slug": w.body.slug})],
    "events:my_calendar": [
        Case("page", LOGGED_IN),
        # The answer shows the new address, this once (only its hash is kept).
        post("make the address", LOGGED_IN),
        post("replace the address", LOGGED_IN, data=lambda w: {"reset": "1"}),
    ],
    # The token is the credential: a calendar program fetches the feed without a login.
    "events:personal_feed": [
        Case("the member's token", EVERYONE, kwargs=lambda w: {"token": w.feed_token}),
        Case("a guessed token", NOBODY, kwargs=lambda w: {"token": "x" * 43}),
    ],
    # Attached documents: who may read depends on the document's visibility, and on
    # whether the user may see what it is attached to.
    "documents:download": [
        Case("public", EVERYONE, kwargs=lambda w: _document(w.public_document)),
        Case("members'", LOGGED_IN, kwargs=lambda w: _document(w.members_document)),
        Case(
            "the board's",
            expect(OK, visitor=LOGIN, member=DENIED, owner=DENIED),
            kwargs=lambda w: _document(w.board_document),
        ),
        Case("public, of a draft", DRAFT_READERS, kwargs=lambda w: _document(w.draft_document)),
        Case(
            "a wrong file name",
            NOBODY,
            kwargs=lambda w: {"pk": w.public_document.pk, "filename": "x.pdf"},
        ),
    ],
    # The pages a public body's site must have, open to everyone.
    "about:accessibility": [Case("", EVERYONE)],
    "about:personal_data": [Case("", EVERYONE)],
    "about:cookies": [Case("", EVERYONE)],
    "about:contact": [Case("", EVERYONE)],
    # The member directory and the programmes.
    "members:directory": [Case("", EVERYONE)],
    "members:partners": [Case("", EVERYONE)],
    "members:organisation_detail": [
        Case("", EVERYONE, kwargs=lambda w: {"slug": w.organisation.slug}),
        Case("no such organisation", NOBODY, kwargs=lambda w: {"slug": "x"}),
    ],
    "members:body_list": [Case("", EVERYONE)],
    "members:body_detail": [
        Case("", EVERYONE, kwargs=lambda w: {"slug": w.body.slug}),
        Case("no such body", NOBODY, kwargs=lambda w: {"slug": "x"}),
    ],
    "ebs:programme": [Case("", EVERYONE)],
    "ebm:programme": [Case("", EVERYONE)],
    # Open data (api/). The page is everyone's; the API never authenticates, so every
    # role gets exactly the visitor's answers: drafts and members-only events are 404
    # for the board too. (Writes are 405: tests/api/test_open_data.py.)
    "open_data:page": [Case("", EVERYONE)],
    "api:root": [Case("", EVERYONE)],
    "api:schema": [Case("", EVERYONE)],
    "api:dcat": [Case("", EVERYONE)],
    "api:plan_list": [Case("", EVERYONE)],
    "api:plan_detail": [
        Case("adopted", EVERYONE, kwargs=year("adopted")),
        Case("archived", EVERYONE, kwargs=year("archived")),
        Case("draft", NOBODY, kwargs=year("draft")),
    ],
    "api:plan_export_json": [
        Case("adopted", EVERYONE, kwargs=year("adopted")),
        Case("draft", NOBODY, kwargs=year("draft")),
    ],
    "api:plan_export_csv": [
        Case("adopted", EVERYONE, kwargs=year("adopted")),
        Case("draft", NOBODY, kwargs=year("draft")),
    ],
    "api:section_list": [Case("", EVERYONE)],
    "api:section_detail": [
        Case("adopted", EVERYONE, kwargs=lambda w: {"pk": w.section.pk}),
        Case("draft", NOBODY, kwargs=lambda w: {"pk": w.draft_section.pk}),
    ],
    "api:goal_list": [Case("", EVERYONE)],
    "api:goal_detail": [Case("", EVERYONE, kwargs=lambda w: {"pk": w.goal.pk})],
    "api:activity_list": [Case("", EVERYONE)],
    "api:activity_detail": [
        Case("adopted", EVERYONE, kwargs=lambda w: {"pk": w.owned.pk}),
        Case("draft", NOBODY, kwargs=lambda w: {"pk": w.draft_activity.pk}),
    ],
    "api:status_list": [Case("", EVERYONE)],
    "api:indicator_list": [Case("", EVERYONE)],
    "api:indicator_detail": [Case("", EVERYONE, kwargs=lambda w: {"slug": w.indicator.slug})],
    "api:event_list": [Case("", EVERYONE)],
    "api:event_detail": [
        Case("public", EVERYONE, kwargs=lambda w: {"slug": w.public_event.slug}),
        Case("members only", NOBODY, kwargs=lambda w: {"slug": w.members_event.slug}),
    ],
    "api:organisation_list": [Case("", EVERYONE)],
    "api:organisation_detail": [
        Case("", EVERYONE, kwargs=lambda w: {"slug": w.organisation.slug}),
    ],
    "api:programme_list": [Case("", EVERYONE)],
    # The admin site's own pages (each model's pages are in ADMIN_MODELS).
    "admin:index": [Case("", STAFF)],
    # The secretariat's to-do page (issue 14, point 6): staff who may see the follow-up.
    "admin:todo": [Case("", STAFF)],
    "admin:login": [
        # A member who is logged in sees the page, told the account may not enter.
        Case("form", expect(OK, secretariat=REDIRECT, superuser=REDIRECT)),
    ],
    "admin:logout": [
        # Not staff: sent to the admin's index (and so to its login) before the method
        # is looked at.
        Case(
            "GET is not allowed",
            expect(REDIRECT, secretariat=WRONG_METHOD, superuser=WRONG_METHOD),
        ),
        post("log out", expect(REDIRECT)),
    ],
    "admin:password_change": [Case("", STAFF)],
    "admin:password_change_done": [Case("", STAFF)],
    "admin:jsi18n": [Case("", STAFF)],
    "admin:autocomplete": [
        Case(
            "an activity's owners",
            STAFF,
            query=lambda w: {
                "term": "",
                "app_label": "plan",
                "model_name": "activity",
                "field_name": "owners",
            },
        ),
        Case("without a field", staff(DENIED)),
    ],
    "admin:view_on_site": [
        Case(
            "a plan",
            staff(REDIRECT),
            kwargs=lambda w: {
                "content_type_id": ContentType.objects.get_for_model(w.adopted).pk,
                "object_id": w.adopted.pk,
            },
        ),
    ],
    "admin:app_list": [
        *(
            Case(app, STAFF, kwargs=lambda w, app=app: {"app_label": app})
            for app in (
                "members",
                "plan",
                "ebs",
                "ebm",
                "events",
                "documents",
                "about",
                "auth",
                "audit",
                "reminders",
            )
        ),
        # The login locks are the superuser's.
        Case(
            "accounts",
            staff(OK, secretariat=MISSING),
            kwargs=lambda w: {"app_label": "accounts"},
        ),
    ],
}

# Patterns without a name, by route (without the language prefix).
UNNAMED: dict[str, list[Case]] = {
    # Anything else under /admin/: the admin's 404, after its login.
    "admin/(?P<url>.*)$": [
        Case("no such page", staff(MISSING)),
    ],
}
UNNAMED_URLS = {"admin/(?P<url>.*)$": lambda lang: f"/{lang}/admin/no-such-page/"}


# --- The admin's models ------------------------------------------------------------------

# What the secretariat and a superuser get on each model's admin pages; everyone else
# (not staff) is sent to the admin's login page. "redirect" is the bare object URL,
# which forwards to its change page; "save" is a POST to the change page (here with an
# empty form, which comes back with its errors where saving is allowed).
EDIT = {
    "changelist": OK,
    "add": OK,
    "change": OK,
    "save": OK,
    "delete": OK,
    "history": OK,
    "redirect": REDIRECT,
}
# A read-only model: the change page shows the object without a save button.
VIEW_ONLY = {**EDIT, "add": DENIED, "save": DENIED, "delete": DENIED}
# The bare object URL forwards to the change page before any permission is looked at.
NO_ACCESS = {**{view: DENIED for view in EDIT}, "redirect": REDIRECT}
IMPORT_EXPORT = {
    "import": OK,
    "export": OK,
    "process_import": OK,
    # The import's template file (XLSX).
    "import_template": OK,
    # A background import's page, asked for with the object's id as the job's: there is
    # no such job (the job's own access is tested in tests/admin/test_import_jobs.py).
    "import_job": MISSING,
}


@dataclass(frozen=True)
class AdminRule:
    secretariat: dict
    superuser: dict
    # action name → {"secretariat": outcome, "superuser": outcome}
    actions: dict = field(default_factory=dict)


def both(views, **actions):
    return AdminRule(secretariat=views, superuser=views, actions=actions)


DELETE_SELECTED = {"secretariat": RAN, "superuser": RAN}
DOMAIN = both(EDIT, delete_selected=DELETE_SELECTED)
DOMAIN_IMPORT_EXPORT = both({**EDIT, **IMPORT_EXPORT}, delete_selected=DELETE_SELECTED)

# The world's plan objects belong to this year's adopted plan, whose texts are frozen
# (plan/freeze.py): a text-only object's page is view-only and is not deleted (the
# bulk delete shows the page saying so); an object with follow-up fields (actual
# amounts, owners, periods, indicator values, documents) saves those, and is not deleted.
FROZEN_TEXT = both({**EDIT, "save": DENIED, "delete": DENIED}, delete_selected=DELETE_SELECTED)
FROZEN_WITH_FOLLOW_UP = both({**EDIT, "delete": DENIED}, delete_selected=DELETE_SELECTED)

ADMIN_MODELS: dict[str, AdminRule] = {
    # The five domain apps: the secretariat edits everything.
    "members.County": DOMAIN,
    "members.Organisation": both(
        {**EDIT, **IMPORT_EXPORT},
        delete_selected=DELETE_SELECTED,
        mark_member_from_date={"secretariat": RAN, "superuser": RAN},
    ),
    "members.Membership": DOMAIN_IMPORT_EXPORT,
    "members.Person": both(
        {**EDIT, **IMPORT_EXPORT},
        delete_selected=DELETE_SELECTED,
        export_personal_data={"secretariat": RAN, "superuser": RAN},
        erase_personal_data={"secretariat": RAN, "superuser": RAN},
    ),
    "members.Body": DOMAIN,
    "members.Role": DOMAIN,
    "members.Partnership": DOMAIN,
    "plan.Plan": both(
        # The adopted plan (without a recorded adoption) opens "adopt" and "amend"; the
        # steps that do not apply to its status send back to its page with a message.
        {
            **EDIT,
            "delete": DENIED,
            "adopt": OK,
            "amend": OK,
            "amendment_adopt": REDIRECT,
            "propose": REDIRECT,
        },
        delete_selected=DELETE_SELECTED,
        roll_over={"secretariat": RAN, "superuser": RAN},
    ),
    "plan.PlanDecision": both(
        {**EDIT, "add": DENIED, "save": DENIED, "delete": DENIED},
        delete_selected={"secretariat": REFUSED, "superuser": REFUSED},
    ),
    "plan.DirectionGoal": FROZEN_TEXT,
    "plan.PriorityArea": FROZEN_TEXT,
    "plan.PriorityAreaItem": FROZEN_TEXT,
    "plan.CommunicationPriority": FROZEN_TEXT,
    "plan.ReportingPeriod": both(
        EDIT,
        delete_selected=DELETE_SELECTED,
        lock={"secretariat": RAN, "superuser": RAN},
        unlock={"secretariat": RAN, "superuser": RAN},
    ),
    "plan.Section": FROZEN_WITH_FOLLOW_UP,
    "plan.Goal": both(
        {**EDIT, **IMPORT_EXPORT, "save": DENIED, "delete": DENIED},
        delete_selected=DELETE_SELECTED,
    ),
    "plan.Activity": both(
        {**EDIT, **IMPORT_EXPORT, "delete": DENIED}, delete_selected=DELETE_SELECTED
    ),
    "plan.Status": DOMAIN,
    # A report, once made, is history: its change page is read-only (a correction is
    # a new report), so the page opens but saves nothing.
    "plan.StatusUpdate": both(
        {**EDIT, **IMPORT_EXPORT, "save": DENIED}, delete_selected=DELETE_SELECTED
    ),
    "plan.Indicator": FROZEN_WITH_FOLLOW_UP,
    "plan.IndicatorValue": DOMAIN,
    "plan.ActivityGoal": FROZEN_TEXT,
    "plan.AssessmentLevel": DOMAIN,
    # An assessment, once made, is history, as a status report is.
    "plan.GoalAssessment": both({**EDIT, "save": DENIED}, delete_selected=DELETE_SELECTED),
    # Made on the follow-up page, which queues the build; the admin only lists them.
    "plan.ReportRequest": both(
        {**EDIT, "add": DENIED, "save": DENIED},
        delete_selected=DELETE_SELECTED,
        retry={"secretariat": RAN, "superuser": RAN},
    ),
    "ebs.ParticipatingCounty": DOMAIN,
    "ebs.SystemAnalysis": DOMAIN,
    "ebs.PrioritisedMeasure": DOMAIN,
    "ebs.FreightStrategy": DOMAIN,
    "ebs.FreightMeasure": DOMAIN,
    "ebm.ParticipatingRegion": DOMAIN,
    "ebm.OccupationalArea": DOMAIN,
    "ebm.ActionPlanArea": DOMAIN,
    "ebm.RailwayProgramme": DOMAIN,
    "ebm.TrainingFacility": DOMAIN,
    # Cancelling (issue 13.7) is a change: whoever may change events may cancel them.
    "events.Event": both(
        {**EDIT, **IMPORT_EXPORT},
        delete_selected=DELETE_SELECTED,
        cancel_events={"secretariat": RAN, "superuser": RAN},
    ),
    "events.Registration": DOMAIN,
    # Made on the member's calendar page; deleting one revokes a leaked feed address.
    "events.CalendarToken": both(
        {**EDIT, "add": DENIED, "save": DENIED}, delete_selected=DELETE_SELECTED
    ),
    # Users and groups: the secretariat may look, only a superuser changes them.
    "auth.User": AdminRule(
        secretariat={**VIEW_ONLY, "password_change": DENIED},
        superuser={**EDIT, "password_change": OK},
        actions={"delete_selected": {"secretariat": REFUSED, "superuser": RAN}},
    ),
    "auth.Group": AdminRule(
        secretariat=VIEW_ONLY,
        superuser=EDIT,
        actions={"delete_selected": {"secretariat": REFUSED, "superuser": RAN}},
    ),
    # The audit trail is written by the recorder, never by hand, and never deleted.
    "audit.AuditEntry": both(
        VIEW_ONLY, delete_selected={"secretariat": REFUSED, "superuser": REFUSED}
    ),
    # Login locks: the superuser lifts one by deleting it.
    "accounts.LoginThrottle": AdminRule(
        secretariat=NO_ACCESS,
        superuser={**EDIT, "add": DENIED, "save": DENIED},
        actions={"delete_selected": {"secretariat": DENIED, "superuser": RAN}},
    ),
    # Attached on the page of what they belong to; this list changes and deletes them.
    "documents.Document": both({**EDIT, "add": DENIED}, delete_selected=DELETE_SELECTED),
    # One row: the list forwards to it; it is not added twice, nor deleted.
    "about.ContactDetails": both(
        {**EDIT, "add": REDIRECT, "delete": DENIED},
        delete_selected={"secretariat": REFUSED, "superuser": REFUSED},
    ),
    "reminders.ContactPreference": DOMAIN,
    # The reminder log is evidence: read-only, never deleted; failed ones are resent.
    "reminders.ReminderLog": AdminRule(
        secretariat={**VIEW_ONLY, "schedule": OK},
        superuser={**VIEW_ONLY, "schedule": OK},
        actions={
            "delete_selected": {"secretariat": REFUSED, "superuser": REFUSED},
            "resend": {"secretariat": RAN, "superuser": RAN},
        },
    ),
}


# --- Running the rules -------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        else:
            assert isinstance(pattern, URLPattern)
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name


def url_patterns(language):
    """(route without the language prefix, name or None, the prefix) for every URL."""
    with translation.override(language):
        for route, name in _walk(get_resolver().url_patterns):
            prefixed = route.startswith(f"{language}/")
            yield (route[len(language) + 1 :] if prefixed else route), name, prefixed


def _model_url_names(model, model_admin):
    info = f"{model._meta.app_label}_{model._meta.model_name}"
    names = {}
    for pattern in model_admin.urls:
        if isinstance(pattern, URLPattern) and pattern.name:
            names[pattern.name] = pattern.name.removeprefix(info + "_")
    return names


def _base_actions(model_admin):
    # Every action the admin could offer anyone, before it filters them by the
    # user's permissions (get_actions filters by the request's user).
    return sorted(name for _func, name, _desc in model_admin._get_base_actions())


def test_every_url_and_admin_action_has_a_rule():
    missing = []
    for language in LANGUAGES:
        admin_names = set()
        for model, model_admin in admin.site._registry.items():
            admin_names |= {f"admin:{n}" for n in _model_url_names(model, model_admin)}
        for route, name, prefixed in url_patterns(language):
            if route.startswith("admin/") and name is None and route.endswith("<path:object_id>/"):
                continue  # a model's bare object URL: the "redirect" of its rule
            if name in admin_names:
                continue  # checked below, model by model
            if name is None and route not in UNNAMED:
                missing.append(f"/{language}/{route} (no name): no rule in UNNAMED")
            elif name is not None and name not in PAGES:
                missing.append(f"/{language}/{route} ({name}): no rule in PAGES")
            # The open-data API (api:) is outside the prefix: its answers carry both
            # languages.
            if name and name != "set_language" and not name.startswith("api:") and not prefixed:
                missing.append(f"{route} ({name}) is not under the /{language}/ prefix")
    named = {name for language in LANGUAGES for _r, name, _p in url_patterns(language) if name}
    for name in sorted(set(PAGES) - named):
        missing.append(f"PAGES has a rule for {name}, which is no URL any more")

    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        rule = ADMIN_MODELS.get(label)
        if rule is None:
            missing.append(f"the admin of {label}: no rule in ADMIN_MODELS")
            continue
        views = set(_model_url_names(model, model_admin).values()) | {"redirect", "save"}
        for role in ("secretariat", "superuser"):
            rules = getattr(rule, role)
            for view in sorted(views - set(rules)):
                missing.append(f"admin URL {label} {view!r}: no rule for the {role}")
            for view in sorted(set(rules) - views):
                missing.append(f"ADMIN_MODELS[{label!r}] names {view!r}, which is no URL")
        for action in _base_actions(model_admin):
            if set(rule.actions.get(action, {})) != {"secretariat", "superuser"}:
                missing.append(f"admin action {label} {action!r}: no rule in ADMIN_MODELS")
        for action in sorted(set(rule.actions) - set(_base_actions(model_admin))):
            missing.append(f"ADMIN_MODELS[{label!r}] names the action {action!r}, which is gone")
    for label in sorted(set(ADMIN_MODELS) - {m._meta.label for m in admin.site._registry}):
        missing.append(f"ADMIN_MODELS has a rule for {label}, which has no admin any more")

    assert not missing, "URLs or admin actions without a rule:\n" + "\n".join(missing)


def outcome(response):
    if response.status_code in (301, 302):
        path = urlsplit(response["Location"]).path
        if path.endswith("/admin/login/"):
            return ADMIN_LOGIN
        if path.endswith("/accounts/login/"):
            return LOGIN
        return REDIRECT
    return response.status_code


class Roles:
    """A fresh client per role and language, logged in as that role's user, with every
    CSRF check on."""

    def __init__(self, world):
        self.world = world

    def client(self, role):
        client = Client(enforce_csrf_checks=True)
        if role != "visitor":
            client.force_login(self.world.users[role])
        return client


def csrf_post(client, url, data):
    token = secrets.token_hex(16)
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def run(client, method, url, data, query):
    if method == "get":
        return client.get(url, query)
    return csrf_post(client, url + (f"?{query}" if query else ""), data)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module inside a transaction that is rolled back at
    its end; each test runs in a savepoint of its own (the `db` fixture), so what one
    test writes is gone before the next."""
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock():
        with transaction.atomic():
            world = build_world()
            yield world
            transaction.set_rollback(True)


@pytest.fixture
def world(shared_world, db):
    return shared_world


CASES = [(name, case) for name, cases in PAGES.items() for case in cases]


@pytest.mark.parametrize(
    ("name", "case"), CASES, ids=[f"{name} {case.label}".strip() for name, case in CASES]
)
def test_pages(world, name, case):
    roles = Roles(world)
    wrong = []
    for language in LANGUAGES:
        for role in ROLES:
            client = roles.client(role)
            with translation.override(language):
                # After the login: a password reset link is only valid until then.
                url = reverse(name, kwargs=case.kwargs(world))
            if case.method == "post":
                refused = client.post(url, case.data(world))
                if refused.status_code != 403 or b"CSRF" not in refused.content:
                    wrong.append(f"{url} as {role}: a POST without a CSRF token was not refused")
                client = roles.client(role)
            with translation.override(language):
                response = run(client, case.method, url, case.data(world), case.query(world))
            got, wanted = outcome(response), case.expect[role]
            if got != wanted:
                wrong.append(f"{case.method.upper()} {url} as {role}: expected {wanted}, got {got}")
    assert not wrong, f"{name} ({case.label}):\n" + "\n".join(wrong)


@pytest.mark.parametrize(("route", "case"), [(r, c) for r, cs in UNNAMED.items() for c in cs])
def test_unnamed_urls(world, route, case):
    roles = Roles(world)
    wrong = []
    for language in LANGUAGES:
        url = UNNAMED_URLS[route](language)
        for role in ROLES:
            got, wanted = outcome(roles.client(role).get(url)), case.expect[role]
            if got != wanted:
                wrong.append(f"GET {url} as {role}: expected {wanted}, got {got}")
    assert not wrong, f"{route} ({case.label}):\n" + "\n".join(wrong)


# --- The admin, model by model -------------------------------------------------------------


def _admin_url(model, view, obj):
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    if view == "save":
        view = "change"
    if view in (
        "change",
        "delete",
        "history",
        "password_change",
        "import_job",
        "propose",
        "adopt",
        "amend",
        "amendment_adopt",
    ):
        return reverse(f"{info}_{view}", args=[obj.pk])
    if view == "redirect":
        return reverse(f"{info}_change", args=[obj.pk]).removesuffix("change/")
    return reverse(f"{info}_{view}")


def _action_outcome(response):
    if response.status_code == 302 and outcome(response) == REDIRECT:
        texts = [str(m) for m in get_messages(response.wsgi_request)]
        if gettext("No action selected.") in texts:
            return REFUSED
        return RAN
    if response.status_code == 200:
        if "cl" in (getattr(response, "context_data", None) or {}):
            # The list again: the user has no action at all, so the POST was not read
            # as one.
            return REFUSED
        return RAN  # a confirmation page, or the action's file
    return outcome(response)


MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_model(world, model):
    from .world import admin_object

    rule = ADMIN_MODELS[model._meta.label]
    model_admin = admin.site._registry[model]
    obj = admin_object(world, model)
    assert obj is not None, f"the world has no {model._meta.label}"
    roles = Roles(world)
    wrong = []
    for language in LANGUAGES:
        for role in ROLES:
            wanted_views = getattr(rule, role, None) or {}
            for view in sorted(set(rule.secretariat) | set(rule.superuser)):
                with translation.override(language):
                    url = _admin_url(model, view, obj)
                wanted = wanted_views.get(view, ADMIN_LOGIN)
                client = roles.client(role)
                if view in ("process_import", "save"):
                    # process_import is POST only: an import's confirmation step. With
                    # nothing to confirm, whoever may import gets the import form back.
                    response = csrf_post(client, url, {})
                else:
                    response = client.get(url)
                got = outcome(response)
                if got != wanted:
                    method = "POST" if view in ("process_import", "save") else "GET"
                    wrong.append(f"{method} {url} as {role}: expected {wanted}, got {got}")

            for action in _base_actions(model_admin):
                wanted = rule.actions[action].get(role, ADMIN_LOGIN)
                with translation.override(language):
                    url = _admin_url(model, "changelist", obj)
                    data = {"action": action, "_selected_action": [obj.pk], "index": "0"}
                    client = roles.client(role)
                    refused = client.post(url, data)
                    if refused.status_code != 403:
                        wrong.append(f"action {action} as {role}: no CSRF token, not refused")
                    response = csrf_post(roles.client(role), url, data)
                    got = _action_outcome(response)
                if got != wanted:
                    wrong.append(
                        f"action {action} on {url} as {role}: expected {wanted}, got {got}"
                    )
    assert not wrong, f"the admin of {model._meta.label}:\n" + "\n".join(wrong)
