"""The filters of the reports' list (core.lists)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.lists import CheckboxFilter, ListFilterSet
from reports.models import ReportJob


class ReportFilterSet(ListFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Report"), choices=ReportJob.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ReportJob.Status.choices)
    mine = CheckboxFilter(label=_("Only mine"), method="requested_by_me")

    columns = {"kind": "col-12 col-md-5 col-lg-4", "status": "col-6 col-md-3 col-lg-2"}

    def requested_by_me(self, queryset, name, value):
        return queryset.filter(requested_by=self.request.user)
