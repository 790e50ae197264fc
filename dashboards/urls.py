from django.urls import path

from dashboards import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("statistics/", views.NationalDashboardView.as_view(), name="dashboard-national"),
    path(
        "statistics/export.xlsx",
        views.NationalExportView.as_view(),
        name="dashboard-national-export",
    ),
    path(
        "statistics/provinces/<int:pk>/",
        views.ProvinceDashboardView.as_view(),
        name="dashboard-province",
    ),
    path(
        "statistics/provinces/<int:pk>/export.xlsx",
        views.ProvinceExportView.as_view(),
        name="dashboard-province-export",
    ),
]
