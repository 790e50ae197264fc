from django.urls import path

from reference import views

urlpatterns = [
    path("provinces/", views.ProvinceListView.as_view(), name="province-list"),
    path("provinces/<int:pk>/", views.ProvinceDetailView.as_view(), name="province-detail"),
    path("communes/options/", views.commune_options, name="commune-options"),
]
