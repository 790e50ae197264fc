"""How every list page is built: the rows the user may see (a selector, already scoped),
narrowed by a django-filter ``FilterSet`` read from the query string, paginated by
:class:`FilteredListMixin` and shown with ``templates/includes/filter_bar.html`` and
``templates/includes/pagination.html``. The Excel export of a list subclasses the list's
view, so it holds exactly the rows the screen lists.

A filter in error (a stale or foreign id in a bookmarked or shared link, a mistyped year)
is left out and explained next to its field; the other filters still apply. Filters only
ever narrow the queryset they are given, so they cannot widen what a user sees."""

from __future__ import annotations

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

# The width of a filter in the bar (Bootstrap grid classes) unless the filterset says.
SEARCH_COLUMN = "col-12 col-md-6 col-lg-3"
FIELD_COLUMN = "col-6 col-md-3 col-lg-2"
CHECKBOX_COLUMN = "col-12 col-md-auto"


def query_without(data: QueryDict, *names: str) -> str:
    """The query string of ``data`` without ``names`` (and without ``page``, which a
    change of filters makes meaningless)."""
    params = data.copy()
    for name in ("page", *names):
        params.pop(name, None)
    return params.urlencode()


class _YearField(forms.IntegerField):
    default_error_messages = {"invalid": _("Enter a year, e.g. 2026.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        super().__init__(**kwargs)


class YearFilter(django_filters.Filter):
    """A year (``?year=2026``)."""

    field_class = _YearField


class _TickField(forms.BooleanField):
    def to_python(self, value):
        # Unticked is "no filter" (None), not "only the rows where it is false".
        return True if super().to_python(value) else None


class CheckboxFilter(django_filters.Filter):
    """A checkbox that, ticked, keeps only some rows (give it a ``method``)."""

    field_class = _TickField


class QuickSelect(forms.Select):
    """A filter's select with its options written in Python, not through one template per
    option: the national list's annual plans are 350 options, which took about a third of
    the page's time through the widget templates. Same HTML as ``forms.Select``."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options
        )


class ListFilterSet(django_filters.FilterSet):
    """The filters of one list, named as the list's URL parameters.

    Visible fields make the filter bar; fields with a hidden widget are set by links from
    elsewhere (the dashboards' drill-down) and show as removable badges. ``columns`` gives
    a filter's width in the bar by name."""

    columns: dict[str, str] = {}

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for field in form.fields.values():
                widget = field.widget
                if widget.is_hidden:
                    continue
                if isinstance(widget, forms.CheckboxInput):
                    widget.attrs["class"] = "form-check-input"
                elif type(widget) is forms.Select:
                    field.widget = QuickSelect(
                        attrs={**widget.attrs, "class": "form-select form-select-sm"}
                    )
                    field.widget.choices = widget.choices
                    field.widget.is_required = widget.is_required
                elif isinstance(widget, forms.Select):
                    widget.attrs["class"] = "form-select form-select-sm"
                else:
                    widget.attrs["class"] = "form-control form-control-sm"
        return self._form

    @property
    def has_search(self) -> bool:
        """Whether the bar has a search box (its button then says "Search")."""
        return "q" in self.filters

    def bar(self) -> list[tuple[forms.BoundField, str]]:
        """The visible filters with their column classes; a field in error is marked."""
        form = self.form
        rows = []
        for field in form.visible_fields():
            css = field.field.widget.attrs.get("class", "")
            if field.errors and "is-invalid" not in css:
                field.field.widget.attrs["class"] = f"{css} is-invalid".strip()
            if field.name in self.columns:
                column = self.columns[field.name]
            elif field.widget_type == "checkbox":
                column = CHECKBOX_COLUMN
            elif field.name == "q":
                column = SEARCH_COLUMN
            else:
                column = FIELD_COLUMN
            rows.append((field, column))
        return rows

    def link_errors(self) -> list[tuple[str, str]]:
        """The hidden filters in error, as (label, messages): they have no field beside
        which to explain them."""
        form = self.form
        return [(f.label, " ".join(f.errors)) for f in form.hidden_fields() if f.errors]

    def link_filters(self) -> list[dict]:
        """The hidden filters in force, each with its label, the value shown and the query
        string without it (to remove it)."""
        if not self.is_bound:
            return []
        form = self.form
        form.is_valid()
        shown = []
        for field in form.hidden_fields():
            value = form.cleaned_data.get(field.name)
            if value in (None, "") or field.errors:
                continue
            choices = getattr(field.field, "choices", None)
            if choices is not None and not hasattr(field.field, "queryset"):
                text = str(dict(choices).get(value, value))
            else:
                text = str(value)
            shown.append(
                {
                    "name": field.name,
                    "label": field.label,
                    "value": text,
                    "rest": query_without(self.data, field.name),
                }
            )
        return shown


class FilteredListMixin:
    """A paginated, filtered list (before ``ListView`` in the bases): ``get_queryset()``
    gives what the user may see (a selector), ``filterset_class`` narrows it from the
    query string. The context has the ``filterset`` and ``query``, the query string without
    the page (for the pager, the export link and "Clear")."""

    filterset_class: type[ListFilterSet]
    paginate_by = 50
    # A list whose rows carry costly columns (joins, computed totals) pages on its keys: the
    # count and the page's slice read primary keys only, in the list's order (an index can
    # give it), then only the page's rows are read with everything else — a deep page costs
    # about what the first does.
    page_by_keys = False

    def get_filterset(self) -> ListFilterSet:
        """Also what the list's Excel export writes: the rows on screen, every page."""
        return self.filterset_class(
            self.request.GET or None, queryset=self.get_queryset(), request=self.request
        )

    def get(self, request, *args, **kwargs):
        self.filterset = self.get_filterset()
        self.object_list = self.filterset.qs
        return self.render_to_response(self.get_context_data())

    def paginate_queryset(self, queryset, page_size):
        # A page number beyond the end (the filters narrowed since) shows the last page,
        # one that is not a number the first: a shared link never ends on a 404.
        source = queryset.values_list("pk", flat=True) if self.page_by_keys else queryset
        paginator = self.get_paginator(source, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        if self.page_by_keys:
            keys = list(page.object_list)
            rows = queryset.order_by().in_bulk(keys)
            page.object_list = [rows[key] for key in keys]
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        context["query"] = query_without(self.request.GET)
        return context
