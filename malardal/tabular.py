"""Reading the files the secretariat's spreadsheet programs write, as they write them.

Excel and LibreOffice, in Swedish and English, save "CSV" in several ways: UTF-8 with
or without a byte order mark, Windows-1252 ("CSV (semikolonavgränsad)" in Swedish
Excel), UTF-16 with tabs ("Unicode text"); with ``;`` (Swedish), ``,`` (English) or tab
between the cells; CRLF line ends; decimal commas and non-breaking spaces in numbers;
dates as ``2023-05-04`` or ``2023-05-04 00:00:00``; leading zeros dropped from codes.
This module turns such a file into a :class:`tablib.Dataset` and says what it read
(:class:`Source`), and holds the cell parsers the import widgets share.

Pure functions on bytes and values: no database, no settings except the row limit.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import tablib
from django.conf import settings
from django.utils.translation import gettext, ngettext


class FileProblem(ValueError):
    """A file that cannot be imported as a whole; the message says why and what to do."""


@dataclass
class Source:
    """What was read: shown on the import preview so a wrong guess is seen at once."""

    format: str  # "csv" or "xlsx"
    encoding: str = ""  # "utf-8", "utf-8-sig", "cp1252", "utf-16"
    delimiter: str = ""  # ";", ",", "\t"
    sheet: str = ""
    rows: int = 0
    notes: list[str] = field(default_factory=list)

    ENCODING_LABELS = {
        "utf-8": "UTF-8",
        "utf-8-sig": "UTF-8 (BOM)",
        "cp1252": "Windows-1252",
        "utf-16": "UTF-16",
    }

    @property
    def encoding_label(self) -> str:
        return self.ENCODING_LABELS.get(self.encoding, self.encoding)

    @property
    def delimiter_label(self) -> str:
        return {
            ";": gettext("semicolon (;)"),
            ",": gettext("comma (,)"),
            "\t": gettext("tab"),
        }.get(self.delimiter, self.delimiter)

    def describe(self) -> str:
        if self.format == "xlsx":
            return gettext("Read as XLSX, sheet “%(sheet)s”: %(rows)s.") % {
                "sheet": self.sheet,
                "rows": _rows_text(self.rows),
            }
        return gettext(
            "Read as CSV in %(encoding)s with %(delimiter)s between the columns: %(rows)s."
        ) % {
            "encoding": self.encoding_label,
            "delimiter": self.delimiter_label,
            "rows": _rows_text(self.rows),
        }


def _rows_text(count: int) -> str:
    return ngettext("%(count)s row", "%(count)s rows", count) % {"count": count}


# --- the row limit ----------------------------------------------------------------------


def check_row_count(count: int) -> None:
    """Refuse a file of more rows than IMPORT_MAX_ROWS, before any row is read."""
    limit = settings.IMPORT_MAX_ROWS
    if count > limit:
        raise FileProblem(
            gettext(
                "The file has %(count)s rows; an import takes at most %(limit)s. "
                "Split it into files of at most %(limit)s rows."
            )
            % {"count": count, "limit": limit}
        )


# --- CSV --------------------------------------------------------------------------------

DELIMITERS = (";", ",", "\t")


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in.

    A byte order mark decides; else UTF-8 if the bytes are valid UTF-8 (text in any
    other 8-bit encoding with å, ä or ö almost never is); else Windows-1252, which is
    what Excel writes in a Swedish or English Windows.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise FileProblem(
            gettext(
                "The file is neither UTF-8 nor Windows-1252 text, so it cannot be read. "
                "Save it from Excel as “CSV UTF-8” or as an Excel workbook (.xlsx)."
            )
        ) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most columns (``,`` when
    the file has one column only)."""
    first = text.split("\n", 1)[0]
    best, best_count = ",", 1
    for delimiter in DELIMITERS:
        try:
            count = len(next(csv.reader([first], delimiter=delimiter)))
        except (csv.Error, StopIteration):
            continue
        if count > best_count:
            best, best_count = delimiter, count
    return best


def read_csv(data: bytes | str) -> tablib.Dataset:
    """A dataset from a CSV file's bytes. Blank lines (Excel writes ``;;;`` for them)
    are left out; a short row is filled with empty cells."""
    if isinstance(data, bytes):
        text, encoding = decode(data)
    else:
        text, encoding = data.removeprefix("\ufeff"), "utf-8"
    delimiter = sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise FileProblem(
            gettext("The file is not valid CSV: %(error)s.") % {"error": error}
        ) from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return _with_source(tablib.Dataset(), Source("csv", encoding, delimiter))
    headers = _trim_trailing_blanks(rows[0])
    body = rows[1:]
    check_row_count(len(body))
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    for number, row in enumerate(body, start=1):
        extra = row[width:]
        if any(cell.strip() for cell in extra):
            raise FileProblem(
                gettext(
                    "Row %(number)s (line %(line)s of the file) has more cells than the "
                    "header has columns."
                )
                % {"number": number, "line": number + 1}
            )
        dataset.append((row + [""] * width)[:width])
    return _with_source(dataset, Source("csv", encoding, delimiter, rows=len(dataset)))


