"""One concept, one name (issue 11): the words for statuses, results, kinds, levels and
funding sources come from one place — the model choices (and core.funding), translated
through the gettext catalogue — and the screen, the forms, the Excel exports and the PDFs
all print that one label.

* The official vocabulary (Chỉ thị 04/CT-BCT, Nghị định 30/2020) is pinned here.
* The documents' label tables are the choices' labels, value by value.
* The biên bản and the compliance report, built for a real inspection, print the labels
  exactly as the screen shows them.
* No PDF template, document builder or Excel module writes a synonym of its own: the
  forbidden variants are derived from ``SYNONYMS`` (every wording one concept has had)
  minus the label the screen shows.
"""

from __future__ import annotations

import datetime
import io
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from openpyxl import load_workbook

from core.funding import SOURCE_SHORT, FundingSource
from disbursement.models import Tranche
from inspections import services as inspection_services
from inspections.models import Inspection, Result
from programs.models import Level
from projects.models import Proposal
from reports.documents import common, render_html
from reports.documents import inspection_record as record_builder
from reports.models import ReportJob

BASE = Path(settings.BASE_DIR)


def screen(label) -> str:
    """A label as the screen shows it to a Vietnamese user."""
    with translation.override("vi"):
        return str(label)


# Each concept: its choices (value -> lazy label) and the documents' table of it.
CONCEPTS = {
    "proposal status": (Proposal.Status.choices, common.PROPOSAL_STATUS_LABELS),
    "compliance": (Proposal.Compliance.choices, common.COMPLIANCE_LABELS),
    "inspection kind": (Inspection.Kind.choices, common.INSPECTION_KIND_LABELS),
    "inspection result": (Result.choices, common.RESULT_LABELS),
    "tranche kind": (Tranche.Kind.choices, common.TRANCHE_KIND_LABELS),
    "tranche status": (Tranche.Status.choices, common.TRANCHE_STATUS_LABELS),
    "level": (Level.choices, common.LEVEL_LABELS),
    "funding source": (FundingSource.choices, common.SOURCE_NAMES),
    "funding source (short)": (SOURCE_SHORT.items(), common.SOURCE_LABELS),
}

# The official words (Chỉ thị 04/CT-BCT: kiểm tra việc sử dụng kinh phí "đúng đối tượng,
# đúng mục đích, đúng quy định"; the decree's "khuyến công quốc gia"; NĐ 30 vocabulary).
OFFICIAL = {
    ("compliance", "not_inspected"): "Chưa kiểm tra",
    ("compliance", "compliant"): "Đúng quy định",
    ("compliance", "remedy_pending"): "Còn tồn tại, phải khắc phục",
    ("compliance", "not_compliant"): "Không đúng quy định",
    ("inspection result", "compliant"): "Đúng quy định",
    ("inspection result", "partly"): "Cơ bản đúng quy định, còn tồn tại",
    ("inspection result", "not_compliant"): "Không đúng quy định",
    ("inspection kind", "appraisal"): "Thẩm định thực tế trước khi phê duyệt",
    ("tranche kind", "reversal"): "Thu hồi, điều chỉnh giảm",
    ("tranche status", "reversed"): "Đã thu hồi",
    ("level", "national"): "Quốc gia",
    ("level", "local"): "Địa phương",
    ("funding source", "kcqg"): "Kinh phí khuyến công quốc gia (KCQG)",
    ("funding source", "kcdp"): "Kinh phí khuyến công địa phương (KCĐP)",
}

