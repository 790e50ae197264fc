from django.urls import path

from cycle import views

urlpatterns = [
    path("", views.CycleHomeView.as_view(), name="cycle-home"),
    path("calls/new/", views.CallCreateView.as_view(), name="call-create"),
    path("calls/<int:pk>/", views.CallDetailView.as_view(), name="call-detail"),
    path("calls/<int:pk>/transition/", views.CallTransitionView.as_view(), name="call-transition"),
    path(
        "proposals/<int:pk>/registration/",
        views.ProposalRegistrationView.as_view(),
        name="proposal-registration",
    ),
    path(
        "proposals/<int:pk>/batch/", views.ProposalBatchAddView.as_view(), name="proposal-batch-add"
    ),
    path("batches/<int:pk>/", views.BatchDetailView.as_view(), name="batch-detail"),
    path("batches/<int:pk>/items/", views.BatchItemsView.as_view(), name="batch-items"),
    path("decisions/new/", views.DecisionCreateView.as_view(), name="decision-create"),
    path("decisions/<int:pk>/", views.DecisionDetailView.as_view(), name="decision-detail"),
    path("decisions/<int:pk>/scan/", views.DecisionScanView.as_view(), name="decision-scan"),
]
