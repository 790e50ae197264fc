"""Links of the dashboards: every figure opens the đề án behind it (the list, with the
dashboard's filters and the row's own value), every province its own dashboard."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.formatting import format_number
from core.measures import MEASURES, format_percent

register = template.Library()

_COMMUNE_LIST = _(
    "Every proposal carried out in this commune, including those carried out in several "
    "communes (counted in the row “Several communes”)"
)


def drill_links(
    rows, dim: str | None, base: dict, *, dashboards: bool = False, figures: bool = True
) -> None:
    """Set ``row.links`` for a table: the đề án list behind each of the row's figures
    (built once in Python: a table of a hundred rows would otherwise reverse URLs and
    encode query strings in the template hundreds of times). A row whose key is not a
    value of ``dim`` (đề án without one, or in several communes) has no links. With
    ``figures=False`` only the row's label links to the list of its value (the communes:
    a commune's list also holds the đề án carried out in several communes, which its row
    does not count)."""
    list_url = reverse("proposal-list")
    for row in rows:
        if row.key is None or (dim == "commune" and not isinstance(row.key, int)):
            row.links = {}
            continue
        if not figures:
            row.links = {"label": f"{list_url}?{urlencode({**base, dim: str(row.key)})}"}
            continue
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
    """Amount in billions of đồng with one decimal, Vietnamese style (1.234,5): only where
    the full amount is one click away (a tile or legend whose title holds it in đồng)."""
    if value is None:
        return "—"
    text = f"{value / 1_000_000_000:,.1f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


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


# The measures a dashboard table keeps on a phone; the others wait behind the row's Details
# button (class col-more, static/js/phone-tables.js).
PHONE_MEASURES = ("approved", "rate")


def _cell(url: str | None, value, measure: str, *, raw=None, css: str = "") -> str:
    td = "text-end text-nowrap" if measure in PHONE_MEASURES else "text-end text-nowrap col-more"
    if url is None:  # a row without a drill-down (đề án without a value of the dimension)
        return format_html(
            '<td class="{}"><span data-measure="{}"{}{}>{}</span></td>',
            td,
            measure,
            format_html(' data-value="{}"', raw) if raw is not None else "",
            format_html(' class="{}"', css) if css else "",
            format_number(value),
        )
    return format_html(
        '<td class="{}"><a href="{}" data-measure="{}"{}{}>{}</a></td>',
        td,
        url,
        measure,
        format_html(' data-value="{}"', raw) if raw is not None else "",
        format_html(' class="{}"', css) if css else "",
        format_number(value),
    )


@register.simple_tag
def dashboard_measures():
    """The measures the dashboards show, from core.measures (label, definition, and for
    a rate its numerator and denominator): ``{% dashboard_measures as measures %}``."""
    from dashboards.selectors import DASHBOARD_MEASURES

    return [MEASURES[key] for key in DASHBOARD_MEASURES]


@register.simple_tag
def measure_rows(rows, beneficiaries=False, issues=False, province_links=False) -> str:
    """The <tr> of a dashboard table (partials/measures_table.html), built in Python: the
    same markup a template loop would give, at a fraction of its cost (bench/dashboards.py
    — a province page has a few hundred rows)."""
    lines = []
    for row in rows:
        m, links = row.m, row.links
        if province_links and "dashboard" in links:
            label = format_html(
                '<a href="{}" data-testid="province-link">{}</a>', links["dashboard"], row.label
            )
        elif "label" in links:
            label = format_html(
                '<a href="{}" title="{}">{}</a>', links["label"], _COMMUNE_LIST, row.label
            )
        else:
            label = conditional_escape(row.label)
        cells = [
            _cell(links.get("count"), m.count, "count"),
            _cell(links.get("funded"), m.funded, "funded"),
            _cell(links.get("funded"), m.approved, "approved", raw=m.approved),
            _cell(links.get("funded"), m.paid, "paid", raw=m.paid),
            format_html(
                '<td class="text-end text-nowrap" data-measure="rate" data-value="{}">{}</td>',
                "" if m.rate is None else m.rate,
                format_percent(m.rate),
            ),
        ]
        if beneficiaries:
            cells.append(_cell(links.get("funded"), m.beneficiaries, "beneficiaries"))
        compliance = format_html(
            '<span title="{}/{}">{}</span>',
            m.compliant,
            m.inspected,
            format_percent(m.compliance_rate),
        )
        if "inspected" in links:
            compliance = format_html(
                '<a href="{}" title="{}/{}">{}</a>',
                links["inspected"],
                m.compliant,
                m.inspected,
                format_percent(m.compliance_rate),
            )
        cells.append(
            format_html(
                '<td class="text-end text-nowrap col-more" data-measure="compliance_rate">{}</td>',
                compliance,
            )
        )
        if issues:
            overdue = "text-danger" if m.overdue else ""
            cells.append(_cell(links.get("findings"), m.findings, "findings", css=overdue))
            cells.append(_cell(links.get("flags"), m.flags, "flags"))
        lines.append(
            format_html(
                '<tr data-key="{}"><th scope="row" class="fw-normal">{}</th>{}</tr>',
                "none" if row.key is None else row.key,
                label,
                mark_safe("".join(cells)),  # each cell escaped by format_html above
            )
        )
    return mark_safe("\n".join(lines))
