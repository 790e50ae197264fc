from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from accounts.policies import PolicyMixin, requires, scope_province_id
from reference import selectors
from reference.models import Province


class ProvinceListView(PolicyMixin, ListView):
    """The 34 provinces by region. Names of provinces are public reference data, so the
    list is not scoped; each province's own page is."""

    permission = "reference.view"
    model = Province
    template_name = "reference/province_list.html"

    def get_queryset(self):
        return selectors.province_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["own_province_id"] = scope_province_id(self.request.user)
        return context


class ProvinceDetailView(PolicyMixin, DetailView):
    permission = "reference.view"
    model = Province
    template_name = "reference/province_detail.html"

    def get_queryset(self):
        return selectors.province_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        communes = selectors.commune_choices(
            user=self.request.user,
            province_id=self.object.pk,
            query=self.request.GET.get("q", "").strip(),
        )
        context["page_obj"] = Paginator(communes, 100).get_page(self.request.GET.get("page"))
        context["agencies"] = self.object.agencies.all()
        context["q"] = self.request.GET.get("q", "")
        return context


@requires("reference.view")
def commune_options(request):
    """HTMX: <option>s of the communes of a province the user may see (for forms)."""
    province = request.GET.get("province", "")
    if province and not province.isdigit():
        return HttpResponseBadRequest(_("The province must be given by its number."))
    communes = selectors.commune_choices(
        user=request.user,
        province_id=int(province) if province else None,
        query=request.GET.get("q", "").strip(),
    )[:500]
    return render(request, "reference/partials/commune_options.html", {"communes": communes})