# Every wording a concept has been given somewhere (screens, PDFs, exports). Whatever is
# not the screen's label is a variant no document may write.
SYNONYMS = {
    ("compliance", "compliant"): ["Đạt yêu cầu", "Đúng quy định"],
    ("compliance", "remedy_pending"): [
        "Có tồn tại phải khắc phục",
        "Có tồn tại, phải khắc phục",
        "Còn tồn tại phải khắc phục",
        "Còn tồn tại, phải khắc phục",
    ],
    ("compliance", "not_compliant"): ["Không đạt yêu cầu", "Không đúng quy định"],
    ("inspection result", "partly"): ["Đạt một phần", "Cơ bản đúng quy định, còn tồn tại"],
    ("inspection result", "not_compliant"): ["Không đạt", "Không đúng quy định"],
    ("inspection kind", "appraisal"): [
        "Kiểm tra thực địa",
        "Thẩm định thực tế trước khi phê duyệt",
    ],
    ("tranche kind", "reversal"): ["Bút toán đảo", "Thu hồi, điều chỉnh giảm"],
    ("tranche status", "reversed"): ["Đã đảo bút toán", "Đã thu hồi"],
    # "Toàn quốc" is left out: it is also the right word for another concept, the whole
    # country as a report's scope ("Phạm vi: toàn quốc"); OFFICIAL pins the level's label.
    ("funding source", "counterpart"): ["Vốn đối ứng của cơ sở", "Vốn đối ứng của đơn vị"],
}


def label_of(concept: str, value: str) -> str:
    choices, _table = CONCEPTS[concept]
    return screen(dict(choices)[value])


def forbidden_variants() -> dict[str, tuple[str, str]]:
    """variant → the concept and value it names differently from the screen."""
    result = {}
    for (concept, value), wordings in SYNONYMS.items():
        label = label_of(concept, value)
        for wording in wordings:
            if wording != label and wording not in label:
                result[wording] = (concept, f"{value}: the screen says “{label}”")
    return result


def document_sources() -> list[Path]:
    """Every file that writes a PDF or an Excel export."""
    files = sorted((BASE / "templates" / "pdf").rglob("*.html"))
    files += sorted((BASE / "reports" / "documents").glob("*.py"))
    files += [BASE / app / "excel.py" for app in ("projects", "disbursement", "dashboards")]
    return [f for f in files if f.exists()]


# --- The vocabulary ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(OFFICIAL), ids=lambda k: f"{k[0]}={k[1]}")
def test_the_screen_uses_the_official_word(key):
    assert label_of(*key) == OFFICIAL[key]


@pytest.mark.parametrize("concept", sorted(CONCEPTS))
def test_the_documents_label_every_value_as_the_screen_does(concept):
    choices, table = CONCEPTS[concept]
    choices = dict(choices)
    assert set(table) == set(choices)
    for value, label in choices.items():
        assert table[value] == screen(label), f"{concept} {value}"


@pytest.mark.parametrize("concept", sorted(CONCEPTS))
def test_one_concept_has_one_label_per_value(concept):
    """Two values of one concept never read the same (a reader could not tell them apart)."""
    choices, _table = CONCEPTS[concept]
    labels = [screen(label) for _value, label in choices]
    assert len(labels) == len(set(labels))


def test_the_synonym_list_catches_a_variant():
    """The check below would see a document that writes "Bút toán đảo" for the reversal,
    whatever the label of the day is."""
    variants = forbidden_variants()
    label = label_of("tranche kind", "reversal")
    assert label not in variants
    others = [w for w in SYNONYMS[("tranche kind", "reversal")] if w != label]
    assert others and all(w in variants for w in others)


@pytest.mark.parametrize("path", document_sources(), ids=lambda p: str(p.relative_to(BASE)))
def test_no_document_writes_its_own_wording_of_a_concept(path):
    text = path.read_text(encoding="utf-8")
    found = {w: why for w, why in forbidden_variants().items() if w in text}
    assert not found, f"{path.relative_to(BASE)} names a concept differently: {found}"


# --- The documents, built ---------------------------------------------------------------------


@pytest.fixture
def inspected(world):
    """A Hà Nội đề án with an advance paid and reversed, a payment, and an inspection of
    those tranches concluded "partly compliant" with a recommendation."""
    from disbursement import services as money
    from tests.disbursement.factories import centre, pay
    from tests.inspections.factories import DAY, in_implementation, inspector, plan, record_all

    proposal = in_implementation(1)
    advance = pay(proposal, 50_000_000, kind="advance")
    money.tranche_reverse(
        tranche=advance, actor=centre(1), reason="Chi nhầm", idempotency_key=uuid.uuid4().hex
    )
    pay(proposal, 40_000_000)
    inspection = plan(
        proposal,
        kind="periodic",
        tranches=list(Tranche.objects.filter(proposal=proposal)),
        place="Xã Bắc Yên, tỉnh Sơn La",
    )
    inspection = record_all(inspection, overrides={0: Result.PARTLY, 1: Result.NOT_COMPLIANT})
    inspection_services.recommendation_add(
        inspection=inspection,
        actor=inspector(1),
        text="Bổ sung hóa đơn",
        deadline=DAY + datetime.timedelta(days=30),
    )
    inspection = Inspection.objects.get(pk=inspection.pk)
    return inspection_services.inspection_conclude(
        inspection=inspection,
        actor=inspector(1),
        expected_version=inspection.version,
        conclusion=Result.PARTLY,
        conclusion_text="Còn thiếu chứng từ.",
    )


