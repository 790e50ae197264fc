"""Đề án khuyến công: the proposal, its beneficiaries, budget lines, outputs, documents,
appraisals and the timeline of everything done to it.

Status changes go through ``projects.workflow.TRANSITIONS``; money checks through
``projects.checks``; writes through ``projects.services``.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.funding import kc_sum
from core.text import fold
from programs.models import Level


class Proposal(models.Model):
    """Đề án khuyến công.

    Besides its constraints, triggers of disbursement and dashboards guard the table: they
    are listed in ``sql_rules``."""

    class Kind(models.TextChoices):
        PILOT = "pilot", _("Flagship proposal (đề án điểm)")
        GROUP = "group", _("Group proposal (đề án nhóm)")
        ORDINARY = "ordinary", _("Ordinary proposal")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for more information")
        APPRAISED = "appraised", _("Appraised")
        FORWARDED = "forwarded", _("Forwarded to the ministry")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        AMENDING = "amending", _("Amendment in preparation")
        IN_IMPLEMENTATION = "in_implementation", _("In implementation")
        ACCEPTED = "accepted", _("Accepted")
        STOPPED = "stopped", _("Stopped")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class Compliance(models.TextChoices):
        """Derived from the đề án's inspections by ``inspections.services.compliance_refresh``."""

        NOT_INSPECTED = "not_inspected", _("Not inspected")
        COMPLIANT = "compliant", _("Compliant")
        REMEDY_PENDING = "remedy_pending", _("Findings to remedy")
        NOT_COMPLIANT = "not_compliant", _("Not compliant")

    province_scope = "province"

    # Triggers on this table, by the file defining them: the money rules of disbursement and
    # the dashboards' figures guard this table too (README, "Rules in the database";
    # tests/test_sql_rules.py checks the list against the triggers installed).
    sql_rules = {
        "projects/sql/list_order.sql": ("proposal_list_order_copy",),
        "disbursement/sql/money_rules.sql": ("proposal_money_rules",),
        "dashboards/sql/figures.sql": (
            "dashboards_figures_proposal_insert",
            "dashboards_figures_proposal_update",
            "dashboards_figures_proposal_delete",
        ),
    }

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=400)
    # Folded title ("ho tro may say ca phe") for accent-insensitive search.
    title_folded = models.CharField(max_length=400, db_index=True, editable=False, default="")
    plan = models.ForeignKey(
        "programs.AnnualPlan",
        verbose_name=_("annual plan"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    sequence = models.PositiveIntegerField(_("number in the plan"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        "reference.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    activity = models.ForeignKey(
        "programs.Activity", verbose_name=_("activity"), on_delete=models.PROTECT
    )
    implementing_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("implementing unit"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    communes = models.ManyToManyField(
        "reference.Commune", verbose_name=_("locality"), blank=True, related_name="proposals"
    )
    objectives = models.TextField(_("objectives"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    double_funding_justification = models.TextField(
        _("justification of support already received"), blank=True
    )
    decision_number = models.CharField(_("approval decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("approval decision date"), null=True, blank=True)
    # Approved support per funding source, fixed at approval (whole đồng).
    approved_kcqg = models.BigIntegerField(default=0)
    approved_kcdp = models.BigIntegerField(default=0)
    approved_counterpart = models.BigIntegerField(default=0)
    approved_other = models.BigIntegerField(default=0)
    compliance = models.CharField(
        _("compliance"),
        max_length=16,
        choices=Compliance.choices,
        default=Compliance.NOT_INSPECTED,
        editable=False,
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Copies of the plan's year and the province's code, written by a trigger on every
    # insert and update (projects/sql/list_order.sql, sql_rules above): the list sorts on
    # this table alone, through LIST_ORDER's index, instead of sorting every đề án joined
    # to its plan and province.
    plan_year = models.PositiveSmallIntegerField(default=0, editable=False)
    province_code = models.PositiveSmallIntegerField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            models.Index(fields=["plan", "status"]),
            models.Index(fields=["province", "status"]),
            # The list's order (LIST_ORDER), nationally and within a province.
            models.Index(
                fields=["-plan_year", "province_code", "plan", "sequence"],
                include=["id"],  # the page's keys read from the index alone
                name="proposal_list_order",
            ),
            models.Index(
                fields=["province", "-plan_year", "province_code", "plan", "sequence"],
                include=["id"],
                name="proposal_list_order_province",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="proposal_sequence_per_plan"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="proposal_period_ordered",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(approved_kcqg__gte=0)
                & Q(approved_kcdp__gte=0)
                & Q(approved_counterpart__gte=0)
                & Q(approved_other__gte=0),
                name="proposal_approved_not_negative",
            ),
            # approved_proposal_has_decision: added below, once FUNDED_STATES is declared.
        ]

    def __str__(self):
        return f"{self.code} · {self.title}"

    def save(self, *args, **kwargs):
        self.title_folded = fold(self.title)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {*update_fields, "title_folded"}
        super().save(*args, **kwargs)

    @property
    def approved_kc(self) -> int:
        """Kinh phí khuyến công được duyệt: KCQG + KCĐP (core.measures "approved")."""
        return kc_sum(self.approved_by_source())

    @property
    def approved_total(self) -> int:
        """Every approved source, counterpart and other included (the approved budget)."""
        return (
            self.approved_kcqg
            + self.approved_kcdp
            + self.approved_counterpart
            + self.approved_other
        )

    def approved_by_source(self) -> dict[str, int]:
        return {
            "kcqg": self.approved_kcqg,
            "kcdp": self.approved_kcdp,
            "counterpart": self.approved_counterpart,
            "other": self.approved_other,
        }


# The statuses in which a đề án counts as funded: its approval decision is in force (an
# amendment in preparation keeps the decision it amends). Declared once: the selectors,
# dashboards, disbursement, reports, inspections, the demo generator and the tests import
# it, the SQL rule files render it ({FUNDED_STATES}, SQL_CONSTANTS below), and
# tests/test_sql_definitions.py checks the SQL of the triggers against it.
# The đề án list's order: newest plan year first, then by province code, plan and number in
# the plan — the columns of the index ``proposal_list_order``.
LIST_ORDER = ("-plan_year", "province_code", "plan_id", "sequence")

FUNDED_STATES = (
    Proposal.Status.APPROVED,
    Proposal.Status.AMENDING,
    Proposal.Status.IN_IMPLEMENTATION,
    Proposal.Status.ACCEPTED,
    # Stopped by whoever approved it: the decision stays, the money paid stays counted
    # until the contract's liquidation (thanh lý) settles what is returned.
    Proposal.Status.STOPPED,
    Proposal.Status.CLOSED,
)

# The constants the SQL rule files name as placeholders ({FUNDED_STATES}, core.sqlrules).
SQL_CONSTANTS = {"FUNDED_STATES": FUNDED_STATES}

# A funded đề án has its approval decision (number and date). Declared after the model
# because Meta cannot see FUNDED_STATES; Django reads _meta.constraints for the checks,
# model validation and migrations alike.
Proposal._meta.constraints.append(
    models.CheckConstraint(
        condition=~Q(status__in=FUNDED_STATES)
        | (Q(decision_number__gt="") & Q(decision_date__isnull=False)),
        name="approved_proposal_has_decision",
        violation_error_message=_("An approved proposal needs its decision number and date."),
    )
)


class ProposalBeneficiary(models.Model):
    """A cơ sở CNNT supported by the đề án, with its share of the support."""

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "dashboards/sql/rollups.sql": (
            "dashboards_rollups_links_insert",
            "dashboards_rollups_links_update",
            "dashboards_rollups_links_delete",
        ),
    }

    province_scope = "proposal__province"

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="beneficiary_links"
    )
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        verbose_name=_("establishment"),
        on_delete=models.PROTECT,
        related_name="proposal_links",
    )
    support_amount = models.BigIntegerField(_("support for this establishment (VND)"), default=0)

    class Meta:
        ordering = ["proposal", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "beneficiary"], name="beneficiary_once_per_proposal"
            ),
            models.CheckConstraint(condition=Q(support_amount__gte=0), name="share_not_negative"),
        ]

    def __str__(self):
        return f"{self.proposal_id} · {self.beneficiary_id}"


class BudgetLine(models.Model):
    """Dự toán: one item of the budget, its amount split by funding source."""

    province_scope = "proposal__province"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="budget_lines")
    item = models.CharField(_("item"), max_length=300)
    unit = models.CharField(_("unit"), max_length=40)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    unit_price = models.BigIntegerField(_("unit price (VND)"))
    amount = models.BigIntegerField(_("amount (VND)"))
    kcqg = models.BigIntegerField(_("KCQG"), default=0)
    kcdp = models.BigIntegerField(_("KCĐP"), default=0)
    counterpart = models.BigIntegerField(_("counterpart"), default=0)
    other = models.BigIntegerField(_("other"), default=0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["proposal", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kcqg__gte=0) & Q(kcdp__gte=0) & Q(counterpart__gte=0) & Q(other__gte=0),
                name="budget_line_sources_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount=F("kcqg") + F("kcdp") + F("counterpart") + F("other")),
                name="budget_line_sources_add_up",
                violation_error_message=_("The funding sources must add up to the amount."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_price__gte=0) & Q(amount__gte=0),
                name="budget_line_positive",
            ),
        ]

    def __str__(self):
        return self.item


class ProposalOutput(models.Model):
    """Sản phẩm, chỉ tiêu đầu ra: a target now, an achieved value at acceptance."""

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "dashboards/sql/rollups.sql": (
            "dashboards_rollups_outputs_insert",
            "dashboards_rollups_outputs_update",
            "dashboards_rollups_outputs_delete",
        ),
    }

    province_scope = "proposal__province"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="outputs")
    indicator = models.ForeignKey(
        "programs.Indicator", verbose_name=_("indicator"), on_delete=models.PROTECT
    )
    target_value = models.PositiveBigIntegerField(_("target"))
    achieved_value = models.PositiveBigIntegerField(_("achieved"), null=True, blank=True)

    class Meta:
        ordering = ["proposal", "indicator__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "indicator"], name="output_once_per_indicator"
            )
        ]

    def __str__(self):
        return f"{self.indicator}: {self.target_value}"


