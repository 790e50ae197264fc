"""Pieces other apps' pages show: an establishment's certificates (registry page) and the
certificates a đề án's output "products recognised" counts (đề án page). Lower apps' templates
load them by name, so no lower app imports this one."""

from django import template
from django.utils import timezone

from accounts.policies import may_act
from programs.catalogue import CERTIFICATE_INDICATOR
from typical_products import selectors

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
