"""Responses shared by the apps."""

import mimetypes

from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.excel import XLSX_CONTENT_TYPE


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An Excel workbook as a download."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stored_file_response(field_file, filename: str) -> FileResponse:
    """A stored file (a ``FieldFile``) as a download named ``filename``, its type guessed from
    the name; 404 when there is none, or when the row is there but the storage has lost the
    file (restored from an older copy), said so rather than failing."""
    if not field_file:
        raise Http404
    try:
        stored = field_file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file of this document is missing from the storage.")) from None
    return FileResponse(
        stored,
        as_attachment=True,
        filename=filename,
        content_type=mimetypes.guess_type(filename)[0] or "application/octet-stream",
    )


def safe_next(request, default: str) -> str:
    """The ``next`` address of the request (POST, else GET) when it is a path on this site,
    else ``default``. A path only: ``redirect()`` would take a bare word for a URL name
    (``next=0`` was a 500), and an address elsewhere is never followed."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
