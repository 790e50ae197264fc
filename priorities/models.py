"""Ưu tiên: the priorities of Decree 45/2012/NĐ-CP as amended by Decree 235/2025/NĐ-CP and of
the national programmes (QĐ 1881/QĐ-TTg, QĐ 2646/QĐ-BCT), each a row with its citation
(``priorities.catalogue`` loads them), and the declarations of the priorities the registry
cannot compute.

Where a declaration lives follows what it is about: a fact about the establishment
(exports, uses local raw materials, is a supporting industry) is declared once for the
establishment and holds for every đề án it takes part in (``BeneficiaryDeclaration``); a
fact about the đề án (carried out in a priority area) is declared for the đề án
(``ProposalDeclaration``). ``priorities.selectors`` computes the others."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Priority(models.Model):
    """Đối tượng, nội dung ưu tiên: one priority with its legal source."""

    class Basis(models.TextChoices):
        COMPUTED = "computed", _("computed from the registry")
        BENEFICIARY = "beneficiary", _("declared for the establishment")
        PROPOSAL = "proposal", _("declared for the proposal")

    # A computed priority's code names its rule in priorities.selectors.COMPUTED_RULES.
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    basis = models.CharField(_("how it is known"), max_length=16, choices=Basis.choices)
    document = models.ForeignKey(
        "programs.LegalDocument",
        verbose_name=_("legal document"),
        on_delete=models.PROTECT,
        related_name="priorities",
    )
    article = models.CharField(_("article"), max_length=200, blank=True)
    source_url = models.URLField(_("published source"), max_length=500, blank=True)
    source_note = models.TextField(_("source note"), blank=True)
    # True: the priority was read in the published text at source_url (source_note says
    # what was not, e.g. the article's number); False: example data to check.
    verified = models.BooleanField(_("verified"), default=False)
    # The number of workers from which "employs many workers" holds (that priority only).
    threshold = models.PositiveIntegerField(_("threshold"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        constraints = [
            models.CheckConstraint(
                condition=Q(basis__in=["computed", "beneficiary", "proposal"]),
                name="priority_basis_known",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="priority_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(threshold__isnull=True) | Q(threshold__gt=0),
                name="priority_threshold_positive",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def citation(self) -> str:
        """ "Điều 1 (…), Nghị định số 235/2025/NĐ-CP" """
        return ", ".join(part for part in (self.article, self.document.citation) if part)

    def in_force(self, on_date) -> bool:
        return self.valid_from <= on_date and (self.valid_to is None or on_date <= self.valid_to)


class Declaration(models.Model):
    """Who declared a priority, when and on what evidence; withdrawn rather than deleted."""

    priority = models.ForeignKey(
        Priority, verbose_name=_("priority"), on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        abstract = True


class BeneficiaryDeclaration(Declaration):
    """A priority the Sở declares an establishment meets (exports, local raw materials…)."""

    province_scope = "beneficiary__province"

    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        verbose_name=_("beneficiary"),
        on_delete=models.CASCADE,
        related_name="priority_declarations",
    )

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = _("priority declared for an establishment")
        verbose_name_plural = _("priorities declared for establishments")
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "priority"],
                condition=Q(withdrawn_at__isnull=True),
                name="beneficiary_priority_declared_once",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="beneficiary_declaration_withdrawn_by_someone",
            ),
        ]

    def __str__(self):
        return f"{self.beneficiary_id} · {self.priority_id}"


class ProposalDeclaration(Declaration):
    """A priority the Sở declares a đề án meets (carried out in a priority area…)."""

    province_scope = "proposal__province"

    proposal = models.ForeignKey(
        "projects.Proposal",
        verbose_name=_("proposal"),
        on_delete=models.CASCADE,
        related_name="priority_declarations",
    )

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = _("priority declared for a proposal")
        verbose_name_plural = _("priorities declared for proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "priority"],
                condition=Q(withdrawn_at__isnull=True),
                name="proposal_priority_declared_once",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="proposal_declaration_withdrawn_by_someone",
            ),
        ]

    def __str__(self):
        return f"{self.proposal_id} · {self.priority_id}"
