"""Import and export in the admin, as the secretariat uses them: export a file, import
it back through the preview and the confirm step, and see that nothing changed; change
a cell and see the change (and its history); upload a bad file and see what is wrong
with it, row by row, with nothing written."""

import datetime

import pytest
import tablib
from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from events.models import Event
from malardal.importexport import CSV, XLSX, ExcelCSV
from members.models import Membership, Organisation, Person
from plan.models import Activity, Goal, Plan, Section
from plan.resources import GoalResource
from tests import factories

FORMATS = {"csv": ("0", CSV), "xlsx": ("1", XLSX), "excel-csv": ("2", ExcelCSV)}


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    """Uploaded files wait for the confirm step in the media storage."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def secretariat(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def admin_url(model, view, *args):
    with translation.override("sv"):
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def resource_class(model):
    return admin.site._registry[model].resource_classes[0]


def label(model, column, language="sv"):
    """The header of `column` in an exported file (the admin at /sv/ writes Swedish)."""
    with translation.override(language):
        return resource_class(model)().label_for_column(column)


def export_file(client, model, fmt):
    """Export every row through the admin's export page; return the file's bytes."""
    resource = resource_class(model)
    data = {"format": FORMATS[fmt][0], "resource": "0"}
    for name in resource().get_export_order():
        data[f"{resource.__name__.lower()}_{name}"] = "on"
    response = client.post(admin_url(model, "export"), data)
    assert response.status_code == 200, response.content[:2000]
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


def upload(client, model, content, fmt, filename=None):
    """Upload a file to the import page: the dry run with its preview."""
    return client.post(
        admin_url(model, "import"),
        {
            "resource": "0",
            "format": FORMATS[fmt][0],
            "import_file": SimpleUploadedFile(filename or f"import.{fmt}", content),
        },
    )


def confirm(client, model, preview):
    """Press "Confirm import" on the preview page."""
    form = preview.context["confirm_form"]
    data = {name: form.initial[name] for name in form.fields}
    return client.post(admin_url(model, "process_import"), data)


def read(content, fmt, model=None):
    """The file's rows; with `model`, under the columns' short names (the file has
    their labels, as the import reads them)."""
    dataset = FORMATS[fmt][1]().create_dataset(content)
    if model is not None:
        dataset.headers = resource_class(model)().rename_headers(dataset.headers)
    return dataset


def write(dataset, fmt):
    return FORMATS[fmt][1]().export_data(dataset)


def snapshot(model):
    """Every row of the model with its many-to-many relations, for comparison."""
    m2m = [f.name for f in model._meta.many_to_many]
    rows = []
    # A translated field's original (`text`) reads in the active language, which the
    # last request (or test) left: read it in one.
    with translation.override("sv"):
        objects = list(model.objects.order_by("pk"))
        for obj in objects:
            rows.append(_values(obj, model, m2m))
    return rows


def _values(obj, model, m2m):
    values = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
    for name in m2m:
        values[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
    return values


def page(response):
    return response.content.decode()


# --- data as the secretariat keeps it -------------------------------------------------


def _plan_items():
    # Drafts: the texts of an adopted plan are not imported (tests/plan/test_adoption.py).
    plan = factories.PlanFactory(year=2023, status=Plan.Status.DRAFT)
    railways = factories.SectionFactory(plan=plan, slug="infrastruktur", number="1.1")
    skills = factories.SectionFactory(plan=plan, slug="kompetens", number="2.1")
    # Next year's plan reuses the short names: the year tells them apart.
    factories.SectionFactory(
        plan=factories.PlanFactory(year=2024, status=Plan.Status.DRAFT), slug="infrastruktur"
    )
    return railways, skills


def make_goals():
    railways, skills = _plan_items()
    factories.GoalFactory(section=railways, order=1, text_sv="Ett mål, med komma.", text_en=None)
    factories.GoalFactory(
        section=railways,
        order=2,
        text_sv="Första stycket.\n\nAndra stycket med ”citat” och åäö.",
        text_en="",
    )
    factories.GoalFactory(section=skills, order=1)


def make_activities():
    railways, skills = _plan_items()
    people = factories.PersonFactory.create_batch(3)
    organisations = factories.OrganisationFactory.create_batch(2)
    first = factories.ActivityFactory(
        section=railways,
        start_date=datetime.date(2023, 1, 15),
        end_date=datetime.date(2023, 12, 31),
        text_en=None,
    )
    first.owners.set(people[:2])
    first.organisations.set(organisations)
    second = factories.ActivityFactory(section=skills, text_sv="=Börjar som en formel")
    second.owners.set(people[2:])
    factories.ActivityFactory(section=skills)


def make_organisations():
    county = factories.CountyFactory(code="01")
    factories.OrganisationFactory(
        slug="stockholms-stad",
        name_sv="Stockholms stad",
        name_en="City of Stockholm",
        county=county,
        website="https://start.stockholm",
        code="0180",
        description_sv="Rad ett.\nRad två.",
    )
    factories.OrganisationFactory(slug="reglab", name_en=None, kind=Organisation.Kind.ASSOCIATION)


def make_memberships():
    county = factories.CountyFactory(code="03")
    region = factories.OrganisationFactory(
        slug="region-uppsala", name_sv="Region Uppsala", code="03", county=county
    )
    factories.MembershipFactory(
        organisation=region, kind="associated", end_date=datetime.date(2022, 12, 31)
    )
    factories.MembershipFactory(
        organisation=region, start_date=datetime.date(2023, 1, 1), note_en=None
    )
    factories.MembershipFactory(
        organisation=factories.OrganisationFactory(slug="reglab"), kind="partner"
    )


def make_persons():
    organisation = factories.OrganisationFactory(slug="region-sormland")
    factories.PersonFactory(
        first_name="Åsa", last_name="Öberg", organisation=organisation, title_sv="Ordförande"
    )
    factories.PersonFactory(organisation=None, email="", party="S")


def make_events():
    railways, _ = _plan_items()
    activity = factories.ActivityFactory(section=railways)
    body = factories.BodyFactory(slug="styrelsen")
    parent = factories.EventFactory(
        slug="malartinget-2023",
        kind=Event.Kind.MALARTINGET,
        start_date=datetime.date(2023, 5, 4),
        end_date=datetime.date(2023, 5, 5),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(16, 0),
        registration_open=True,
        visibility=Event.Visibility.MEMBERS,
    )
    parent.hosts.set(factories.OrganisationFactory.create_batch(2))
    parent.sections.set([railways])
    parent.activities.set([activity])
    factories.EventFactory(slug="radsmote", parent=parent, body=body, place_en=None)
    factories.EventFactory(
        slug="studieresa", start_date=None, end_date=None, date_note_sv="Preliminärt hösten"
    )


MODELS = {
    "goal": (Goal, make_goals, "text_en"),
    "activity": (Activity, make_activities, "text_en"),
    "organisation": (Organisation, make_organisations, "name_en"),
    "membership": (Membership, make_memberships, "note_en"),
    "person": (Person, make_persons, "title_en"),
    "event": (Event, make_events, "title_en"),
}


# --- round trip -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", list(MODELS))
def test_an_exported_file_imports_back_with_no_changes(secretariat, name, fmt):
    model, make, _ = MODELS[name]
    make()
    before = snapshot(model)
    entries = LogEntry.objects.count()

    content = export_file(secretariat, model, fmt)
    assert len(read(content, fmt)) == len(before)

    preview = upload(secretariat, model, content, fmt)
    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), page(preview)
    assert result.totals["skip"] == len(before)
    assert result.totals["new"] == result.totals["update"] == 0
    assert "confirm_form" in preview.context

    response = confirm(secretariat, model, preview)
    assert response.status_code == 302
    assert response["Location"] == admin_url(model, "changelist")
    assert snapshot(model) == before
    assert LogEntry.objects.count() == entries


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", list(MODELS))
def test_a_changed_file_updates_the_row_and_the_history_shows_it(
    secretariat, secretariat_user, name, fmt
):
    model, make, column = MODELS[name]
    make()
    before = snapshot(model)
    dataset = read(export_file(secretariat, model, fmt), fmt, model)
    rows = dataset.dict
    rows[0][column] = "Changed in a spreadsheet"
    changed = tablib.Dataset(*[list(row.values()) for row in rows], headers=dataset.headers)

    preview = upload(secretariat, model, write(changed, fmt), fmt)
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), page(preview)
    assert result.totals["update"] == 1
    assert result.totals["skip"] == len(before) - 1
    # Nothing is written by the preview.
    assert snapshot(model) == before

    response = confirm(secretariat, model, preview)
    assert response.status_code == 302
    after = snapshot(model)
    assert len(after) == len(before)
    changed_rows = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert len(changed_rows) == 1
    old, new = changed_rows[0]
    assert new[column] == "Changed in a spreadsheet"
    untouched = {column, column.removesuffix("_en")}  # and modeltranslation's own column
    untouched.add("modified_at")  # an event's last-changed time (its .ics LAST-MODIFIED)
    assert {k: v for k, v in new.items() if k not in untouched} == {
        k: v for k, v in old.items() if k not in untouched
    }

    entry = LogEntry.objects.get(object_id=str(new["id"]), action_flag=CHANGE)
    assert entry.user == secretariat_user
    history = secretariat.get(admin_url(model, "history", new["id"]))
    assert history.status_code == 200
    assert entry in history.context["action_list"]
    assert "Ändrad genom import av en fil." in page(history)


def test_a_row_without_id_adds_a_goal_and_logs_the_addition(secretariat, secretariat_user):
    make_goals()
    count = Goal.objects.count()
    content = (
        "id,plan_year,section,order,text_sv,text_en\n"
        ",2024,infrastruktur,1,Ett nytt mål för nästa år.,A new goal for next year.\n"
    )
    preview = upload(secretariat, Goal, content.encode(), "csv")
    assert preview.context["result"].totals["new"] == 1, page(preview)
    assert confirm(secretariat, Goal, preview).status_code == 302

    assert Goal.objects.count() == count + 1
    goal = Goal.objects.get(text_sv="Ett nytt mål för nästa år.")
    assert goal.section.plan.year == 2024
    assert goal.text_en == "A new goal for next year."
    assert LogEntry.objects.filter(
        object_id=str(goal.pk), action_flag=ADDITION, user=secretariat_user
    ).exists()


def test_a_swedish_excel_csv_with_semicolons_imports(secretariat):
    make_organisations()
    before = snapshot(Organisation)
    content = "slug;name_sv;name_en;kind\nreglab;Reglab;Reglab (en);association\n".encode(
        "utf-8-sig"
    )
    preview = upload(secretariat, Organisation, content, "csv")
    assert preview.context["result"].totals["update"] == 1, page(preview)
    confirm(secretariat, Organisation, preview)
    assert Organisation.objects.get(slug="reglab").name_en == "Reglab (en)"
    assert len(snapshot(Organisation)) == len(before)


# --- bad files ------------------------------------------------------------------------


def assert_refused(response, *texts, rows=None):
    """The import page shows the problem and offers no confirm step. `texts` (values
    and column names from the file) appear on the page; `rows` are the numbers of the
    rows reported as wrong."""
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    content = page(response)
    for text in texts:
        assert text in content, content
    if rows is not None:
        result = response.context["result"]
        reported = [row.number for row in result.invalid_rows]
        reported += [number for number, _ in result.row_errors()]
        assert reported == rows
        # Each is shown as "row N (line N+1 of the file)", in the page's language.
        for number in rows:
            assert f" {number} (" in content and f" {number + 1} " in content


def test_missing_columns_are_named(secretariat):
    make_goals()
    before = snapshot(Goal)
    content = "id,section,order,text_sv\n,infrastruktur,1,Ett mål.\n".encode()
    response = upload(secretariat, Goal, content, "csv")
    # Named by its header in the page's language.
    assert_refused(response, "Planår")
    [error] = response.context["result"].base_errors
    assert "”Planår”" in error.error.messages[0]
    assert snapshot(Goal) == before


def test_unknown_columns_are_named(secretariat):
    make_organisations()
    before = snapshot(Organisation)
    content = b"slug,namn,name_sv\nny,Ny,Ny organisation\n"
    response = upload(secretariat, Organisation, content, "csv")
    assert_refused(response, "namn")
    assert snapshot(Organisation) == before


def test_a_file_that_is_not_a_spreadsheet_is_refused_clearly(secretariat):
    make_organisations()
    before = snapshot(Organisation)
    response = upload(secretariat, Organisation, b"slug,name_sv\nx,y\n", "xlsx")
    assert_refused(response)
    assert response.context["form"].errors["import_file"]
    assert snapshot(Organisation) == before


def _events_csv(third_start_date):
    header = "slug,kind,title_sv,start_date,end_date\n"
    rows = [
        "forsta,thematic_meeting,Första mötet,2023-02-01,2023-02-01",
        "andra,thematic_meeting,Andra mötet,2023-03-01,",
        f"tredje,thematic_meeting,Tredje mötet,{third_start_date},",
    ]
    return (header + "\n".join(rows) + "\n").encode()


@pytest.mark.parametrize("bad_date", ["2023-13-45", "not a date"])
def test_a_bad_date_in_the_third_row_writes_nothing(secretariat, bad_date):
    make_events()
    before = snapshot(Event)
    response = upload(secretariat, Event, _events_csv(bad_date), "csv")
    # Only the third row is wrong, and the first two are not written either.
    assert_refused(response, "Startdatum", bad_date, rows=[3])
    [row] = response.context["result"].invalid_rows
    assert list(row.field_specific_errors) == ["Startdatum"]
    assert snapshot(Event) == before
    assert not Event.objects.filter(slug__in=["forsta", "andra"]).exists()


def test_an_event_that_ends_before_it_starts_is_a_row_error(secretariat):
    response = upload(
        secretariat,
        Event,
        "slug,title_sv,start_date,end_date\nbaklanges,Baklänges,2023-05-05,2023-05-04\n".encode(),
        "csv",
    )
    assert_refused(response, rows=[1])
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("model", "content", "message"),
    [
        (
            Goal,
            "plan_year,section,text_sv\n2023,infrastruktur,Ett.\n2023,kompetens,Två.\n"
            "2023,finns-inte,Tre.\n",
            "finns-inte",
        ),
        (
            Activity,
            "plan_year,section,text_sv,owners\n2023,infrastruktur,Ett.,\n2023,kompetens,Två.,\n"
            "2023,kompetens,Tre.,999999\n",
            "999999",
        ),
        (
            Goal,
            "id,plan_year,section,text_sv\n,2023,infrastruktur,Ett.\n,2023,kompetens,Två.\n"
            "999999,2023,kompetens,Tre.\n",
            "999999",
        ),
        (
            Event,
            "slug,title_sv,hosts\nett,Ett,\ntva,Två,\ntre,Tre,finns-inte\n",
            "finns-inte",
        ),
        (
            Organisation,
            "slug,name_sv,kind\nett,Ett,region\ntva,Två,region\ntre,Tre,planet\n",
            "planet",
        ),
        (
            Membership,
            "organisation,kind,start_date,end_date\nett,member,,2019-12-31\n"
            "ett,associated,2020-01-01,\nett,partner,2021-01-01,\n",
            "2020-01-01",
        ),
    ],
    ids=[
        "unknown section",
        "unknown owner",
        "unknown id",
        "unknown host",
        "unknown kind",
        "overlapping membership",
    ],
)
def test_a_bad_reference_in_the_third_row_writes_nothing(secretariat, model, content, message):
    _plan_items()
    factories.OrganisationFactory(slug="ett", name_sv="Ett")
    before = snapshot(model)
    response = upload(secretariat, model, content.encode(), "csv")
    assert_refused(response, message, rows=[3])
    assert snapshot(model) == before


def test_a_file_that_went_bad_between_preview_and_confirm_writes_nothing(secretariat):
    """The confirm step imports with rollback too: if the data changed under the
    preview, no row of the file is written."""
    make_activities()
    dataset = read(export_file(secretariat, Activity, "csv"), "csv", Activity)
    rows = dataset.dict
    for row in rows:
        row["text_en"] = "Changed"
    changed = tablib.Dataset(*[list(row.values()) for row in rows], headers=dataset.headers)
    preview = upload(secretariat, Activity, write(changed, "csv"), "csv")
    assert preview.context["result"].totals["update"] == len(rows), page(preview)
    # The file's last rows are in the section "kompetens", its first in another one.
    assert rows[0]["section"] != "kompetens" and rows[-1]["section"] == "kompetens"

    # Someone renames a section named in the file before the import is confirmed.
    Section.objects.filter(slug="kompetens").update(slug="kompetensforsorjning")
    before = snapshot(Activity)
    entries = LogEntry.objects.count()

    response = confirm(secretariat, Activity, preview)
    assert_refused(response, "kompetens")
    assert snapshot(Activity) == before
    assert not Activity.objects.filter(text_en="Changed").exists()
    assert LogEntry.objects.count() == entries


def test_the_resource_alone_is_all_or_nothing_too(db):
    _plan_items()
    dataset = tablib.Dataset(
        [2023, "infrastruktur", "Ett."],
        [2023, "kompetens", "Två."],
        [2023, "finns-inte", "Tre."],
        headers=["plan_year", "section", "text_sv"],
    )
    result = GoalResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert not Goal.objects.exists()


def test_a_member_cannot_import_or_export(client, member_user):
    client.force_login(member_user)
    for view in ["import", "export"]:
        response = client.get(admin_url(Goal, view))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_an_xlsx_export_has_typed_cells_and_no_formulas(secretariat):
    """Dates are dates and numbers are numbers in Excel; a text that starts with "="
    is text, not a formula that would run when the file is opened."""
    from io import BytesIO

    import openpyxl

    make_activities()
    content = export_file(secretariat, Activity, "xlsx")
    sheet = openpyxl.load_workbook(BytesIO(content)).active
    headers = resource_class(Activity)().rename_headers([cell.value for cell in sheet[1]])
    rows = [dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    dated = next(row for row in rows if row["start_date"].value)
    assert dated["start_date"].is_date
    assert dated["start_date"].value.date() == datetime.date(2023, 1, 15)
    assert dated["plan_year"].value == 2023
    formula_like = next(row for row in rows if str(row["text_sv"].value).startswith("="))
    assert formula_like["text_sv"].data_type == "s"


def test_a_csv_export_opens_in_excel_with_swedish_letters_and_no_formulas(secretariat):
    make_activities()
    content = export_file(secretariat, Activity, "excel-csv")
    assert content.startswith("\ufeff".encode())  # the byte order mark Excel needs
    text = content.decode("utf-8-sig")
    assert "Börjar som en formel" in text
    assert ";=Börjar" not in text and ";'=Börjar" in text
