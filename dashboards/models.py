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


class ProposalFigures(models.Model):
    """Số liệu tổng hợp của một đề án (maintained by triggers; read-only for the code)."""

    province_scope = "province"

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
