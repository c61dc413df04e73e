"""A size limit for uploaded import files.

DATA_UPLOAD_MAX_MEMORY_SIZE limits a request's form fields, not its files, so a file
is checked here, before it is read or kept for the confirm step. The web server in
front should refuse far larger bodies outright (nginx: client_max_body_size).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm


def validate_upload_size(file, limit: int | None = None) -> None:
    limit = settings.IMPORT_MAX_FILE_SIZE if limit is None else limit
    if file is not None and file.size > limit:
        raise ValidationError(
            _(
                "The file is %(size)s; an import takes files of at most %(limit)s. "
                "Split it into smaller files."
            ),
            code="too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )


class SizeLimitedImportForm(ImportForm):
    """django-import-export's import form, refusing files over IMPORT_MAX_FILE_SIZE."""

    def clean_import_file(self):
        file = self.cleaned_data.get("import_file")
        validate_upload_size(file)
        return file
