"""Swedish formats (FORMAT_MODULE_PATH = ["malardal.formats"]), after Språkrådet's
Myndigheternas skrivregler: "4 maj 2023", "1 jan.–30 apr. 2023", "12 345,5", "5 %".
Django's own Swedish formats fill in what is not set here (input formats, week start).
The upper-case names Django does not know are ours; malardal.formatting reads them."""

DATE_FORMAT = "j F Y"  # 4 maj 2023 (Django's month names are lower case in Swedish)
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
DECIMAL_SEPARATOR = ","
# A no-break space, so "12 345" never breaks across lines.
THOUSAND_SEPARATOR = "\N{NO-BREAK SPACE}"
NUMBER_GROUPING = 3

# Abbreviated months, lower case with a full stop where letters are left out.
MONTH_ABBREVIATIONS = (
    "jan.",
    "febr.",
    "mars",
    "apr.",
    "maj",
    "juni",
    "juli",
    "aug.",
    "sept.",
    "okt.",
    "nov.",
    "dec.",
)
# "5 %": a space before the sign, a no-break one so the sign never wraps from its number.
PERCENT_FORMAT = "{number}\N{NO-BREAK SPACE}%"
# Between the two ends of a range of dates.
RANGE_DASH = "\N{EN DASH}"
