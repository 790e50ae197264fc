"""The filters of the annual plans' list (core.lists)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.filters import ProvinceFilter, ScopedFilterSet
from core.lists import YearFilter
from programs.models import AnnualPlan


class PlanFilterSet(ScopedFilterSet):
    year = YearFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AnnualPlan.Status.choices)
    province = ProvinceFilter()

    columns = {"status": "col-6 col-md-3", "province": "col-12 col-md-3"}
