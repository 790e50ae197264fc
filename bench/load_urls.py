"""The portal's URLs plus one minimal view (a plain "ok"): bench/load.py's reference for what
the server itself costs, through the same middleware."""

from django.http import HttpResponse
from django.urls import include, path


def minimal(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/minimal/", minimal),
    path("", include("khuyencong.urls")),
]
