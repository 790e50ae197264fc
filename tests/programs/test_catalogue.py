"""The legal catalogue: its dates as the published texts give them, and where each was
confirmed (programs.catalogue.SOURCES), on a new database and on one loaded before the
check (the data migration 0004 calls legal_sources_apply)."""

import datetime

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from programs import catalogue
from programs.models import LegalDocument

D = datetime.date

pytestmark = pytest.mark.django_db

CATALOGUE_NUMBERS = [row[0] for row in catalogue.LEGAL_DOCUMENTS] + [
    row[0] for row in catalogue.EXAMPLE_DOCUMENTS
]


def test_decree_235_was_signed_on_27_august_2025():
    """Nghị định 235/2025/NĐ-CP: signed 27/8/2025 (QĐ 2646/QĐ-BCT cites "ngày 27 tháng 8
    năm 2025"), in force 15/10/2025."""
    rows = {row[0]: row for row in catalogue.LEGAL_DOCUMENTS}
    assert rows["235/2025/NĐ-CP"][4] == D(2025, 8, 27)
    assert rows["235/2025/NĐ-CP"][5] == D(2025, 10, 15)
    doc = LegalDocument.objects.get(number="235/2025/NĐ-CP")
    assert (doc.signed_on, doc.effective_from) == (D(2025, 8, 27), D(2025, 10, 15))
    assert doc.is_verified and "27/08/2025" in doc.source_note


def test_every_catalogue_document_is_cited_or_listed_as_unverified():
    cited = set(catalogue.SOURCES)
    unverified = set(catalogue.UNVERIFIED)
    assert cited.isdisjoint(unverified)
    assert cited | unverified == set(CATALOGUE_NUMBERS)
    for number, source in catalogue.SOURCES.items():
        assert source.url.startswith(("http://", "https://")), number
        assert source.note.strip(), number
        assert {"number", "issuer", "signed_on"} <= source.confirms, number
    for number, reason in catalogue.UNVERIFIED.items():
        assert reason.strip(), number


def test_unconfirmed_fields_are_the_ones_no_source_confirms():
    assert catalogue.UNCONFIRMED_FIELDS == {
        "45/2012/NĐ-CP": ["effective_from"],
        "46/2012/TT-BCT": ["effective_from"],
        "36/2013/TT-BCT": ["effective_from"],
        "28/2018/TT-BTC": ["effective_from"],
        "64/2024/TT-BTC": ["effective_from"],
        "35/2010/TT-BCT": ["effective_from"],
    }


def test_circular_64_2024_was_signed_on_28_august_2024():
    """LawNet: the Minister of Finance promulgated Thông tư 64/2024/TT-BTC on 28/8/2024 (the
    catalogue had 30/8); its date of effect (15/10/2024) is not confirmed."""
    doc = LegalDocument.objects.get(number="64/2024/TT-BTC")
    assert doc.signed_on == D(2024, 8, 28)
    assert doc.is_verified and "lawnet.vn" in doc.source_url
    assert "64/2024/TT-BTC" not in catalogue.UNVERIFIED
    LegalDocument.objects.filter(pk=doc.pk).update(signed_on=D(2024, 8, 30), source_url="")
    catalogue.legal_sources_apply(django_apps)  # what migration 0008 does to an old database
    doc.refresh_from_db()
    assert doc.signed_on == D(2024, 8, 28) and doc.is_verified


def test_circular_36_2013_is_in_the_catalogue_and_20_2017_amends_it():
    """Thông tư 36/2013/TT-BCT (27/12/2013, Bộ Công Thương) on the plan, implementation
    and national funds of khuyến công; Thông tư 20/2017/TT-BCT amends it (not 46/2012),
    which is recorded as not confirmed in a published text."""
    doc = LegalDocument.objects.get(number="36/2013/TT-BCT")
    assert (doc.issuer, doc.signed_on) == ("Bộ Công Thương", D(2013, 12, 27))
    assert "kinh phí khuyến công quốc gia" in doc.title
    assert doc.is_verified and "lawnet.vn" in doc.source_url
    amending = LegalDocument.objects.get(number="20/2017/TT-BCT")
    assert list(amending.amends.values_list("number", flat=True)) == ["36/2013/TT-BCT"]
    assert "36/2013/TT-BCT" in amending.title
    assert "36/2013/TT-BCT" in catalogue.UNVERIFIED["20/2017/TT-BCT"]


