"""The figures the dashboards add up: one narrow row per đề án (its dimensions, approved
money and paid money per funding source), kept exact by database triggers.

Paid money is the sum of a đề án's tranches with status paid or reversed (reversals are
negative rows); summing it from a million tranches on every page costs about half a second
(bench/dashboards.py), so the triggers of ``dashboards/sql/figures.sql`` keep it per đề án
instead:

* ``projects_proposal`` insert / update → the row's dimensions, status, compliance and
  approved amounts (statement-level, from the transition table);
* ``disbursement_tranche`` insert / update / delete → ``paid_* = paid_* + change`` (a
  delta under the row lock, so concurrent writers never lose each other's payment);
* a plan's year or programme, an activity's group → the rows that depend on them;
* a deleted đề án → its row.

Nothing else writes here. ``dashboards.services.figures_rebuild`` recomputes every row
from the source tables (after a bulk load with triggers off, e.g. ``seed_scale``) and
``dashboards.selectors.figures_mismatches`` lists rows that differ from a recomputation
(empty, as the tests check).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.funding import KC_SOURCES


class ProposalFigures(models.Model):
    """Số liệu tổng hợp của một đề án (maintained by triggers; read-only for the code)."""

    province_scope = "province"

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "dashboards/sql/rollups.sql": (
            "dashboards_rollups_figures_insert",
            "dashboards_rollups_figures_update",
            "dashboards_rollups_figures_delete",
        ),
    }

    proposal = models.OneToOneField(
        "projects.Proposal",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="figures",
    )
    # Copies of the đề án's dimensions (no FK checks: the triggers copy existing ids).
    province = models.ForeignKey(
        "reference.Province",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    plan = models.ForeignKey(
        "programs.AnnualPlan", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    activity = models.ForeignKey(
        "programs.Activity", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    activity_group = models.ForeignKey(
        "programs.Activity", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    implementing_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    level = models.CharField(max_length=10)
    kind = models.CharField(max_length=10)
    status = models.CharField(max_length=20)
    compliance = models.CharField(max_length=16)
    # status in projects.models.FUNDED_STATES (the approval is in force: the approved money
    # counts, and only these can hold paid money); tests/test_sql_definitions.py checks the
    # triggers' list against it.
    funded = models.BooleanField()
    approved_kcqg = models.BigIntegerField(default=0)
    approved_kcdp = models.BigIntegerField(default=0)
    approved_counterpart = models.BigIntegerField(default=0)
    approved_other = models.BigIntegerField(default=0)
    paid_kcqg = models.BigIntegerField(default=0)
    paid_kcdp = models.BigIntegerField(default=0)
    paid_counterpart = models.BigIntegerField(default=0)
    paid_other = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("figures of a proposal")
        verbose_name_plural = _("figures of proposals")
        indexes = [
            models.Index(fields=["province", "year"], name="figures_province_year"),
            models.Index(fields=["year"], name="figures_year"),
        ]

    def __str__(self):
        return f"{self.proposal_id}"


# --- Rollups (issue 16): the figures summed at the grain of the dashboards' filters -------------
#
# A dashboard page sums these instead of one row per đề án. Each is kept exact in the same
# transaction by the triggers of ``dashboards/sql/rollups.sql`` on dashboards_proposalfigures
# (itself kept by the triggers above) and on the đề án's establishments and outputs; a cell
# whose count falls to zero is deleted, so a table equals its definition, the view
# ``dashboards_<table>_expected`` (computed from the source tables), row for row
# (``dashboards.selectors.rollup_mismatches``, checked by the tests).
#
# The grain: every filter of the dashboards (province — and so region —, plan year,
# programme, activity group, level, kind, and "approved with money from" each khuyến công
# source), and the dimensions the pages break figures down by.

# The sources the dashboards' "funding source" filter offers: one ``with_<source>`` column
# each (tests/dashboards/test_rollups.py checks the filter's choices against it).
ROLLUP_SOURCES = KC_SOURCES


class RollupGrain(models.Model):
    province = models.ForeignKey(
        "reference.Province",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField()
    program = models.ForeignKey(
        "programs.Program", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    activity_group = models.ForeignKey(
        "programs.Activity", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    level = models.CharField(max_length=10)
    kind = models.CharField(max_length=10)
    # Approved with money from the source (and the đề án funded): the "source" filter.
    with_kcqg = models.BooleanField()
    with_kcdp = models.BooleanField()

    # The grain's fields (a cell's unique key starts with them) and their columns.
    GRAIN_FIELDS = (
        "province",
        "year",
        "program",
        "activity_group",
        "level",
        "kind",
        "with_kcqg",
        "with_kcdp",
    )
    GRAIN = tuple(
        f"{name}_id" if name in ("province", "program", "activity_group") else name
        for name in GRAIN_FIELDS
    )

    class Meta:
        abstract = True

    def __str__(self):
        return " · ".join(str(getattr(self, name)) for name in self.KEYS)


class FiguresRollup(RollupGrain):
    """The đề án of one cell: count, inspected, compliant, approved and paid money per
    source (approved money of every status: the pages count it where ``funded``)."""

    province_scope = "province"

    implementing_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    status = models.CharField(max_length=20)
    funded = models.BooleanField()
    proposals = models.IntegerField()
    inspected = models.IntegerField()
    compliant = models.IntegerField()
    approved_kcqg = models.BigIntegerField()
    approved_kcdp = models.BigIntegerField()
    approved_counterpart = models.BigIntegerField()
    approved_other = models.BigIntegerField()
    paid_kcqg = models.BigIntegerField()
    paid_kcdp = models.BigIntegerField()
    paid_counterpart = models.BigIntegerField()
    paid_other = models.BigIntegerField()

    KEYS = (*RollupGrain.GRAIN, "implementing_agency_id", "status", "funded")

    class Meta:
        verbose_name = _("figures rollup")
        verbose_name_plural = _("figures rollups")
        constraints = [
            models.UniqueConstraint(
                fields=[*RollupGrain.GRAIN_FIELDS, "implementing_agency", "status", "funded"],
                name="figures_rollup_cell",
                nulls_distinct=False,
            )
        ]


class ReachRollup(RollupGrain):
    """The establishments supported by funded đề án, one row per establishment and cell
    with the number of links: the distinct count of a selection is the number of distinct
    establishments among its rows (no sort of every link)."""

    province_scope = "province"

    sql_rules = {
        "dashboards/sql/rollups.sql": (
            "dashboards_rollups_reach_insert",
            "dashboards_rollups_reach_delete",
        ),
    }

    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    links = models.IntegerField()

    KEYS = (*RollupGrain.GRAIN, "beneficiary_id")

    class Meta:
        verbose_name = _("establishments rollup")
        verbose_name_plural = _("establishments rollups")
        constraints = [
            models.UniqueConstraint(
                fields=[*RollupGrain.GRAIN_FIELDS, "beneficiary"],
                name="reach_rollup_cell",
                nulls_distinct=False,
            )
        ]


class OutputsRollup(RollupGrain):
    """Outputs of funded đề án per indicator and cell: planned (target) and achieved."""

    province_scope = "province"

    indicator = models.ForeignKey(
        "programs.Indicator", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    proposals = models.IntegerField()
    target = models.BigIntegerField()
    achieved = models.BigIntegerField()

    KEYS = (*RollupGrain.GRAIN, "indicator_id")

    class Meta:
        verbose_name = _("outputs rollup")
        verbose_name_plural = _("outputs rollups")
        constraints = [
            models.UniqueConstraint(
                fields=[*RollupGrain.GRAIN_FIELDS, "indicator"],
                name="outputs_rollup_cell",
                nulls_distinct=False,
            )
        ]


class ReachProvince(models.Model):
    """Each establishment once per province it is supported in (by a funded đề án), with its
    number of ReachRollup cells there: a province's distinct establishments are its rows."""

    province_scope = "province"

    sql_rules = {
        "dashboards/sql/rollups.sql": (
            "dashboards_rollups_reachprovince_insert",
            "dashboards_rollups_reachprovince_delete",
        ),
    }

    province = models.ForeignKey(
        "reference.Province",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    cells = models.IntegerField()

    class Meta:
        verbose_name = _("establishments of a province")
        verbose_name_plural = _("establishments of provinces")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "beneficiary"],
                name="reach_province_cell",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.province_id} · {self.beneficiary_id}"


class ReachTotal(models.Model):
    """Each establishment supported by a funded đề án once, with its number of provinces:
    the country's distinct establishments are the rows."""

    beneficiary = models.OneToOneField(
        "beneficiaries.Beneficiary",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
    )
    provinces = models.IntegerField()

    class Meta:
        verbose_name = _("establishment supported")
        verbose_name_plural = _("establishments supported")

    def __str__(self):
        return f"{self.beneficiary_id}"


class FindingsRollup(RollupGrain):
    """Open items per cell: findings (open recommendations of concluded inspections) per
    deadline, and open flags of the disbursement job (no deadline)."""

    province_scope = "province"

    implementing_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    what = models.CharField(max_length=10)  # "finding" or "flag"
    deadline = models.DateField(null=True)
    items = models.IntegerField()

    KEYS = (*RollupGrain.GRAIN, "implementing_agency_id", "what", "deadline")

    class Meta:
        verbose_name = _("open findings rollup")
        verbose_name_plural = _("open findings rollups")
        constraints = [
            models.UniqueConstraint(
                fields=[*RollupGrain.GRAIN_FIELDS, "implementing_agency", "what", "deadline"],
                name="findings_rollup_cell",
                nulls_distinct=False,
            )
        ]
