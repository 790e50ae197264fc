from django.views.generic import TemplateView

from accounts.policies import PolicyMixin
from dashboards import selectors


class HomeView(PolicyMixin, TemplateView):
    """Trang chủ: what the logged-in user's role works on, limited to their province."""

    permission = "home.view"
    template_name = "dashboards/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.home_summary(user=self.request.user))
        return context
