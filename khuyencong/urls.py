from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("core.urls")),
    path("", include("accounts.urls")),
    path("", include("dashboards.urls")),
    path("reference/", include("reference.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Cổng thông tin khuyến công"
admin.site.site_title = "Khuyến công"
