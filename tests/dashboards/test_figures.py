"""The dashboards' figures equal independent sums over the generated data (tests/dashboards/
conftest.py: plain Python over đề án, tranches, links, recommendations and flags), for
several filter combinations, nationally and for one province."""

import pytest

from dashboards import selectors
from programs.models import Activity, Program
from reference.models import Province, Region
from tests.dashboards.conftest import Truth, core, issues, money

pytestmark = pytest.mark.django_db


def _filter_sets():
    dbscl = Region.objects.get(code="dbscl")
    return [
        {},
        {"region": dbscl},
        {"province": Province.objects.get(code=14), "year_from": 2022, "year_to": 2024},
        {"activity": Activity.objects.get(code="03"), "kind": "pilot"},
        {"level": "national", "source": "kcqg"},
        {"program": Program.objects.get(code="kcqg-2021-2025")},
        {"year_from": 2022, "source": "kcdp"},
        {"year_from": 2026, "level": "local", "region": Region.objects.get(code="tn")},
    ]


def test_national_figures_equal_independent_sums(scale_data, users):
    truth = Truth()
    assert len(truth.rows) == 600
    for filters in _filter_sets():
        data = selectors.national_dashboard(user=users["ministry"], filters=filters)
        rows = truth.select(filters)
        source = filters.get("source")
        expected = truth.measures(rows, source)
        total = data["total"]
        assert core(total) == core(expected), filters
        assert money(total) == money(expected), filters
        assert issues(total) == issues(expected), filters
        assert total.beneficiaries == len(expected.beneficiaries), filters
        # A filter that selects something: the test is not vacuous.
        assert total.count > 0 and total.paid > 0, filters

        by_province = truth.by(rows, lambda r: r["province_id"], source)
        assert len(data["provinces"]) == 34
        for row in data["provinces"]:
            e = by_province.get(row.key)
            if e is None:
                assert row.m.count == 0, (filters, row.label)
                continue
            assert core(row.m) == core(e), (filters, row.label)
            assert money(row.m) == money(e), (filters, row.label)
            assert issues(row.m) == issues(e), (filters, row.label)
            assert row.m.beneficiaries == len(e.beneficiaries), (filters, row.label)

        by_region = truth.by(rows, lambda r: r["province__region_id"], source)
        for row in data["regions"]:
            e = by_region.get(row.key)
            assert core(row.m) == (core(e) if e else (0,) * 6), (filters, row.label)
            assert money(row.m) == (money(e) if e else (0, 0, None, 0, 0)), (filters, row.label)
            assert issues(row.m) == (issues(e) if e else (0, 0, 0)), (filters, row.label)

        by_year = truth.by(rows, lambda r: r["plan__year"], source)
        for row in data["years"]:
            e = by_year.get(row.key)
            assert core(row.m) == (core(e) if e else (0,) * 6), (filters, row.label)
        assert sum(r.m.count for r in data["years"]) == total.count

        by_group = truth.by(rows, lambda r: r["activity__parent_id"] or r["activity_id"], source)
        assert {r.key: core(r.m) + money(r.m) for r in data["activities"]} == {
            k: core(v) + money(v) for k, v in by_group.items()
        }
        for name, key in (("kinds", "kind"), ("levels", "level")):
            grouped = truth.by(rows, lambda r, key=key: r[key], source)
            for row in data[name]:
                e = grouped.get(row.key)
                assert core(row.m) == (core(e) if e else (0,) * 6), (filters, name, row.key)

        statuses = {s["status"]: s["count"] for s in data["statuses"]}
        assert statuses == {k: v.count for k, v in truth.by(rows, lambda r: r["status"]).items()}

        # One row per source; the total row is khuyến công funds only (the headline's
        # money when no source is chosen), the counterpart and other sources beside it.
        by_source = data["by_source"]
        shown = {r["source"]: (r["approved"], r["paid"]) for r in by_source["rows"]}
        for s in ("kcqg", "kcdp", "counterpart", "other"):
            e = truth.measures(rows, s)
            assert shown[s] == (e.approved, e.paid), (filters, s)
        assert [r["source"] for r in by_source["kc"]] == ["kcqg", "kcdp"]
        assert [r["source"] for r in by_source["beside"]] == ["counterpart", "other"]
        kc_total = by_source["kc_total"]
        assert kc_total["approved"] == sum(r["approved"] for r in by_source["kc"])
        assert kc_total["paid"] == sum(r["paid"] for r in by_source["kc"])
        assert kc_total["rate"] == truth.measures(rows).rate
        if not source:
            assert (kc_total["approved"], kc_total["paid"]) == (total.approved, total.paid)
            assert total.counterpart == shown["counterpart"][0] > 0, filters

        outputs = {k: v for k, v in truth.outputs_of(rows).items() if any(v)}
        shown = {
            o["indicator"].pk: (o["planned"], o["achieved"])
            for o in data["outputs"]
            if o["planned"] or o["achieved"]
        }
        assert shown == outputs and outputs, filters


