from django.urls import path

from typical_products import views

urlpatterns = [
    path("", views.RoundListView.as_view(), name="typical-round-list"),
    path("new/", views.RoundCreateView.as_view(), name="typical-round-create"),
    path("<int:pk>/", views.RoundDetailView.as_view(), name="typical-round-detail"),
    path(
        "<int:pk>/transition/",
        views.RoundTransitionView.as_view(),
        name="typical-round-transition",
    ),
    path("entries/<int:pk>/score/", views.EntryScoreView.as_view(), name="typical-entry-score"),
    path(
        "entries/<int:pk>/certificate/",
        views.CertificateIssueView.as_view(),
        name="typical-certificate-issue",
    ),
    path("certificates/", views.CertificateListView.as_view(), name="typical-certificate-list"),
    path(
        "outputs/<int:pk>/certificates/",
        views.OutputCertificatesView.as_view(),
        name="typical-output-certificates",
    ),
]
