"""Status updates through the admin's export and import, as the secretariat uses them,
and exported spreadsheets that cannot run formulas: a cell that begins with =, +, - or
@ is neutralised in every export (the import-export exports and the yearly report)."""

import io
import zipfile

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from malardal.importexport import CSV, XLSX
from plan.models import Activity, StatusUpdate
from plan.resources import StatusUpdateResource
from plan.services import reporting_period_lock, status_update_create
from tests.factories import ActivityFactory

from . import followup_data

pytestmark = pytest.mark.django_db

FORMATS = {"csv": ("0", CSV), "xlsx": ("1", XLSX)}
FORMULAS = ["=1+2", "+46 8 123 45", "-2 veckor efter plan", "@kansliet", '=HYPERLINK("x")']


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def fp(db):
    fp = followup_data.build()
    for comment, activity in zip(FORMULAS, [fp.a1, fp.a2, fp.a3, fp.a1, fp.a2], strict=True):
        status_update_create(
            activity=activity,
            period=fp.t1,
            status=fp.on_track,
            progress=20,
            comment=comment,
            by=fp.anna if activity != fp.a3 else fp.bertil,
        )
    status_update_create(
        activity=fp.a1,
        period=fp.t2,
        status=fp.delayed,
        progress=None,
        comment="Två rader:\nförsenat leveransavtal.",
        by=fp.anna,
    )
    return fp


@pytest.fixture
def secretariat(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def admin_url(view):
    with translation.override("sv"):
        return reverse(f"admin:plan_statusupdate_{view}")


def export_file(client, fmt, model_name="statusupdate", resource=StatusUpdateResource):
    data = {"format": FORMATS[fmt][0], "resource": "0"}
    for name in resource().get_export_order():
        data[f"{resource.__name__.lower()}_{name}"] = "on"
    with translation.override("sv"):
        response = client.post(reverse(f"admin:plan_{model_name}_export"), data)
    assert response.status_code == 200, response.content[:2000]
    return response.content


def upload(client, content, fmt):
    return client.post(
        admin_url("import"),
        {
            "resource": "0",
            "format": FORMATS[fmt][0],
            "import_file": SimpleUploadedFile(f"import.{fmt}", content),
        },
    )


def confirm(client, preview):
    form = preview.context["confirm_form"]
    data = {name: form.initial[name] for name in form.fields}
    return client.post(admin_url("process_import"), data)


def read(content, fmt) -> tablib.Dataset:
    """The file's rows under the columns' short names (the file has their labels)."""
    dataset = CSV().create_dataset(content) if fmt == "csv" else XLSX().create_dataset(content)
    dataset.headers = StatusUpdateResource().rename_headers(dataset.headers)
    return dataset


def write(dataset, fmt) -> bytes:
    return FORMATS[fmt][1]().export_data(dataset)


def history():
    return list(
        StatusUpdate.objects.order_by("pk").values_list(
            "pk",
            "activity_id",
            "period_id",
            "status_id",
            "progress",
            "comment",
            "reported_by_id",
            "reported_at",
        )
    )


# --- export and import ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_status_updates_import_back_with_no_changes(secretariat, fp, fmt):
    before = history()
    content = export_file(secretariat, fmt)
    dataset = read(content, fmt)
    assert dataset.headers == list(StatusUpdateResource().get_export_order())
    assert {row["comment"] for row in dataset.dict} >= set(FORMULAS)  # read back exactly
    preview = upload(secretariat, content, fmt)
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), preview.content[:3000]
    assert result.totals["skip"] == len(before)
    assert result.totals["new"] == result.totals["update"] == 0
    assert confirm(secretariat, preview).status_code == 302
    assert history() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_row_without_id_is_a_new_report_by_the_importer(secretariat, secretariat_user, fp, fmt):
    dataset = read(export_file(secretariat, fmt), fmt)
    row = dict(dataset.dict[0])
    row.update(
        id="",
        activity=fp.a3.pk,
        period="t2",
        status="completed",
        progress=100,
        comment="+ klart, rapporterat av kansliet",
    )
    dataset.append([row[h] for h in dataset.headers])
    preview = upload(secretariat, write(dataset, fmt), fmt)
    result = preview.context["result"]
    assert result.totals["new"] == 1, preview.content.decode()[:4000]
    assert confirm(secretariat, preview).status_code == 302
    update = StatusUpdate.objects.latest("pk")
    assert (update.activity, update.period, update.status.slug, update.progress) == (
        fp.a3,
        fp.t2,
        "completed",
        100,
    )
    assert update.comment == "+ klart, rapporterat av kansliet"
    assert update.reported_by == secretariat_user


