"""plan.rollup: the one definition of a progress figure, "late" and "report missing".
Plain data in, figures out: no database."""

import datetime

from django.utils import translation

from plan.rollup import ActivityData, Figure, Period, Report, figure_text, progress_figures

YEAR = 2023
T1 = Period(1, 1, datetime.date(YEAR, 4, 30), datetime.date(YEAR, 5, 15), "Tertial 1")
T2 = Period(2, 2, datetime.date(YEAR, 8, 31), datetime.date(YEAR, 9, 15), "Tertial 2")
FULL = Period(3, 3, datetime.date(YEAR, 12, 31), datetime.date(YEAR + 1, 1, 31), "Helår")
PERIODS = [FULL, T1, T2]  # any order: the periods' own order counts
ON_TRACK, DELAYED, DONE = 10, 20, 30


def at(month, day=1):
    return datetime.datetime(YEAR, month, day, 12, tzinfo=datetime.UTC)


def report(pk, period, progress, status=ON_TRACK, when=None):
    return Report(pk, period.id, status, progress, when or at(period.ends_on.month))


def figures(activities, period, on, groups=None):
    return progress_figures(activities, periods=PERIODS, period=period, on=on, groups=groups)


def test_an_activitys_figure_is_its_latest_report_up_to_the_period():
    a = ActivityData(
        1,
        None,
        (
            report(1, T1, 20),
            report(2, T2, 50, when=at(8, 1)),
            report(3, T2, 60, when=at(8, 20)),  # newer in the same period: counts
            report(4, FULL, 90),
        ),
    )
    assert figures([a], T1, datetime.date(YEAR, 6, 1)).activities[1].progress == 20
    assert figures([a], T2, datetime.date(YEAR, 10, 1)).activities[1].progress == 60
    assert figures([a], FULL, datetime.date(YEAR + 1, 3, 1)).activities[1].progress == 90


def test_a_report_carries_forward_and_no_report_counts_as_zero():
    reported = ActivityData(1, None, (report(1, T1, 40),))
    silent = ActivityData(2, None, ())
    result = figures([reported, silent], T2, datetime.date(YEAR, 10, 1))
    assert result.activities[1].progress == 40  # tertial 1's report, still the latest
    assert result.activities[2].progress == 0 and not result.activities[2].has_report
    assert (result.total.activity_count, result.total.progress) == (2, 20)
    assert result.total.unreported == 1


def test_averages_are_over_activities_rounded_half_up_never_averages_of_averages():
    activities = [
        ActivityData(1, None, (report(1, T1, 60),)),
        ActivityData(2, None, (report(2, T1, 25),)),
        ActivityData(3, None, (report(3, T1, 100),)),
    ]
    groups = {"a": [1, 2], "b": [3], "empty": []}
    result = figures(activities, T1, datetime.date(YEAR, 5, 1), groups)
    assert result.group("a").progress == 43  # 42.5 → 43
    assert result.group("b").progress == 100
    # (60 + 25 + 100) / 3 = 61.7 → 62, not (43 + 100) / 2 = 71.5
    assert result.total.progress == 62
    assert (result.group("empty").activity_count, result.group("empty").progress) == (0, 0)
    assert result.group("unknown") == Figure(T1)


def test_late_means_past_the_end_date_and_not_done():
    ended = datetime.date(YEAR, 3, 31)
    activities = [
        ActivityData(1, ended, (report(1, T1, 90, DELAYED),)),  # late
        ActivityData(2, ended, (report(2, T1, 100, DONE),)),  # done: not late
        ActivityData(3, None, (report(3, T1, 10, DELAYED),)),  # no end date: never late
        ActivityData(4, datetime.date(YEAR, 12, 1), ()),  # ends later: not yet late
        ActivityData(5, ended, ()),  # ended, never reported: late
    ]
    result = figures(activities, T1, datetime.date(YEAR, 5, 1))
    late = {pk: f.is_late for pk, f in result.activities.items()}
    assert late == {1: True, 2: False, 3: False, 4: False, 5: True}
    assert result.total.late == 2
    # An old period reads as it stood when it ended: a June end date was not passed on
    # 30 April, however late it is today.
    june = ActivityData(6, datetime.date(YEAR, 6, 30), ())
    assert not figures([june], T1, datetime.date(YEAR + 2, 1, 1)).activities[6].is_late
    assert figures([june], T2, datetime.date(YEAR + 2, 1, 1)).activities[6].is_late


def test_report_missing_means_no_report_in_a_period_whose_due_date_has_passed():
    activities = [
        ActivityData(1, None, (report(1, T1, 40),)),  # reported in T1 only
        ActivityData(2, None, (report(2, T2, 40),)),
        ActivityData(3, None, ()),
    ]
    before_due = figures(activities, T2, datetime.date(YEAR, 9, 15))
    assert before_due.total.report_missing == 0  # due today: not missing yet
    after_due = figures(activities, T2, datetime.date(YEAR, 9, 16))
    missing = {pk: f.report_missing for pk, f in after_due.activities.items()}
    # Activity 1's tertial 1 report carries its progress forward, but it is not a
    # tertial 2 report: that one is missing.
    assert missing == {1: True, 2: False, 3: True}
    assert after_due.activities[1].progress == 40
    assert (after_due.total.report_missing, after_due.total.late) == (2, 0)


def test_late_and_report_missing_are_counted_apart():
    both = ActivityData(1, datetime.date(YEAR, 2, 1), ())
    result = figures([both], T1, datetime.date(YEAR, 6, 1))
    assert (result.total.late, result.total.report_missing) == (1, 1)


def test_counts_by_status_are_of_the_latest_report():
    activities = [
        ActivityData(1, None, (report(1, T1, 10, ON_TRACK), report(2, T2, 20, DELAYED))),
        ActivityData(2, None, (report(3, T1, 100, DONE),)),
        ActivityData(4, None, ()),
    ]
    result = figures(activities, T2, datetime.date(YEAR, 9, 1))
    assert dict(result.total.by_status) == {DELAYED: 1, DONE: 1}
    assert result.total.unreported == 1


def test_a_plan_without_periods_has_figures_of_zero():
    result = progress_figures(
        [ActivityData(1, None, ())], periods=[], period=None, on=datetime.date(YEAR, 1, 1)
    )
    assert (result.total.activity_count, result.total.progress) == (1, 0)
    assert (result.total.late, result.total.report_missing) == (0, 0)


def test_the_figure_names_its_scope_in_both_languages():
    figure = Figure(T2, activity_count=50, progress_sum=1600)
    single = Figure(T2, activity_count=1, progress_sum=40)
    with translation.override("en"):
        assert figure_text(figure) == "32\N{NO-BREAK SPACE}% of 50 activities, Tertial 2"
        assert figure_text(single) == "40\N{NO-BREAK SPACE}% of 1 activity, Tertial 2"
    with translation.override("sv"):
        assert figure_text(figure) == "32\N{NO-BREAK SPACE}% av 50 aktiviteter, Tertial 2"
        assert figure_text(single) == "40\N{NO-BREAK SPACE}% av 1 aktivitet, Tertial 2"
        assert figure.late_text == "0 försenade"
        assert figure.report_missing_text == "0 rapporter saknas"
