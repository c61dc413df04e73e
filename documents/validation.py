"""What a file is, read from its content, not its name: a renamed executable or an HTML
page called "minutes.pdf" is refused."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .models import Document

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
EXTENSIONS = {
    Document.Kind.PDF: (".pdf",),
    Document.Kind.DOCX: (".docx",),
    Document.Kind.XLSX: (".xlsx",),
    Document.Kind.ODT: (".odt",),
}


def _zip_kind(upload) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT_MIMETYPE:
                return Document.Kind.ODT
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return Document.Kind.DOCX
                if "xl/workbook.xml" in names:
                    return Document.Kind.XLSX
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    return None


def document_file_kind(upload) -> str:
    """The kind (Document.Kind) of an uploaded file, from its bytes; ValidationError
    when it is too large, of another type, or named as another type than it is."""
    limit = settings.DOCUMENT_MAX_FILE_SIZE
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; documents may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = Document.Kind.PDF
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(upload)
        upload.seek(0)
    if kind is None:
        raise ValidationError(
            _(
                "Only PDF, Word (DOCX), Excel (XLSX) and OpenDocument text (ODT) files can be "
                "attached; this file is none of them."
            ),
            code="wrong_type",
        )
    name = (upload.name or "").lower()
    if not name.endswith(EXTENSIONS[kind]):
        raise ValidationError(
            _(
                "The file's name does not match its content: it is a %(kind)s file, so its "
                "name should end in %(extension)s."
            )
            % {"kind": Document.Kind(kind).label, "extension": EXTENSIONS[kind][0]},
            code="wrong_name",
        )
    return kind
