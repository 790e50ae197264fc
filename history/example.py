"""A filled history workbook for a province: the example users download beside the empty
template, and the files of the tests and the benchmark (``bench/history_import.py``).

Generated from the province's own catalogue (its promotion centre, its communes before
and after 1 July 2025, the sectors and activities), so it imports as it is. Deterministic
for a given seed. Money follows the rules the import checks: the budget adds up to the
approved amounts, advances stay at half of the contract, payments within the contract,
acceptance, liquidation and settlement in that order."""

from __future__ import annotations

import datetime
import random

from accounts.models import Agency
from beneficiaries.imports import LEGAL_FORM_CODES
from beneficiaries.models import LegalForm, Sector
from beneficiaries.validators import tax_code_check_digit
from history.workbook import ACCEPTANCE_RESULTS, DECISION_KINDS, KINDS, LEVELS, TRANCHE_KINDS
from reference.models import Commune, LegacyCommune

# Local activities with no advance limit that needs a progress report.
ACTIVITIES = ("01", "02", "03.1", "03.2", "04", "05.2", "06")
YEARS = (2021, 2022, 2023, 2024, 2025)
LABEL = {
    **{v: k for k, v in LEVELS.items()},
    **{v: k for k, v in KINDS.items()},
    **{v: k for k, v in TRANCHE_KINDS.items()},
    **{v: k for k, v in DECISION_KINDS.items()},
    **{v: k for k, v in ACCEPTANCE_RESULTS.items()},
}


def tax_code(serial: int) -> str:
    """A valid tax code (its check digit right) from a serial number below 10 million;
    prefixes 93–97 are used by no other generator of the portal. A number whose check digit
    does not exist takes the next prefix, so two serials never give the same code."""
    for prefix in ("97", "96", "95", "94", "93"):
        first_nine = f"{prefix}{serial:07d}"
        check = tax_code_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
    raise ValueError(f"No valid tax code for serial {serial}.")


