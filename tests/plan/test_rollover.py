"""Next year's plan: the secretariat turns an adopted plan into next year's draft in one
admin action; the draft stays hidden from visitors; a page shows what changed between
two years' plans."""

import re
from html import unescape

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from plan.changes import ADDED, REMOVED, REWORDED, UNCHANGED, match_items, word_diff
from plan.models import (
    Activity,
    CommunicationPriority,
    Goal,
    Plan,
    PriorityAreaItem,
    Section,
    StatusUpdate,
)
from plan.services import plan_roll_over, status_update_create
from tests.factories import (
    ActivityFactory,
    CommunicationPriorityFactory,
    DirectionGoalFactory,
    GoalFactory,
    OrganisationFactory,
    PriorityAreaFactory,
    PriorityAreaItemFactory,
    SectionFactory,
)

from . import followup_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def fp(db):
    fp = followup_data.build()
    plan = fp.plan
    plan.introduction_sv = "Regionen växer."
    plan.introduction_en = "The region grows."
    plan.save()
    goal = DirectionGoalFactory(
        plan=plan,
        slug="sammanhallen",
        name_sv="En sammanhållen region",
        name_en="A cohesive region",
    )
    fp.infra.direction_goal = goal
    fp.infra.save()
    area = PriorityAreaFactory(plan=plan, title_sv="Infrastruktur", title_en="Infrastructure")
    PriorityAreaItemFactory(area=area, text_sv="Systemanalys.", text_en="System analysis.")
    CommunicationPriorityFactory(plan=plan, text_sv="Opinionsbildning.", text_en="Advocacy.")
    fp.a1.organisations.add(OrganisationFactory(slug="trafikverket"))
    status_update_create(activity=fp.a1, period=fp.t1, status=fp.on_track, progress=10, by=fp.anna)
    return fp


def test_a_roll_over_copies_the_plan_into_next_years_draft(fp, secretariat_user):
    new = plan_roll_over(plan=fp.plan, by=secretariat_user)
    year = fp.plan.year + 1
    assert (new.year, new.status, new.adopted_on) == (year, Plan.Status.DRAFT, None)
    assert (new.title_sv, new.title_en) == (f"Verksamhetsplan {year}", f"Operations plan {year}")
    assert (new.introduction_sv, new.introduction_en) == ("Regionen växer.", "The region grows.")
    # The section tree, with texts in both languages, programme and direction goal.
    sections = {s.slug: s for s in Section.objects.filter(plan=new)}
    assert set(sections) == {"fokus", "infrastruktur", "motesplatser"}
    infra = sections["infrastruktur"]
    assert infra.parent == sections["fokus"]
    assert (infra.heading_sv, infra.heading_en, infra.number, infra.programme) == (
        "Infrastruktur och transporter",
        "Infrastructure and transport",
        "1.1",
        "ebs",
    )
    assert infra.direction_goal.plan == new and infra.direction_goal.slug == "sammanhallen"
    assert (infra.body_sv, infra.body_en) == (fp.infra.body_sv, fp.infra.body_en)
    # Goals and activities in order, with owners and organisations.
    assert list(Goal.objects.filter(section=infra).values_list("text_sv", "text_en")) == [
        ("Att stärka regionen.", "To strengthen the region."),
        ("Att bygga järnväg.", "To build railways."),
    ]
    activities = list(Activity.objects.filter(section=infra).order_by("order"))
    assert [a.text_en for a in activities] == [
        "To coordinate the traffic.",
        "To draw up a freight strategy.",
    ]
    assert list(activities[0].owners.all()) == list(fp.a1.owners.all())
    assert [o.slug for o in activities[0].organisations.all()] == ["trafikverket"]
    assert {a.pk for a in activities}.isdisjoint({fp.a1.pk, fp.a2.pk})
    # The year's other parts, and its default periods; no status updates.
    assert PriorityAreaItem.objects.filter(area__plan=new).get().text_en == "System analysis."
    assert CommunicationPriority.objects.filter(plan=new).get().text_sv == "Opinionsbildning."
    assert list(new.periods.values_list("slug", "starts_on__year")) == [
        ("t1", year),
        ("t2", year),
        ("year", year),
    ]
    assert not StatusUpdate.objects.filter(activity__section__plan=new).exists()
    # The old plan is as it was.
    assert Activity.objects.filter(section__plan=fp.plan).count() == 3
    assert StatusUpdate.objects.filter(activity__section__plan=fp.plan).count() == 1


def test_a_plan_is_rolled_over_once_and_only_when_adopted(fp, secretariat_user):
    plan_roll_over(plan=fp.plan, by=secretariat_user)
    with pytest.raises(ValidationError, match=str(fp.plan.year + 1)):
        plan_roll_over(plan=fp.plan, by=secretariat_user)
    draft = Plan.objects.get(year=fp.plan.year + 1)
    with pytest.raises(ValidationError):
        plan_roll_over(plan=draft, by=secretariat_user)
    with pytest.raises(PermissionDenied):
        plan_roll_over(plan=fp.plan, by=fp.anna)
    assert Plan.objects.count() == 2


def test_the_secretariat_rolls_over_with_one_admin_action(client, fp, secretariat_user):
    client.force_login(secretariat_user)
    with translation.override("sv"):
        changelist = reverse("admin:plan_plan_changelist")
    response = client.post(
        changelist,
        {"action": "roll_over", ACTION_CHECKBOX_NAME: [fp.plan.pk]},
        follow=True,
    )
    assert response.status_code == 200
    new = Plan.objects.get(year=fp.plan.year + 1)
    assert new.status == Plan.Status.DRAFT
    assert Activity.objects.filter(section__plan=new).count() == 3
    text = response.content.decode()
    assert str(new.year) in text


