"""Files as Excel and LibreOffice write them, in Swedish and English, imported through
the admin at /sv/admin/ as the secretariat does it; exports that open right by
double-click; the import pages in Swedish. Every file is made here byte by byte the way
the program writes it (encoding, delimiter, line ends, quoting), or with openpyxl with
real date cells."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEntry
from events.models import Event
from malardal.importexport import XLSX, ExcelCSV
from members.models import Organisation, Person
from plan.models import Activity, Goal, StatusUpdate
from plan.services import status_update_create
from tests import factories

from ..plan import followup_data


def DRAFT_2023():  # noqa: N802 — reads as the plan it makes
    """Texts are imported into a draft: an adopted plan's are frozen."""
    return factories.PlanFactory(year=2023, status="draft")


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def secretariat(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def url(model, view, language="sv", args=()):
    with translation.override(language):
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


CSV_FORMAT, XLSX_FORMAT = "0", "1"


def upload(client, model, content, name="import.csv", language="sv"):
    fmt = XLSX_FORMAT if name.endswith(".xlsx") else CSV_FORMAT
    return client.post(
        url(model, "import", language),
        {"resource": "0", "format": fmt, "import_file": SimpleUploadedFile(name, content)},
    )


def confirm(client, model, preview, language="sv"):
    form = preview.context["confirm_form"]
    return client.post(
        url(model, "process_import", language), {n: form.initial[n] for n in form.fields}
    )


def text(response):
    return response.content.decode()


def refused(response):
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    return text(response)


# --- how the programs write CSV ------------------------------------------------------------


def _cell(value, delimiter):
    value = str(value)
    if any(c in value for c in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_bytes(rows, *, encoding, delimiter, newline="\r\n", bom=False):
    body = newline.join(delimiter.join(_cell(v, delimiter) for v in row) for row in rows)
    data = (body + newline).encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data


def excel_sv(rows):
    """Excel in Swedish, "CSV (semikolonavgränsad)": Windows-1252, semicolons, CRLF."""
    return csv_bytes(rows, encoding="cp1252", delimiter=";")


def excel_utf8(rows):
    """Excel, "CSV UTF-8 (kommaavgränsad)" in a Swedish Windows: BOM, semicolons, CRLF."""
    return csv_bytes(rows, encoding="utf-8", delimiter=";", bom=True)


def excel_en(rows):
    """Excel in English, "CSV (Comma delimited)": Windows-1252, commas, CRLF."""
    return csv_bytes(rows, encoding="cp1252", delimiter=",")


def libreoffice(rows):
    """LibreOffice Calc's default text CSV on Linux: UTF-8, commas, LF."""
    return csv_bytes(rows, encoding="utf-8", delimiter=",", newline="\n")


def libreoffice_sv(rows):
    """LibreOffice with a Swedish locale and ";" chosen: UTF-8, semicolons, LF."""
    return csv_bytes(rows, encoding="utf-8", delimiter=";", newline="\n")


def unicode_text(rows):
    """Excel's "Unicode Text": UTF-16 with a byte order mark, tabs, CRLF."""
    return csv_bytes(rows, encoding="utf-16", delimiter="\t")


def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


# --- encodings and delimiters --------------------------------------------------------------

ORGANISATION_ROWS = [
    ["Kortnamn", "Namn (sv)", "Namn (en)", "Typ", "Länskod"],
    ["malmo-stad", "Malmö stad", "City of Malmö", "municipality", "1"],
    ["orebro-lan", "Region Örebro län – Ö", "", "region", "18"],
]


@pytest.mark.parametrize(
    ("write", "encoding", "delimiter", "shown"),
    [
        (excel_sv, "cp1252", ";", ["Windows-1252", "semikolon"]),
        (excel_utf8, "utf-8-sig", ";", ["UTF-8 (BOM)", "semikolon"]),
        (excel_en, "cp1252", ",", ["Windows-1252", "komma"]),
        (libreoffice, "utf-8", ",", ["UTF-8", "komma"]),
        (libreoffice_sv, "utf-8", ";", ["UTF-8", "semikolon"]),
        (unicode_text, "utf-16", "\t", ["UTF-16", "tabb"]),
    ],
    ids=["excel-sv", "excel-utf8", "excel-en", "libreoffice", "libreoffice-sv", "unicode-text"],
)
def test_csv_as_each_program_writes_it_imports_with_letters_and_codes_intact(
    secretariat, write, encoding, delimiter, shown
):
    factories.CountyFactory(code="01", name="Stockholms län")
    factories.CountyFactory(code="18", name="Örebro län")
    preview = upload(secretariat, Organisation, write(ORGANISATION_ROWS))
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), text(preview)
    assert (result.source.encoding, result.source.delimiter) == (encoding, delimiter)
    page = text(preview)
    for words in shown:
        assert words in page  # the preview says how it read the file
    assert "2 rader" in page
    assert result.totals["new"] == 2

    assert confirm(secretariat, Organisation, preview).status_code == 302
    malmo = Organisation.objects.get(slug="malmo-stad")
    assert (malmo.name_sv, malmo.name_en, malmo.county.code) == (
        "Malmö stad",
        "City of Malmö",
        "01",
    )
    orebro = Organisation.objects.get(slug="orebro-lan")
    assert orebro.name_sv == "Region Örebro län – Ö"
    assert orebro.county.code == "18"


def test_choices_by_their_names_in_either_language(secretariat):
    rows = [
        ["Kortnamn", "Namn (sv)", "Typ"],
        ["a", "A", "Kommun"],
        ["b", "B", "university"],
        ["c", "C", "REGION"],
        ["d", "D", "Association"],
    ]
    preview = upload(secretariat, Organisation, excel_sv(rows))
    assert preview.context["result"].totals["new"] == 4, text(preview)
    confirm(secretariat, Organisation, preview)
    kinds = dict(Organisation.objects.values_list("slug", "kind"))
    assert kinds == {"a": "municipality", "b": "university", "c": "region", "d": "association"}
    rows = [["Kortnamn", "Namn (sv)", "Typ"], ["e", "E", "Planet"]]
    page = refused(upload(secretariat, Organisation, excel_sv(rows)))
    assert "Planet" in page and "Post 1 (rad 2 i filen), kolumn ”Typ”" in page


def test_english_headers_and_short_names_are_read_at_sv_and_swedish_at_en(secretariat):
    factories.CountyFactory(code="03")
    english = [
        ["Short name", "Name (sv)", "Kind", "County code"],
        ["uu", "Uppsala universitet", "university", 3],
    ]
    preview = upload(secretariat, Organisation, excel_en(english))
    assert preview.context["result"].totals["new"] == 1, text(preview)
    short = [["slug", "name_sv", "county"], ["uu2", "Uppsala kommun", "03"]]
    assert (
        upload(secretariat, Organisation, libreoffice(short)).context["result"].totals["new"] == 1
    )
    swedish = [["kortnamn", "NAMN (SV)"], ["kth", "KTH"]]  # any case, any spacing
    preview = upload(secretariat, Organisation, excel_sv(swedish), language="en")
    assert preview.context["result"].totals["new"] == 1, text(preview)


def test_an_xlsx_with_real_date_cells_and_number_cells_imports(secretariat):
    # Cells without a zone, as spreadsheets have them.
    midnight = datetime.datetime(2023, 5, 5)  # noqa: DTZ001
    rows = [
        ["Kortnamn", "Titel (sv)", "Startdatum", "Slutdatum", "Öppen för anmälan"],
        ["malartinget", "Mälartinget", datetime.date(2023, 5, 4), midnight],
        ["styrelsemote", "Styrelsemöte", midnight.replace(month=9, day=1), None, True],
    ]
    preview = upload(secretariat, Event, xlsx_bytes(rows), name="evenemang.xlsx")
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), text(preview)
    assert "Läst som XLSX" in text(preview)
    confirm(secretariat, Event, preview)
    event = Event.objects.get(slug="malartinget")
    assert (event.start_date, event.end_date) == (
        datetime.date(2023, 5, 4),
        datetime.date(2023, 5, 5),
    )
    board = Event.objects.get(slug="styrelsemote")
    assert board.start_date == datetime.date(2023, 9, 1) and board.registration_open is True