class RequiredDocument(models.Model):
    """A document the dossier of an activity must contain (configurable checklist)."""

    activity = models.ForeignKey(
        "programs.Activity",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="required_documents",
        help_text=_("Empty: required for every activity."),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "code"],
                name="required_document_code_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return self.name


def attachment_path(instance, filename):
    # A random name: the file is never served directly, only through a checked view.
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()
    return f"proposals/{instance.proposal_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """Hồ sơ: a document of the dossier. Stored through Django's storage under a random
    name; downloaded only through a view that checks the user may see the đề án."""

    province_scope = "proposal__province"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    document_type = models.ForeignKey(
        RequiredDocument,
        verbose_name=_("document type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.title


class ProposalEvent(models.Model):
    """The timeline: who did what, when, with which decision, and what changed."""

    province_scope = "proposal__province"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    decision_number = models.CharField(max_length=60, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.proposal_id} · {self.action}"


class ApprovedVersion(models.Model):
    """The đề án as approved: kept when an amendment is prepared and approved again."""

    province_scope = "proposal__province"

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="approved_versions"
    )
    number = models.PositiveSmallIntegerField()
    decision_number = models.CharField(max_length=60)
    decision_date = models.DateField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="approved_version_unique")
        ]

    def __str__(self):
        return f"{self.proposal_id} v{self.number}"


class AppraisalCriterion(models.Model):
    """Tiêu chí thẩm định, with its weight; configurable by administrators."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=10)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("appraisal criterion")
        verbose_name_plural = _("appraisal criteria")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="criterion_max_positive"),
        ]

    def __str__(self):
        return self.name


