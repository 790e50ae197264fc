from django.urls import path

from history import views

urlpatterns = [
    path("", views.HistoryListView.as_view(), name="history-list"),
    path("upload/", views.HistoryUploadView.as_view(), name="history-upload"),
    path("template/", views.HistoryTemplateView.as_view(), name="history-template"),
    path("example/", views.HistoryExampleView.as_view(), name="history-example"),
    path("<int:pk>/", views.HistoryDetailView.as_view(), name="history-detail"),
    path("<int:pk>/confirm/", views.HistoryConfirmView.as_view(), name="history-confirm"),
    path("<int:pk>/issues.xlsx", views.HistoryIssuesView.as_view(), name="history-issues"),
]
