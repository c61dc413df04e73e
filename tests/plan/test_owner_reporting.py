"""Owners report with confidence (issue 14, point 3): the confirmation or the error
summary appears beside the activity the form was sent for (focused, announced), 0–100
is checked on the first submit, messages are cut at word boundaries, a saved report
folds the form, the period defaults to the one the report is due in next with its due
date, the activity page offers its owners "Report", and an overview counts what is
reported for the period due next by plan.rollup's definition."""

import re

import pytest
from django.urls import reverse

from malardal.formatting import short_date
from plan import followup, rollup
from plan.services import status_update_create

from . import followup_data
from .test_followup_pages import report_form, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def fp(db):
    return followup_data.build()


def article(html: str, activity) -> str:
    """The <article> of one activity on "my activities"."""
    start = html.index(f'<article class="owned-activity" id="activity-{activity.pk}"')
    return html[start : html.index("</article>", start)]


def test_saved_confirmation_is_beside_the_activity_focused_and_announced(client, fp):
    fp.a1.text_en = "To coordinate the regional traffic " + "and the timetables " * 8
    fp.a1.save()
    client.force_login(fp.anna)
    response = client.post(url("my_activities", "en"), report_form(fp, fp.a1))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#report-{fp.a1.pk}-result")
    html = client.get(response["Location"].split("#")[0]).content.decode()
    box = article(html, fp.a1)
    assert f'id="report-{fp.a1.pk}-result"' in box
    assert 'tabindex="-1"' in box and 'role="status"' in box
    message = re.search(r"Your report on “(.*?)” is saved\.", box).group(1)
    # Cut at a word boundary: every word shown is a whole word of the activity's text.
    assert message.endswith("…")
    assert all(word in fp.a1.text_en.split() for word in message.rstrip("…").split())
    # Not repeated at the top of the page, nor beside the other activity.
    assert html.count("is saved.") == 1
    assert "is saved" not in article(html, fp.a2)


@pytest.mark.parametrize("progress", ["150", "-3"])
def test_progress_out_of_range_is_caught_on_the_first_submit_beside_the_activity(
    client, fp, progress
):
    client.force_login(fp.anna)
    response = client.post(url("my_activities", "en"), report_form(fp, fp.a1, progress=progress))
    assert response.status_code == 400
    box = article(response.content.decode(), fp.a1)
    assert f'id="report-{fp.a1.pk}-result"' in box and 'role="alert"' in box
    assert 'tabindex="-1"' in box
    assert f'href="#id_a{fp.a1.pk}-progress"' in box
    assert "whole number from 0 to 100" in box
    assert f'value="{progress}"' in box
    # The form posts back to the same place.
    assert f'action="{url("my_activities", "en")}#report-{fp.a1.pk}-result"' in box


def test_the_progress_field_says_its_range(client, fp):
    client.force_login(fp.anna)
    box = article(client.get(url("my_activities", "en")).content.decode(), fp.a1)
    field = re.search(rf'<input[^>]*name="a{fp.a1.pk}-progress"[^>]*>', box).group()
    assert 'min="0"' in field and 'max="100"' in field


def test_after_saving_the_report_shows_and_the_form_is_folded(client, fp):
    """The form invites the report owed next; once every open period has one, it folds
    away behind "Report again" rather than inviting a duplicate."""
    for period in (fp.t1, fp.t2):
        status_update_create(
            activity=fp.a1, period=period, status=fp.on_track, progress=10, by=fp.anna
        )
    client.force_login(fp.anna)
    before = article(client.get(url("my_activities", "en")).content.decode(), fp.a1)
    assert '<details class="report-again"' not in before
    data = report_form(fp, fp.a1, comment="Möte hållet.", period=fp.year.pk)
    client.post(url("my_activities", "en"), data)
    after = article(client.get(url("my_activities", "en")).content.decode(), fp.a1)
    assert "Möte hållet." in after  # the saved report
    folded = re.search(r'<details class="report-again"( open)?>', after)
    assert folded and not folded.group(1)  # closed
    assert "Report again for" in after


def test_the_period_defaults_to_the_one_due_next_with_its_due_date(client, fp):
    client.force_login(fp.anna)
    html = client.get(url("my_activities", "sv")).content.decode()
    box = article(html, fp.a1)
    select = re.search(rf'<select name="a{fp.a1.pk}-period".*?</select>', box, re.S).group()
    assert re.search(rf'<option value="{fp.t1.pk}" selected>', select)
    due = short_date(fp.t1.due_date, "sv")
    assert f"Tertial 1, senast {due}" in box
    # Once reported for tertial 1, the next one owed is tertial 2.
    status_update_create(activity=fp.a1, period=fp.t1, status=fp.on_track, progress=10, by=fp.anna)
    box = article(client.get(url("my_activities", "sv")).content.decode(), fp.a1)
    select = re.search(rf'<select name="a{fp.a1.pk}-period".*?</select>', box, re.S).group()
    assert re.search(rf'<option value="{fp.t2.pk}" selected>', select)


def test_the_overview_counts_what_is_reported_for_the_period_due_next(client, fp):
    """The period is the first one Anna still owes a report in (tertial 1 here, as the
    forms default to), and the count is plan.rollup's."""
    client.force_login(fp.anna)
    first = fp.t1
    status_update_create(activity=fp.a1, period=first, status=fp.on_track, progress=10, by=fp.anna)
    html = client.get(url("my_activities", "en")).content.decode()
    assert f"1 of 2 reported for {first.name_en}" in html
    # The same count as plan.rollup's for the plan, narrowed to Anna's activities.
    figure = followup.plan_progress(fp.plan, period=first).figures.activities
    assert sum(figure[a.pk].reported_in_period for a in (fp.a1, fp.a2)) == 1


def test_the_activity_page_offers_report_to_its_owners_only(client, fp):
    page = reverse("plan:activity_detail", kwargs={"year": fp.plan.year, "pk": fp.a1.pk})
    link = f'href="{reverse("plan:my_activities")}#activity-{fp.a1.pk}"'
    client.force_login(fp.anna)
    assert link in client.get(page).content.decode()
    client.force_login(fp.bertil)
    assert link not in client.get(page).content.decode()
    client.logout()
    assert link not in client.get(page).content.decode()


def test_reported_in_period_counts_only_the_periods_own_reports():
    import datetime

    p1 = rollup.Period(1, 1, datetime.date(2023, 4, 30), datetime.date(2023, 5, 15), "T1")
    p2 = rollup.Period(2, 2, datetime.date(2023, 8, 31), datetime.date(2023, 9, 15), "T2")
    reports = (rollup.Report(1, 1, 1, 50),)
    figures = rollup.progress_figures(
        [rollup.ActivityData(1, None, reports), rollup.ActivityData(2, None, ())],
        periods=[p1, p2],
        period=p2,
        on=datetime.date(2023, 10, 1),
    )
    # Carried forward from T1 counts for the figure, not as T2's report.
    assert figures.total.reported_in_period == 0
    assert figures.total.report_missing == 2
    assert figures.total.reported_text == "0 av 2 rapporterade för T2"
