from django.urls import path

from inspections import views

urlpatterns = [
    path("", views.InspectionListView.as_view(), name="inspection-list"),
    path("findings/", views.FindingListView.as_view(), name="inspection-findings"),
    path(
        "proposals/<int:pk>/",
        views.ProposalInspectionsView.as_view(),
        name="proposal-inspections",
    ),
    path("proposals/<int:pk>/plan/", views.InspectionPlanView.as_view(), name="inspection-plan"),
    path("<int:pk>/", views.InspectionDetailView.as_view(), name="inspection-detail"),
    path("<int:pk>/cancel/", views.InspectionCancelView.as_view(), name="inspection-cancel"),
    path("<int:pk>/photos/", views.PhotoAddView.as_view(), name="inspection-photo-add"),
    path(
        "<int:pk>/recommendations/",
        views.RecommendationAddView.as_view(),
        name="inspection-recommendation-add",
    ),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="inspection-photo"),
    path(
        "photos/<int:pk>/delete/", views.PhotoDeleteView.as_view(), name="inspection-photo-delete"
    ),
    path(
        "recommendations/<int:pk>/",
        views.RecommendationActionView.as_view(),
        name="recommendation-action",
    ),
]
