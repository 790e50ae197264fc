"""The annual cycle (Thông tư 36/2013/TT-BCT; Thông tư 46/2012/TT-BCT amended by 20/2017/
TT-BCT): the call for đề án (thông báo đăng ký), each đề án's registration against it, the
Sở's registration batch of national đề án, and the plan decision approving a list of đề án.

Statuses move through ``cycle.workflow.STEPS``; writes through ``cycle.services``."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from programs.models import Level


class Call(models.Model):
    """Thông báo đăng ký đề án: national (opened by the ministry, no province) or local
    (opened by the Sở of a province), feeding one annual plan."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class LatePolicy(models.TextChoices):
        REFUSE = "refuse", _("Refuse late registrations")
        FLAG = "flag", _("Accept late registrations and flag them")

    province_scope = "province"
    national_rows_visible_to_all = True

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        "reference.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
    )
    plan = models.ForeignKey(
        "programs.AnnualPlan",
        verbose_name=_("annual plan"),
        on_delete=models.PROTECT,
        related_name="calls",
    )
    title = models.CharField(_("title"), max_length=300)
    orientation = models.TextField(_("orientation"), blank=True)
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    deadline_basis = models.CharField(_("legal basis of the deadline"), max_length=300, blank=True)
    dossier_sets = models.PositiveSmallIntegerField(_("number of dossier sets"), default=1)
    required_documents = models.ManyToManyField(
        "projects.RequiredDocument", verbose_name=_("documents required"), blank=True
    )
    late_policy = models.CharField(
        _("late registrations"),
        max_length=10,
        choices=LatePolicy.choices,
        default=LatePolicy.REFUSE,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deadline", "id"]
        verbose_name = _("call for proposals")
        verbose_name_plural = _("calls for proposals")
        constraints = [
            models.CheckConstraint(
                condition=Q(level="national", province__isnull=True)
                | Q(level="local", province__isnull=False),
                name="call_level_matches_province",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("opens_on")),
                name="call_deadline_after_opening",
                violation_error_message=_("The deadline cannot be before the opening date."),
            ),
        ]

    def __str__(self):
        return self.title