@pytest.mark.parametrize("written", ["2023-05-04", "2023-05-04 00:00:00", "2023-05-04 00:00"])
def test_dates_as_excel_writes_them_in_csv(secretariat, written):
    rows = [
        ["Kortnamn", "Titel (sv)", "Startdatum", "Öppen för anmälan"],
        ["mote", "Möte", written, "SANT"],
    ]
    preview = upload(secretariat, Event, excel_sv(rows))
    assert preview.context["result"].totals["new"] == 1, text(preview)
    confirm(secretariat, Event, preview)
    event = Event.objects.get(slug="mote")
    assert event.start_date == datetime.date(2023, 5, 4)
    assert event.registration_open is True  # Swedish Excel writes TRUE as SANT


def test_a_date_with_a_time_of_day_is_not_taken_for_a_date(secretariat):
    rows = [["Kortnamn", "Titel (sv)", "Startdatum"], ["mote", "Möte", "2023-05-04 13:30"]]
    page = refused(upload(secretariat, Event, excel_sv(rows)))
    assert "2023-05-04 13:30" in page and "ÅÅÅÅ-MM-DD" in page
    assert not Event.objects.exists()


# --- numbers -----------------------------------------------------------------------------


def _goal_rows(order):
    return [
        ["Planår", "Avsnitt (kortnamn)", "Ordningsföljd", "Text (sv)"],
        ["2023", "infrastruktur", order, "Ett mål."],
    ]


