"""The shipped 2023 data says what the adopted plan says and nothing more, and says
where it corrects the document; next year's draft can be made from the command line."""

from io import StringIO

import icalendar
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEntry
from events.models import Event
from members.models import Body
from plan.models import Activity, Plan, Section
from tests.pages import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def swedish():
    with translation.override("sv"):
        yield


@pytest.fixture
def loaded(db):
    call_command("load_plan_2023", verbosity=0)
    return Plan.objects.get(year=2023)


def test_the_council_meeting_has_no_date_the_plan_does_not_give(client, loaded):
    meeting = Event.objects.get(slug="radsmote-2023")
    # The plan says only that the council meeting is held within Mälartinget.
    assert meeting.start_date is None and meeting.end_date is None
    assert meeting.place_sv == ""
    assert "Mälartinget" in meeting.date_note_sv
    feed = icalendar.Calendar.from_ical(client.get("/sv/events/feed.ics?past=all").content)
    titles = [str(e["SUMMARY"]) for e in feed.walk("VEVENT")]
    assert titles, "the public feed lists the dated meeting places"
    assert "Rådsmötet 2023" not in titles, "an undated meeting must not be put in calendars"


def test_the_freight_transport_day_is_an_open_day_not_a_council_meeting(loaded):
    day = Event.objects.get(slug="godstransportdag-2023")
    assert day.body is None
    assert "bred grupp intressenter" in day.description_sv
    assert "open to a broad group of stakeholders" in day.description_en


def test_the_board_is_also_the_consultation_body(loaded):
    board = Body.objects.get(slug="styrelsen")
    assert "remissinstans" in board.description_sv
    assert "consultation" in board.description_en


def test_english_follows_the_plans_own_terms(client, loaded):
    assert not Activity.objects.filter(text_en__icontains="newly arrived").exists()
    assert Activity.objects.filter(text_en__icontains="newly elected politicians").exists()
    # Mid-sentence the board is "the Board"; as a name it has no article.
    assert loaded.adopted_by_en == "the Board of Mälardalsrådet"
    assert Body.objects.get(slug="styrelsen").name_en == "Board of Mälardalsrådet"
    # The plan's "inriktningsmål" are "strategic goals" in English, on every page.
    with translation.override("en"):
        home = page_text(client.get(reverse("plan:home")))
    assert "Strategic goals" in home
    assert "Direction goal" not in home


def test_the_plan_page_says_which_typos_are_corrected(client, loaded):
    sv = page_text(client.get(loaded.get_absolute_url()))
    assert "Om texten" in sv
    assert "Sex uppenbara skrivfel" in sv
    assert "”Godstransporrådet” till ”Godstransportrådet”" in sv
    with translation.override("en"):
        en = page_text(client.get(loaded.get_absolute_url()))
    assert "About this text" in en and "Six obvious typing errors" in en


def test_plan_roll_over_command_makes_next_years_draft(loaded):
    out = StringIO()
    call_command("plan_roll_over", "2023", stdout=out)
    draft = Plan.objects.get(year=2024)
    assert draft.status == Plan.Status.DRAFT
    assert Section.objects.filter(plan=draft).count() == loaded.sections.count()
    assert Activity.objects.filter(section__plan=draft).count() == 50
    assert "2024" in out.getvalue()
    entry = AuditEntry.objects.filter(object_repr__contains="2024").first()
    assert entry is not None and "plan_roll_over" in entry.source
    # Once only, with the service's message.
    with pytest.raises(CommandError, match="redan en plan för 2024"):
        call_command("plan_roll_over", "2023", stdout=StringIO())
    with pytest.raises(CommandError, match="no plan for 1999"):
        call_command("plan_roll_over", "1999", stdout=StringIO())