def test_province_figures_equal_independent_sums(scale_data, users):
    truth = Truth()
    hanoi = Province.objects.get(code=1)
    for filters in ({}, {"year_from": 2023, "year_to": 2026}, {"kind": "group"}):
        for user in (users["ministry"], users["sct-hanoi"], users["ttkc-hanoi"]):
            data = selectors.province_dashboard(user=user, province=hanoi, filters=filters)
            rows = truth.select({**filters, "province": hanoi})
            expected = truth.measures(rows)
            assert core(data["total"]) == core(expected), filters
            assert money(data["total"]) == money(expected), filters
            assert issues(data["total"]) == issues(expected), filters
            assert data["total"].beneficiaries == len(expected.beneficiaries)
            by_agency = truth.by(rows, lambda r: r["implementing_agency_id"])
            assert {r.key: core(r.m) for r in data["agencies"]} == {
                k: core(v) for k, v in by_agency.items()
            }
            for row in data["agencies"]:
                assert issues(row.m) == issues(by_agency[row.key])
            # Communes: each đề án once — in its commune, in "several communes" when it
            # has more than one, in the row without a key when it has none.
            from projects.models import Proposal

            per_commune = {}
            for p in Proposal.objects.filter(pk__in=[r["id"] for r in rows]).prefetch_related(
                "communes"
            ):
                communes = [c.pk for c in p.communes.all()]
                key = communes[0] if len(communes) == 1 else ("several" if communes else None)
                per_commune.setdefault(key, []).append(next(r for r in rows if r["id"] == p.pk))
            assert {r.key: core(r.m) + money(r.m) for r in data["communes"]} == {
                k: core(truth.measures(v)) + money(truth.measures(v))
                for k, v in per_commune.items()
            }
            assert "several" in per_commune, "the data has đề án in several communes"
            open_flags = {f.proposal_id for f in data["flags"]["items"]}
            assert len(data["flags"]["items"]) == min(expected.flags, data["flags"]["limit"])
            assert open_flags <= {r["id"] for r in rows}


def test_outputs_against_program_targets(scale_data, users):
    """Achieved and planned outputs are sums over approved đề án; the national programme
    2021–2025 target (340 models, QĐ 1881) is shown when that programme is chosen."""
    truth = Truth()
    program = Program.objects.get(code="kcqg-2021-2025")
    data = selectors.national_dashboard(user=users["ministry"], filters={"program": program})
    rows = truth.select({"program": program})
    expected = truth.outputs_of(rows)
    shown = {o["indicator"].code: o for o in data["outputs"]}
    assert shown["models"]["target"] == 340
    models = shown["models"]["indicator"].pk
    assert (shown["models"]["planned"], shown["models"]["achieved"]) == expected[models]
    assert shown["models"]["achieved"] > 0