@pytest.mark.parametrize(
    ("written", "stored", "write"),
    [
        ("1\u00a0000", 1000, excel_sv),
        ("1 000", 1000, excel_sv),
        ("2,0", 2, excel_sv),
        ("1\u202f200", 1200, libreoffice_sv),  # LibreOffice's narrow no-break space
    ],
)
def test_numbers_with_spaces_and_decimal_commas_are_read(secretariat, written, stored, write):
    factories.SectionFactory(plan=DRAFT_2023(), slug="infrastruktur")
    preview = upload(secretariat, Goal, write(_goal_rows(written)))
    assert preview.context["result"].totals["new"] == 1, text(preview)
    confirm(secretariat, Goal, preview)
    assert Goal.objects.get().order == stored


def test_a_decimal_in_a_whole_number_column_is_an_error_not_cut_off(secretariat):
    """Issue 13: "37,5" in progress silently became 37."""
    fp = followup_data.build()
    rows = [
        ["Aktivitet (id)", "Rapportperiod (kortnamn)", "Status (kortnamn)", "Genomförandegrad (%)"],
        [fp.a1.pk, "t1", "on-track", "37,5"],
    ]
    page = refused(upload(secretariat, StatusUpdate, excel_sv(rows)))
    assert "”37,5” är inte ett heltal" in page
    assert not StatusUpdate.objects.exists()
    rows[1][3] = "40,0"
    preview = upload(secretariat, StatusUpdate, excel_sv(rows))
    assert preview.context["result"].totals["new"] == 1, text(preview)
    confirm(secretariat, StatusUpdate, preview)
    assert StatusUpdate.objects.get().progress == 40


# --- lists of ids ----------------------------------------------------------------------------


def _activity_rows(owners):
    return [
        ["Planår", "Avsnitt (kortnamn)", "Text (sv)", "Ansvariga (personernas id)"],
        ["2023", "infrastruktur", "En aktivitet.", owners],
    ]


@pytest.mark.parametrize("separator", [";", "|", " ", "\n", ",", "; "])
def test_id_lists_with_any_separator(secretariat, separator):
    factories.SectionFactory(plan=DRAFT_2023(), slug="infrastruktur")
    first, second = factories.PersonFactory.create_batch(2)
    owners = f"{first.pk}{separator}{second.pk}"
    preview = upload(secretariat, Activity, excel_sv(_activity_rows(owners)))
    assert preview.context["result"].totals["new"] == 1, text(preview)
    confirm(secretariat, Activity, preview)
    assert set(Activity.objects.get().owners.all()) == {first, second}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_list_that_a_spreadsheet_turned_into_a_decimal_is_refused_with_the_fix(secretariat, fmt):
    """A Swedish spreadsheet reads "14,19" as the number 14,19; saved, it is 14.19."""
    factories.SectionFactory(plan=DRAFT_2023(), slug="infrastruktur")
    first, second = factories.PersonFactory.create_batch(2)
    if fmt == "csv":
        content = libreoffice(_activity_rows(f"{first.pk}.{second.pk}"))
        name = "import.csv"
    else:
        content = xlsx_bytes(_activity_rows(float(f"{first.pk}.{second.pk}")))
        name = "import.xlsx"
    page = refused(upload(secretariat, Activity, content, name=name))
    assert "är ett decimaltal, inte en lista med id" in page
    assert "semikolon" in page
    assert not Activity.objects.exists()