class AppraisalStage(models.TextChoices):
    """Who appraises: the Sở (for a national đề án, its grassroots appraisal) or the Cục."""

    PROVINCE = "province", _("Department of Industry and Trade")
    MINISTRY = "ministry", _("Ministry")


class AppraisalRecommendation(models.TextChoices):
    APPROVE = "approve", _("Recommend approval")
    RETURN = "return", _("Ask for more information")
    REJECT = "reject", _("Recommend rejection")


class AppraisalCouncil(models.Model):
    """Hội đồng thẩm định (or the officers designated to appraise, cán bộ được giao): who
    appraises a set of đề án at one stage — the Sở's grassroots appraisal (thẩm định cơ
    sở) of its province's đề án, or the Cục's appraisal of the national ones (Thông tư
    36/2013/TT-BCT). Its statuses and actions are declared in
    ``projects.workflow.COUNCIL_ACTIONS``; writes go through ``projects.services``."""

    class Mode(models.TextChoices):
        COUNCIL = "council", _("Appraisal council (hội đồng thẩm định)")
        DESIGNATED = "designated", _("Designated officers (cán bộ được giao thẩm định)")

    class Status(models.TextChoices):
        OPEN = "open", _("Appraising")
        CONCLUDED = "concluded", _("Concluded")

    # The organising agency decides the scope: a Sở's council is its province's; the
    # Cục's (an agency with no province) is seen by national users only.
    province_scope = "agency__province"

    stage = models.CharField(_("stage"), max_length=10, choices=AppraisalStage.choices)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("organising agency"),
        on_delete=models.PROTECT,
        related_name="appraisal_councils",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=300)
    mode = models.CharField(_("form"), max_length=10, choices=Mode.choices, default=Mode.COUNCIL)
    decision_number = models.CharField(_("establishing decision number"), max_length=60)
    decision_date = models.DateField(_("establishing decision date"))
    meeting_date = models.DateField(_("meeting date"))
    meeting_place = models.CharField(_("meeting place"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    # The number of its minutes (biên bản), given once by reports.services when first asked.
    minutes_number = models.CharField(_("minutes number"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    concluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-meeting_date", "-id"]
        verbose_name = _("appraisal council")
        verbose_name_plural = _("appraisal councils")
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting_date__gte=F("decision_date")),
                name="council_meets_after_its_decision",
                violation_error_message=_(
                    "The council cannot meet before the decision that establishes it."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(concluded_at__isnull=False),
                name="council_concluded_has_date",
            ),
        ]

    def __str__(self):
        return self.name


class CouncilMember(models.Model):
    """Thành viên hội đồng (or a designated officer), with their role in it."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")

    province_scope = "council__agency__province"

    council = models.ForeignKey(AppraisalCouncil, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="council_seats",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["council", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["council", "user"], name="council_member_once"),
            # One chair and one secretary per council.
            models.UniqueConstraint(
                fields=["council", "role"],
                condition=Q(role__in=["chair", "secretary"]),
                name="council_one_chair_one_secretary",
            ),
        ]

    def __str__(self):
        return f"{self.council_id} · {self.user_id} · {self.role}"


class CouncilProposal(models.Model):
    """A đề án before a council, and the council's conclusion on it: the average of the
    members' weighted scores (``projects.appraisal.council_average``), the recommendation
    and the summary of the members' opinions."""

    province_scope = "proposal__province"

    council = models.ForeignKey(
        AppraisalCouncil, on_delete=models.CASCADE, related_name="proposal_links"
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="council_links")
    order = models.PositiveSmallIntegerField(default=0)
    average_score = models.DecimalField(
        _("average score (out of 100)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    recommendation = models.CharField(
        _("conclusion"), max_length=10, choices=AppraisalRecommendation.choices, blank=True
    )
    opinions = models.TextField(_("members' opinions"), blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["council", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["council", "proposal"], name="council_proposal_once"),
            # A conclusion is whole: its date, author, average and recommendation together.
            models.CheckConstraint(
                condition=(
                    Q(concluded_at__isnull=True)
                    & Q(concluded_by__isnull=True)
                    & Q(average_score__isnull=True)
                    & Q(recommendation="")
                )
                | (
                    Q(concluded_at__isnull=False)
                    & Q(concluded_by__isnull=False)
                    & Q(average_score__gte=0)
                    & Q(average_score__lte=100)
                    & Q(recommendation__in=AppraisalRecommendation.values)
                ),
                name="council_conclusion_whole",
            ),
        ]

    def __str__(self):
        return f"{self.council_id} · {self.proposal_id}"


class Appraisal(models.Model):
    """Thẩm định: one appraiser's score sheet (phiếu chấm điểm), weighted result and
    recommendation; a member's sheet in a council (one per member per đề án per council)."""

    Stage = AppraisalStage

    Recommendation = AppraisalRecommendation

    province_scope = "proposal__province"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="appraisals")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    appraiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices
    )
    comment = models.TextField(_("comment"), blank=True)
    weighted_score = models.DecimalField(
        _("weighted score (out of 100)"), max_digits=5, decimal_places=2
    )
    council = models.ForeignKey(
        AppraisalCouncil,
        verbose_name=_("appraisal council"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sheets",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["proposal", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weighted_score__gte=0) & Q(weighted_score__lte=100),
                name="appraisal_score_in_range",
            ),
            models.UniqueConstraint(
                fields=["council", "proposal", "appraiser"],
                condition=Q(council__isnull=False),
                name="one_sheet_per_member_per_proposal",
            ),
        ]

    def __str__(self):
        return f"{self.proposal_id} · {self.appraiser_id} · {self.weighted_score}"


class AppraisalScore(models.Model):
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(AppraisalCriterion, on_delete=models.PROTECT)
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "criterion"], name="one_score_per_criterion"
            )
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.score}"
