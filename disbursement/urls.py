from django.urls import path

from disbursement import views

urlpatterns = [
    path("proposals/<int:pk>/", views.ProposalMoneyView.as_view(), name="proposal-money"),
    path(
        "proposals/<int:pk>/amount-check/",
        views.TrancheCheckView.as_view(),
        name="proposal-money-check",
    ),
    path(
        "proposals/<int:pk>/tranche-action/",
        views.TrancheActionView.as_view(),
        name="tranche-action",
    ),
    path(
        "proposals/<int:pk>/ledger.xlsx",
        views.TrancheLedgerExportView.as_view(),
        name="tranche-ledger-export",
    ),
    path("plans/<int:pk>/", views.PlanExecutionView.as_view(), name="plan-execution"),
    path(
        "plans/<int:pk>/export.xlsx",
        views.PlanExecutionExportView.as_view(),
        name="plan-execution-export",
    ),
    path("provinces/<int:pk>/", views.ProvinceExecutionView.as_view(), name="province-execution"),
    path(
        "provinces/<int:pk>/export.xlsx",
        views.ProvinceExecutionExportView.as_view(),
        name="province-execution-export",
    ),
]
