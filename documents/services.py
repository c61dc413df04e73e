"""Writes to documents: attach, change, remove. The file and its row go together: a
removed or replaced file is deleted from storage once the transaction has committed."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.db import models, transaction
from django.utils.translation import gettext as _

from malardal.types import Actor

from .models import TARGETS, Document
from .validation import document_file_kind


def _check(by: Actor | None, codename: str) -> None:
    if by is not None and not by.has_perm(f"documents.{codename}"):
        raise PermissionDenied(_("You may not change documents."))


def _delete_file_on_commit(storage: Storage, name: str | None) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _check_target(target: models.Model | None) -> ContentType:
    if target is None or target.pk is None:
        raise ValidationError(_("Choose what the document is attached to."))
    content_type = ContentType.objects.get_for_model(target)
    if (content_type.app_label, content_type.model) not in TARGETS:
        raise ValidationError(_("Documents cannot be attached to this."))
    return content_type


def document_create(
    *,
    target: models.Model,
    title_sv: str,
    file: File,
    title_en: str = "",
    visibility: str = Document.Visibility.MEMBERS,
    date: datetime.date | None = None,
    order: int = 0,
    by: Actor | None = None,
) -> Document:
    """Attach `file` to `target` (a plan, section, activity, event or body).

    The file's type is read from its content (PDF, DOCX, XLSX, ODT) and its size capped
    at DOCUMENT_MAX_FILE_SIZE. Raises PermissionDenied without ``documents.add_document``
    and ValidationError for a bad file or target; nothing is stored then.
    """
    _check(by, "add_document")
    content_type = _check_target(target)
    kind = document_file_kind(file)
    document = Document(
        content_type=content_type,
        object_id=target.pk,
        title_sv=title_sv,
        title_en=title_en,
        title=title_sv,
        visibility=visibility,
        date=date,
        order=order,
        kind=kind,
        size=file.size,
        uploaded_by=by if by is not None and by.is_authenticated else None,
        file=file,
    )
    document.full_clean(exclude=["file"])
    try:
        with transaction.atomic():
            document.save()
    except Exception:
        # The row was not stored: the file written for it must not stay behind.
        if document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


def document_update(
    *, document: Document, by: Actor | None = None, file: File | None = None, **values: object
) -> Document:
    """Change a document's title, date, visibility or order, or replace its file (the
    old file is deleted after commit). Same errors as document_create."""
    _check(by, "change_document")
    old_name = None
    if file is not None:
        document.kind = document_file_kind(file)
        document.size = file.size
        old_name = document.file.name
        document.file = file
    for name, value in values.items():
        if name not in {"title_sv", "title_en", "date", "visibility", "order"}:
            raise TypeError(f"document_update cannot set {name!r}")
        setattr(document, name, value)
    document.title = document.title_sv  # type: ignore[attr-defined]  # modeltranslation
    document.full_clean(exclude=["file"])
    with transaction.atomic():
        document.save()
        if old_name and old_name != document.file.name:
            _delete_file_on_commit(document.file.storage, old_name)
    return document


def document_delete(*, document: Document, by: Actor | None = None) -> None:
    """Remove a document and, once committed, its file."""
    _check(by, "delete_document")
    storage, name = document.file.storage, document.file.name
    with transaction.atomic():
        document.delete()
        _delete_file_on_commit(storage, name)
