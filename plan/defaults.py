"""What the follow-up starts with: the default statuses and reporting periods.

Plain data, no model imports, so data migrations can read it as well as the services.
The secretariat changes statuses in the admin afterwards; these are only the start.
"""

import datetime

# slug, Swedish name, English name, colour, default progress, counts as late.
# Colours have a contrast of at least 3:1 against white (WCAG 2.1, 1.4.11), and no two
# neighbours differ by hue alone: the charts always name the status in text as well.
DEFAULT_STATUSES = [
    ("not-started", "Ej påbörjad", "Not started", "#6e6e6e", 0, False),
    ("on-track", "Enligt plan", "On track", "#1a7f37", 50, False),
    ("at-risk", "Risk för avvikelse", "At risk", "#9a6700", 50, False),
    ("delayed", "Försenad", "Delayed", "#b3261e", 25, True),
    ("completed", "Genomförd", "Completed", "#0b4f8a", 100, False),
    ("cancelled", "Avbruten", "Cancelled", "#5a2d82", 0, False),
]

# slug, Swedish name, English name, colour, counts as assessed. The level's name is
# always shown beside its colour; each colour has a contrast of at least 4.5:1 against
# white, so it also works as the background of white text (tests/plan/test_goals.py).
DEFAULT_ASSESSMENT_LEVELS = [
    ("achieved", "Uppfyllt", "Achieved", "#1a7f37", True),
    ("partly-achieved", "Delvis uppfyllt", "Partly achieved", "#8a5a00", True),
    ("not-achieved", "Ej uppfyllt", "Not achieved", "#b3261e", True),
    ("not-assessed", "Ej bedömt", "Not assessed", "#595959", False),
]


def default_periods(year: int) -> list[dict]:
    """The three default reporting periods of a plan year: the first and second tertial
    and the full year, each due two weeks or so after it ends."""
    return [
        {
            "slug": "t1",
            "name_sv": "Tertial 1",
            "name_en": "First four-month period",
            "starts_on": datetime.date(year, 1, 1),
            "ends_on": datetime.date(year, 4, 30),
            "due_date": datetime.date(year, 5, 15),
            "order": 1,
        },
        {
            "slug": "t2",
            "name_sv": "Tertial 2",
            "name_en": "Second four-month period",
            "starts_on": datetime.date(year, 5, 1),
            "ends_on": datetime.date(year, 8, 31),
            "due_date": datetime.date(year, 9, 15),
            "order": 2,
        },
        {
            "slug": "year",
            "name_sv": "Helår",
            "name_en": "Full year",
            "starts_on": datetime.date(year, 1, 1),
            "ends_on": datetime.date(year, 12, 31),
            "due_date": datetime.date(year + 1, 1, 31),
            "order": 3,
        },
    ]
