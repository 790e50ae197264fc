"""The filters of the craft village list (core.lists)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.filters import ProvinceFilter, ScopedFilterSet
from beneficiaries.models import Sector
from villages.models import CraftVillage
from villages.selectors import village_matching


class CraftVillageFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, commune or decision"), "type": "search"}
        ),
    )
    province = ProvinceFilter()
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CraftVillage.Kind.choices)
    sector = django_filters.ModelChoiceFilter(label=_("Trade"), queryset=Sector.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CraftVillage.Status.choices)

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return village_matching(queryset, value)
