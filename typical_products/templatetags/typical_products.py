"""Pieces other apps' pages show: an establishment's certificates (registry page) and the
certificates a đề án's output "products recognised" counts (đề án page). Lower apps' templates
load them by name, so no lower app imports this one."""

from django import template
from django.utils import timezone

from accounts.policies import may_act
from core.measures import MEASURES
from programs.catalogue import CERTIFICATE_INDICATOR
from typical_products import selectors
from typical_products.rules import Level

register = template.Library()


@register.inclusion_tag(
    "typical_products/partials/beneficiary_certificates.html", takes_context=True
)
def beneficiary_certificates(context, beneficiary):
    user = context["request"].user
    return {
        "certificates": list(selectors.beneficiary_certificates(beneficiary, user=user)),
        "today": timezone.localdate(),
    }


@register.simple_tag
def output_certificates(proposal):
    """The certificates linked to each output of the đề án, by output id (one query)."""
    return selectors.output_certificates(proposal)


@register.inclusion_tag("typical_products/partials/output_certificates.html", takes_context=True)
def output_certificate_list(context, output, linked):
    user = context["request"].user
    return {
        "output": output,
        "certificates": linked.get(output.pk, []),
        "can_link": may_act(user, "proposal.edit", output.proposal),
    }


@register.filter
def counts_certificates(output) -> bool:
    return output.indicator.code == CERTIFICATE_INDICATOR


@register.inclusion_tag("typical_products/partials/dashboard_certificates.html")
def typical_certificates_card(province=None):
    """The dashboards' card: the measure ``typical_certificates`` (core.measures) by level and
    year of issue, for the page's scope (a province, or the country when None)."""
    return {
        "rows": selectors.certificates_by_level_and_year(
            province_id=province.pk if province is not None else None
        ),
        "levels": Level.labels,
        "measure": MEASURES["typical_certificates"],
    }