class Registration(models.Model):
    """A đề án registered against a call, at its submission (one per đề án)."""

    province_scope = "proposal__province"

    proposal = models.OneToOneField(
        "projects.Proposal", on_delete=models.CASCADE, related_name="registration"
    )
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="registrations")
    registered_on = models.DateField(_("registered on"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    late = models.BooleanField(_("registered after the deadline"), default=False)
    entered_as_history = models.BooleanField(_("entered as history"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["registered_on", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self):
        return f"{self.proposal_id} · {self.call_id}"


class RegistrationBatch(models.Model):
    """Báo cáo đăng ký kế hoạch khuyến công quốc gia: the Sở sends its province's national
    đề án to the ministry as one batch, with the registration report and a copy to the
    UBND tỉnh."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent to the ministry")

    province_scope = "province"

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="batches")
    province = models.ForeignKey(
        "reference.Province", verbose_name=_("province"), on_delete=models.PROTECT
    )
    reference = models.CharField(_("document number"), max_length=60, blank=True)
    previous_year_results = models.TextField(_("results of the previous year"), blank=True)
    current_year_progress = models.TextField(_("progress of this year"), blank=True)
    next_year_direction = models.TextField(_("direction for next year"), blank=True)
    ubnd_copy_reference = models.CharField(
        _("copy to the provincial People's Committee: reference"), max_length=60, blank=True
    )
    ubnd_copy_date = models.DateField(
        _("copy to the provincial People's Committee: date"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    proposals = models.ManyToManyField(
        "projects.Proposal", through="BatchItem", related_name="registration_batches"
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("registration batch")
        verbose_name_plural = _("registration batches")
        constraints = [
            # One batch being prepared per call and province.
            models.UniqueConstraint(
                fields=["call", "province"],
                condition=Q(status="draft"),
                name="one_draft_batch_per_call_province",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(reference__gt="") & Q(sent_at__isnull=False) & Q(sent_by__isnull=False)),
                name="sent_batch_has_reference",
            ),
        ]

    def __str__(self):
        return self.reference or f"#{self.pk}"


class BatchItem(models.Model):
    """A đề án of the batch with its grassroots appraisal result (thẩm định cơ sở), as
    sent."""

    province_scope = "batch__province"

    batch = models.ForeignKey(RegistrationBatch, on_delete=models.CASCADE, related_name="items")
    proposal = models.ForeignKey("projects.Proposal", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(
        _("grassroots appraisal score"), max_digits=5, decimal_places=2, null=True
    )
    recommendation = models.CharField(_("recommendation"), max_length=10, blank=True)

    class Meta:
        ordering = ["batch", "-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "proposal"], name="batch_item_once"),
        ]

    def __str__(self):
        return f"{self.batch_id} · {self.proposal_id}"


def decision_scan_path(instance, filename):
    import uuid
    from pathlib import PurePath

    return (
        f"plan-decisions/{instance.plan_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"
    )


class PlanDecision(models.Model):
    """The decision on the plan's list of đề án: the Minister's for the national plan, the
    UBND tỉnh's for a province's local plan. Recording it approves every listed đề án with
    its amount at once; a đề án left out is told so."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial decision")
        SUPPLEMENTARY = "supplementary", _("Supplementary decision")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft list")
        RECORDED = "recorded", _("Decision recorded")

    province_scope = "plan__province"
    national_rows_visible_to_all = True

    plan = models.ForeignKey(
        "programs.AnnualPlan",
        verbose_name=_("annual plan"),
        on_delete=models.PROTECT,
        related_name="plan_decisions",
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.INITIAL)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    number = models.CharField(_("decision number"), max_length=60, blank=True)
    date = models.DateField(_("decision date"), null=True, blank=True)
    signer = models.CharField(_("signed by"), max_length=200, blank=True)
    scan = models.FileField(_("scan of the decision"), upload_to=decision_scan_path, blank=True)
    entered_as_history = models.BooleanField(_("entered as history"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("plan decision")
        verbose_name_plural = _("plan decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft")
                | (
                    Q(number__gt="")
                    & Q(date__isnull=False)
                    & Q(signer__gt="")
                    & Q(recorded_at__isnull=False)
                ),
                name="recorded_plan_decision_complete",
            ),
            models.UniqueConstraint(
                fields=["plan"], condition=Q(status="draft"), name="one_draft_decision_per_plan"
            ),
        ]

    def __str__(self):
        return self.number or f"#{self.pk}"

    @property
    def level(self) -> str:
        return "national" if self.plan.province_id is None else "local"


class PlanDecisionItem(models.Model):
    """A đề án of the plan decision's list: included (approved with these amounts) or left
    out."""

    province_scope = "proposal__province"

    decision = models.ForeignKey(PlanDecision, on_delete=models.CASCADE, related_name="items")
    proposal = models.ForeignKey("projects.Proposal", on_delete=models.PROTECT, related_name="+")
    included = models.BooleanField(_("included"), default=False)
    approved_kcqg = models.BigIntegerField(default=0)
    approved_kcdp = models.BigIntegerField(default=0)
    approved_counterpart = models.BigIntegerField(default=0)
    approved_other = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["decision", "id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "proposal"], name="decision_item_once"),
            models.CheckConstraint(
                condition=Q(approved_kcqg__gte=0)
                & Q(approved_kcdp__gte=0)
                & Q(approved_counterpart__gte=0)
                & Q(approved_other__gte=0),
                name="decision_item_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.decision_id} · {self.proposal_id}"


class CallReminder(models.Model):
    """A reminder sent before a call's deadline, once per call, province and day count
    (the daily job may run twice: the unique row keeps the e-mail single)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reminders")
    province = models.ForeignKey("reference.Province", on_delete=models.CASCADE)
    days_left = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["call", "province", "days_left"], name="call_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.call_id} · {self.province_id} · {self.days_left}"