def test_a_changed_report_is_refused_because_reports_are_history(secretariat, fp):
    before = history()
    dataset = read(export_file(secretariat, "csv"), "csv")
    rows = [dict(r) for r in dataset.dict]
    rows[0]["progress"] = 99
    changed = tablib.Dataset(headers=dataset.headers)
    for row in rows:
        changed.append([row[h] for h in dataset.headers])
    response = upload(secretariat, write(changed, "csv"), "csv")
    assert "confirm_form" not in response.context
    assert "history" in response.content.decode() or "historik" in response.content.decode()
    assert history() == before


def test_an_imported_report_on_a_locked_period_is_refused(secretariat, fp):
    reporting_period_lock(period=fp.t1)
    before = history()
    dataset = read(export_file(secretariat, "csv"), "csv")
    row = dict(dataset.dict[0])
    row.update(id="", activity=fp.a2.pk, period="t1", status="on-track", progress=70)
    dataset.append([row[h] for h in dataset.headers])
    response = upload(secretariat, write(dataset, "csv"), "csv")
    assert "confirm_form" not in response.context
    assert "Tertial 1" in response.content.decode()
    assert history() == before


def test_the_export_runs_a_fixed_number_of_queries(secretariat, fp, django_assert_max_num_queries):
    with django_assert_max_num_queries(30) as small:
        export_file(secretariat, "csv")
    for _ in range(10):
        activity = ActivityFactory(section=fp.infra)
        activity.owners.add(fp.anna.person)
        status_update_create(
            activity=activity, period=fp.t1, status=fp.on_track, progress=5, by=fp.anna
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        export_file(secretariat, "csv")


# --- formulas are neutralised in every export ---------------------------------------------


def test_import_export_csv_cells_that_start_a_formula_get_an_apostrophe(secretariat, fp):
    text = export_file(secretariat, "csv").decode("utf-8-sig")
    for formula in FORMULAS:
        quoted = "'" + formula
        assert quoted in text or f'"{quoted.replace(chr(34), chr(34) * 2)}"' in text, formula
    cells = [cell for row in read(text.encode("utf-8-sig"), "csv") for cell in row]
    assert set(FORMULAS) <= set(cells)  # and the import takes the apostrophe off again
    raw_cells = [cell for line in text.splitlines()[1:] for cell in line.split(",")]
    raw_cells += [cell for line in text.splitlines()[1:] for cell in line.split(";")]
    assert not [c for c in raw_cells if c[:1] in ("=", "+", "@")]


def test_import_export_xlsx_cells_that_start_a_formula_are_quoted_text(secretariat, fp):
    content = export_file(secretariat, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    seen = set()
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                assert cell.data_type == "s" and cell.quotePrefix, cell.value
                seen.add(cell.value)
    assert set(FORMULAS) <= seen
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_the_setting_that_escapes_formulas_on_export_is_on(settings):
    assert settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is True


def test_activity_exports_neutralise_plus_minus_and_at_too(secretariat, fp):
    Activity.objects.filter(pk=fp.a1.pk).update(text_sv="+ mer trafik", text_en="@all")
    Activity.objects.filter(pk=fp.a2.pk).update(text_sv="-minus", text_en="=SUM(A1)")
    from plan.resources import ActivityResource

    text = export_file(secretariat, "csv", "activity", ActivityResource).decode("utf-8-sig")
    for value in ("'+ mer trafik", "'@all", "'-minus", "'=SUM(A1)"):
        assert value in text
