"""The filters of the đề án list and of its Excel export (core.lists): the list's own bar,
and the dashboards' drill-down filters (hidden fields, same parameter names as
dashboards.forms passes on, with the same meaning as the dashboards' figures)."""

from __future__ import annotations

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.filters import ProvinceFilter, ScopedFilterSet
from accounts.models import Agency
from accounts.policies import visible
from core.funding import SOURCE_SHORT
from core.lists import ListFilterSet, YearFilter
from core.text import fold
from programs.models import Activity, Level, Program
from projects.models import FUNDED_STATES, AppraisalCouncil, AppraisalStage, Proposal
from projects.selectors import plans_for_proposals
from reference.models import Commune, Region

# The drill-down's filters are set by links, not typed: hidden fields, shown as badges.
HIDDEN = {"widget": forms.HiddenInput}


def _plans(request):
    return plans_for_proposals(user=request.user)


def _programs(request):
    return visible(request.user, Program.objects.all())


def _agencies(request):
    return visible(request.user, Agency.objects.all())


def _communes(request):
    return visible(request.user, Commune.objects.all())


class ProposalFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Code or title"), "type": "search"}),
    )
    year = YearFilter(label=_("Year"), field_name="plan__year")
    plan = django_filters.ModelChoiceFilter(label=_("Annual plan"), queryset=_plans)
    # A group includes its sub-activities.
    activity = django_filters.ModelChoiceFilter(
        label=_("Activity"),
        queryset=Activity.objects.filter(parent__isnull=True),
        method="in_activity",
    )
    province = ProvinceFilter()
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Proposal.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Proposal.Status.choices)
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Level.choices)

    # The dashboards' drill-down: the đề án behind a figure.
    year_from = YearFilter(
        label=_("From year"), field_name="plan__year", lookup_expr="gte", **HIDDEN
    )
    year_to = YearFilter(label=_("To year"), field_name="plan__year", lookup_expr="lte", **HIDDEN)
    program = django_filters.ModelChoiceFilter(
        label=_("Programme"), field_name="plan__program", queryset=_programs, **HIDDEN
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), field_name="province__region", queryset=Region.objects.all(), **HIDDEN
    )
    # The dashboards' priority filter (priorities app, above this one: read when used).
    priority = django_filters.ModelChoiceFilter(
        label=_("Priority"),
        queryset=lambda request: apps.get_model("priorities", "Priority").objects.all(),
        method="meets_priority",
        **HIDDEN,
    )
    # Approved with money from the source.
    source = django_filters.ChoiceFilter(
        label=_("Funding source"), choices=list(SOURCE_SHORT.items()), method="funded_by", **HIDDEN
    )
    # FUNDED_STATES: the statuses in which the approval is in force.
    stage = django_filters.ChoiceFilter(
        label=_("Stage"),
        choices=[("funded", _("Approval in force"))],
        method="funded",
        **HIDDEN,
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("Implementing unit"),
        field_name="implementing_agency",
        queryset=_agencies,
        **HIDDEN,
    )
    commune = django_filters.ModelChoiceFilter(
        label=_("Commune / ward"), field_name="communes", queryset=_communes, **HIDDEN
    )
    # A compliance value, or "inspected" (any but not inspected).
    compliance = django_filters.ChoiceFilter(
        label=_("Compliance"),
        choices=[("inspected", _("Inspected")), *Proposal.Compliance.choices],
        method="in_compliance",
        **HIDDEN,
    )
    # Open recommendations of a concluded inspection, or those past their deadline.
    findings = django_filters.ChoiceFilter(
        label=_("Inspection findings"),
        choices=[("open", _("Open")), ("overdue", _("Past their deadline"))],
        method="with_findings",
        **HIDDEN,
    )
    # An open flag of the daily disbursement job.
    flags = django_filters.ChoiceFilter(
        label=_("Disbursement warnings"),
        choices=[("open", _("Open"))],
        method="with_open_flags",
        **HIDDEN,
    )

    columns = {
        "year": "col-4 col-md-2 col-lg-1",
        "plan": "col-8 col-md-4 col-lg-4",
        "activity": "col-12 col-md-6 col-lg-4",
        "province": "col-6 col-md-3 col-lg-3",
        "kind": "col-6 col-md-3 col-lg-3",
    }

    def search(self, queryset, name, value):
        """The start of a code (KCĐP-SLA-2026…) or part of the title, ignoring case and
        accents ("mo hinh" finds "Mô hình")."""
        return queryset.filter(Q(code__istartswith=value) | Q(title_folded__contains=fold(value)))

    def meets_priority(self, queryset, name, value):
        from priorities.selectors import proposals_meeting  # the app above this one

        return queryset.filter(pk__in=proposals_meeting(value))

    def in_activity(self, queryset, name, value):
        return queryset.filter(Q(activity=value) | Q(activity__parent=value))

    def funded_by(self, queryset, name, value):
        return queryset.filter(status__in=FUNDED_STATES, **{f"approved_{value}__gt": 0})

    def funded(self, queryset, name, value):
        return queryset.filter(status__in=FUNDED_STATES)

    def in_compliance(self, queryset, name, value):
        if value == "inspected":
            return queryset.exclude(compliance=Proposal.Compliance.NOT_INSPECTED)
        return queryset.filter(compliance=value)

    def with_findings(self, queryset, name, value):
        # Through the reverse relations: projects does not import the inspections app.
        condition = {
            "inspections__status": "concluded",
            "inspections__recommendations__status": "open",
        }
        if value == "overdue":
            condition["inspections__recommendations__deadline__lt"] = timezone.localdate()
        return queryset.filter(pk__in=Proposal.objects.filter(**condition).values("pk"))

    def with_open_flags(self, queryset, name, value):
        open_flags = Proposal.objects.filter(flags__isnull=False, flags__resolved_on__isnull=True)
        return queryset.filter(pk__in=open_flags.values("pk"))


class CouncilFilterSet(ListFilterSet):
    """The filters of the appraisal councils' list."""

    year = YearFilter(label=_("Year"), field_name="year")
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=AppraisalStage.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AppraisalCouncil.Status.choices)

    columns = {"year": "col-6 col-md-2", "stage": "col-6 col-md-3", "status": "col-6 col-md-3"}
