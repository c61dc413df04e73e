from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from . import selectors
from .models import Document

CONTENT_TYPES = {
    Document.Kind.PDF: "application/pdf",
    Document.Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Document.Kind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Document.Kind.ODT: "application/vnd.oasis.opendocument.text",
}


@require_GET
def download(request, pk: int, filename: str):
    """A document's file, for those who may read it. Visitors asking for a members' or
    the board's document are sent to log in (and back); a logged-in member asking for
    the board's gets 403. A document of something the user may not see (a draft plan,
    a members-only event) does not exist for them (404)."""
    document = get_object_or_404(Document.objects.select_related("content_type"), pk=pk)
    if filename != document.filename or not selectors.target_visible_to(document, request.user):
        raise Http404
    if document.visibility not in selectors.readable_visibilities(request.user):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=CONTENT_TYPES[document.kind],
        as_attachment=document.kind != Document.Kind.PDF,
        filename=document.filename,
    )
    if document.visibility == Document.Visibility.PUBLIC:
        response["Cache-Control"] = "public, max-age=300"
    else:
        response["Cache-Control"] = "private, no-store"
    return response
