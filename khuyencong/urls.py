from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("core.urls")),
    path("", include("accounts.urls")),
    path("", include("dashboards.urls")),
    path("reference/", include("reference.urls")),
    path("beneficiaries/", include("beneficiaries.urls")),
    path("villages/", include("villages.urls")),
    path("programs/", include("programs.urls")),
    path("typical-products/", include("typical_products.urls")),
    path("proposals/", include("projects.urls")),
    path("cycle/", include("cycle.urls")),
    path("disbursement/", include("disbursement.urls")),
    path("inspections/", include("inspections.urls")),
    path("reports/", include("reports.urls")),
    path("periodic/", include("periodic.urls")),
    path("history/", include("history.urls")),
    path("priorities/", include("priorities.urls")),
    # The language can be chosen before logging in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Cổng thông tin khuyến công"
admin.site.site_title = "Khuyến công"