def _job(user, kind, params) -> ReportJob:
    return ReportJob.objects.create(kind=kind, params=params, title="", requested_by=user)


def test_the_record_prints_the_screens_labels(inspected):
    from accounts.models import User

    user = User.objects.get(username="inspector-hanoi")
    job = _job(user, "inspection_record", {"inspection": inspected.pk})
    html = " ".join(render_html(job).split())
    with translation.override("vi"):
        context = record_builder.build(job)
    assert context["kind_label"] == label_of("inspection kind", "periodic")
    assert label_of("inspection kind", "periodic") in html
    assert context["conclusion_label"] == label_of("inspection result", "partly")
    for value in ("partly", "not_compliant", "compliant"):
        assert label_of("inspection result", value) in html
    kinds = {t["kind"] for t in context["tranches"]}
    statuses = {t["status"] for t in context["tranches"]}
    assert kinds == {label_of("tranche kind", k) for k in ("advance", "reversal", "payment")}
    assert label_of("tranche status", "reversed") in statuses
    for text in kinds | statuses:
        assert text in html
    assert label_of("funding source (short)", "kcdp") in html
    assert label_of("funding source", "kcdp") in html
    # A commune inside a sentence: "tại xã Bắc Yên", not "tại Xã Bắc Yên".
    assert "tại xã Bắc Yên, tỉnh Sơn La" in html


def test_the_compliance_report_prints_the_screens_labels(inspected):
    from accounts.models import User

    user = User.objects.get(username="sct-hanoi")
    job = _job(
        user,
        "compliance",
        {"province": None, "date_from": "2026-01-01", "date_to": "2026-12-31"},
    )
    html = " ".join(render_html(job).split())
    # Every compliance value is counted in section I, under its screen label.
    for value, _label in Proposal.Compliance.choices:
        assert f"{label_of('compliance', value)}: " in html
    # The row of the inspected đề án: its compliance, the last result, its status.
    assert label_of("compliance", "remedy_pending") in html
    assert label_of("inspection result", "partly") in html
    proposal = Proposal.objects.get(pk=inspected.proposal_id)
    assert label_of("proposal status", proposal.status) in html
    assert label_of("funding source (short)", "kcdp") in html


# --- Excel ------------------------------------------------------------------------------------