# --- whole-file problems ---------------------------------------------------------------------


def test_text_garbled_by_a_wrong_encoding_is_refused_naming_the_rows(secretariat):
    rows = [
        ["Kortnamn", "Namn (sv)"],
        ["ok", "Göteborgs stad"],
        ["malmo", "MalmÃ¶ stad"],  # UTF-8 read as Windows-1252 and saved again
        ["ok2", "Borås"],
        ["vasteras", "Region Västmanland â€“ kansliet"],
    ]
    page = refused(upload(secretariat, Organisation, excel_utf8(rows)))
    assert "förvanskad" in page
    assert "posterna 2 och 4 (raderna 3 och 5 i filen)" in page
    assert not Organisation.objects.exists()


def test_two_rows_for_the_same_object_are_refused_naming_the_rows(secretariat):
    """Issue 11: both rows applied and the first was silently lost."""
    factories.OrganisationFactory(slug="reglab", name_sv="Reglab")
    rows = [
        ["Kortnamn", "Namn (sv)"],
        ["reglab", "Reglab (först)"],
        ["kth", "KTH"],
        ["reglab", "Reglab (sedan)"],
    ]
    page = refused(upload(secretariat, Organisation, excel_sv(rows)))
    assert "Posterna 1 och 3 (raderna 2 och 4 i filen) har samma ”Kortnamn”, ”reglab”" in page
    assert Organisation.objects.get(slug="reglab").name_sv == "Reglab"
    assert not Organisation.objects.filter(slug="kth").exists()


def test_two_rows_with_the_same_id_are_refused_but_empty_ids_are_new_rows(secretariat):
    person = factories.PersonFactory(first_name="Åsa")
    rows = [
        ["id", "Förnamn", "Efternamn"],
        ["", "Ny", "Person"],
        [person.pk, "Åsa", "Ett"],
        ["", "Ny", "Person två"],
        [f"{person.pk}", "Åsa", "Två"],
    ]
    page = refused(upload(secretariat, Person, excel_sv(rows)))
    assert "Posterna 2 och 4" in page
    assert Person.objects.count() == 1
    del rows[4]
    preview = upload(secretariat, Person, excel_sv(rows))
    assert preview.context["result"].totals["new"] == 2, text(preview)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_over_the_row_limit_is_refused_before_any_row_is_read(secretariat, settings, fmt):
    settings.IMPORT_MAX_ROWS = 3
    rows = [["Kortnamn", "Namn (sv)"]] + [[f"org-{i}", f"Organisation {i}"] for i in range(4)]
    content = excel_sv(rows) if fmt == "csv" else xlsx_bytes(rows)
    response = upload(secretariat, Organisation, content, name=f"stor.{fmt}")
    page = refused(response)
    assert "Filen har 4 rader; en import tar emot högst 3" in page
    assert "result" not in response.context  # not even the preview ran
    assert not Organisation.objects.exists()
    settings.IMPORT_MAX_ROWS = 4
    assert upload(secretariat, Organisation, content, name=f"stor.{fmt}").context["result"]


def test_the_row_limit_defaults_to_ten_thousand(settings):
    assert settings.IMPORT_MAX_ROWS == 10_000


# --- the import pages in Swedish -----------------------------------------------------------


