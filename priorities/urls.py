from django.urls import path

from priorities import views

urlpatterns = [
    path("", views.PriorityListView.as_view(), name="priority-list"),
    path(
        "beneficiaries/<int:pk>/declare/",
        views.BeneficiaryDeclareView.as_view(),
        name="priority-declare-beneficiary",
    ),
    path(
        "proposals/<int:pk>/declare/",
        views.ProposalDeclareView.as_view(),
        name="priority-declare-proposal",
    ),
    path(
        "beneficiaries/declarations/<int:pk>/withdraw/",
        views.BeneficiaryWithdrawView.as_view(),
        name="priority-withdraw-beneficiary",
    ),
    path(
        "proposals/declarations/<int:pk>/withdraw/",
        views.ProposalWithdrawView.as_view(),
        name="priority-withdraw-proposal",
    ),
]
