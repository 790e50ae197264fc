from django.urls import path

from priorities import views

urlpatterns = [
    path("", views.PriorityListView.as_view(), name="priority-list"),
    path(
        "establishments/<int:pk>/declare/",
        views.EstablishmentDeclareView.as_view(),
        name="priority-declare-establishment",
    ),
    path(
        "proposals/<int:pk>/declare/",
        views.ProposalDeclareView.as_view(),
        name="priority-declare-proposal",
    ),
    path(
        "establishments/declarations/<int:pk>/withdraw/",
        views.EstablishmentWithdrawView.as_view(),
        name="priority-withdraw-establishment",
    ),
    path(
        "proposals/declarations/<int:pk>/withdraw/",
        views.ProposalWithdrawView.as_view(),
        name="priority-withdraw-proposal",
    ),
]