def test_the_import_pages_speak_swedish(secretariat):
    factories.OrganisationFactory(slug="reglab", name_sv="Reglab", name_en="Reglab")
    form = text(secretariat.get(url(Organisation, "import")))
    for swedish in [
        "Importen läser de här kolumnerna",
        "Kortnamn",
        "Namn (sv)",
        "Fil att importera",
        "Ladda ner en mall (XLSX)",
    ]:
        assert swedish in form
    for english in ["This importer", "File to import", "Submit", "Name Sv"]:
        assert english not in form
    rows = [["Kortnamn", "Namn (sv)", "Namn (en)"], ["reglab", "Reglab", "Reglab network"]]
    preview = upload(secretariat, Organisation, excel_sv(rows))
    page = text(preview)
    for swedish in ["Förhandsvisning", "Bekräfta import", "Ändrad", "1 ändrade"]:
        assert swedish in page
    for english in ["Confirm import", "Preview", "Update", "Below is a preview"]:
        assert english not in page
    # The change is marked without inline styles (the CSP would drop them).
    assert "<ins>" in page and "network" in page
    assert 'style="' not in page
    assert "/static/css/admin-import.css" in page


def test_the_admin_is_titled_malardalsportalen_in_both_languages(secretariat):
    for language in ("sv", "en"):
        page = text(secretariat.get(f"/{language}/admin/"))
        assert "<title>" in page
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        assert "Mälardalsportalen – administration" in title
        assert "Django" not in page


# --- the template file ---------------------------------------------------------------------


@pytest.mark.parametrize(("language", "header"), [("sv", "Kortnamn"), ("en", "Short name")])
def test_the_template_has_the_columns_and_one_example_row_and_imports_back(
    secretariat, language, header
):
    factories.OrganisationFactory.create_batch(3)
    response = secretariat.get(url(Organisation, "import_template", language))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert "organis" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == header and len(rows) == 2
    preview = upload(secretariat, Organisation, response.content, "mall.xlsx", language)
    assert preview.context["result"].totals["skip"] == 1, text(preview)


