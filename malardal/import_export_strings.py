"""Texts of django-import-export that our admin shows, marked here so that makemessages
puts them in our catalogue: the package has no Swedish one. (Its page templates are
ours, under templates/admin/import_export/, so their texts are found there.) Nothing
imports this module; it only has to exist for makemessages."""

from django.utils.translation import gettext_noop

STRINGS = [
    # The import and export forms (import_export/forms.py).
    gettext_noop("Resource"),
    gettext_noop("Format"),
    gettext_noop("File to import"),
    gettext_noop('Select at least 1 field for "%(resource_name)s" to export'),
    # The import page (import_export/admin.py).
    gettext_noop(
        "No valid data to import. Ensure your file has the correct headers or data for import."
    ),
    gettext_noop("Import"),
    gettext_noop("Export"),
]