def test_a_database_loaded_before_36_2013_is_corrected():
    """What migration 0007 does to a database where 20/2017 amended 46/2012."""
    amending = LegalDocument.objects.get(number="20/2017/TT-BCT")
    old = LegalDocument.objects.get(number="46/2012/TT-BCT")
    amending.amends.set([old])
    LegalDocument.objects.filter(pk=amending.pk).update(title="Thông tư sửa đổi 46/2012")
    catalogue.load_catalogue(django_apps)
    catalogue.legal_corrections_apply(django_apps)
    amending.refresh_from_db()
    assert list(amending.amends.values_list("number", flat=True)) == ["36/2013/TT-BCT"]
    assert amending.title.endswith("Thông tư số 36/2013/TT-BCT")


def test_the_database_records_where_each_document_was_confirmed():
    docs = {doc.number: doc for doc in LegalDocument.objects.filter(number__in=CATALOGUE_NUMBERS)}
    assert set(docs) == set(CATALOGUE_NUMBERS)
    for number, doc in docs.items():
        source = catalogue.SOURCES.get(number)
        if source is None:
            assert not doc.is_verified, number
            assert (doc.source_url, doc.verified_on) == ("", None), number
            assert doc.source_note == catalogue.UNVERIFIED[number]
        else:
            assert doc.is_verified, number
            assert (doc.source_url, doc.source_note) == (source.url, source.note), number
            assert doc.verified_on == catalogue.VERIFIED_ON


def test_a_database_loaded_before_the_check_is_corrected():
    """What migration 0004 does to a database loaded by 0003 with the old date: the date a
    source confirms is corrected and the source recorded; an unconfirmed value someone
    entered is left alone."""
    LegalDocument.objects.filter(number="235/2025/NĐ-CP").update(
        signed_on=D(2025, 8, 28), source_url="", source_note="", verified_on=None
    )
    LegalDocument.objects.filter(number="45/2012/NĐ-CP").update(
        effective_from=D(2012, 7, 5), source_url="", source_note="", verified_on=None
    )
    LegalDocument.objects.filter(number="1881/QĐ-TTg").update(signed_on=D(2020, 11, 20))

    catalogue.legal_sources_apply(django_apps)

    decree = LegalDocument.objects.get(number="235/2025/NĐ-CP")
    assert decree.signed_on == D(2025, 8, 27)
    assert decree.source_url == catalogue.SOURCES["235/2025/NĐ-CP"].url
    decree_45 = LegalDocument.objects.get(number="45/2012/NĐ-CP")
    assert decree_45.signed_on == D(2012, 5, 21)
    assert decree_45.effective_from == D(2012, 7, 5)  # not confirmed: not overwritten
    assert decree_45.is_verified
    decision = LegalDocument.objects.get(number="1881/QĐ-TTg")
    assert decision.signed_on == D(2020, 11, 20) and not decision.is_verified


def test_the_legal_page_shows_what_was_checked(client, users):
    client.force_login(users["sct-daklak"])
    response = client.get(reverse("legal-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert catalogue.SOURCES["235/2025/NĐ-CP"].url in html
    assert catalogue.SOURCES["235/2025/NĐ-CP"].note.split(";")[0] in html
    # One "not checked" line per document shown without a source, and only for those.
    shown = list(response.context["object_list"])
    not_checked = [doc.number for doc in shown if not doc.is_verified]
    assert "1881/QĐ-TTg" in not_checked and "235/2025/NĐ-CP" not in not_checked
    assert "ghi ngày 20/11/2020" in html  # why 1881/QĐ-TTg is unchecked
    assert html.count('class="text-warning-emphasis"') == len(not_checked)


def test_selection_circulars_26_2014_replaces_35_2010_and_14_2018_amends_it(world):
    """Thông tư 26/2014/TT-BCT (28/8/2014, in force 21/10/2014) replaced Thông tư
    35/2010/TT-BCT (its Điều 25); Thông tư 14/2018/TT-BCT (in force 16/8/2018) amends it."""
    old = LegalDocument.objects.get(number="35/2010/TT-BCT")
    in_force = LegalDocument.objects.get(number="26/2014/TT-BCT")
    amending = LegalDocument.objects.get(number="14/2018/TT-BCT")
    assert old.effective_to == datetime.date(2014, 10, 20)
    assert in_force.effective_from == datetime.date(2014, 10, 21)
    assert in_force.signed_on == datetime.date(2014, 8, 28)
    assert in_force.effective_to is None and in_force.source_url
    assert list(amending.amends.all()) == [in_force]
    assert amending.effective_from == datetime.date(2018, 8, 16)