def test_the_draft_is_hidden_from_visitors_until_published(client, fp, board_user):
    new = plan_roll_over(plan=fp.plan)
    pages = [
        new.get_absolute_url(),
        reverse("plan:section_detail", kwargs={"year": new.year, "slug": "infrastruktur"}),
        reverse("plan:plan_changes", kwargs={"year": new.year}) + f"?from={fp.plan.year}",
        reverse("plan:plan_document", kwargs={"year": new.year}),
    ]
    for page in pages[:3]:
        assert client.get(page).status_code == 404, page
    client.force_login(fp.anna)  # a member
    assert client.get(pages[0]).status_code == 404
    client.force_login(board_user)
    for page in pages[:3]:
        assert client.get(page).status_code == 200, page
    client.logout()
    new.status = Plan.Status.ADOPTED
    new.save()
    assert client.get(pages[0]).status_code == 200


# --- what changed between two years -------------------------------------------------------


class Item:
    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def kinds(changes):
    return [(c.kind, c.old and c.old.text, c.new and c.new.text) for c in changes]


def test_items_are_matched_as_unchanged_reworded_removed_and_added():
    old = [
        Item("Att samordna trafiken i regionen."),
        Item("Att ordna Mälartinget."),
        Item("Att bevaka EU."),
    ]
    new = [
        Item("Att samordna all trafik i regionen."),
        Item("Att ordna Mälartinget."),
        Item("Att ta fram en helt ny strategi för kompetensförsörjning."),
    ]
    assert kinds(match_items(old, new)) == [
        (REWORDED, "Att samordna trafiken i regionen.", "Att samordna all trafik i regionen."),
        (UNCHANGED, "Att ordna Mälartinget.", "Att ordna Mälartinget."),
        (REMOVED, "Att bevaka EU.", None),
        (ADDED, None, "Att ta fram en helt ny strategi för kompetensförsörjning."),
    ]
    # Whitespace and case alone are no change.
    assert kinds(match_items([Item("Att  ordna mötet.")], [Item("att ordna mötet.")]))[0][0] == (
        UNCHANGED
    )


def test_the_word_diff_marks_and_escapes():
    html = word_diff("Att samordna <trafiken>.", "Att samordna all <trafik>.")
    assert html.startswith("Att samordna ")
    assert re.search(r"<ins>all ?</ins>", html)
    assert "<del>trafiken</del><ins>trafik</ins>" in html
    assert "&lt;" in html and "<trafik>" not in html


def test_the_changes_page_lists_what_was_added_removed_and_reworded(client, fp, board_user):
    new = plan_roll_over(plan=fp.plan)
    infra = Section.objects.get(plan=new, slug="infrastruktur")
    a1, a2 = Activity.objects.filter(section=infra).order_by("order")
    a1.text_sv = "Att samordna all trafik."
    a1.save()
    a2.delete()
    ActivityFactory(
        section=infra,
        order=9,
        text_sv="Att bygga ut farlederna.",
        text_en="To extend the fairways.",
    )
    GoalFactory(
        section=Section.objects.get(plan=new, slug="motesplatser"),
        order=1,
        text_sv="Att mötas oftare.",
        text_en="To meet more often.",
    )
    SectionFactory(plan=new, slug="ny-del", number="5", heading_sv="Ny del", order=50)
    client.force_login(board_user)
    with translation.override("sv"):
        page = reverse("plan:plan_changes", kwargs={"year": new.year})
    response = client.get(page, {"from": fp.plan.year})
    assert response.status_code == 200
    html = response.content.decode()
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert "Att ta fram en godsstrategi." in text  # removed
    assert "Att bygga ut farlederna." in text  # added
    assert "Att mötas oftare." in text  # an added goal
    assert "Att samordna <del>trafiken</del><ins>all trafik</ins>." in html
    assert "Ny del" in text
    # Unchanged items are not listed.
    assert "Att ordna Mälartinget." not in text
    # Summary numbers: goals added 1; activities added 1, removed 1, reworded 1.
    summary = re.search(r'<table class="changes-summary">.*?</table>', html, re.S).group()
    cells = re.findall(r'<td class="numeric">(\d+)</td>', summary)
    assert cells == ["1", "0", "0", "1", "1", "1"]
    # Without ?from the year before is compared; a year nobody may see is not found.
    assert client.get(page).status_code == 200
    assert client.get(page, {"from": "1990"}).status_code == 404
    assert client.get(page, {"from": "nonsense"}).status_code == 404


def test_the_changes_page_runs_a_fixed_number_of_queries(
    client, fp, board_user, django_assert_max_num_queries
):
    new = plan_roll_over(plan=fp.plan)
    client.force_login(board_user)
    page = reverse("plan:plan_changes", kwargs={"year": new.year})
    with django_assert_max_num_queries(30) as small:
        client.get(page)
    for n in range(10):
        old_section = SectionFactory(plan=fp.plan, slug=f"s{n}", order=100 + n)
        new_section = SectionFactory(plan=new, slug=f"s{n}", order=100 + n)
        for k in range(3):
            ActivityFactory(section=old_section, order=k, text_sv=f"Gammal text {n} {k}.")
            ActivityFactory(section=new_section, order=k, text_sv=f"Ny text {n} {k}.")
            GoalFactory(section=new_section, order=k)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(page).status_code == 200
