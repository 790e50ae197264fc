from django.urls import path

from beneficiaries import views

urlpatterns = [
    path("", views.BeneficiaryListView.as_view(), name="beneficiary-list"),
    path("new/", views.BeneficiaryCreateView.as_view(), name="beneficiary-create"),
    path("<int:pk>/", views.BeneficiaryDetailView.as_view(), name="beneficiary-detail"),
    path("<int:pk>/edit/", views.BeneficiaryUpdateView.as_view(), name="beneficiary-update"),
    path("tax-code-check/", views.TaxCodeCheckView.as_view(), name="beneficiary-tax-code-check"),
    path("export.xlsx", views.BeneficiaryExportView.as_view(), name="beneficiary-export"),
    path(
        "import/template.xlsx",
        views.ImportTemplateView.as_view(),
        name="beneficiary-import-template",
    ),
    path("import/", views.ImportUploadView.as_view(), name="beneficiary-import"),
    path(
        "import/<int:pk>/",
        views.ImportPreviewView.as_view(),
        name="beneficiary-import-preview",
    ),
    path(
        "import/<int:pk>/confirm/",
        views.ImportConfirmView.as_view(),
        name="beneficiary-import-confirm",
    ),
    path(
        "import/<int:pk>/errors.xlsx",
        views.ImportErrorsView.as_view(),
        name="beneficiary-import-errors",
    ),
]