def _trim_trailing_blanks(headers: list) -> list:
    headers = list(headers)
    while headers and (headers[-1] is None or str(headers[-1]).strip() == ""):
        headers.pop()
    return headers


def _with_source(dataset: tablib.Dataset, source: Source) -> tablib.Dataset:
    dataset.source = source
    return dataset


# --- XLSX -------------------------------------------------------------------------------


def read_xlsx(data: bytes) -> tablib.Dataset:
    """A dataset from the first sheet of a workbook. Date cells stay dates (datetime),
    numbers stay numbers; empty rows and columns past the last header are left out.
    The row limit is checked on the sheet's size before any row is read."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — openpyxl raises many kinds for a file it cannot read
        raise FileProblem(
            gettext("The file is not an Excel workbook (.xlsx), so it cannot be read.")
        ) from None
    sheet = book.worksheets[0]
    if sheet.max_row:
        check_row_count(sheet.max_row - 1)
    rows = sheet.iter_rows(values_only=True)
    try:
        headers = _trim_trailing_blanks(next(rows))
    except StopIteration:
        return _with_source(tablib.Dataset(), Source("xlsx", sheet=sheet.title))
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        values = list(row[:width]) + [None] * (width - len(row))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        dataset.append(values)
        check_row_count(len(dataset))
    book.close()
    return _with_source(dataset, Source("xlsx", sheet=sheet.title, rows=len(dataset)))


# --- text garbled by a wrong encoding ---------------------------------------------------

# UTF-8 read as Windows-1252 or Latin-1 turns "ä" into "Ã¤", "Ö" into "Ã–" and "–" into
# "â€“": the lead byte of a two- or three-byte sequence (Â, Ã, â) followed by a
# continuation byte (0x80–0xBF) as Windows-1252 or Latin-1 shows it. Swedish and English
# text has no such pair.
_CONTINUATION = (
    "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_MOJIBAKE = re.compile(f"[\u00c2\u00c3\u00e2][{_CONTINUATION}]")


def looks_garbled(value) -> bool:
    """Whether a text looks like UTF-8 that was decoded as Windows-1252 (``Ã¤`` for
    ``ä``, ``â€“`` for ``–``)."""
    return isinstance(value, str) and bool(_MOJIBAKE.search(value))


def garbled_rows(dataset: tablib.Dataset) -> list[int]:
    """The numbers (1 = the first row under the header) of rows with garbled text."""
    return [
        number
        for number, row in enumerate(dataset, start=1)
        if any(looks_garbled(value) for value in row)
    ]


# --- cells ------------------------------------------------------------------------------

# Spaces Excel and LibreOffice put between thousands: space, no-break space, narrow
# no-break space, thin space.
_THOUSANDS = re.compile("[ \u00a0\u202f\u2009]")


def parse_decimal(value) -> Decimal:
    """A number as a spreadsheet writes it: ``37,5``, ``37.5``, ``1 000`` (any kind of
    space between thousands), ``−3`` (a minus sign). Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = _THOUSANDS.sub("", str(value).strip()).replace("\u2212", "-")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise ValueError(value)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None


def parse_date(value) -> datetime.date:
    """A date as a spreadsheet writes it: a date cell, ``2023-05-04``,
    ``2023-05-04 00:00:00`` (Excel's CSV of a date cell), or a date cell's serial
    number when the column lost its date format. Raises ValueError."""
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time(0):
            raise ValueError(value)
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        if not 1 <= value < 2958466 or value != int(value):
            raise ValueError(value)
        return from_excel(value).date()
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?", text)
    if not match:
        raise ValueError(value)
    return datetime.date.fromisoformat(match.group(1))


LIST_SEPARATORS = re.compile(r"[;,|\s]+")


def split_list(value) -> list[str]:
    """The items of a list cell, separated by ``;``, ``,``, ``|``, spaces or line
    breaks (whatever survives the spreadsheet's own delimiter)."""
    if value is None:
        return []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return [item for item in LIST_SEPARATORS.split(str(value).strip()) if item]


def mangled_list(value) -> bool:
    """Whether a cell of ids is a number with decimals, such as ``14.19``: a list
    ``14,19`` that a Swedish spreadsheet took for the decimal number 14,19."""
    if isinstance(value, float):
        return not value.is_integer()
    return isinstance(value, str) and bool(re.fullmatch(r"\s*\d+\.\d+\s*", value))


def pad_code(value, width: int):
    """A numeric code that lost its leading zeros in a spreadsheet (``1`` for ``01``)
    gets them back."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip().zfill(width)
    return value
