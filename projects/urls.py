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
    path("<int:pk>/appraise/", views.ProposalAppraiseView.as_view(), name="proposal-appraise"),
    path(
        "<int:pk>/appraise/score/",
        views.ProposalAppraisalScoreView.as_view(),
        name="proposal-appraisal-score",
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
