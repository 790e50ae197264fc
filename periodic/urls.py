from django.urls import path

from periodic import views

urlpatterns = [
    path("", views.ReportListView.as_view(), name="periodic-list"),
    path("national/", views.NationalView.as_view(), name="periodic-national"),
    path("deadlines/", views.DeadlineListView.as_view(), name="periodic-deadlines"),
    path("deadlines/<int:pk>/", views.DeadlineEditView.as_view(), name="periodic-deadline-edit"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="periodic-detail"),
    path("versions/<int:pk>/narrative/", views.NarrativeView.as_view(), name="periodic-narrative"),
    *(
        path(
            f"versions/<int:pk>/{action}/",
            views.VersionStepView.as_view(action=action),
            name=f"periodic-{action}",
        )
        for action in views.VersionStepView.ACTIONS
    ),
    path("versions/<int:pk>/scan", views.ScanView.as_view(), name="periodic-scan"),
    path("versions/<int:pk>/document", views.DocumentView.as_view(), name="periodic-document"),
]