def _cells(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_proposal_export_writes_the_screens_labels(inspected):
    from projects.excel import export_workbook

    proposal = Proposal.objects.select_related(
        "plan", "province", "activity", "implementing_agency"
    ).get(pk=inspected.proposal_id)
    rows = _cells(export_workbook([proposal]))
    header, row = rows[0], rows[1]
    assert row[header.index("Cấp kinh phí")] == label_of("level", proposal.level)
    assert row[header.index("Trạng thái")] == label_of("proposal status", proposal.status)
    short = label_of("funding source (short)", "kcdp")
    assert any(short in str(h) for h in header)


def test_the_ledger_export_writes_the_screens_labels(inspected):
    from disbursement.excel import ledger_workbook

    tranches = list(Tranche.objects.filter(proposal_id=inspected.proposal_id).order_by("id"))
    content = ledger_workbook(inspected.proposal, tranches, {"total": {"paid": 0}, "rows": []})
    rows = _cells(content)
    written = {(r[1], r[4]) for r in rows if r and isinstance(r[0], int)}
    expected = {
        (label_of("tranche kind", t.kind), label_of("tranche status", t.status)) for t in tranches
    }
    assert written == expected


# --- The glossary of the README and the code names --------------------------------------------

# A word of the English UI that the code does not use for the concept -> the code's word
# (README, "Glossary").
UI_ONLY_WORDS = {"establishment": "beneficiary", "programme": "program"}
# Every app of the portal (from INSTALLED_APPS, so a new app is covered), the settings
# package, the benchmarks and the tests.
CODE_DIRS = sorted(
    {app.split(".")[0] for app in settings.INSTALLED_APPS if (BASE / app.split(".")[0]).is_dir()}
    | {"bench", "khuyencong", "tests"}
)


def glossary_section() -> str:
    text = (BASE / "README.md").read_text(encoding="utf-8")
    start = text.index("## Glossary")
    return text[start : text.index("\n## ", start + 1)]


def _code_namespace() -> dict:
    from django.apps import apps

    from accounts.models import Role
    from core.funding import FundingSource
    from programs.models import Level

    names = {m.__name__: m for m in apps.get_models()}
    names.update({"Role": Role, "FundingSource": FundingSource, "Level": Level})
    return names


def test_the_glossary_names_code_that_exists():
    """Every model, choice, app, URL, measure and file the README's glossary names is
    there: the glossary cannot drift from the code unnoticed."""
    import re

    from django.apps import apps
    from django.urls import resolve

    from core.measures import MEASURES

    section = glossary_section()
    names = _code_namespace()
    checked, missing = 0, []
    for label in re.findall(r"app `(\w+)`", section):
        checked += 1
        if not apps.is_installed(label):
            missing.append(f"app {label}")
    for group in re.findall(r"measures? ((?:`\w+`(?:, )?)+)", section):
        for key in re.findall(r"`(\w+)`", group):
            checked += 1
            if key not in MEASURES:
                missing.append(f"measure {key}")
    for token in re.findall(r"`([^`]+)`", section):
        if token.startswith("/"):
            checked += 1
            try:
                resolve(token.replace("<id>", "1"))
            except Exception:  # noqa: BLE001 - any failure to resolve is the finding
                missing.append(f"URL {token}")
        elif "/" in token:
            checked += 1
            if not (BASE / token).exists():
                missing.append(f"file {token}")
        elif re.fullmatch(r"[A-Za-z]\w*(\.\w+)+|[A-Z]\w*", token):
            first, *rest = token.split(".")
            target = names.get(first) or names.get(first[:1].upper() + first[1:])
            if target is None:
                if first[:1].isupper():
                    missing.append(token)
                continue
            checked += 1
            for part in rest:
                target = getattr(target, part, None)
            if target is None:
                missing.append(token)
    assert checked > 30
    assert not missing, missing


def _identifiers(path: Path):
    import tokenize

    with path.open("rb") as source:
        for token in tokenize.tokenize(source.readline):
            if token.type == tokenize.NAME:
                yield token.start[0], token.string


def test_python_names_use_the_code_words():
    """Identifiers (variables, functions, fields, parameters, test names) say
    `beneficiary` and `program`, never the English UI's "establishment" / "programme"."""
    found = []
    for directory in CODE_DIRS:
        for path in sorted((BASE / directory).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, name in _identifiers(path):
                for word, code_word in UI_ONLY_WORDS.items():
                    if word in name.lower():
                        found.append(f"{path.relative_to(BASE)}:{line} {name} ({code_word})")
    assert not found, "\n".join(found)


def test_template_variables_and_test_ids_use_the_code_words():
    """The same for what templates compute with (variables, tags, test ids); the text
    they translate is the English UI and may say "establishment"."""
    import re

    translated = re.compile(
        r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}|{%\s*translate\b.*?%}|{#.*?#}",
        re.S,
    )
    code = re.compile(r"{{.*?}}|{%.*?%}|data-testid=\"[^\"]*\"", re.S)
    found = []
    for path in sorted(BASE.glob("*/templates/**/*.html")) + sorted(
        BASE.glob("templates/**/*.html")
    ):
        text = translated.sub("", path.read_text(encoding="utf-8"))
        for piece in code.findall(text):
            for word, code_word in UI_ONLY_WORDS.items():
                if word in piece.lower():
                    found.append(f"{path.relative_to(BASE)}: {piece} ({code_word})")
    assert not found, "\n".join(found)
