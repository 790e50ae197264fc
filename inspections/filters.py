"""The filters of the inspections list and of the open findings (core.lists)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.filters import ProvinceFilter, ScopedFilterSet
from core.lists import CheckboxFilter
from inspections.models import Inspection, Result


class InspectionFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Proposal code"),
        field_name="proposal__code",
        lookup_expr="istartswith",
        widget=forms.TextInput(attrs={"placeholder": "KCĐP-HNI-2026…", "type": "search"}),
    )
    province = ProvinceFilter("proposal__province")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Inspection.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Inspection.Status.choices)
    conclusion = django_filters.ChoiceFilter(label=_("Conclusion"), choices=Result.choices)
    overdue = CheckboxFilter(label=_("With overdue recommendations"), method="with_overdue")

    columns = {"q": "col-12 col-md-4 col-lg-3"}

    def with_overdue(self, queryset, name, value):
        # overdue_count: annotated by inspections.selectors.inspection_list.
        return queryset.filter(status=Inspection.Status.CONCLUDED, overdue_count__gt=0)


class FindingFilterSet(ScopedFilterSet):
    province = ProvinceFilter("inspection__proposal__province")
    overdue = CheckboxFilter(label=_("Overdue only"), method="past_deadline")

    columns = {"province": "col-6 col-md-4 col-lg-3"}

    def past_deadline(self, queryset, name, value):
        return queryset.filter(deadline__lt=timezone.localdate())
