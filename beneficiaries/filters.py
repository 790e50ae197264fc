"""The filters of the registry's list and of its Excel export (core.lists)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.filters import ProvinceFilter, ScopedFilterSet
from beneficiaries.forms import _commune_options_attrs, _communes_for
from beneficiaries.models import LegalForm, Sector
from beneficiaries.selectors import beneficiary_matching
from reference.models import Commune


class BeneficiaryFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, tax code or CCCD"), "type": "search"}
        ),
    )
    province = ProvinceFilter()
    # The communes offered (and accepted): the user's province's, or for a national user
    # those of the province chosen (none until one is).
    commune = django_filters.ModelChoiceFilter(
        label=_("Commune / ward"), queryset=Commune.objects.none()
    )
    legal_form = django_filters.ChoiceFilter(label=_("Legal form"), choices=LegalForm.choices)
    sector = django_filters.ModelChoiceFilter(label=_("Sector"), queryset=Sector.objects.all())

    columns = {"q": "col-12 col-md-6 col-lg-2"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["commune"].queryset = _communes_for(
            self.request.user, self.data if self.is_bound else None
        )
        if "province" in self.filters:
            self.filters["province"].extra["widget"] = forms.Select(attrs=_commune_options_attrs())

    def search(self, queryset, name, value):
        return beneficiary_matching(queryset, value)
