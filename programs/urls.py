from django.urls import path

from programs import views

urlpatterns = [
    path("", views.ProgramListView.as_view(), name="program-list"),
    path("new/", views.ProgramFormView.as_view(), name="program-create"),
    path("<int:pk>/", views.ProgramDetailView.as_view(), name="program-detail"),
    path("<int:pk>/edit/", views.ProgramFormView.as_view(), name="program-update"),
    path("plans/", views.PlanListView.as_view(), name="plan-list"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan-create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<int:pk>/edit/", views.PlanBudgetEditView.as_view(), name="plan-edit"),
    path("plans/<int:pk>/amend/", views.PlanAmendView.as_view(), name="plan-amend"),
    path("plans/<int:pk>/transition/", views.PlanTransitionView.as_view(), name="plan-transition"),
    path("legal/", views.LegalDocumentListView.as_view(), name="legal-list"),
    path("activities/", views.ActivityListView.as_view(), name="activity-list"),
    path("caps/", views.CapListView.as_view(), name="cap-list"),
    path("caps/new/", views.CapFormView.as_view(), name="cap-create"),
    path("caps/<int:pk>/edit/", views.CapFormView.as_view(), name="cap-update"),
]
