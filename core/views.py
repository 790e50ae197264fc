from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.health import health_report


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Database, Redis and worker status as JSON; HTTP 503 when one of them is down."""
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


@login_not_required
@require_GET
def favicon(request):
    """Browsers and bookmarks still ask for /favicon.ico: the portal's icon (base.html links
    it for the pages themselves). Resolved per request, after collectstatic's manifest."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
