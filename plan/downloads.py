"""The plan as a file for download (the plan page's links): PDF or DOCX, made once per
version of the plan and kept in the file storage, where every web process finds it.

A file is named by a hash of the plan's content (the HTML the PDF is made from, which
holds every text, in one language), so a changed plan gets a new file and an unchanged
plan is never built twice; older files of the same plan, language and format are removed.
"""

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import slugify

from . import reports, word
from .models import Plan

FORMATS = {"pdf": "application/pdf", "docx": word.CONTENT_TYPE}
# Bumped when the builder changes what it makes from the same content.
BUILDER_VERSION = {"pdf": "ua1", "docx": "1"}


@dataclass
class PlanFile:
    path: str
    filename: str
    content_type: str


def plan_document_file(*, plan: Plan, language: str, fmt: str) -> PlanFile:
    """The plan document of `plan` in `language` as `fmt` ("pdf" or "docx"), built
    unless a file for this content exists already. Safe when two processes build the
    same file at once: one copy is kept."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}")
    html = reports.plan_document_html(plan, language)
    digest = hashlib.sha256(f"{BUILDER_VERSION[fmt]}\n{html}".encode()).hexdigest()[:24]
    folder = f"plan-documents/{plan.year}"
    prefix = f"{language}-"
    path = f"{folder}/{prefix}{digest}.{fmt}"
    if not default_storage.exists(path):
        if fmt == "pdf":
            content = reports.html_to_pdf(html)
        else:
            content = word.plan_document_docx(plan, language)
        saved = default_storage.save(path, ContentFile(content))
        if saved != path:  # another process wrote it in the meantime
            default_storage.delete(saved)
        _remove_old_documents(folder, prefix, fmt, keep=path)
    filename = f"{slugify(plan.title) or plan.year}-{language}.{fmt}"
    return PlanFile(path=path, filename=filename, content_type=FORMATS[fmt])


def _remove_old_documents(folder: str, prefix: str, fmt: str, *, keep: str) -> None:
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        path = f"{folder}/{name}"
        if name.startswith(prefix) and name.endswith(f".{fmt}") and path != keep:
            default_storage.delete(path)
