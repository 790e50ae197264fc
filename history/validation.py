"""The dry run of a history import: every row of the workbook checked against the rules
the services apply, and the records it would create or change.

Nothing is written here. :func:`history_check` reads what already exists (a fixed number
of queries per file, not per row), joins the sheets on the đề án's code, and returns a
:class:`Checked` import: per đề án what the file says (already typed and matched to the
portal's catalogue, places and registry), and every problem with its sheet, row and
column. Errors stop the import (the writer refuses a file with any); warnings are shown
and kept (a support cap exceeded in a past year is a fact of history, not a reason to
leave the record out).

The rules, each the one the portal applies elsewhere:

* places: today's commune, or the commune before 1 July 2025 with its district
  (``reference.legacy.PlaceIndex``);
* establishments: the registry's rules (``beneficiaries.rules.beneficiary_clean``: tax
  code with its check digit, or the owner's CCCD for a household business or an
  artisan), matched to the registry by tax code or CCCD;
* eligibility by the rule in force on the approval decision's date
  (``beneficiaries.eligibility``), support caps by the rule in force that day
  (``programs.rules.cap_check``) — as warnings;
* money, per source (the database's rules, disbursement/sql/money_rules.sql): the budget
  lines add up to their amount and to the amounts of the last decision; contracted ≤
  approved; paid ≤ contracted; accepted ≤ contracted; liquidated ≤ contracted; settled ≤
  accepted; a settlement needs the acceptance and the liquidation; advances within the
  limit in force on their payment date (``programs.rules.advance_limit``);
* dates: a đề án ends after it starts; a contract is signed on or after the approval; a
  payment is made on or after the contract; acceptance, liquidation and settlement follow.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from accounts.models import Agency
from beneficiaries.eligibility import beneficiary_eligibility
from beneficiaries.imports import legal_form_lookup
from beneficiaries.models import Beneficiary, Sector
from beneficiaries.rules import beneficiary_clean
from beneficiaries.validators import citizen_id_normalise, tax_code_normalise
from core.formatting import format_vnd
from core.funding import SOURCES, program_source
from core.text import fold
from history.workbook import SHEET_BY_KEY, ReadRow, ReadWorkbook
from programs.models import Activity, AnnualPlan, Indicator, Program
from programs.rules import advance_amount_limit, advance_limit, cap_check
from projects.models import Proposal, ProposalEvent
from projects.timeline import IMPORT_ACTION
from reference.legacy import Place, PlaceIndex
from villages.selectors import recognised_village_by_beneficiary

ERROR, WARNING = "error", "warning"


# The status the records of a đề án show, from its last record (projects.models.Proposal).
STATUS_BY_RECORD = (
    ("settlement", Proposal.Status.CLOSED),
    ("acceptance", Proposal.Status.ACCEPTED),
    ("contract", Proposal.Status.IN_IMPLEMENTATION),
    ("approval", Proposal.Status.APPROVED),
)


@dataclass(frozen=True)
class Issue:
    sheet: str
    row: int
    column: str
    message: str
    severity: str = ERROR


@dataclass
class BeneficiaryLine:
    row: ReadRow
    existing: Beneficiary | None
    cleaned: dict | None  # the registry's values for a new establishment
    place: Place | None
    support_amount: int


@dataclass
class ProposalRecord:
    """Everything the file says about one đề án, checked and matched."""

    code: str
    row: ReadRow
    existing: Proposal | None = None
    plan: AnnualPlan | None = None
    plan_row: ReadRow | None = None  # a plan the file creates
    activity: Activity | None = None
    agency: Agency | None = None
    place: Place | None = None
    decisions: list[ReadRow] = field(default_factory=list)
    beneficiaries: list[BeneficiaryLine] = field(default_factory=list)
    budget: list[ReadRow] = field(default_factory=list)
    outputs: list[tuple[ReadRow, Indicator]] = field(default_factory=list)
    contract: ReadRow | None = None
    payments: list[ReadRow] = field(default_factory=list)
    acceptance: ReadRow | None = None
    liquidation: ReadRow | None = None
    settlement: ReadRow | None = None

    @property
    def approval(self) -> ReadRow | None:
        return next((d for d in self.decisions if d.values["kind"] == "approval"), None)

    @property
    def last_decision(self) -> ReadRow | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def approved(self) -> dict[str, int]:
        last = self.last_decision
        return _amounts(last.values) if last else dict.fromkeys(SOURCES, 0)

    @property
    def status(self) -> str:
        present = {
            "settlement": self.settlement,
            "acceptance": self.acceptance,
            "contract": self.contract,
            "approval": self.approval,
        }
        return next(status for record, status in STATUS_BY_RECORD if present[record])


@dataclass
class Checked:
    """The result of the dry run."""

    province: object
    # The plans the file creates (their years have none in the portal), with the province's
    # programme each belongs to.
    plans: list[tuple[ReadRow, Program]]
    proposals: dict[str, ProposalRecord]
    issues: list[Issue]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors


def _amounts(values: dict, prefix: str = "") -> dict[str, int]:
    return {source: values.get(f"{prefix}{source}") or 0 for source in SOURCES}


def _vnd(amounts: dict[str, int]) -> str:
    return (
        ", ".join(
            f"{name} {format_vnd(amounts[key])}"
            for key, name in zip(SOURCES, ("KCQG", "KCĐP", "đối ứng", "khác"), strict=True)
            if amounts[key]
        )
        or "0 đồng"
    )


def _d(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


class _Checker:
    def __init__(self, read: ReadWorkbook, *, province, actor):
        self.read = read
        self.province = province
        self.actor = actor
        self.issues: list[Issue] = [
            Issue(e.sheet, e.row, e.column, e.message) for e in read.cell_errors
        ]
        self.today = timezone.localdate()
        self.places = PlaceIndex(province)
        self.activities = {a.code: a for a in Activity.objects.all()}
        self.indicators = {fold(i.code): i for i in Indicator.objects.all()}
        self.sectors: dict[str, Sector] = {}
        for sector in Sector.objects.all():
            self.sectors[fold(sector.code)] = sector
            self.sectors[fold(sector.name)] = sector
        self.legal_forms = legal_form_lookup()
        self.agencies: dict[str, Agency] = {}
        for agency in Agency.objects.filter(Q(province=province) | Q(province__isnull=True)):
            self.agencies.setdefault(fold(agency.name), agency)
            if agency.short_name:
                self.agencies.setdefault(fold(agency.short_name), agency)
        self.programs = list(
            Program.objects.filter(level="local", province=province).order_by("-start_year")
        )
        self.plans = {
            (plan.year, plan.program.level): plan
            for plan in AnnualPlan.objects.filter(
                Q(province=province) | Q(province__isnull=True)
            ).select_related("program")
        }

    def program_for(self, year: int) -> Program | None:
        return next(
            (p for p in self.programs if p.start_year <= year <= p.end_year),
            None,
        )

    def add(self, sheet_key: str, row: ReadRow | None, column: str, message: str, severity=ERROR):
        sheet = SHEET_BY_KEY[sheet_key]
        header = sheet.column(column).header if column else ""
        self.issues.append(Issue(sheet.title, row.number if row else 1, header, message, severity))

    # --- the sheets -------------------------------------------------------------------

    def run(self) -> Checked:
        plans = self._plans()
        proposals = self._proposals(plans)
        self._attach(proposals)
        for record in proposals.values():
            self._beneficiaries(record)
            self._money(record)
        self._existing_records(proposals)
        created = [(row, self.program_for(row.values["year"])) for row in plans.values()]
        return Checked(self.province, created, proposals, self.issues)

    def _plans(self) -> dict[int, ReadRow]:
        created: dict[int, ReadRow] = {}
        for row in self.read.rows["plans"]:
            year = row.values["year"]
            if year is None:
                continue
            if year in created:
                self.add("plans", row, "year", f"Năm {year} đã có ở dòng {created[year].number}.")
                continue
            if (year, "local") in self.plans:
                plan = self.plans[(year, "local")]
                self.add(
                    "plans",
                    row,
                    "year",
                    f"Cổng đã có kế hoạch năm {year} ({plan.title}): dòng này được bỏ qua.",
                    WARNING,
                )
                continue
            if year > self.today.year:
                self.add("plans", row, "year", "Kế hoạch của những năm đã qua hoặc năm nay.")
                continue
            if self.program_for(year) is None:
                self.add(
                    "plans",
                    row,
                    "year",
                    f"Cổng chưa có chương trình khuyến công của {self.province.name} gồm năm "
                    f"{year}: thêm chương trình (trang Chương trình) trước khi nhập.",
                )
                continue
            if row.values["date"] and row.values["date"] > self.today:
                self.add("plans", row, "date", "Ngày quyết định không thể sau hôm nay.")
            created[year] = row
        return created

    def _proposals(self, plans: dict[int, ReadRow]) -> dict[str, ProposalRecord]:
        records: dict[str, ProposalRecord] = {}
        for row in self.read.rows["proposals"]:
            values = row.values
            code = values["proposal_code"]
            if not code:
                continue
            if code in records:
                self.add(
                    "proposals",
                    row,
                    "proposal_code",
                    f"Mã đề án {code} đã có ở dòng {records[code].row.number}.",
                )
                continue
            record = ProposalRecord(code=code, row=row)
            records[code] = record
            year, level = values["year"], values["level"]
            if year is not None and level is not None:
                record.plan = self.plans.get((year, level))
                if record.plan is None and level == "local":
                    record.plan_row = plans.get(year)
                if record.plan is None and record.plan_row is None:
                    if level == "national":
                        message = (
                            f"Cổng chưa có kế hoạch khuyến công quốc gia năm {year}: Cục Công "
                            "Thương địa phương nhập kế hoạch đó trước."
                        )
                    else:
                        message = (
                            f"Cổng chưa có kế hoạch khuyến công địa phương năm {year}: thêm "
                            "một dòng cho năm đó ở trang “Kế hoạch năm”."
                        )
                    self.add("proposals", row, "year", message)
            if values["activity"]:
                record.activity = self.activities.get(values["activity"].strip())
                if record.activity is None:
                    self.add(
                        "proposals",
                        row,
                        "activity",
                        f"Không có nội dung hoạt động mã “{values['activity']}” (trang Danh mục).",
                    )
            if values["agency"]:
                record.agency = self.agencies.get(fold(values["agency"]))
                if record.agency is None:
                    self.add(
                        "proposals",
                        row,
                        "agency",
                        f"Không có đơn vị “{values['agency']}” trong danh sách đơn vị của "
                        f"{self.province.name}: ghi đúng tên, hoặc thêm đơn vị trước.",
                    )
            if values["commune"]:
                record.place = self.places.resolve(values["commune"], values["district"] or "")
                self._place_issues("proposals", row, record.place)
            start, end = values["start_date"], values["end_date"]
            if start and end and end < start:
                self.add("proposals", row, "end_date", "Ngày kết thúc trước ngày bắt đầu.")
        return records

    def _place_issues(self, sheet: str, row: ReadRow, place: Place) -> None:
        if place.error:
            self.add(sheet, row, "commune", place.error)
        elif place.warning:
            self.add(sheet, row, "commune", place.warning, WARNING)

    def _attach(self, records: dict[str, ProposalRecord]) -> None:
        """Each row of the other sheets to its đề án; rows naming no đề án of the file are
        errors, so nothing of the file is silently left out."""

        def owner(sheet: str, row: ReadRow) -> ProposalRecord | None:
            code = row.values["proposal_code"]
            if not code:
                return None
            record = records.get(code)
            if record is None:
                self.add(
                    sheet,
                    row,
                    "proposal_code",
                    f"Không có đề án mã {code} ở trang “Đề án”.",
                )
            return record

        def single(sheet: str, row: ReadRow, record: ProposalRecord, attribute: str, what: str):
            earlier = getattr(record, attribute)
            if earlier is not None:
                self.add(
                    sheet,
                    row,
                    "proposal_code",
                    f"Đề án {record.code} đã có {what} ở dòng {earlier.number}.",
                )
                return
            setattr(record, attribute, row)

        for row in self.read.rows["decisions"]:
            if record := owner("decisions", row):
                record.decisions.append(row)
        for row in self.read.rows["budget"]:
            if record := owner("budget", row):
                record.budget.append(row)
        for row in self.read.rows["outputs"]:
            if (record := owner("outputs", row)) and row.values["indicator"]:
                indicator = self.indicators.get(fold(row.values["indicator"]))
                if indicator is None:
                    self.add(
                        "outputs",
                        row,
                        "indicator",
                        f"Không có chỉ tiêu mã “{row.values['indicator']}” (trang Danh mục).",
                    )
                elif any(i == indicator for _r, i in record.outputs):
                    self.add("outputs", row, "indicator", "Chỉ tiêu này đã có cho đề án.")
                else:
                    record.outputs.append((row, indicator))
        for row in self.read.rows["contracts"]:
            if record := owner("contracts", row):
                single("contracts", row, record, "contract", "hợp đồng")
        for row in self.read.rows["payments"]:
            if record := owner("payments", row):
                record.payments.append(row)
        for row in self.read.rows["acceptances"]:
            if record := owner("acceptances", row):
                single("acceptances", row, record, "acceptance", "biên bản nghiệm thu")
        for row in self.read.rows["liquidations"]:
            if record := owner("liquidations", row):
                single("liquidations", row, record, "liquidation", "biên bản thanh lý")
        for row in self.read.rows["settlements"]:
            if record := owner("settlements", row):
                single("settlements", row, record, "settlement", "quyết định quyết toán")
        for row in self.read.rows["beneficiaries"]:
            if record := owner("beneficiaries", row):
                record.beneficiaries.append(BeneficiaryLine(row, None, None, None, 0))

    # --- establishments ---------------------------------------------------------------

    def _beneficiaries(self, record: ProposalRecord) -> None:
        approval = record.approval
        decided_on = approval.values["date"] if approval else None
        seen: dict[str, int] = {}
        for line in record.beneficiaries:
            row, values = line.row, line.row.values
            identifier = values["identifier"] or ""
            key = tax_code_normalise(identifier) or citizen_id_normalise(identifier)
            if key in seen:
                self.add(
                    "beneficiaries",
                    row,
                    "identifier",
                    f"Cơ sở này đã có trong đề án ở dòng {seen[key]}.",
                )
                continue
            seen[key] = row.number
            line.support_amount = values["support_amount"] or 0
            line.existing = self._registered(identifier)
            if line.existing is None:
                line.cleaned = self._new_beneficiary(line)
        # The craft villages the registered establishments belong to on the decision date
        # (the register's answer, as the đề án's own eligibility check reads it).
        registered = [line.existing.pk for line in record.beneficiaries if line.existing]
        villages = (
            recognised_village_by_beneficiary(registered, decided_on)
            if registered and decided_on
            else {}
        )
        for line in record.beneficiaries:
            beneficiary = line.existing or self._unsaved(line)
            if beneficiary is not None and decided_on is not None:
                village = villages.get(beneficiary.pk) if beneficiary.pk else None
                result = beneficiary_eligibility(beneficiary, decided_on, village=village)
                if not result.eligible:
                    self.add("beneficiaries", line.row, "identifier", result.reason)
                elif result.condition:
                    self.add("beneficiaries", line.row, "commune", result.condition, WARNING)

    def _registered(self, identifier: str) -> Beneficiary | None:
        return self.registry.get(tax_code_normalise(identifier)) or self.registry.get(
            citizen_id_normalise(identifier)
        )

    @property
    def registry(self) -> dict[str, Beneficiary]:
        if not hasattr(self, "_registry"):
            identifiers = set()
            for row in self.read.rows["beneficiaries"]:
                text = row.values["identifier"] or ""
                identifiers.update(
                    v for v in (tax_code_normalise(text), citizen_id_normalise(text)) if v
                )
            found = Beneficiary.objects.filter(
                Q(tax_code__in=identifiers) | Q(citizen_id__in=identifiers)
            ).select_related("commune", "province")
            self._registry = {}
            for beneficiary in found:
                for value in (beneficiary.tax_code, beneficiary.citizen_id):
                    if value:
                        self._registry[value] = beneficiary
        return self._registry

    def _new_beneficiary(self, line: BeneficiaryLine) -> dict | None:
        row, values = line.row, line.row.values
        if values["commune"]:
            line.place = self.places.resolve(values["commune"], values["district"] or "")
            self._place_issues("beneficiaries", row, line.place)
        identifier = values["identifier"] or ""
        tax_code = tax_code_normalise(identifier)
        legal_form = self.legal_forms.get(fold(values["legal_form"] or ""))
        data = {
            "legal_form": legal_form or "",
            "name": values["name"] or "",
            "tax_code": tax_code if len(tax_code) != 12 else "",
            "citizen_id": identifier if len(citizen_id_normalise(identifier)) == 12 else "",
            "commune": line.place.commune if line.place else None,
            "sector": self.sectors.get(fold(values["sector"] or "")),
            "workers": 0,
        }
        try:
            return beneficiary_clean(actor=self.actor, data=data)
        except ValidationError as exc:
            columns = {
                "legal_form": "legal_form",
                "name": "name",
                "tax_code": "identifier",
                "citizen_id": "identifier",
                "commune": "commune",
                "sector": "sector",
            }
            for name, messages in exc.message_dict.items():
                if name == "commune" and line.place and line.place.error:
                    continue  # already said
                for message in messages:
                    self.add("beneficiaries", row, columns.get(name, ""), message)
            return None

    def _unsaved(self, line: BeneficiaryLine) -> Beneficiary | None:
        """The new establishment as the registry would hold it, for the eligibility rule."""
        if line.cleaned is None:
            return None
        commune = line.cleaned["commune"]
        return Beneficiary(
            legal_form=line.cleaned["legal_form"],
            name=line.cleaned["name"],
            commune=commune,
            province=commune.province,
        )

    # --- money and dates --------------------------------------------------------------

    def _money(self, record: ProposalRecord) -> None:
        row = record.row
        approval = record.approval
        if approval is None:
            self.add(
                "proposals",
                row,
                "proposal_code",
                "Đề án chưa có quyết định phê duyệt ở trang “Quyết định”: chỉ nhập đề án đã "
                "được phê duyệt.",
            )
            return
        if sum(1 for d in record.decisions if d.values["kind"] == "approval") > 1:
            self.add(
                "decisions", record.decisions[-1], "kind", "Đề án chỉ có một quyết định phê duyệt."
            )
        record.decisions.sort(key=lambda d: (d.values["date"] or datetime.date.min, d.number))
        if record.decisions[0] is not approval:
            self.add(
                "decisions",
                record.decisions[0],
                "date",
                "Quyết định điều chỉnh trước quyết định phê duyệt.",
            )
        for decision in record.decisions:
            if decision.values["date"] and decision.values["date"] > self.today:
                self.add("decisions", decision, "date", "Ngày quyết định không thể sau hôm nay.")
        approved = record.approved
        level = record.row.values["level"]
        if level:
            own = program_source(level)
            wrong = [s for s in ("kcqg", "kcdp") if s != own and approved[s]]
            if wrong:
                self.add(
                    "decisions",
                    record.last_decision,
                    wrong[0],
                    "Đề án khuyến công quốc gia dùng KCQG, đề án địa phương dùng KCĐP.",
                )

        # Budget lines: each adds up; together they are what the last decision approved.
        totals = dict.fromkeys(SOURCES, 0)
        for line in record.budget:
            amounts = _amounts(line.values)
            amount = line.values["amount"] or 0
            if sum(amounts.values()) != amount:
                self.add(
                    "budget",
                    line,
                    "amount",
                    f"Các nguồn cộng lại {format_vnd(sum(amounts.values()))}, khác thành tiền "
                    f"{format_vnd(amount)}.",
                )
            for source in SOURCES:
                totals[source] += amounts[source]
        if record.budget and totals != approved:
            self.add(
                "budget",
                record.budget[0],
                "amount",
                f"Dự toán của đề án {record.code} cộng lại {_vnd(totals)}, khác kinh phí quyết "
                f"định {record.last_decision.values['number']} phê duyệt: {_vnd(approved)}.",
            )
        if not record.budget:
            self.add(
                "proposals",
                row,
                "proposal_code",
                "Đề án chưa có dòng dự toán ở trang “Dự toán”.",
            )

        decided_on = approval.values["date"]
        if record.activity is not None and level and decided_on:
            check = cap_check(
                activity=record.activity,
                level=level,
                province=self.province,
                on_date=decided_on,
                eligible_cost=sum(totals.values()),
                requested=approved[program_source(level)],
            )
            if not check.ok:
                self.add("decisions", approval, program_source(level), check.message, WARNING)

        self._contract_and_after(record, approved)

    def _contract_and_after(self, record: ProposalRecord, approved: dict[str, int]) -> None:
        approval_date = record.approval.values["date"]
        contract = record.contract
        later = [("payments", p) for p in record.payments] + [
            (sheet, row)
            for sheet, row in (
                ("acceptances", record.acceptance),
                ("liquidations", record.liquidation),
                ("settlements", record.settlement),
            )
            if row is not None
        ]
        if contract is None:
            for sheet, row in later:
                self.add(
                    sheet,
                    row,
                    "proposal_code",
                    f"Đề án {record.code} chưa có hợp đồng ở trang “Hợp đồng”.",
                )
            return
        contracted = _amounts(contract.values)
        signed_on = contract.values["signed_on"]
        for source in SOURCES:
            if contracted[source] > approved[source]:
                self.add(
                    "contracts",
                    contract,
                    source,
                    f"Hợp đồng vượt kinh phí được duyệt: {format_vnd(contracted[source])} > "
                    f"{format_vnd(approved[source])}.",
                )
        if signed_on and approval_date and signed_on < approval_date:
            self.add(
                "contracts",
                contract,
                "signed_on",
                f"Hợp đồng ký trước quyết định phê duyệt ({_d(approval_date)}).",
            )

        paid = dict.fromkeys(SOURCES, 0)
        advanced = defaultdict(int)
        vouchers: dict[tuple, int] = {}
        for payment in record.payments:
            values = payment.values
            if values["contract"] and values["contract"] != contract.values["number"]:
                self.add(
                    "payments",
                    payment,
                    "contract",
                    f"Hợp đồng của đề án {record.code} là {contract.values['number']}.",
                )
            key = (values["voucher"], values["source"])
            if key in vouchers:
                self.add(
                    "payments",
                    payment,
                    "voucher",
                    f"Chứng từ này đã có ở dòng {vouchers[key]} cho cùng nguồn.",
                )
            vouchers[key] = payment.number
            if values["paid_on"] and signed_on and values["paid_on"] < signed_on:
                self.add(
                    "payments", payment, "paid_on", f"Chi trước ngày ký hợp đồng ({_d(signed_on)})."
                )
            if values["paid_on"] and values["paid_on"] > self.today:
                self.add("payments", payment, "paid_on", "Ngày chi không thể sau hôm nay.")
            if values["source"] and values["amount"]:
                paid[values["source"]] += values["amount"]
                if values["kind"] == "advance":
                    advanced[values["source"]] += values["amount"]
                if values["kind"] == "settlement" and record.acceptance is None:
                    self.add(
                        "payments",
                        payment,
                        "kind",
                        "Khoản chi quyết toán cần biên bản nghiệm thu (trang “Nghiệm thu”).",
                    )
        for source in SOURCES:
            if paid[source] > contracted[source]:
                self.add(
                    "payments",
                    record.payments[-1],
                    "amount",
                    f"Tổng đã chi từ {source.upper()} {format_vnd(paid[source])} vượt hợp đồng "
                    f"{format_vnd(contracted[source])}.",
                )
        self._advances(record, advanced, contracted)

        acceptance = record.acceptance
        if acceptance is not None:
            accepted = _amounts(acceptance.values)
            for source in SOURCES:
                if accepted[source] > contracted[source]:
                    self.add("acceptances", acceptance, source, "Giá trị nghiệm thu vượt hợp đồng.")
            if (
                acceptance.values["accepted_on"]
                and signed_on
                and acceptance.values["accepted_on"] < signed_on
            ):
                self.add(
                    "acceptances", acceptance, "accepted_on", "Nghiệm thu trước ngày ký hợp đồng."
                )
        liquidation = record.liquidation
        if liquidation is not None:
            done = _amounts(liquidation.values)
            for source in SOURCES:
                if done[source] > contracted[source]:
                    self.add("liquidations", liquidation, source, "Giá trị thanh lý vượt hợp đồng.")
            if (
                liquidation.values["contract"]
                and liquidation.values["contract"] != contract.values["number"]
            ):
                self.add(
                    "liquidations",
                    liquidation,
                    "contract",
                    f"Hợp đồng của đề án {record.code} là {contract.values['number']}.",
                )
        settlement = record.settlement
        if settlement is not None:
            if acceptance is None:
                self.add(
                    "settlements",
                    settlement,
                    "proposal_code",
                    "Quyết toán cần biên bản nghiệm thu.",
                )
            if liquidation is None:
                self.add(
                    "settlements",
                    settlement,
                    "proposal_code",
                    "Quyết toán cần biên bản thanh lý hợp đồng.",
                )
            if acceptance is not None:
                settled = _amounts(settlement.values)
                accepted = _amounts(acceptance.values)
                for source in SOURCES:
                    if settled[source] > accepted[source]:
                        self.add(
                            "settlements",
                            settlement,
                            source,
                            "Giá trị quyết toán vượt giá trị nghiệm thu.",
                        )
                when, after = settlement.values["settled_on"], acceptance.values["accepted_on"]
                if when and after and when < after:
                    self.add(
                        "settlements",
                        settlement,
                        "settled_on",
                        f"Quyết toán trước ngày nghiệm thu ({_d(after)}).",
                    )

    def _advances(self, record: ProposalRecord, advanced, contracted) -> None:
        """Advances within the limit in force on their last payment date (the database's
        rule, disbursement/sql/advance_limits.sql)."""
        if record.activity is None or not advanced:
            return
        for source, amount in advanced.items():
            days = [
                p.values["paid_on"]
                for p in record.payments
                if p.values["kind"] == "advance"
                and p.values["source"] == source
                and p.values["paid_on"]
            ]
            if not days:
                continue
            probe = Proposal(activity=record.activity, province_id=self.province.pk)
            rule = advance_limit(probe, source, max(days))
            if rule is None:
                continue
            limit = advance_amount_limit(rule, contracted[source])
            if amount > limit:
                row = next(p for p in reversed(record.payments) if p.values["kind"] == "advance")
                self.add(
                    "payments",
                    row,
                    "amount",
                    f"Tổng tạm ứng {format_vnd(amount)} vượt mức {format_vnd(limit)} "
                    f"({rule.percent} % giá trị hợp đồng).",
                )
            if rule.requires_more_than_half_done:
                row = next(p for p in reversed(record.payments) if p.values["kind"] == "advance")
                self.add(
                    "payments",
                    row,
                    "kind",
                    "Nội dung này chỉ được tạm ứng khi đã hoàn thành trên 50 % khối lượng; "
                    "tệp không có báo cáo tiến độ nên không nhập được khoản tạm ứng: ghi là "
                    "thanh toán nếu đã chi sau khi hoàn thành.",
                )

    # --- what already exists ----------------------------------------------------------

    def _existing_records(self, records: dict[str, ProposalRecord]) -> None:
        existing = Proposal.objects.filter(code__in=list(records)).select_related("province")
        imported = set(
            ProposalEvent.objects.filter(
                proposal__code__in=list(records), action=IMPORT_ACTION
            ).values_list("proposal_id", flat=True)
        )
        for proposal in existing:
            record = records[proposal.code]
            if proposal.province_id != self.province.pk:
                self.add(
                    "proposals",
                    record.row,
                    "proposal_code",
                    f"Mã {proposal.code} đã dùng cho một đề án của {proposal.province}.",
                )
                continue
            if proposal.pk not in imported:
                self.add(
                    "proposals",
                    record.row,
                    "proposal_code",
                    f"Mã {proposal.code} đã dùng cho một đề án nhập trên cổng; đổi mã trong tệp.",
                )
                continue
            record.existing = proposal


def history_check(read: ReadWorkbook, *, province, actor) -> Checked:
    """The dry run of ``read`` for ``province`` by ``actor`` (nothing is written)."""
    return _Checker(read, province=province, actor=actor).run()
