from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.policies import PolicyMixin, is_national, visible
from core.funding import SOURCE_SHORT
from core.http import xlsx_response
from core.measures import label
from core.replica import read_from_replica
from dashboards import excel, selectors
from dashboards.forms import MEASURE_LABELS, DashboardFilterForm
from dashboards.templatetags.dashboards import drill_links
from dashboards.tiles import COLUMNS, ROWS
from reference.models import Province


class HomeView(PolicyMixin, TemplateView):
    """Trang chủ: what the logged-in user's role works on, limited to their province."""

    permission = "home.view"
    template_name = "dashboards/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.home_summary(user=self.request.user))
        return context


BILLION = 1_000_000_000


def _chart(rows, *, label_key="label") -> dict:
    """Approved and paid khuyến công funds (billions of đồng) and the rate of ``rows``, for
    Chart.js, with the measures' names; the page shows the same figures in full in a table
    beside the chart (an abbreviation one click from the full amount)."""
    billion = _("billion ₫")
    return {
        "labels": [str(getattr(r, label_key)) for r in rows],
        "approved": [round(r.m.approved / BILLION, 3) for r in rows],
        "paid": [round(r.m.paid / BILLION, 3) for r in rows],
        "rate": [float(r.m.rate) if r.m.rate is not None else None for r in rows],
        "text": {
            "approved": f"{label('approved')} ({billion})",
            "paid": f"{label('paid')} ({billion})",
            "rate": f"{label('rate')} (%)",
            "unit": str(billion),
        },
    }


def _source_label(form) -> str | None:
    """The short name of the funding source chosen in the filters (the money is its own)."""
    source = form.filters().get("source")
    return SOURCE_SHORT[source] if source else None


def _own_province(user) -> Province:
    if user.province_id is None:
        raise PermissionDenied
    return get_object_or_404(visible(user, Province.objects.all()), pk=user.province_id)


def _province_context(request, province: Province) -> dict:
    form = DashboardFilterForm(request.GET or None, user=request.user, national=False)
    data = selectors.province_dashboard(
        user=request.user, province=province, filters=form.filters()
    )
    base = {**form.query(), "province": str(province.pk)}
    for name, dim in (
        ("agencies", "agency"),
        ("years", "year"),
        ("activities", "activity"),
        ("kinds", "kind"),
        ("levels", "level"),
    ):
        drill_links(data[name], dim, base)
    drill_links(data["communes"], "commune", base, figures=False)
    return {
        "form": form,
        "source_label": _source_label(form),
        "province": province,
        "object": province,
        "data": data,
        "drill_base": base,
        "filter_query": form.query(),
        "charts": {"years": _chart(data["years"]), "activities": _chart(data["activities"])},
        "national_user": is_national(request.user),
        "today": timezone.localdate(),
    }


class NationalDashboardView(PolicyMixin, View):
    """Thống kê toàn quốc: how the programme stands in every province, for the ministry.
    A provincial user opening it gets their province's dashboard."""

    permission = "dashboard.view"
    template_name = "dashboards/national.html"

    def get(self, request):
        # The figures are read from the replica when there is one (core.replica).
        with read_from_replica(request) as replica:
            return self._page(request, replica)

    def _page(self, request, replica):
        if not is_national(request.user):
            province = _own_province(request.user)
            context = {**_province_context(request, province), "replica": replica}
            return render(request, ProvinceDashboardView.template_name, context)
        form = DashboardFilterForm(request.GET or None, user=request.user, national=True)
        data = selectors.national_dashboard(user=request.user, filters=form.filters())
        measure = form.map_measure
        base = form.query()
        drill_links(data["provinces"], "province", base, dashboards=True)
        for name, dim in (
            ("regions", "region"),
            ("years", "year"),
            ("activities", "activity"),
            ("kinds", "kind"),
            ("levels", "level"),
        ):
            drill_links(data[name], dim, base)
        context = {
            "form": form,
            "source_label": _source_label(form),
            "data": data,
            "drill_base": form.query(),
            "filter_query": form.query(),
            "measure": measure,
            "measure_label": MEASURE_LABELS[measure],
            "map": selectors.map_tiles(data["provinces"], measure),
            "tile_rows": ROWS,
            "tile_columns": COLUMNS,
            "charts": {
                "years": _chart(data["years"]),
                "regions": _chart(data["regions"]),
                "activities": _chart(data["activities"]),
            },
            "today": timezone.localdate(),
            "replica": replica,
        }
        return render(request, self.template_name, context)


class ProvinceDashboardView(PolicyMixin, View):
    """Thống kê của một tỉnh: the same figures for one province, down to its communes and
    implementing units, with the open warnings of the disbursement job."""

    permission = "dashboard.view"
    model = Province
    template_name = "dashboards/province.html"

    def get(self, request, pk):
        with read_from_replica(request) as replica:
            province = get_object_or_404(visible(request.user, Province.objects.all()), pk=pk)
            context = {**_province_context(request, province), "replica": replica}
            return render(request, self.template_name, context)


def _export(request, province: Province | None):
    table = request.GET.get("table") or None
    national = province is None
    form = DashboardFilterForm(request.GET or None, user=request.user, national=national)
    if national:
        data = selectors.national_dashboard(user=request.user, filters=form.filters())
    else:
        data = selectors.province_dashboard(
            user=request.user, province=province, filters=form.filters()
        )
    if table is not None and table not in excel.tables_of(data):
        raise Http404("no such table")
    content = excel.dashboard_workbook(
        data, form=form, province=province, tables=[table] if table else None
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    where = province.codename if province else "toan-quoc"
    return xlsx_response(content, f"thong-ke-khuyen-cong-{where}-{stamp}.xlsx")


class NationalExportView(PolicyMixin, View):
    """The national dashboard's tables as an Excel workbook (``?table=`` for one table),
    with the same filters; a provincial user gets their province's."""

    permission = "dashboard.view"

    def get(self, request):
        with read_from_replica(request):
            if not is_national(request.user):
                return _export(request, _own_province(request.user))
            return _export(request, None)


class ProvinceExportView(PolicyMixin, View):
    permission = "dashboard.view"
    model = Province

    def get(self, request, pk):
        with read_from_replica(request):
            province = get_object_or_404(visible(request.user, Province.objects.all()), pk=pk)
            return _export(request, province)
