from django.urls import path

from reports import views

urlpatterns = [
    path("", views.ReportListView.as_view(), name="report-list"),
    path("new/", views.ReportRequestView.as_view(), name="report-request"),
    path("verify/", views.report_verify, name="report-verify"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("<int:pk>/progress/", views.ReportProgressView.as_view(), name="report-progress"),
    path("<int:pk>/download/", views.ReportDownloadView.as_view(), name="report-download"),
    path("<int:pk>/download.docx", views.ReportDocxView.as_view(), name="report-download-docx"),
    path("<int:pk>/retry/", views.ReportRetryView.as_view(), name="report-retry"),
]
