"""Filters that depend on who is looking, and the filters of the agency list."""

from __future__ import annotations

import django_filters
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from accounts.policies import is_national
from core.lists import ListFilterSet
from reference.models import Province


class _Provinces(BaseChoiceIterator):
    """The provinces as choices, read on first use and kept: the options shown and the
    check of the value cost one query, and none when neither is needed (an export)."""

    def __init__(self):
        self.rows = None

    def __iter__(self):
        if self.rows is None:
            self.rows = list(Province.objects.values_list("pk", "name"))
        yield from self.rows

    def __len__(self):
        return sum(1 for _ in self)

    def __deepcopy__(self, memo):
        # The form's copy of the field and its widget share what was read.
        return self


class ProvinceFilter(django_filters.ChoiceFilter):
    """The province select of a national user's list (``?province=<id>``)."""

    def __init__(self, field_name: str = "province", **kwargs):
        kwargs.setdefault("label", _("Province"))
        kwargs.setdefault("empty_label", _("All provinces"))
        super().__init__(field_name=field_name, **kwargs)

    @property
    def field(self):
        if not hasattr(self, "_field"):
            self.extra["choices"] = _Provinces()
        return super().field


class ScopedFilterSet(ListFilterSet):
    """A list's filters for ``request.user``. Those named in ``national_only`` are offered
    to national users only: a provincial user's rows are one province's already, so the
    parameter is ignored for them (it could only empty the list)."""

    national_only = ("province",)

    def __init__(self, data=None, queryset=None, *, request, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.national = is_national(request.user)
        if not self.national:
            for name in self.national_only:
                self.filters.pop(name, None)


class AgencyFilterSet(ListFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Agency.Kind.choices)

    columns = {"kind": "col-12 col-md-6 col-lg-4"}
