from django.conf import settings
from django.contrib.auth import views as auth_views
from django.views.generic import DetailView, ListView

from accounts import selectors
from accounts.filters import AgencyFilterSet
from accounts.forms import LoginForm
from accounts.models import Agency
from accounts.policies import PolicyMixin
from core.lists import FilteredListMixin


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lockout_limit"] = settings.AXES_FAILURE_LIMIT
        context["lockout_minutes"] = round(settings.AXES_COOLOFF_TIME * 60)
        return context


class AgencyListView(PolicyMixin, FilteredListMixin, ListView):
    permission = "agency.view"
    model = Agency
    template_name = "accounts/agency_list.html"
    filterset_class = AgencyFilterSet

    def get_queryset(self):
        return selectors.agency_list(user=self.request.user)


class AgencyDetailView(PolicyMixin, DetailView):
    permission = "agency.view"
    model = Agency
    template_name = "accounts/agency_detail.html"

    def get_queryset(self):
        return selectors.agency_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = selectors.agency_users(user=self.request.user, agency=self.object)
        return context
