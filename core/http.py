"""Responses shared by the apps."""

from django.http import HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from core.excel import XLSX_CONTENT_TYPE


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An Excel workbook as a download."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
