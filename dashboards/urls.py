from django.urls import path

from dashboards import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
]
