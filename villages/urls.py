from django.urls import path

from villages import views

urlpatterns = [
    path("", views.VillageListView.as_view(), name="village-list"),
    path("new/", views.VillageCreateView.as_view(), name="village-create"),
    path("<int:pk>/", views.VillageDetailView.as_view(), name="village-detail"),
    path("<int:pk>/edit/", views.VillageUpdateView.as_view(), name="village-update"),
    path("<int:pk>/members/add/", views.MemberAddView.as_view(), name="village-member-add"),
    path("join/<int:pk>/", views.BeneficiaryJoinView.as_view(), name="village-join"),
    path("members/<int:pk>/leave/", views.MemberLeaveView.as_view(), name="village-member-leave"),
    path(
        "import/template.xlsx", views.ImportTemplateView.as_view(), name="village-import-template"
    ),
    path("import/", views.ImportUploadView.as_view(), name="village-import"),
    path("import/<int:pk>/", views.ImportPreviewView.as_view(), name="village-import-preview"),
    path(
        "import/<int:pk>/confirm/",
        views.ImportConfirmView.as_view(),
        name="village-import-confirm",
    ),
]
