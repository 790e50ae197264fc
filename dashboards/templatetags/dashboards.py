"""Links of the dashboards: every figure opens the đề án behind it (the list, with the
dashboard's filters and the row's own value), every province its own dashboard."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from core.formatting import format_number

register = template.Library()


def drill_links(rows, dim: str | None, base: dict, *, dashboards: bool = False) -> None:
    """Set ``row.links`` for a table: the đề án list behind each of the row's figures
    (built once in Python: a table of a hundred rows would otherwise reverse URLs and
    encode query strings in the template hundreds of times)."""
    list_url = reverse("proposal-list")
    for row in rows:
        query = {**base, dim: str(row.key)} if dim else dict(base)
        row.links = {
            name: f"{list_url}?{urlencode({**query, **extra})}"
            for name, extra in (
                ("count", {}),
                ("funded", {"stage": "funded"}),
                ("inspected", {"compliance": "inspected"}),
                ("findings", {"findings": "open"}),
                ("flags", {"flags": "open"}),
            )
        }
        if dashboards:
            rest = urlencode({k: v for k, v in base.items() if k not in ("province", "region")})
            url = reverse("dashboard-province", args=[row.key])
            row.links["dashboard"] = f"{url}?{rest}" if rest else url


def _query(base: dict, params: dict, drop=()) -> str:
    query = {k: v for k, v in base.items() if k not in drop}
    for key, value in params.items():
        if value is None or value == "":
            continue
        query[key] = str(value)
    return urlencode(query)


@register.simple_tag
def drill(base: dict, **params) -> str:
    """The đề án list with the dashboard's filters plus ``params``
    (``{% drill drill_base province=row.key stage="funded" %}``)."""
    query = _query(base, params)
    return f"{reverse('proposal-list')}?{query}" if query else reverse("proposal-list")


@register.simple_tag
def with_params(base: dict, **params) -> str:
    """``?`` + the filters with ``params`` added or replaced (for this page's own links)."""
    query = _query(base, params)
    return f"?{query}" if query else "?"


@register.filter
def billions(value) -> str:
    """Amount in billions of đồng with one decimal, Vietnamese style (1.234,5)."""
    if value is None:
        return "—"
    text = f"{value / 1_000_000_000:,.1f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


@register.filter
def percent(value) -> str:
    """12,5 % (one decimal, Vietnamese comma); — when there is no base."""
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", ",") + " %"


@register.filter
def fast_select(bound_field) -> str:
    """A <select> for a choice field, built in Python: Django's widget templates render
    each <option> through a template, which costs more than the dashboard's own figures."""
    field = bound_field.field
    current = bound_field.value()
    current = "" if current is None else str(current)
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (str(value), mark_safe(" selected") if str(value) == current else "", label)
            for value, label in field.choices
        ),
    )
    css = field.widget.attrs.get("class", "") + (" is-invalid" if bound_field.errors else "")
    return format_html(
        '<select name="{}" id="{}" class="{}"{}>{}</select>',
        bound_field.html_name,
        bound_field.id_for_label,
        css,
        mark_safe(' aria-invalid="true"') if bound_field.errors else "",
        options,
    )


def _cell(url: str, value, measure: str, *, raw=None, css: str = "") -> str:
    return format_html(
        '<td class="text-end text-nowrap"><a href="{}" data-measure="{}"{}{}>{}</a></td>',
        url,
        measure,
        format_html(' data-value="{}"', raw) if raw is not None else "",
        format_html(' class="{}"', css) if css else "",
        format_number(value),
    )


@register.simple_tag
def measure_rows(rows, establishments=False, issues=False, province_links=False) -> str:
    """The <tr> of a dashboard table (partials/measures_table.html), built in Python: the
    same markup a template loop would give, at a fraction of its cost (bench/dashboards.py
    — a province page has a few hundred rows)."""
    lines = []
    for row in rows:
        m, links = row.m, row.links
        if province_links:
            label = format_html(
                '<a href="{}" data-testid="province-link">{}</a>', links["dashboard"], row.label
            )
        else:
            label = conditional_escape(row.label)
        cells = [
            _cell(links["count"], m.count, "count"),
            _cell(links["funded"], m.funded, "funded"),
            _cell(links["funded"], m.approved, "approved", raw=m.approved),
            _cell(links["funded"], m.paid, "paid", raw=m.paid),
            format_html(
                '<td class="text-end text-nowrap" data-measure="rate">{}</td>', percent(m.rate)
            ),
        ]
        if establishments:
            cells.append(_cell(links["funded"], m.establishments, "establishments"))
        cells.append(
            format_html(
                '<td class="text-end text-nowrap"><a href="{}" title="{}/{}">{}</a></td>',
                links["inspected"],
                m.compliant,
                m.inspected,
                percent(m.compliance_rate),
            )
        )
        if issues:
            overdue = "text-danger" if m.overdue else ""
            cells.append(_cell(links["findings"], m.findings, "findings", css=overdue))
            cells.append(_cell(links["flags"], m.flags, "flags"))
        lines.append(
            format_html(
                '<tr data-key="{}"><th scope="row" class="fw-normal">{}</th>{}</tr>',
                row.key,
                label,
                mark_safe("".join(cells)),  # each cell escaped by format_html above
            )
        )
    return mark_safe("\n".join(lines))
