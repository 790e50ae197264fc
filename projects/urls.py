from django.urls import path

from projects import views

urlpatterns = [
    path("", views.ProposalListView.as_view(), name="proposal-list"),
    path("export.xlsx", views.ProposalExportView.as_view(), name="proposal-export"),
    path("new/", views.ProposalCreateView.as_view(), name="proposal-create"),
    path(
        "beneficiary-search/",
        views.BeneficiarySearchView.as_view(),
        name="proposal-beneficiary-search",
    ),
    path("<int:pk>/", views.ProposalDetailView.as_view(), name="proposal-detail"),
    path("<int:pk>/edit/", views.ProposalEditView.as_view(), name="proposal-edit"),
    path("<int:pk>/checks/", views.ProposalChecksView.as_view(), name="proposal-checks"),
    path(
        "<int:pk>/checks/preview/",
        views.ProposalChecksPreviewView.as_view(),
        name="proposal-checks-preview",
    ),
    path(
        "<int:pk>/transition/", views.ProposalTransitionView.as_view(), name="proposal-transition"
    ),
    path("<int:pk>/attachments/", views.AttachmentUploadView.as_view(), name="proposal-attach"),
    path("councils/", views.CouncilListView.as_view(), name="council-list"),
    path("councils/new/", views.CouncilCreateView.as_view(), name="council-create"),
    path("councils/<int:pk>/", views.CouncilDetailView.as_view(), name="council-detail"),
    path(
        "councils/<int:pk>/proposals/",
        views.CouncilAddProposalsView.as_view(),
        name="council-add-proposals",
    ),
    path("councils/<int:pk>/close/", views.CouncilCloseView.as_view(), name="council-close"),
    path("councils/sheets/<int:pk>/", views.CouncilSheetView.as_view(), name="council-sheet"),
    path(
        "councils/sheets/<int:pk>/score/",
        views.CouncilSheetScoreView.as_view(),
        name="council-sheet-score",
    ),
    path(
        "councils/sheets/<int:pk>/conclude/",
        views.CouncilConcludeView.as_view(),
        name="council-conclude",
    ),
    path(
        "attachments/<int:pk>/",
        views.AttachmentDownloadView.as_view(),
        name="proposal-attachment-download",
    ),
    path(
        "attachments/<int:pk>/delete/",
        views.AttachmentDeleteView.as_view(),
        name="proposal-attachment-delete",
    ),
]
