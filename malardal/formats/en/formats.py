"""English formats (FORMAT_MODULE_PATH = ["malardal.formats"]): British order, as the
portal's English pages always wrote dates — "4 May 2023", "1 Jan–30 Apr 2023",
"12,345.5" — and 24-hour times. Django's English formats fill in the rest."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
# The portal's percentages keep the SI style in English too (a no-break space before
# the sign), as its English pages have always shown them.
PERCENT_FORMAT = "{number}\N{NO-BREAK SPACE}%"
RANGE_DASH = "\N{EN DASH}"