def test_the_template_of_an_empty_table_has_the_columns_only(secretariat):
    response = secretariat.get(url(Goal, "import_template"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["id", "Planår", "Avsnitt (kortnamn)", "Ordningsföljd", "Text (sv)", "Text (en)"]
    ]


# --- exports -------------------------------------------------------------------------------


def test_xlsx_is_the_export_default_and_csv_for_excel_is_offered(secretariat):
    response = secretariat.get(url(Organisation, "export"))
    field = response.context["form"]["format"]
    assert field.value() == "1"  # XLSX
    labels = [str(label) for _value, label in field.field.choices]
    assert labels == ["CSV", "XLSX (Excel)", "CSV för Excel (svensk)"]
    assert '<option value="1" selected>XLSX (Excel)</option>' in text(response)


def _export(client, model, fmt, language="sv"):
    from django.contrib import admin

    resource = admin.site._registry[model].resource_classes[0]
    data = {"format": fmt, "resource": "0"}
    for name in resource().get_export_order():
        data[f"{resource.__name__.lower()}_{name}"] = "on"
    response = client.post(url(model, "export", language), data)
    assert response.status_code == 200
    return response.content


@pytest.fixture
def reports():
    fp = followup_data.build()
    update = status_update_create(
        activity=fp.a1, period=fp.t1, status=fp.on_track, progress=30, comment="=1+1", by=fp.anna
    )
    # A report made at 23:30 UTC is made on the next day in Stockholm (summer time).
    StatusUpdate.objects.filter(pk=update.pk).update(
        reported_at=datetime.datetime(2023, 6, 30, 23, 30, tzinfo=datetime.UTC)
    )
    return fp


def test_csv_for_excel_has_bom_semicolons_crlf_and_stockholm_times(secretariat, reports):
    content = _export(secretariat, StatusUpdate, "2")
    assert content.startswith(b"\xef\xbb\xbf")
    body = content[3:].decode("utf-8")
    lines = body.split("\r\n")
    assert lines[0].startswith("id;Planår;Avsnitt (kortnamn);Aktivitet (id);")
    assert "\n" not in body.replace("\r\n", "")
    assert "2023-07-01 01:30" in body  # Europe/Stockholm, not UTC text
    assert "+00:00" not in body
    assert ";'=1+1;" in body  # formulas stay neutralised


def test_csv_for_excel_writes_decimal_commas():
    dataset = tablib.Dataset(
        ["Åsa", Decimal("37.5"), 1000, datetime.date(2023, 5, 4), None, True, "-2 veckor"],
        headers=["namn", "andel", "antal", "datum", "tomt", "ja", "text"],
    )
    content = ExcelCSV().export_data(dataset).decode("utf-8-sig")
    assert (
        content
        == "namn;andel;antal;datum;tomt;ja;text\r\nÅsa;37,5;1000;2023-05-04;;1;'-2 veckor\r\n"
    )


def test_an_export_is_named_in_the_page_language(secretariat):
    from django.contrib import admin

    resource = admin.site._registry[Organisation].resource_classes[0]
    data = {"format": "1", "resource": "0", f"{resource.__name__.lower()}_slug": "on"}
    today = timezone.localdate().isoformat()
    for language, name in (("sv", "organisationer"), ("en", "organisations")):
        response = secretariat.post(url(Organisation, "export", language), data)
        assert response["Content-Disposition"] == f'attachment; filename="{name}-{today}.xlsx"'


def test_plain_csv_stays_utf8_with_commas(secretariat, reports):
    content = _export(secretariat, StatusUpdate, "0")
    assert not content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8").startswith("id,Planår,")


def test_xlsx_export_has_stockholm_date_cells_a_frozen_header_and_widths(secretariat, reports):
    content = _export(secretariat, StatusUpdate, "1")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet.freeze_panes == "A2"
    headers = [c.value for c in sheet[1]]
    reported = sheet.cell(row=2, column=headers.index("Rapporterad") + 1)
    assert reported.is_date
    assert reported.value == datetime.datetime(2023, 7, 1, 1, 30)  # noqa: DTZ001
    widths = {sheet.column_dimensions[c].width for c in "ABCDEFGHIJK"}
    assert min(widths) >= 8 and max(widths) <= 62
    assert sheet.column_dimensions["E"].width > sheet.column_dimensions["A"].width


def test_an_exported_reporting_time_imports_back_unchanged(secretariat, reports):
    before = list(StatusUpdate.objects.values_list("pk", "reported_at"))
    for fmt, name in (("1", "export.xlsx"), ("2", "export.csv")):
        content = _export(secretariat, StatusUpdate, fmt)
        preview = upload(secretariat, StatusUpdate, content, name=name)
        assert preview.context["result"].totals["skip"] == len(before), text(preview)
    assert list(StatusUpdate.objects.values_list("pk", "reported_at")) == before
    assert timezone.is_aware(before[0][1])


def test_an_import_is_in_the_audit_trail_as_the_secretariat(secretariat, secretariat_user):
    preview = upload(
        secretariat, Organisation, excel_sv([["Kortnamn", "Namn (sv)"], ["kth", "KTH"]])
    )
    confirm(secretariat, Organisation, preview)
    organisation = Organisation.objects.get(slug="kth")
    entries = AuditEntry.objects.filter(
        content_type__model="organisation", object_id=str(organisation.pk), action="create"
    )
    assert entries and {entry.user for entry in entries} == {secretariat_user}


def test_xlsx_reads_what_xlsx_writes():
    dataset = tablib.Dataset(["a", datetime.date(2023, 1, 2)], headers=["x", "y"])
    back = XLSX().create_dataset(XLSX().export_data(dataset))
    assert back.dict == [{"x": "a", "y": datetime.datetime(2023, 1, 2)}]  # noqa: DTZ001


def test_markup_in_a_cell_is_shown_as_text_in_the_preview_and_the_errors(secretariat):
    factories.OrganisationFactory(slug="reglab", name_sv="Reglab")
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    rows = [["Kortnamn", "Namn (sv)"], ["reglab", payload]]
    page = text(upload(secretariat, Organisation, excel_sv(rows)))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    rows = [["Kortnamn", "Namn (sv)", "Typ"], ["ny", "Ny", payload]]
    page = refused(upload(secretariat, Organisation, excel_sv(rows)))
    assert "<script>alert" not in page and "&lt;script&gt;" in page
