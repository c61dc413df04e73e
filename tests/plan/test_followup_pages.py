"""The follow-up pages as their users see them: an activity owner reports on "my
activities"; the board reads the dashboard; visitors and members without the right are
kept out. Both languages; lists run a fixed number of queries."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from members import roles
from plan.models import StatusUpdate
from plan.services import reporting_period_lock, status_update_create
from tests.factories import ActivityFactory, PersonFactory, SectionFactory, UserFactory

from . import followup_data

pytestmark = pytest.mark.django_db

LANGUAGES = ["sv", "en"]


@pytest.fixture
def fp(db):
    return followup_data.build()


def url(name, lang="sv", **kwargs):
    with translation.override(lang):
        return reverse(f"plan:{name}", kwargs=kwargs)


def text_of(response) -> str:
    html = response.content.decode()
    main = html[html.index('<main id="main"') :]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


def report_form(fp, activity, **values):
    prefix = f"a{activity.pk}"
    data = {
        "activity": str(activity.pk),
        f"{prefix}-period": str(fp.t1.pk),
        f"{prefix}-status": str(fp.on_track.pk),
        f"{prefix}-progress": "40",
        f"{prefix}-comment": "Ett möte med Trafikverket är hållet.",
    }
    data.update({f"{prefix}-{k}": v for k, v in values.items()})
    return data


# --- my activities ----------------------------------------------------------------------


def test_visitors_are_sent_to_the_login_page(client, fp):
    response = client.get(url("my_activities"))
    assert response.status_code == 302
    assert "login" in response.url


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_owner_sees_only_their_activities_with_a_form(client, fp, lang):
    client.force_login(fp.anna)
    response = client.get(url("my_activities", lang))
    assert response.status_code == 200
    text = text_of(response)
    if lang == "sv":
        assert "Att samordna trafiken." in text and "Att ta fram en godsstrategi." in text
        assert "Att ordna Mälartinget." not in text
    else:
        assert "To coordinate the traffic." in text and "To arrange Mälartinget." not in text
    html = response.content.decode()
    assert html.count('name="activity"') == 2
    assert f'name="a{fp.a1.pk}-progress"' in html


def test_an_owner_reports_and_sees_it_saved(client, fp):
    client.force_login(fp.anna)
    response = client.post(url("my_activities", "en"), report_form(fp, fp.a1), follow=True)
    assert response.status_code == 200
    update = StatusUpdate.objects.get()
    assert (update.activity, update.period, update.status, update.progress) == (
        fp.a1,
        fp.t1,
        fp.on_track,
        40,
    )
    assert update.reported_by == fp.anna
    assert update.comment == "Ett möte med Trafikverket är hållet."
    text = text_of(response)
    assert "Your report on “To coordinate the traffic.” is saved." in text
    assert "On track, 40 %" in text  # shown as the latest report


def test_an_empty_progress_takes_the_statuss_usual_progress(client, fp):
    client.force_login(fp.anna)
    client.post(url("my_activities"), report_form(fp, fp.a1, progress="", status=fp.completed.pk))
    assert StatusUpdate.objects.get().progress == 100


@pytest.mark.parametrize("progress", ["150", "-3", "fyrtio", "12.5"])
def test_bad_progress_is_explained_and_what_was_typed_is_kept(client, fp, progress):
    client.force_login(fp.anna)
    data = report_form(fp, fp.a1, progress=progress, comment="Mitt utkast")
    response = client.post(url("my_activities", "en"), data)
    assert response.status_code == 400
    assert not StatusUpdate.objects.exists()
    html = response.content.decode()
    assert 'role="alert"' in html and "The report was not saved" in html
    assert f'href="#id_a{fp.a1.pk}-progress"' in html  # the summary links to the field
    assert f'value="{progress}"' in html  # the form shows what was typed
    assert "Mitt utkast</textarea>" in html
    assert "0" in text_of(response) and "100" in text_of(response)


def test_a_missing_status_is_explained(client, fp):
    client.force_login(fp.anna)
    response = client.post(url("my_activities", "en"), report_form(fp, fp.a1, status=""))
    assert response.status_code == 400
    assert "Choose a status." in text_of(response)
    assert not StatusUpdate.objects.exists()


def test_someone_elses_activity_is_refused_with_a_message(client, fp):
    client.force_login(fp.anna)
    response = client.post(url("my_activities", "en"), report_form(fp, fp.a3))
    assert response.status_code == 403
    assert "only report on activities you are responsible for" in text_of(response)
    assert not StatusUpdate.objects.exists()


def test_a_locked_period_is_not_offered_and_a_forged_post_is_refused(client, fp):
    reporting_period_lock(period=fp.t1)
    client.force_login(fp.anna)
    html = client.get(url("my_activities")).content.decode()
    select = re.search(rf'<select name="a{fp.a1.pk}-period".*?</select>', html, re.S).group()
    assert f'value="{fp.t1.pk}"' not in select
    assert f'value="{fp.year.pk}"' in select
    response = client.post(url("my_activities", "en"), report_form(fp, fp.a1))
    assert response.status_code == 400
    assert "That period does not take reports." in text_of(response)
    assert not StatusUpdate.objects.exists()


def test_a_period_locked_while_the_form_was_open_is_refused_by_the_service(client, fp, monkeypatch):
    """The page read the period as open; the secretariat locked it just before the
    report was saved. The service checks the lock again under a row lock."""
    from plan import followup

    original = followup.owned_activities

    def locked_meanwhile(user, **kwargs):
        result = original(user, **kwargs)
        reporting_period_lock(period=fp.t1)
        return result

    monkeypatch.setattr(followup, "owned_activities", locked_meanwhile)
    client.force_login(fp.anna)
    response = client.post(url("my_activities", "en"), report_form(fp, fp.a1))
    assert response.status_code == 400
    assert "is locked" in text_of(response)
    assert not StatusUpdate.objects.exists()


def test_a_user_without_a_person_is_told_why_nothing_is_listed(client, fp):
    user = UserFactory(username="utan", groups=[roles.MEMBER])
    client.force_login(user)
    response = client.get(url("my_activities", "en"))
    assert response.status_code == 200
    assert "not linked to a person" in text_of(response)


def test_my_activities_runs_a_fixed_number_of_queries(client, fp, django_assert_max_num_queries):
    client.force_login(fp.anna)
    status_update_create(activity=fp.a1, period=fp.t1, status=fp.on_track, progress=1, by=fp.anna)
    with django_assert_max_num_queries(20) as small:
        client.get(url("my_activities"))
    person = fp.anna.person
    for n in range(10):
        section = SectionFactory(plan=fp.plan, slug=f"mer-{n}", order=20 + n)
        for _ in range(2):
            activity = ActivityFactory(section=section)
            activity.owners.add(person, PersonFactory())
            status_update_create(
                activity=activity, period=fp.t1, status=fp.on_track, progress=5, by=fp.anna
            )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("my_activities"))
    assert response.content.decode().count('name="activity"') == 22


# --- the board's dashboard ----------------------------------------------------------------


def test_the_dashboard_is_for_the_board(client, fp, board_user):
    assert client.get(url("followup_dashboard", year=fp.plan.year)).status_code == 302
    client.force_login(fp.anna)
    assert client.get(url("followup_dashboard", year=fp.plan.year)).status_code == 403
    client.force_login(board_user)
    assert client.get(url("followup_dashboard", year=fp.plan.year)).status_code == 200


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_dashboard_shows_a_period_per_section_with_charts_and_links(
    client, fp, board_user, lang
):
    status_update_create(activity=fp.a1, period=fp.t1, status=fp.on_track, progress=60, by=fp.anna)
    status_update_create(activity=fp.a2, period=fp.t1, status=fp.delayed, progress=None, by=fp.anna)
    client.force_login(board_user)
    response = client.get(url("followup_dashboard", lang, year=fp.plan.year), {"period": fp.t1.pk})
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    # Charts, each with a text alternative.
    assert html.count('role="img"') >= 2
    assert "style=" not in html[html.index('<main id="main"') :]
    if lang == "sv":
        assert "Uppföljning" in text
        assert "Enligt plan" in text and "Försenad" in text
        assert "Att ordna Mälartinget." in text  # listed as without a report
    else:
        assert "On track" in text and "Delayed" in text
        assert "To arrange Mälartinget." in text
    assert fp.a1.get_absolute_url() in html and fp.infra.get_absolute_url() in html
    # The "late or report missing" list names A3 (no report, tertial 1 was due in May),
    # not A2: a status named "delayed" is the owner's word, not "late" (no end date).
    attention = html[html.index('id="attention-heading"') : html.index('id="sections-heading"')]
    due = fp.t1.due_date < timezone.localdate()
    assert (f"#row-{fp.a3.pk}" in attention) == due
    assert f"#row-{fp.a1.pk}" not in attention and f"#row-{fp.a2.pk}" not in attention


def test_the_dashboard_period_can_be_chosen(client, fp, board_user):
    status_update_create(
        activity=fp.a1, period=fp.t2, status=fp.completed, progress=None, by=fp.anna
    )
    client.force_login(board_user)
    t1 = text_of(client.get(url("followup_dashboard", year=fp.plan.year), {"period": fp.t1.pk}))
    t2 = text_of(client.get(url("followup_dashboard", year=fp.plan.year), {"period": fp.t2.pk}))
    assert "Genomförd" not in t1.split("Per avsnitt")[-1]
    assert "Genomförd" in t2
    missing = client.get(url("followup_dashboard", year=fp.plan.year), {"period": "999999"})
    assert missing.status_code == 404


def test_the_dashboard_runs_a_fixed_number_of_queries(
    client, fp, board_user, django_assert_max_num_queries
):
    client.force_login(board_user)
    page = url("followup_dashboard", year=fp.plan.year)
    # 25, and the header's work links for a logged-in reader (plan.navigation: the
    # reports due and the plan followed up).
    with django_assert_max_num_queries(27) as small:
        client.get(page, {"period": fp.t1.pk})
    for n in range(10):
        section = SectionFactory(plan=fp.plan, slug=f"extra-{n}", order=20 + n, programme="ebm")
        for _ in range(3):
            activity = ActivityFactory(section=section)
            activity.owners.add(PersonFactory())
            status_update_create(
                activity=activity,
                period=fp.t1,
                status=fp.delayed,
                progress=10,
                by=UserFactory(username=f"k{activity.pk}", is_superuser=True),
            )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(page, {"period": fp.t1.pk})
    assert response.content.decode().count('id="row-') == 33
