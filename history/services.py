"""Writing a checked history workbook: plans, đề án and everything recorded about them, in
one transaction, or nothing.

Imported đề án keep their codes and decision numbers and go straight to the state their
records show (approved, in implementation, accepted, closed): they are history, entered
as it happened, so the workflow's steps (submission, appraisal, notifications) are not
replayed. Each đề án brought in or changed gets one ``import`` event naming the file and
its SHA-256, with what changed; nobody is notified.

Idempotent by natural keys: a đề án by its code, a plan by its year, an establishment by
its tax code or CCCD, a budget line by its item, an output by its indicator, a contract
by its number, a payment by its voucher and source (its idempotency key), acceptance,
liquidation and settlement one per đề án. Importing the same file again writes nothing;
a corrected file changes only what differs, and the đề án's event lists the changes.

The database's own rules (money, dates of payments, settlement after acceptance; the
deferred triggers of disbursement/sql) are checked before the transaction ends, also in a
dry run, which writes everything and rolls it back: the preview is what the import does.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policies import in_scope, require, scope_province_id
from beneficiaries.models import Beneficiary
from beneficiaries.services import beneficiary_build
from core.funding import SOURCES
from core.queue import task_send
from core.text import fold
from disbursement.models import Acceptance, Contract, Liquidation, Settlement, Tranche
from history.models import HistoryImport, HistoryIssue
from history.validation import (
    IMPORT_ACTION,
    Checked,
    Issue,
    ProposalRecord,
    _amounts,
    history_check,
)
from history.workbook import MAX_UPLOAD_BYTES, WorkbookError, read_workbook
from programs.models import AnnualPlan, PlanBudget, PlanEvent
from projects.models import (
    ApprovedVersion,
    BudgetLine,
    Proposal,
    ProposalBeneficiary,
    ProposalEvent,
    ProposalOutput,
)
from projects.services import proposal_snapshot, proposal_snapshots

# New đề án are written this many at a time (one statement per table and chunk).
CHUNK = 500

KINDS = (
    "plans",
    "proposals",
    "beneficiaries",
    "links",
    "budget",
    "outputs",
    "contracts",
    "payments",
    "acceptances",
    "liquidations",
    "settlements",
)


@dataclass
class Summary:
    """What the import creates, changes, removes and finds unchanged, by kind of record."""

    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    changed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    issues: list[Issue] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
        }

    @property
    def writes(self) -> int:
        return sum(self.created.values()) + sum(self.changed.values()) + sum(self.removed.values())


class _DryRun(Exception):
    pass


def file_checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tranche_key(province_code: int, proposal_code: str, voucher: str, source: str) -> str:
    """The idempotency key of an imported payment: the same voucher of the same đề án and
    source is the same payment, whichever file brings it."""
    text = f"history|{province_code}|{proposal_code}|{voucher}|{source}"
    return "history-" + hashlib.sha256(text.encode()).hexdigest()[:48]


def _differences(instance, values: dict) -> dict:
    """{field: {"before", "after"}} for the fields of ``instance`` that ``values`` change
    (dates as ISO text, so the event's JSON can hold them)."""

    def shown(value):
        return value.isoformat() if isinstance(value, datetime.date) else value

    return {
        name: {"before": shown(getattr(instance, name)), "after": shown(value)}
        for name, value in values.items()
        if getattr(instance, name) != value
    }


class _Writer:
    def __init__(self, checked: Checked, *, actor, file_name: str, checksum: str, progress):
        self.checked = checked
        self.province = checked.province
        self.actor = actor
        self.file_name = file_name
        self.checksum = checksum
        self.progress = progress
        self.summary = Summary()
        self.new_plans: dict[int, AnnualPlan] = {}
        self.sequences: dict[int, int] = {}
        self.registry: dict[str, Beneficiary] = {}

    def count(self, kind: str, what: str, n: int = 1) -> None:
        getattr(self.summary, what)[kind] += n

    def run(self) -> Summary:
        for row, program in self.checked.plans:
            self.plan_create(row, program)
        records = sorted(self.checked.proposals.values(), key=lambda r: r.code)
        done, total = 0, len(records)
        for record in (r for r in records if r.existing is not None):
            self.proposal_update(record)
            done += 1
            if self.progress and done % 100 == 0:
                self.progress(done, total)
        new = [r for r in records if r.existing is None]
        for start in range(0, len(new), CHUNK):
            chunk = new[start : start + CHUNK]
            self.proposals_create(chunk)
            done += len(chunk)
            if self.progress:
                self.progress(done, total)
        return self.summary

    # --- plans ------------------------------------------------------------------------

    def plan_create(self, row, program) -> None:
        values = row.values
        plan = AnnualPlan.objects.create(
            program=program,
            year=values["year"],
            province=self.province,
            title=f"Kế hoạch khuyến công năm {values['year']} của {self.province.name}",
            status=AnnualPlan.Status.APPROVED,
            decision_number=values["number"],
            decision_date=values["date"],
            decided_by=values["decided_by"] or "",
            notes=f"Nhập từ tệp {self.file_name}",
            created_by=self.actor,
        )
        PlanBudget.objects.bulk_create(
            PlanBudget(plan=plan, source=source, amount=values.get(source) or 0)
            for source in SOURCES
            if values.get(source)
        )
        PlanEvent.objects.create(
            plan=plan,
            action=PlanEvent.Action.CREATE,
            actor=self.actor,
            comment=f"Nhập từ tệp {self.file_name} (SHA-256 {self.checksum[:12]}…)",
            decision_number=values["number"],
        )
        self.new_plans[plan.year] = plan
        self.count("plans", "created")

    # --- đề án ------------------------------------------------------------------------

    def _plan_of(self, record: ProposalRecord) -> AnnualPlan:
        return record.plan or self.new_plans[record.row.values["year"]]

    def _sequence(self, plan: AnnualPlan) -> int:
        if plan.pk not in self.sequences:
            last = Proposal.objects.filter(plan=plan).aggregate(n=Max("sequence"))["n"] or 0
            self.sequences[plan.pk] = last
        self.sequences[plan.pk] += 1
        return self.sequences[plan.pk]

    # --- the values each record gets, for the new and the corrected alike --------------

    def proposal_fields(self, record: ProposalRecord) -> dict:
        values = record.row.values
        approval = record.approval.values
        approved = record.approved
        return {
            "title": values["title"],
            "level": values["level"],
            "kind": values["kind"],
            "activity_id": record.activity.pk,
            "implementing_agency_id": record.agency.pk,
            "objectives": values["objectives"] or "",
            "start_date": values["start_date"],
            "end_date": values["end_date"],
            "status": record.status,
            "decision_number": approval["number"],
            "decision_date": approval["date"],
            **{f"approved_{source}": approved[source] for source in SOURCES},
        }

    @staticmethod
    def budget_fields(row, order: int) -> dict:
        values = row.values
        quantity = values["quantity"] or 1
        amount = values["amount"] or 0
        unit_price = values["unit_price"]
        return {
            "unit": values["unit"] or "",
            "quantity": quantity,
            "unit_price": unit_price if unit_price is not None else int(amount / quantity),
            "amount": amount,
            "order": order,
            **_amounts(values),
        }

    @staticmethod
    def output_fields(row) -> dict:
        return {"target_value": row.values["target"], "achieved_value": row.values["achieved"]}

    @staticmethod
    def contract_fields(row) -> dict:
        values = row.values
        return {
            "number": values["number"],
            "signed_on": values["signed_on"],
            "parties": values["parties"] or "",
            **_amounts(values),
        }

    @staticmethod
    def tranche_fields(row, contract) -> dict:
        values = row.values
        return {
            "contract": contract,
            "kind": values["kind"],
            "source": values["source"],
            "amount": values["amount"],
            "status": Tranche.Status.PAID,
            "paid_on": values["paid_on"],
            "voucher_number": values["voucher"],
            "treasury_reference": values["treasury"] or "",
        }

    @staticmethod
    def acceptance_fields(row) -> dict | None:
        if row is None:
            return None
        values = row.values
        return {
            "accepted_on": values["accepted_on"],
            "result": values["result"],
            "council": values["council"],
            "conclusion": values["conclusion"] or "",
            **_amounts(values),
        }

    @staticmethod
    def liquidation_fields(row, contract) -> dict | None:
        if row is None:
            return None
        values = row.values
        return {
            "contract": contract,
            "number": values["number"],
            "liquidated_on": values["liquidated_on"],
            **_amounts(values),
            **{f"returned_{s}": values[f"returned_{s}"] or 0 for s in SOURCES},
        }

    @staticmethod
    def settlement_fields(row) -> dict | None:
        if row is None:
            return None
        values = row.values
        return {
            "settled_on": values["settled_on"],
            "decision_number": values["number"],
            **_amounts(values),
            **{f"returned_{s}": values[f"returned_{s}"] or 0 for s in SOURCES},
        }

    def tranche_key_of(self, record: ProposalRecord, row) -> str:
        return tranche_key(
            self.province.code, record.code, row.values["voucher"], row.values["source"]
        )

    def event_of(self, proposal, record: ProposalRecord, *, changes=None) -> ProposalEvent:
        """The "import" event: the file, its checksum, the place as the record wrote it,
        the decisions; for a corrected file, what changed."""
        event_changes = {
            "file": self.file_name,
            "checksum": self.checksum,
            "recorded_place": record.place.written,
            "decisions": [
                {
                    "kind": d.values["kind"],
                    "number": d.values["number"],
                    "date": d.values["date"].isoformat(),
                }
                for d in record.decisions
            ],
        }
        if record.existing is not None:
            event_changes["changed"] = changes
        approval = record.approval.values
        return ProposalEvent(
            proposal=proposal,
            action=IMPORT_ACTION,
            from_status="" if record.existing is None else record.existing.status,
            to_status=proposal.status,
            actor=self.actor,
            comment=self.file_name,
            decision_number=approval["number"],
            decision_date=approval["date"],
            changes=event_changes,
        )

    def _beneficiary(self, line) -> Beneficiary:
        """The registry's record of an establishment line: registered before, created
        earlier in this file, or built now (unsaved, for the caller to insert)."""
        if line.existing is not None:
            return line.existing
        identifier = line.cleaned["tax_code"] or line.cleaned["citizen_id"]
        found = self.registry.get(identifier)
        if found is None:
            found = beneficiary_build(actor=self.actor, cleaned=line.cleaned)
            self.registry[identifier] = found
        return found

    # --- new đề án: in bulk, a fixed number of statements per chunk ---------------------

    def proposals_create(self, records: list[ProposalRecord]) -> None:
        new_beneficiaries = []
        for record in records:
            for line in record.beneficiaries:
                beneficiary = self._beneficiary(line)
                if beneficiary.pk is None and beneficiary not in new_beneficiaries:
                    new_beneficiaries.append(beneficiary)
        Beneficiary.objects.bulk_create(new_beneficiaries)
        self.count("beneficiaries", "created", len(new_beneficiaries))

        proposals = []
        for record in records:
            plan = self._plan_of(record)
            fields = self.proposal_fields(record)
            proposals.append(
                Proposal(
                    code=record.code,
                    plan=plan,
                    sequence=self._sequence(plan),
                    province=self.province,
                    created_by=self.actor,
                    title_folded=fold(fields["title"]),
                    **fields,
                )
            )
        Proposal.objects.bulk_create(proposals)
        self.count("proposals", "created", len(proposals))
        pairs = list(zip(proposals, records, strict=True))

        Proposal.communes.through.objects.bulk_create(
            Proposal.communes.through(proposal_id=p.pk, commune_id=r.place.commune.pk)
            for p, r in pairs
        )
        links = [
            ProposalBeneficiary(
                proposal=p, beneficiary=self._beneficiary(line), support_amount=line.support_amount
            )
            for p, r in pairs
            for line in r.beneficiaries
        ]
        ProposalBeneficiary.objects.bulk_create(links)
        self.count("links", "created", len(links))
        lines = [
            BudgetLine(proposal=p, item=row.values["item"], **self.budget_fields(row, order))
            for p, r in pairs
            for order, row in enumerate(r.budget, start=1)
        ]
        BudgetLine.objects.bulk_create(lines)
        self.count("budget", "created", len(lines))
        outputs = [
            ProposalOutput(proposal=p, indicator=indicator, **self.output_fields(row))
            for p, r in pairs
            for row, indicator in r.outputs
        ]
        ProposalOutput.objects.bulk_create(outputs)
        self.count("outputs", "created", len(outputs))

        contracts = {
            p.pk: Contract(
                proposal=p, active=True, recorded_by=self.actor, **self.contract_fields(r.contract)
            )
            for p, r in pairs
            if r.contract is not None
        }
        Contract.objects.bulk_create(contracts.values())
        self.count("contracts", "created", len(contracts))
        tranches = [
            Tranche(
                proposal=p,
                idempotency_key=self.tranche_key_of(r, row),
                recorded_by=self.actor,
                approved_by=self.actor,
                **self.tranche_fields(row, contracts[p.pk]),
            )
            for p, r in pairs
            for row in r.payments
        ]
        Tranche.objects.bulk_create(tranches)
        self.count("payments", "created", len(tranches))
        for kind, model, build in (
            ("acceptances", Acceptance, lambda p, r: self.acceptance_fields(r.acceptance)),
            (
                "liquidations",
                Liquidation,
                lambda p, r: self.liquidation_fields(r.liquidation, contracts.get(p.pk)),
            ),
            ("settlements", Settlement, lambda p, r: self.settlement_fields(r.settlement)),
        ):
            rows = [
                model(proposal=p, recorded_by=self.actor, **fields)
                for p, r in pairs
                if (fields := build(p, r)) is not None
            ]
            model.objects.bulk_create(rows)
            self.count(kind, "created", len(rows))

        snapshots = proposal_snapshots(proposals)
        ApprovedVersion.objects.bulk_create(
            ApprovedVersion(
                proposal=p,
                number=1,
                decision_number=r.last_decision.values["number"],
                decision_date=r.last_decision.values["date"],
                snapshot=snapshots[p.pk],
            )
            for p, r in pairs
        )
        ProposalEvent.objects.bulk_create(self.event_of(p, r) for p, r in pairs)

    # --- a đề án imported before: only what differs is written -------------------------

    def proposal_update(self, record: ProposalRecord) -> None:
        proposal = record.existing
        fields = self.proposal_fields(record)
        changes = _differences(proposal, fields)
        if changes:
            for name, value in fields.items():
                setattr(proposal, name, value)
            proposal.version += 1
            proposal.save()
            self.count("proposals", "changed")
        before = set(proposal.communes.values_list("pk", flat=True))
        wanted = {record.place.commune.pk}
        if before != wanted:
            proposal.communes.set(wanted)
            changes["communes"] = {"before": sorted(before), "after": sorted(wanted)}
        changes.update(self.beneficiaries_write(proposal, record))
        changes.update(self.budget_write(proposal, record))
        changes.update(self.outputs_write(proposal, record))
        changes.update(self.money_write(proposal, record))
        if not changes:
            self.count("proposals", "unchanged")
            return
        number = record.last_decision.values["number"]
        if not proposal.approved_versions.filter(decision_number=number).exists():
            last = proposal.approved_versions.aggregate(n=Max("number"))["n"] or 0
            ApprovedVersion.objects.create(
                proposal=proposal,
                number=last + 1,
                decision_number=number,
                decision_date=record.last_decision.values["date"],
                snapshot=proposal_snapshot(proposal),
            )
        self.event_of(proposal, record, changes=changes).save()

    def beneficiaries_write(self, proposal: Proposal, record: ProposalRecord) -> dict:
        current = {link.beneficiary_id: link for link in proposal.beneficiary_links.all()}
        wanted: dict[int, int] = {}
        for line in record.beneficiaries:
            beneficiary = self._beneficiary(line)
            if beneficiary.pk is None:
                beneficiary.save()
                self.count("beneficiaries", "created")
            wanted[beneficiary.pk] = line.support_amount
        changes = {}
        for pk, amount in wanted.items():
            link = current.get(pk)
            if link is None:
                ProposalBeneficiary.objects.create(
                    proposal=proposal, beneficiary_id=pk, support_amount=amount
                )
                self.count("links", "created")
                changes.setdefault("beneficiaries_added", []).append(pk)
            elif link.support_amount != amount:
                changes.setdefault("support_amounts_changed", {})[str(pk)] = {
                    "before": link.support_amount,
                    "after": amount,
                }
                link.support_amount = amount
                link.save(update_fields=["support_amount"])
                self.count("links", "changed")
            else:
                self.count("links", "unchanged")
        gone = [pk for pk in current if pk not in wanted]
        if gone:
            ProposalBeneficiary.objects.filter(proposal=proposal, beneficiary_id__in=gone).delete()
            self.count("links", "removed", len(gone))
            changes["beneficiaries_removed"] = gone
        return changes

    def budget_write(self, proposal: Proposal, record: ProposalRecord) -> dict:
        current = {line.item: line for line in proposal.budget_lines.all()}
        changes = {}
        seen = set()
        for order, row in enumerate(record.budget, start=1):
            item = row.values["item"]
            seen.add(item)
            fields = self.budget_fields(row, order)
            line = current.get(item)
            if line is None:
                BudgetLine.objects.create(proposal=proposal, item=item, **fields)
                self.count("budget", "created")
                changes.setdefault("budget_added", []).append(item)
                continue
            differences = _differences(line, {k: v for k, v in fields.items() if k != "quantity"})
            if float(line.quantity) != float(fields["quantity"]):
                differences["quantity"] = {
                    "before": float(line.quantity),
                    "after": fields["quantity"],
                }
            if differences:
                for name, value in fields.items():
                    setattr(line, name, value)
                line.save()
                self.count("budget", "changed")
                changes.setdefault("budget_changed", {})[item] = differences
            else:
                self.count("budget", "unchanged")
        gone = [item for item in current if item not in seen]
        if gone:
            BudgetLine.objects.filter(proposal=proposal, item__in=gone).delete()
            self.count("budget", "removed", len(gone))
            changes["budget_removed"] = gone
        return changes

    def outputs_write(self, proposal: Proposal, record: ProposalRecord) -> dict:
        current = {o.indicator_id: o for o in proposal.outputs.select_related("indicator")}
        changes = {}
        for row, indicator in record.outputs:
            fields = self.output_fields(row)
            output = current.pop(indicator.pk, None)
            if output is None:
                ProposalOutput.objects.create(proposal=proposal, indicator=indicator, **fields)
                self.count("outputs", "created")
                changes.setdefault("outputs_added", []).append(indicator.code)
                continue
            differences = _differences(output, fields)
            if differences:
                for name, value in fields.items():
                    setattr(output, name, value)
                output.save()
                self.count("outputs", "changed")
                changes.setdefault("outputs_changed", {})[indicator.code] = differences
            else:
                self.count("outputs", "unchanged")
        if current:
            ProposalOutput.objects.filter(pk__in=[o.pk for o in current.values()]).delete()
            self.count("outputs", "removed", len(current))
            changes["outputs_removed"] = [o.indicator.code for o in current.values()]
        return changes

    def _one_to_one(self, kind: str, model, proposal, fields: dict | None, changes: dict, **keys):
        """Create, update or remove the single record of ``model`` for ``proposal``."""
        current = model.objects.filter(proposal=proposal, **keys).first()
        if fields is None:
            if current is not None:
                current.delete()
                self.count(kind, "removed")
                changes[f"{kind}_removed"] = True
            return None
        if current is None:
            self.count(kind, "created")
            changes[f"{kind}_added"] = True
            return model.objects.create(proposal=proposal, recorded_by=self.actor, **keys, **fields)
        differences = _differences(current, fields)
        if differences:
            for name, value in fields.items():
                setattr(current, name, value)
            current.save()
            self.count(kind, "changed")
            changes[f"{kind}_changed"] = differences
        else:
            self.count(kind, "unchanged")
        return current

    def money_write(self, proposal: Proposal, record: ProposalRecord) -> dict:
        changes: dict = {}
        # Settlement and liquidation first when removing (they need the others).
        if record.settlement is None:
            self._one_to_one("settlements", Settlement, proposal, None, changes)
        if record.liquidation is None:
            self._one_to_one("liquidations", Liquidation, proposal, None, changes)
        contract = None
        if record.contract is not None:
            contract = self._one_to_one(
                "contracts",
                Contract,
                proposal,
                self.contract_fields(record.contract),
                changes,
                active=True,
            )
        self.payments_write(proposal, record, contract, changes)
        self._one_to_one(
            "acceptances", Acceptance, proposal, self.acceptance_fields(record.acceptance), changes
        )
        if record.liquidation is not None:
            fields = self.liquidation_fields(record.liquidation, contract)
            self._one_to_one("liquidations", Liquidation, proposal, fields, changes)
        if record.settlement is not None:
            fields = self.settlement_fields(record.settlement)
            self._one_to_one("settlements", Settlement, proposal, fields, changes)
        return changes

    def payments_write(self, proposal, record, contract, changes) -> None:
        current = {t.idempotency_key: t for t in Tranche.objects.filter(proposal=proposal)}
        for row in record.payments:
            fields = self.tranche_fields(row, contract)
            tranche = current.pop(self.tranche_key_of(record, row), None)
            if tranche is None:
                Tranche.objects.create(
                    proposal=proposal,
                    idempotency_key=self.tranche_key_of(record, row),
                    recorded_by=self.actor,
                    approved_by=self.actor,
                    **fields,
                )
                self.count("payments", "created")
                changes.setdefault("payments_added", []).append(row.values["voucher"])
                continue
            differences = _differences(tranche, fields)
            if differences:
                for name, value in fields.items():
                    setattr(tranche, name, value)
                tranche.save()
                self.count("payments", "changed")
                changes.setdefault("payments_changed", {})[row.values["voucher"]] = differences
            else:
                self.count("payments", "unchanged")
        if current:
            Tranche.objects.filter(pk__in=[t.pk for t in current.values()]).delete()
            self.count("payments", "removed", len(current))
            changes["payments_removed"] = [t.voucher_number for t in current.values()]


def history_import(
    *,
    checked: Checked,
    actor,
    file_name: str,
    checksum: str,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Write ``checked`` (a dry run without errors) in one transaction, or with
    ``dry_run`` write it, check the database's rules and roll back. Refuses a file with
    errors. A rule of the database broken by the file (which the dry run would have found)
    becomes an issue of the summary; nothing is written then."""
    if checked.errors:
        raise ValueError("A file with errors is not imported.")
    writer = _Writer(
        checked, actor=actor, file_name=file_name, checksum=checksum, progress=progress
    )
    try:
        with transaction.atomic():
            writer.run()
            with connection.cursor() as cursor:
                # The deferred rules (money, settlement after acceptance) now, not at commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except IntegrityError as exc:
        writer.summary.issues.append(
            Issue("", 0, "", f"Cơ sở dữ liệu từ chối tệp: {str(exc).splitlines()[0]}")
        )
    return writer.summary


# --- The job: upload, dry run, confirmation, import ----------------------------------------

S = HistoryImport.Status


def history_upload(*, actor, upload) -> HistoryImport:
    """Keep the uploaded workbook and queue its dry run. The province is the uploader's:
    a Sở brings in its own past records."""
    require(actor, "history.import")
    province_id = scope_province_id(actor)
    if province_id is None:
        raise ValidationError(
            {"file": _("Past records are imported by the Department of their province.")}
        )
    name = os.path.basename(upload.name or "")
    if not name.lower().endswith(".xlsx"):
        raise ValidationError({"file": _("Choose the filled template, an Excel file (.xlsx).")})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(mb)s MB: split it into several files.")
                % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            }
        )
    data = upload.read()
    job = HistoryImport(
        province_id=province_id,
        original_filename=name[:255],
        checksum=file_checksum(data),
        size=len(data),
        created_by=actor,
        enqueued_at=timezone.now(),
    )
    job.file.save(name, ContentFile(data), save=False)
    job.save()
    _enqueue_after_commit(job.pk)
    return job


def history_confirm(*, job: HistoryImport, actor) -> HistoryImport:
    """The user read the preview and asks for the import: queue it."""
    require(actor, "history.import")
    if not in_scope(actor, job):
        raise PermissionDenied
    with transaction.atomic():
        updated = HistoryImport.objects.filter(pk=job.pk, status=S.READY).update(
            status=S.IMPORT_QUEUED,
            confirmed_by=actor,
            confirmed_at=timezone.now(),
            enqueued_at=timezone.now(),
            attempts=0,
            progress_done=0,
        )
        if not updated:
            job.refresh_from_db()
            raise ValidationError(
                _("This file is “%(status)s”: it cannot be imported now.")
                % {"status": job.get_status_display()}
            )
        _enqueue_after_commit(job.pk)
    job.refresh_from_db()
    return job


def _send(job_id: int) -> None:
    from history.tasks import history_run_task

    if not task_send(history_run_task, args=[job_id], ignore_result=True):
        # The row stays queued; the sweeper sends it (the row is the outbox).
        HistoryImport.objects.filter(pk=job_id).update(enqueued_at=None)


def _enqueue_after_commit(job_id: int) -> None:
    transaction.on_commit(lambda: _send(job_id))


_NEXT = {S.CHECK_QUEUED: S.CHECKING, S.IMPORT_QUEUED: S.IMPORTING}


def _claim(job_id: int) -> tuple[str, int] | None:
    """Compare-and-set: a queued job (or a running one whose worker stopped beating) to
    running, one more attempt. Returns (status, attempt) owned by this run, or None."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.HISTORY_STALE_AFTER)
    for queued, running in _NEXT.items():
        claimable = Q(status=queued) | Q(status=running, heartbeat_at__lt=stale)
        updated = HistoryImport.objects.filter(
            claimable, pk=job_id, attempts__lt=settings.HISTORY_MAX_ATTEMPTS
        ).update(status=running, attempts=F("attempts") + 1, heartbeat_at=now, error="")
        if updated:
            attempt = HistoryImport.objects.values_list("attempts", flat=True).get(pk=job_id)
            return running, attempt
    HistoryImport.objects.filter(
        Q(status__in=HistoryImport.QUEUED) | Q(status__in=HistoryImport.RUNNING),
        pk=job_id,
        attempts__gte=settings.HISTORY_MAX_ATTEMPTS,
    ).update(
        status=S.FAILED,
        finished_at=now,
        error=str(
            _("The file could not be processed after several attempts: nothing was imported.")
        ),
    )
    return None


class _Beat:
    """Progress and heartbeat, written every few seconds by a thread with its own
    database connection: the import's own transaction is not visible until it commits."""

    def __init__(self, job_id: int, attempt: int, status: str, every: float = 2.0):
        self.job_id, self.attempt, self.status, self.every = job_id, attempt, status, every
        self.done, self.total = 0, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"history-{job_id}", daemon=True)

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def _write(self) -> None:
        HistoryImport.objects.filter(
            pk=self.job_id, status=self.status, attempts=self.attempt
        ).update(heartbeat_at=timezone.now(), progress_done=self.done, progress_total=self.total)

    def _run(self) -> None:
        try:
            while not self.stop.wait(self.every):
                self._write()
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def _issues_store(job: HistoryImport, issues: list[Issue]) -> None:
    HistoryIssue.objects.filter(history_import=job).delete()
    HistoryIssue.objects.bulk_create(
        (
            HistoryIssue(
                history_import=job,
                severity=issue.severity,
                sheet=issue.sheet,
                row=issue.row,
                column=issue.column[:80],
                message=issue.message,
            )
            for issue in issues
        ),
        batch_size=2000,
    )


def _check(job: HistoryImport, data: bytes):
    try:
        read = read_workbook(data)
    except WorkbookError as exc:
        return None, [Issue("", 1, "", str(exc))]
    checked = history_check(read, province=job.province, actor=job.created_by)
    return checked, checked.issues


def history_run(job_id: int) -> str:
    """Do what the job's row says is next: the dry run of an uploaded file, or the import
    of a confirmed one. Returns the status it leaves."""
    claimed = _claim(job_id)
    if claimed is None:
        return "skipped"
    status, attempt = claimed
    job = HistoryImport.objects.select_related("province", "created_by", "confirmed_by").get(
        pk=job_id
    )
    owned = HistoryImport.objects.filter(pk=job_id, status=status, attempts=attempt)
    with job.file.open("rb") as handle:
        data = handle.read()
    importing = status == S.IMPORTING
    with _Beat(job_id, attempt, status) as beat:
        checked, issues = _check(job, data)
        errors = [i for i in issues if i.severity == "error"]
        summary = None
        if not errors:
            summary = history_import(
                checked=checked,
                actor=job.confirmed_by if importing else job.created_by,
                file_name=job.original_filename,
                checksum=job.checksum,
                dry_run=not importing,
                progress=beat,
            )
            errors = summary.issues
            issues = issues + summary.issues
    with transaction.atomic():
        if not owned.exists():
            return "skipped"
        _issues_store(job, issues)
        values = {
            "error_count": len(errors),
            "warning_count": sum(1 for i in issues if i.severity == "warning"),
            "proposal_count": len(checked.proposals) if checked else 0,
            "heartbeat_at": timezone.now(),
        }
        if errors:
            values.update(
                status=S.REFUSED if not importing else S.FAILED, checked_at=timezone.now()
            )
            if importing:
                values["error"] = str(
                    _(
                        "The records changed since the check: nothing was imported. "
                        "Upload the file again."
                    )
                )
                values["finished_at"] = timezone.now()
        elif importing:
            values.update(status=S.DONE, result=summary.as_dict(), finished_at=timezone.now())
        else:
            values.update(status=S.READY, preview=summary.as_dict(), checked_at=timezone.now())
        owned.update(**values)
    return values["status"]


def history_give_up(*, job_id: int) -> None:
    """The worker's time ran out: nothing was written (one transaction); say so."""
    HistoryImport.objects.filter(
        pk=job_id, status__in=(*HistoryImport.QUEUED, *HistoryImport.RUNNING)
    ).update(
        status=S.FAILED,
        finished_at=timezone.now(),
        error=str(_("The file took too long: nothing was imported. Split it into smaller files.")),
    )


def history_sweep(*, now: datetime.datetime | None = None) -> dict:
    """Celery beat: jobs whose worker stopped beating go back to their queue; queued jobs
    whose message was lost (or never sent) are sent again. Sending twice is harmless: the
    claim is a compare-and-set."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.HISTORY_STALE_AFTER)
    waiting = now - datetime.timedelta(seconds=settings.HISTORY_REQUEUE_AFTER)
    with transaction.atomic():
        stuck = list(
            HistoryImport.objects.select_for_update(skip_locked=True)
            .filter(status__in=HistoryImport.RUNNING, heartbeat_at__lt=stale)
            .values_list("pk", "status")
        )
        for pk, status in stuck:
            queued = {v: k for k, v in _NEXT.items()}[status]
            HistoryImport.objects.filter(pk=pk).update(status=queued, enqueued_at=now)
        late = list(
            HistoryImport.objects.select_for_update(skip_locked=True)
            .filter(status__in=HistoryImport.QUEUED)
            .filter(Q(enqueued_at__lt=waiting) | Q(enqueued_at__isnull=True))
            .values_list("pk", flat=True)
        )
        HistoryImport.objects.filter(pk__in=late).update(enqueued_at=now)
        for pk in [pk for pk, _status in stuck] + late:
            _enqueue_after_commit(pk)
    return {"requeued_stuck": len(stuck), "requeued_queued": len(late)}
