from django.conf import settings
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
