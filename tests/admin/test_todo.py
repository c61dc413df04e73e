"""The secretariat's to-do page and the activity list's follow-up filters (issue 14,
point 6): who has not reported (with a mail link), what is late, imports waiting,
mails that failed — by plan.rollup's one definition of "report missing" and "late"."""

import datetime
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from malardal.models import ImportJob
from plan import rollup, todo
from plan.followup import plan_progress
from reminders.models import ReminderLog
from tests import factories

TODAY = timezone.localdate()


@pytest.fixture
def overdue(db):
    """A plan of this year with a period past its due date: two activities of Anna's
    and one of Bo's, Anna has reported on one; one activity past its end date."""
    plan = factories.PlanFactory(year=TODAY.year)
    period = factories.ReportingPeriodFactory(
        plan=plan,
        name_sv="Tertial 1",
        starts_on=TODAY - datetime.timedelta(days=120),
        ends_on=TODAY - datetime.timedelta(days=30),
        due_date=TODAY - datetime.timedelta(days=10),
    )
    section = factories.SectionFactory(plan=plan)
    anna = factories.PersonFactory(first_name="Anna", last_name="Andersson", email="anna@x.se")
    bo = factories.PersonFactory(first_name="Bo", last_name="Berg", email="")
    reported = factories.ActivityFactory(section=section, text_sv="Rapporterad aktivitet.")
    missing = factories.ActivityFactory(section=section, text_sv="Annas saknade aktivitet.")
    late = factories.ActivityFactory(
        section=section, text_sv="Bos sena aktivitet.", end_date=TODAY - datetime.timedelta(days=40)
    )
    reported.owners.add(anna)
    missing.owners.add(anna)
    late.owners.add(bo)
    factories.StatusUpdateFactory(activity=reported, period=period, progress=40)
    return {"plan": plan, "period": period, "missing": missing, "late": late, "anna": anna}


def test_todo_lists_who_has_not_reported_with_a_mail_link(client, secretariat_user, overdue):
    client.force_login(secretariat_user)
    response = client.get(reverse("admin:todo"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Annas saknade aktivitet." in page
    assert "Rapporterad aktivitet." not in page.split('id="late-')[0]
    mailto = next(o.mailto for p in response.context["plans"] for o in p.owners if o.person)
    assert mailto.startswith("mailto:anna@x.se?subject=")
    assert "Annas saknade aktivitet." in unquote(mailto)
    assert "/sv/my/activities/" in unquote(mailto)
    assert 'href="mailto:anna@x.se' in page
    # Bo has no address: said so, no broken link.
    assert "Ingen e-postadress" in page


def test_todo_counts_are_the_rollups(client, secretariat_user, overdue):
    """The page's counts are plan.rollup's: the same as the dashboard's figure."""
    figure = plan_progress(overdue["plan"], period=overdue["period"]).total
    client.force_login(secretariat_user)
    item = client.get(reverse("admin:todo")).context["plans"][0]
    assert item.missing_count == figure.report_missing == 2
    assert len(item.late) == figure.late == 1
    assert rollup.report_missing_text(figure)


def test_todo_shows_imports_waiting_and_failed_mails(client, secretariat_user, overdue):
    ImportJob.objects.create(model="plan.Activity", file_name="aktiviteter.xlsx")
    ImportJob.objects.create(
        model="plan.Activity", file_name="klar.xlsx", status=ImportJob.State.DONE
    )
    ReminderLog.objects.create(
        kind=ReminderLog.Kind.FOLLOWUP_AFTER,
        occasion="period:1:2024-01-01",
        recipient_key="email:fel@x.se",
        email="fel@x.se",
        language="sv",
        status=ReminderLog.Status.FAILED_PERMANENT,
        error="550 mailbox unavailable",
    )
    client.force_login(secretariat_user)
    page = client.get(reverse("admin:todo")).content.decode()
    assert "aktiviteter.xlsx" in page
    assert "klar.xlsx" not in page
    assert "fel@x.se" in page and "550 mailbox unavailable" in page


def test_todo_is_linked_from_the_admin_index(client, secretariat_user):
    client.force_login(secretariat_user)
    page = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:todo")}"' in page


def test_todo_is_for_staff_only(client, board_user, member_user):
    for user in (board_user, member_user):
        client.force_login(user)
        response = client.get(reverse("admin:todo"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_todo_runs_a_bounded_number_of_queries(
    client, secretariat_user, overdue, django_assert_max_num_queries
):
    section = overdue["missing"].section
    for _ in range(30):
        activity = factories.ActivityFactory(section=section)
        activity.owners.add(factories.PersonFactory(), overdue["anna"])
    client.force_login(secretariat_user)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("admin:todo"))
    assert response.context["plans"][0].missing_count == 32


def test_activity_list_filters_missing_late_owner_period(client, secretariat_user, overdue):
    client.force_login(secretariat_user)
    url = reverse("admin:plan_activity_changelist")

    def listed(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return {a.pk for a in response.context["cl"].result_list}

    assert listed(report="missing") == {overdue["missing"].pk, overdue["late"].pk}
    assert listed(report="late") == {overdue["late"].pk}
    assert listed(report="missing", owner=overdue["anna"].pk) == {overdue["missing"].pk}
    assert listed(report="missing", period=overdue["period"].pk) == {
        overdue["missing"].pk,
        overdue["late"].pk,
    }
    assert todo.flagged_activity_ids(todo.MISSING) == {overdue["missing"].pk, overdue["late"].pk}


@pytest.mark.parametrize("query", [{"report": "x"}, {"period": "abc"}, {"owner": "x"}])
def test_activity_filters_refuse_nonsense_without_500(client, secretariat_user, overdue, query):
    client.force_login(secretariat_user)
    response = client.get(reverse("admin:plan_activity_changelist"), query)
    assert response.status_code in (200, 302, 400)
