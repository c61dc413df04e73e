"""Goals the board can follow up (issue 9): activities contribute to goals, goals get an
assessment per period on the secretariat's scale, indicators have a baseline and a
target, and a roll-over carries all of it into next year's draft."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from audit.models import AuditEntry
from members import roles
from plan.models import (
    ActivityGoal,
    AssessmentLevel,
    Goal,
    GoalAssessment,
    Indicator,
    IndicatorValue,
    Plan,
)
from plan.numbers import parse_decimal
from plan.selectors_goals import goal_attainment_counts, goal_current_assessments
from plan.services import (
    activity_goal_link,
    activity_goals_set,
    goal_assessment_create,
    indicator_value_save,
    plan_adopt,
    plan_roll_over,
    reporting_period_lock,
    reporting_periods_create_default,
)
from tests import factories
from tests.admin.test_admin_pages import form_data
from tests.admin.test_import_export import admin_url, confirm, upload

pytestmark = pytest.mark.django_db


def level(slug):
    return AssessmentLevel.objects.get(slug=slug)


def contrast_with_white(colour: str) -> float:
    def channel(value):
        value = value / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


@pytest.fixture
def plan_with_goals():
    """A draft plan (its texts and links may still change): two direction goals, an EBS
    area, sections under them, goals and activities, the default periods."""
    plan = factories.PlanFactory(year=2023, status=Plan.Status.DRAFT)
    periods = reporting_periods_create_default(plan=plan)
    cohesive = factories.DirectionGoalFactory(plan=plan, slug="sammanhallen", order=1)
    knowledge = factories.DirectionGoalFactory(plan=plan, slug="kunskap", order=2)
    area = factories.PriorityAreaFactory(plan=plan, programme="ebs", order=1)
    ebs = factories.SectionFactory(
        plan=plan, slug="ebs", number="1.1", programme="ebs", direction_goal=cohesive
    )
    ebs_child = factories.SectionFactory(plan=plan, slug="ebs-sub", parent=ebs)
    skills = factories.SectionFactory(
        plan=plan, slug="kompetens", number="1.2", direction_goal=knowledge
    )
    meetings = factories.SectionFactory(plan=plan, slug="moten", number="2")
    goals = {
        "ebs": factories.GoalFactory(section=ebs, order=1),
        "ebs_child": factories.GoalFactory(section=ebs_child, order=1),
        "skills": factories.GoalFactory(section=skills, order=1),
        "meetings": factories.GoalFactory(section=meetings, order=1),
    }
    activity = factories.ActivityFactory(section=ebs)
    return {
        "plan": plan,
        "periods": {p.slug: p for p in periods},
        "goals": goals,
        "activity": activity,
        "direction_goals": (cohesive, knowledge),
        "area": area,
    }


@pytest.fixture
def secretariat(secretariat_user):
    return secretariat_user


# --- The scale ---------------------------------------------------------------------------


def test_the_shipped_scale_names_each_level_in_both_languages_with_a_readable_colour():
    levels = list(AssessmentLevel.objects.order_by("order"))
    assert [(lvl.name_sv, lvl.name_en) for lvl in levels] == [
        ("Uppfyllt", "Achieved"),
        ("Delvis uppfyllt", "Partly achieved"),
        ("Ej uppfyllt", "Not achieved"),
        ("Ej bedömt", "Not assessed"),
    ]
    assert [lvl.counts_as_assessed for lvl in levels] == [True, True, True, False]
    for lvl in levels:
        # White text on the colour, and the colour against the white page (WCAG AA).
        assert contrast_with_white(lvl.colour) >= 4.5, lvl
    assert len({lvl.colour for lvl in levels}) == 4


def test_the_board_and_the_secretariat_may_assess_goals_members_may_not():
    def has(group):
        return Group.objects.get(name=group).permissions.filter(
            codename="add_goalassessment", content_type__app_label="plan"
        )

    assert has(roles.BOARD).exists()
    assert has(roles.SECRETARIAT).exists()
    assert not has(roles.MEMBER).exists()


# --- Assessments -------------------------------------------------------------------------


def test_an_assessment_is_a_new_row_with_who_and_when_and_an_audit_entry(
    plan_with_goals, secretariat
):
    goal = plan_with_goals["goals"]["ebs"]
    t2 = plan_with_goals["periods"]["t2"]

    first = goal_assessment_create(
        goal=goal,
        period=t2,
        level=level("partly-achieved"),
        analysis="  Två av tre åtgärder är genomförda.  ",
        analysis_en="Two of three measures are done.",
        user=secretariat,
    )
    second = goal_assessment_create(
        goal=goal, period=t2, level=level("achieved"), analysis="Nu klart.", user=secretariat
    )

    assert GoalAssessment.objects.filter(goal=goal).count() == 2
    first.refresh_from_db()
    assert first.level.slug == "partly-achieved"  # history is kept, not overwritten
    assert first.analysis_sv == "Två av tre åtgärder är genomförda."
    assert first.analysis_en == "Two of three measures are done."
    assert second.assessed_by == secretariat and second.assessed_at is not None
    entry = AuditEntry.objects.filter(
        object_id=str(second.pk), content_type__model="goalassessment"
    ).get()
    assert entry.action == "create"
    assert entry.changes["level"][1] == level("achieved").pk
    assert goal_current_assessments(plan_with_goals["plan"])[goal.pk] == second


def test_the_board_may_assess_a_member_may_not(plan_with_goals, board_user, member_user):
    goal = plan_with_goals["goals"]["ebs"]
    t1 = plan_with_goals["periods"]["t1"]
    goal_assessment_create(
        goal=goal, period=t1, level=level("achieved"), analysis="", user=board_user
    )
    with pytest.raises(PermissionDenied):
        goal_assessment_create(
            goal=goal, period=t1, level=level("achieved"), analysis="", user=member_user
        )
    assert GoalAssessment.objects.count() == 1


@pytest.mark.parametrize(
    "language, message",
    [
        ("sv", "Tertial 1 är låst och tar inte emot fler bedömningar."),
        ("en", "First four-month period is locked: it takes no more assessments."),
    ],
)
def test_a_locked_period_refuses_an_assessment_with_a_clear_message(
    plan_with_goals, secretariat, language, message
):
    t1 = reporting_period_lock(period=plan_with_goals["periods"]["t1"])
    with translation.override(language), pytest.raises(ValidationError) as error:
        goal_assessment_create(
            goal=plan_with_goals["goals"]["ebs"],
            period=t1,
            level=level("achieved"),
            analysis="För sent.",
            user=secretariat,
        )
    assert message in " ".join(error.value.messages)
    assert not GoalAssessment.objects.exists()


def test_a_period_of_another_years_plan_is_refused(plan_with_goals, secretariat):
    other = factories.PlanFactory(year=2024)
    period = reporting_periods_create_default(plan=other)[0]
    with translation.override("sv"), pytest.raises(ValidationError) as error:
        goal_assessment_create(
            goal=plan_with_goals["goals"]["ebs"],
            period=period,
            level=level("achieved"),
            analysis="",
            user=secretariat,
        )
    assert "Perioden hör till ett annat års plan än målet." in error.value.messages
    assert not GoalAssessment.objects.exists()


def test_current_assessments_per_period_and_latest_overall(
    plan_with_goals, secretariat, django_assert_num_queries
):
    plan, goals, periods = (
        plan_with_goals["plan"],
        plan_with_goals["goals"],
        plan_with_goals["periods"],
    )
    t1 = goal_assessment_create(
        goal=goals["ebs"],
        period=periods["t1"],
        level=level("not-achieved"),
        analysis="",
        user=secretariat,
    )
    t2 = goal_assessment_create(
        goal=goals["ebs"],
        period=periods["t2"],
        level=level("partly-achieved"),
        analysis="",
        user=secretariat,
    )
    # Made later, but for the earlier period: the latest overall is still tertial 2's.
    goal_assessment_create(
        goal=goals["ebs"],
        period=periods["t1"],
        level=level("achieved"),
        analysis="",
        user=secretariat,
    )

    with django_assert_num_queries(2):
        current = goal_current_assessments(plan)
    assert current == {
        goals["ebs"].pk: t2,
        goals["ebs_child"].pk: None,
        goals["skills"].pk: None,
        goals["meetings"].pk: None,
    }
    with django_assert_num_queries(2):
        in_t1 = goal_current_assessments(plan, periods["t1"])
    assert in_t1[goals["ebs"].pk].level.slug == "achieved" and in_t1[goals["ebs"].pk] != t1
    assert goal_current_assessments(plan, periods["year"])[goals["ebs"].pk] is None


def test_attainment_counts_by_direction_goal_and_area_in_a_fixed_number_of_queries(
    plan_with_goals, secretariat, django_assert_num_queries
):
    plan, goals, periods = (
        plan_with_goals["plan"],
        plan_with_goals["goals"],
        plan_with_goals["periods"],
    )
    cohesive, knowledge = plan_with_goals["direction_goals"]
    for key, slug in [
        ("ebs", "achieved"),
        ("ebs_child", "partly-achieved"),
        ("skills", "not-assessed"),
    ]:
        goal_assessment_create(
            goal=goals[key], period=periods["t2"], level=level(slug), analysis="", user=secretariat
        )

    with django_assert_num_queries(7):
        counts = goal_attainment_counts(plan, periods["t2"])

    def table(group):
        return {(c.level.slug if c.level else None): c.count for c in group.counts if c.count}

    by_direction = {g.subject: g for g in counts.by_direction_goal}
    # The sub-section inherits its parent's direction goal; section 2 has none.
    assert table(by_direction[cohesive]) == {"achieved": 1, "partly-achieved": 1}
    assert table(by_direction[knowledge]) == {"not-assessed": 1}
    assert table(by_direction[None]) == {None: 1}
    assert by_direction[knowledge].assessed == 0 and by_direction[knowledge].unassessed == 1
    by_area = {g.subject: g for g in counts.by_area}
    assert table(by_area[plan_with_goals["area"]]) == {"achieved": 1, "partly-achieved": 1}
    assert by_area[None].total == 2
    assert counts.total.total == 4 and counts.total.assessed == 2
    assert [lvl.slug for lvl in counts.levels][:4] == [
        "achieved",
        "partly-achieved",
        "not-achieved",
        "not-assessed",
    ]
    # Counted for another period: nothing assessed then.
    assert goal_attainment_counts(plan, periods["t1"]).total.assessed == 0


# --- Activities contribute to goals --------------------------------------------------------


def test_an_activity_links_only_goals_of_its_own_years_plan(plan_with_goals):
    activity = plan_with_goals["activity"]
    other_goal = factories.GoalFactory(
        section=factories.SectionFactory(plan=factories.PlanFactory(year=2024))
    )
    mine = plan_with_goals["goals"]

    links = activity_goals_set(activity=activity, goals=[mine["skills"], mine["ebs"]])
    assert [(link.goal, link.order) for link in links] == [(mine["skills"], 1), (mine["ebs"], 2)]
    assert list(activity.goals.order_by("activity_links__order")) == [mine["skills"], mine["ebs"]]

    with translation.override("sv"), pytest.raises(ValidationError) as error:
        activity_goals_set(activity=activity, goals=[mine["meetings"], other_goal])
    assert f"Mål {other_goal.pk} hör till planen för 2024" in " ".join(error.value.messages)
    # Nothing changed.
    assert list(activity.goals.order_by("activity_links__order")) == [mine["skills"], mine["ebs"]]
    # Linking again only reorders.
    activity_goal_link(activity=activity, goal=mine["ebs"], order=0)
    assert ActivityGoal.objects.filter(activity=activity).count() == 2
    assert activity.goals.order_by("activity_links__order").first() == mine["ebs"]


def test_secretariat_links_activities_to_a_goal_in_the_admin(client, secretariat, plan_with_goals):
    goal = plan_with_goals["goals"]["skills"]
    activity = plan_with_goals["activity"]
    other_year_activity = factories.ActivityFactory(
        section=factories.SectionFactory(plan=factories.PlanFactory(year=2024))
    )
    client.force_login(secretariat)
    url = admin_url(Goal, "change", goal.pk)
    response = client.get(url)
    assert response.status_code == 200

    data = form_data(response)
    data["activity_links-TOTAL_FORMS"] = "1"
    data["activity_links-0-activity"] = str(other_year_activity.pk)
    data["activity_links-0-order"] = "1"
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "Koppla bara mål från samma år." in response.content.decode()
    assert not ActivityGoal.objects.exists()

    data["activity_links-0-activity"] = str(activity.pk)
    response = client.post(url, data)
    assert response.status_code == 302
    assert list(goal.activities.all()) == [activity]
    # The link is in the audit trail, as made by the secretariat user.
    entry = AuditEntry.objects.get(content_type__model="activitygoal", action="create")
    assert entry.user == secretariat

    # And from the activity's side: its goals are an inline there.
    response = client.get(admin_url(type(activity), "change", activity.pk))
    assert response.status_code == 200
    data = form_data(response)
    assert data["goal_links-0-goal"] == str(goal.pk)
    data["goal_links-TOTAL_FORMS"] = "2"
    data["goal_links-1-goal"] = str(plan_with_goals["goals"]["ebs"].pk)
    data["goal_links-1-order"] = "2"
    response = client.post(admin_url(type(activity), "change", activity.pk), data)
    assert response.status_code == 302
    assert set(activity.goals.all()) == {goal, plan_with_goals["goals"]["ebs"]}


def _activity_file(rows):
    import tablib

    headers = ["id", "plan_year", "section", "order", "text_sv", "text_en", "goals"]
    return tablib.Dataset(*rows, headers=headers).export("csv").encode("utf-8")


def test_an_import_linking_a_goal_of_another_years_plan_writes_nothing(
    client, secretariat, plan_with_goals
):
    goals = plan_with_goals["goals"]
    other_goal = factories.GoalFactory(
        section=factories.SectionFactory(plan=factories.PlanFactory(year=2024))
    )
    client.force_login(secretariat)
    before = ActivityGoal.objects.count()
    content = _activity_file(
        [
            ["", 2023, "ebs", 5, "Att göra något.", "To do something.", f"{goals['ebs'].pk}"],
            [
                "",
                2023,
                "ebs",
                6,
                "Att göra mer.",
                "To do more.",
                f"{goals['ebs'].pk}, {other_goal.pk}",
            ],
        ]
    )
    from plan.models import Activity

    with translation.override("sv"):
        preview = upload(client, Activity, content, "csv")
    result = preview.context["result"]
    assert result.has_validation_errors(), [(r.import_type, r.errors) for r in result.rows] + [
        e.error for e in result.base_errors
    ]
    errors = " ".join(
        str(message)
        for row in result.invalid_rows
        for messages in row.error_dict.values()
        for message in messages
    )
    assert f"Mål {other_goal.pk} (2024) hör till ett annat års plan än 2023." in errors
    assert "confirm_form" not in preview.context
    assert ActivityGoal.objects.count() == before
    assert not Activity.objects.filter(text_sv="Att göra något.").exists()


def test_an_import_links_goals_in_the_files_order_and_exports_them_back(
    client, secretariat, plan_with_goals
):
    from plan.models import Activity

    goals = plan_with_goals["goals"]
    client.force_login(secretariat)
    content = _activity_file(
        [
            [
                "",
                2023,
                "ebs",
                5,
                "Att göra något.",
                "To do something.",
                f"{goals['skills'].pk}; {goals['ebs'].pk}".replace(";", ","),
            ]
        ]
    )
    preview = upload(client, Activity, content, "csv")
    assert not preview.context["result"].has_validation_errors()
    assert confirm(client, Activity, preview).status_code == 302
    activity = Activity.objects.get(text_sv="Att göra något.")
    assert [link.goal for link in activity.goal_links.order_by("order")] == [
        goals["skills"],
        goals["ebs"],
    ]


# --- Indicators ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("37,5", Decimal("37.5")),
        ("37.5", Decimal("37.5")),
        (" 1 234,5 ", Decimal("1234.5")),
        ("1\u00a0234", Decimal("1234")),
        ("-0,25", Decimal("-0.25")),
        (37.5, Decimal("37.5")),
        (4, Decimal("4")),
    ],
)
def test_decimal_comma_is_a_decimal_mark(typed, expected):
    assert parse_decimal(typed) == expected


@pytest.mark.parametrize("typed", ["1.234,5", "37,5,1", "abc", "", "NaN", "1e5", True])
def test_ambiguous_or_bad_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        parse_decimal(typed)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_admin_reads_37_comma_5_as_37_point_5_in_both_languages(client, secretariat, language):
    indicator = factories.IndicatorFactory()
    client.force_login(secretariat)
    with translation.override(language):
        from django.urls import reverse

        url = reverse("admin:plan_indicatorvalue_add")
    response = client.post(
        url,
        {
            "indicator": indicator.pk,
            "year": "2024",
            "value": "37,5",
            "source_sv": "SCB",
            "source_en": "Statistics Sweden",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert IndicatorValue.objects.get(indicator=indicator).value == Decimal("37.5")


def test_the_admin_says_what_is_wrong_with_a_target_before_its_baseline(client, secretariat):
    plan = factories.PlanFactory(year=2023, status=Plan.Status.DRAFT)
    client.force_login(secretariat)
    data = {
        "name_sv": "Pendlare",
        "name_en": "Commuters",
        "slug": "pendlare",
        "order": "1",
        "plan": str(plan.pk),
        "direction": "higher_is_better",
        "baseline_value": "750 000",
        "baseline_year": "2022",
        "target_value": "800000,5",
        "target_year": "2020",
        "values-TOTAL_FORMS": "0",
        "values-INITIAL_FORMS": "0",
    }
    response = client.post(admin_url(Indicator, "add"), data)
    assert response.status_code == 200
    assert "Målåret (2020) är före utgångsåret (2022)" in response.content.decode()
    assert not Indicator.objects.exists()

    data["target_year"] = "2030"
    response = client.post(admin_url(Indicator, "add"), data)
    assert response.status_code == 302
    indicator = Indicator.objects.get()
    assert (indicator.baseline_value, indicator.target_value) == (
        Decimal("750000"),
        Decimal("800000.5"),
    )


def test_an_indicator_belongs_to_one_owner_only():
    section = factories.SectionFactory()
    indicator = Indicator(slug="x", name_sv="X", name_en="X", plan=section.plan, section=section)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "not several" in " ".join(error.value.messages)


def test_an_indicator_value_is_saved_with_its_decimals():
    indicator = factories.IndicatorFactory()
    value = indicator_value_save(
        indicator=indicator, year=2024, value="37,5", texts={"source_sv": "SCB"}
    )
    value.refresh_from_db()
    assert value.value == Decimal("37.5") and value.source_sv == "SCB"
    with pytest.raises(ValidationError):
        indicator_value_save(indicator=indicator, year=2025, value="tre")
    assert IndicatorValue.objects.count() == 1


# --- Next year ---------------------------------------------------------------------------


def test_a_roll_over_carries_goals_links_and_indicators(plan_with_goals, secretariat):
    plan, goals = plan_with_goals["plan"], plan_with_goals["goals"]
    activity = plan_with_goals["activity"]
    activity_goals_set(activity=activity, goals=[goals["ebs"], goals["skills"]])
    goal_indicator = factories.IndicatorFactory(
        goal=goals["ebs"],
        slug="restid",
        baseline_value=Decimal("55"),
        baseline_year=2020,
        target_value=Decimal("45"),
        target_year=2030,
        direction="lower_is_better",
    )
    factories.IndicatorValueFactory(indicator=goal_indicator, year=2023, value=Decimal("50"))
    plan_indicator = factories.IndicatorFactory(plan=plan, slug="befolkning-2023")
    goal_assessment_create(
        goal=goals["ebs"],
        period=plan_with_goals["periods"]["t1"],
        level=level("achieved"),
        analysis="",
        user=secretariat,
    )
    # Only an adopted plan is rolled over.
    plan_adopt(
        plan=plan,
        decided_on=datetime.date(2022, 12, 8),
        body="Styrelsen",
        reference="§ 12",
        by=secretariat,
    )
    plan.refresh_from_db()

    new_plan = plan_roll_over(plan=plan, by=secretariat)

    new_goals = Goal.objects.filter(section__plan=new_plan)
    assert new_goals.count() == 4
    carried = new_goals.get(carried_from=goals["ebs"])
    assert carried.text_sv == goals["ebs"].text_sv
    new_activity = new_plan.sections.get(slug="ebs").activities.get()
    assert [link.goal.carried_from for link in new_activity.goal_links.order_by("order")] == [
        goals["ebs"],
        goals["skills"],
    ]
    new_indicator = Indicator.objects.get(carried_from=goal_indicator)
    assert new_indicator.goal == carried and new_indicator.slug == "restid-2024"
    assert (new_indicator.baseline_value, new_indicator.target_year) == (Decimal("55"), 2030)
    assert not new_indicator.values.exists()  # values stay with their year
    assert Indicator.objects.get(carried_from=plan_indicator).plan == new_plan
    assert Indicator.objects.get(carried_from=plan_indicator).slug == "befolkning-2024"
    assert not GoalAssessment.objects.filter(goal__section__plan=new_plan).exists()
