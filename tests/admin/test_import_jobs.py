"""Large import files: above IMPORT_BACKGROUND_ROWS rows the preview checks the file as a
whole and the confirmed import runs as a Celery task, all or nothing, with a page that
shows its progress (reloading itself, no script) and then its result or every error.
Run in-process (the eager runner) and once by a real worker through Redis."""

import threading

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEntry
from malardal import services
from malardal.models import ImportJob
from malardal.tasks import run_import_job
from members.models import Organisation
from plan.models import Goal
from tests import factories
from tests.services import require_redis

ROWS = 6


@pytest.fixture(autouse=True)
def small_limits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_BACKGROUND_ROWS = 3


@pytest.fixture
def secretariat(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def url(view, *args, model=Organisation, language="sv"):
    with translation.override(language):
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def excel_sv(rows):
    return ("\r\n".join(";".join(row) for row in rows) + "\r\n").encode("cp1252")


def organisations_file(bad_row=None):
    rows = [["Kortnamn", "Namn (sv)", "Typ"]]
    for i in range(1, ROWS + 1):
        rows.append([f"org-{i}", f"Organisation nr {i} i Mälardalen", "municipality"])
    if bad_row:
        rows[bad_row][2] = "planet"
    return excel_sv(rows)


def upload(client, content):
    return client.post(
        url("import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("stor.csv", content)},
    )


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(url("process_import"), {n: form.initial[n] for n in form.fields})


def test_a_large_file_is_checked_as_a_whole_then_imported_in_the_background(
    secretariat, secretariat_user, django_capture_on_commit_callbacks
):
    preview = upload(secretariat, organisations_file())
    assert preview.context["result"].in_background
    page = preview.content.decode()
    assert "Filen har 6 rader" in page and "i bakgrunden" in page
    assert "Bekräfta import" in page
    assert not Organisation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = confirm(secretariat, preview)
    assert len(queued) == 1  # the task is queued once the job is committed
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("import_job", job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.State.DONE, job.errors
    assert job.totals["new"] == ROWS
    assert not job.file  # the uploaded file is gone
    assert Organisation.objects.count() == ROWS
    # The audit trail and the admin's history have the secretariat's rows.
    created = AuditEntry.objects.filter(content_type__model="organisation", action="create")
    assert created.count() == ROWS
    assert {entry.user for entry in created} == {secretariat_user}
    assert LogEntry.objects.filter(user=secretariat_user).count() == ROWS

    page = secretariat.get(response["Location"]).content.decode()
    assert "Importerat: 6 nya, 0 ändrade, 0 oförändrade" in page
    assert 'http-equiv="refresh"' not in page  # done: no more reloading


def test_a_bad_row_in_a_large_file_imports_nothing_and_the_page_names_it(
    secretariat, django_capture_on_commit_callbacks
):
    preview = upload(secretariat, organisations_file(bad_row=5))
    assert "confirm_form" in preview.context  # the rows are checked by the task
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(secretariat, preview)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.State.FAILED
    assert not Organisation.objects.exists()  # all or nothing
    page = secretariat.get(response["Location"]).content.decode()
    assert "Ingenting har importerats" in page
    assert "Post 5 (rad 6 i filen), kolumn ”Typ”" in page and "planet" in page


def test_whole_file_problems_of_a_large_file_show_in_the_preview(secretariat):
    content = organisations_file().replace(b"org-6", b"org-1")
    page = upload(secretariat, content).content.decode()
    assert "Posterna 1 och 6" in page
    assert not ImportJob.objects.exists()


def test_the_page_of_a_running_job_shows_progress_and_reloads_itself(secretariat, secretariat_user):
    with translation.override("sv"):
        job = services.import_job_create(
            model=Organisation,
            resource_index=0,
            format_index=0,
            data=organisations_file(),
            file_name="stor.csv",
            rows=ROWS,
            by=secretariat_user,
        )  # queued on commit, which this test's transaction never reaches
    services._set_progress(job.pk, 4)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.State.RUNNING)
    page = secretariat.get(url("import_job", job.pk)).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert '<progress id="import-progress" class="import-progress" max="6" value="4">' in page
    assert "4 av 6 rader importerade" in page
    assert "stor.csv" in page and "Importeras" in page


def test_a_job_runs_once(secretariat_user):
    job = services.import_job_create(
        model=Organisation,
        resource_index=0,
        format_index=0,
        data=organisations_file(),
        file_name="stor.csv",
        rows=ROWS,
        by=secretariat_user,
    )
    assert run_import_job.apply(args=[job.pk]).get() == ImportJob.State.DONE
    assert run_import_job.apply(args=[job.pk]).get() is None  # a redelivered task
    assert Organisation.objects.count() == ROWS


def test_only_who_may_import_sees_a_job(client, secretariat_user, member_user):
    job = services.import_job_create(
        model=Organisation,
        resource_index=0,
        format_index=0,
        data=organisations_file(),
        file_name="stor.csv",
        rows=ROWS,
        by=secretariat_user,
    )
    client.force_login(member_user)
    assert "/admin/login/" in client.get(url("import_job", job.pk))["Location"]
    client.force_login(secretariat_user)
    assert client.get(url("import_job", job.pk)).status_code == 200
    # Not under another model's admin.
    assert client.get(url("import_job", job.pk, model=Goal)).status_code == 404
    board = factories.UserFactory(is_staff=True, groups=["board"])  # may view, not change
    client.force_login(board)
    assert client.get(url("import_job", job.pk)).status_code == 403


# --- a real worker through Redis -----------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_a_large_file(client, settings, tmp_path):
    from celery.signals import task_postrun

    from ..plan.test_reports_worker import celery_worker

    require_redis()
    settings.MEDIA_ROOT = tmp_path
    user = factories.UserFactory(username="kansliet", is_staff=True, groups=["secretariat"])
    client.force_login(user)
    finished = threading.Event()

    def on_postrun(task=None, **kwargs):
        if task is not None and task.name == run_import_job.name:
            finished.set()

    task_postrun.connect(on_postrun, weak=False)
    try:
        with celery_worker():
            preview = upload(client, organisations_file())
            response = confirm(client, preview)
            assert response.status_code == 302
            assert finished.wait(90), "the worker did not run the import"
    finally:
        task_postrun.disconnect(on_postrun)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.State.DONE, job.errors
    assert Organisation.objects.count() == ROWS
    created = AuditEntry.objects.filter(content_type__model="organisation", action="create")
    assert {entry.user for entry in created} == {user}
    page = client.get(response["Location"]).content.decode()
    assert "Importerat: 6 nya" in page