def example_rows(province, *, proposals: int = 3, seed: int = 1, first_serial: int = 1) -> dict:
    """Rows by sheet key (values by column key, as the file writes them) for ``proposals``
    đề án of ``province`` over 2021–2025."""
    rng = random.Random(seed)
    centre = (
        Agency.objects.filter(province=province, kind=Agency.Kind.PROMOTION_CENTRE).first()
        or Agency.objects.filter(province=province).first()
    )
    communes = list(Commune.objects.filter(province=province).order_by("code")[:40])
    old_units = list(
        LegacyCommune.objects.filter(province=province)
        .exclude(name="")
        .order_by("code")
        .values_list("name", "district_name")[:200]
    )
    # An old name shared by two units of the province needs its district; these have it.
    sectors = list(Sector.objects.order_by("order", "code")[:5])
    rows: dict[str, list[dict]] = {
        key: []
        for key in (
            "plans",
            "proposals",
            "beneficiaries",
            "budget",
            "outputs",
            "decisions",
            "contracts",
            "payments",
            "acceptances",
            "liquidations",
            "settlements",
        )
    }
    per_year: dict[int, int] = dict.fromkeys(YEARS, 0)
    serial = first_serial
    for index in range(proposals):
        year = YEARS[index % len(YEARS)]
        code = f"KC-{province.abbreviation}-{year}-{index + 1:05d}"
        activity = ACTIVITIES[index % len(ACTIVITIES)]
        if index % 2 and old_units:
            name, district = old_units[rng.randrange(len(old_units))]
        else:
            name, district = communes[rng.randrange(len(communes))].name, ""
        start = datetime.date(year, 3, 1) + datetime.timedelta(days=rng.randrange(60))
        rows["proposals"].append(
            {
                "proposal_code": code,
                "year": year,
                "level": LABEL["local"],
                "kind": LABEL["group" if index % 3 == 0 else "ordinary"],
                "title": f"Hỗ trợ cơ sở công nghiệp nông thôn số {index + 1} năm {year}",
                "activity": activity,
                "agency": centre.name,
                "commune": name,
                "district": district,
                "start_date": start,
                "end_date": datetime.date(year, 11, 30),
                "objectives": "Nâng cao năng lực sản xuất, tạo việc làm tại địa phương.",
            }
        )
        beneficiary_count = 1 + index % 2
        support = 100_000_000 + 10_000_000 * rng.randrange(20)
        counterpart = support + 5_000_000 * rng.randrange(10)
        for n in range(beneficiary_count):
            commune = communes[rng.randrange(len(communes))]
            rows["beneficiaries"].append(
                {
                    "proposal_code": code,
                    "identifier": tax_code(serial),
                    "name": f"Công ty TNHH sản xuất {serial}",
                    "legal_form": LEGAL_FORM_CODES[LegalForm.SME],
                    "sector": sectors[serial % len(sectors)].code if sectors else "",
                    "commune": commune.name,
                    "support_amount": support // beneficiary_count
                    + (support % beneficiary_count if n == 0 else 0),
                }
            )
            serial += 1
        rows["budget"] += [
            {
                "proposal_code": code,
                "item": "Máy móc, thiết bị",
                "unit": "bộ",
                "quantity": 1,
                "unit_price": support + counterpart - 20_000_000,
                "amount": support + counterpart - 20_000_000,
                "kcdp": support - 20_000_000,
                "counterpart": counterpart,
            },
            {
                "proposal_code": code,
                "item": "Chuyển giao công nghệ, hướng dẫn vận hành",
                "unit": "gói",
                "quantity": 1,
                "unit_price": 20_000_000,
                "amount": 20_000_000,
                "kcdp": 20_000_000,
            },
        ]
        rows["outputs"].append(
            {"proposal_code": code, "indicator": "establishments", "target": beneficiary_count}
        )
        decided = start - datetime.timedelta(days=10)
        rows["decisions"].append(
            {
                "proposal_code": code,
                "kind": LABEL["approval"],
                "number": f"{100 + index}/QĐ-SCT",
                "date": decided,
                "kcdp": support,
                "counterpart": counterpart,
            }
        )
        per_year[year] += support
        stage = index % 4  # 0 approved, 1 in implementation, 2 accepted, 3 settled
        if stage == 0:
            continue
        signed = start + datetime.timedelta(days=5)
        contract_number = f"{index + 1}/{year}/HĐ-KC"
        rows["contracts"].append(
            {
                "proposal_code": code,
                "number": contract_number,
                "signed_on": signed,
                "parties": f"{centre.name} và cơ sở thụ hưởng",
                "kcdp": support,
                "counterpart": counterpart,
            }
        )
        advance = support // 2
        rows["payments"].append(
            {
                "proposal_code": code,
                "contract": contract_number,
                "kind": LABEL["advance"],
                "source": "KCĐP",
                "amount": advance,
                "paid_on": signed + datetime.timedelta(days=15),
                "voucher": f"UNC-{index + 1}-1",
            }
        )
        if stage == 1:
            continue
        accepted_on = datetime.date(year, 12, 10)
        rows["payments"].append(
            {
                "proposal_code": code,
                "contract": contract_number,
                "kind": LABEL["payment"],
                "source": "KCĐP",
                "amount": support - advance,
                "paid_on": accepted_on + datetime.timedelta(days=5),
                "voucher": f"UNC-{index + 1}-2",
            }
        )
        rows["acceptances"].append(
            {
                "proposal_code": code,
                "accepted_on": accepted_on,
                "result": LABEL["passed"],
                "council": "Sở Công Thương, Trung tâm Khuyến công, UBND xã",
                "conclusion": "Đạt yêu cầu.",
                "kcdp": support,
                "counterpart": counterpart,
            }
        )
        if stage == 2:
            continue
        rows["liquidations"].append(
            {
                "proposal_code": code,
                "contract": contract_number,
                "number": f"TL-{index + 1}/{year}",
                "liquidated_on": accepted_on + datetime.timedelta(days=10),
                "kcdp": support,
                "counterpart": counterpart,
            }
        )
        rows["settlements"].append(
            {
                "proposal_code": code,
                "number": f"{200 + index}/QĐ-STC",
                "settled_on": datetime.date(year + 1, 2, 20),
                "kcdp": support,
                "counterpart": counterpart,
            }
        )
    for year in YEARS:
        rows["plans"].append(
            {
                "year": year,
                "number": f"{10 + year % 100}/QĐ-UBND",
                "date": datetime.date(year - 1, 12, 20),
                "decided_by": f"UBND {province.administrative_name}",
                "kcdp": max(per_year[year], 1),
            }
        )
    return rows
