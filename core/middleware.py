import re

from django.conf import settings
from django.http import QueryDict
from django.middleware.locale import LocaleMiddleware
from django.urls import reverse
from django.utils import translation


class HealthzMiddleware:
    """Answers ``/healthz`` before the session, user, login and locale middleware run.

    The check must answer its JSON whatever the request carries and whatever is down: with
    a session cookie, the login middleware would read the session and the user from the
    database first, and a database outage would become an HTML 500 instead of a 503
    naming the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == reverse("healthz"):
            from core.views import healthz

            return healthz(request)
        return self.get_response(request)


class PortalLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose another language with the language switcher.

    Django's own middleware follows the browser's Accept-Language header, which would show
    English to every official whose computer is set up in English; the portal's working
    language is Vietnamese, so only the explicit choice (the language cookie) counts."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# C0 control characters and DEL, but not tab, line feed and carriage return (a textarea's
# lines). PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"), and an
# Excel file cannot hold the others.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_controls(data: QueryDict) -> QueryDict:
    if not any(
        CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(v) for v in values)
        for key, values in data.lists()
    ):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(
            CONTROL_CHARACTERS.sub("", key), [CONTROL_CHARACTERS.sub("", v) for v in values]
        )
    cleaned._mutable = False
    return cleaned


class ControlCharactersMiddleware:
    """Strip control characters from every query parameter and every posted form value,
    in one place, so no search box or form field can send a NUL to the database (a 500)
    or write a character into the registry that an Excel export cannot hold. Uploaded
    files are left as they are (their content is checked where they are read)."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _without_controls(request.GET)
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            request.POST = _without_controls(request.POST)
        return self.get_response(request)
