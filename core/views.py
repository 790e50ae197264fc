from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
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
