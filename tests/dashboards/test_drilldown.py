"""Every number opens the list of đề án behind it, with the same filters: the list (and
its Excel export) holds exactly the đề án the number counts."""

import html
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Proposal
from reference.models import Region
from tests.dashboards.conftest import FUNDED, Truth

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    page = client.get(url).content.decode()
    return int(re.search(r'data-testid="result-count">\s*([\d.]+)', page).group(1).replace(".", ""))


def _links(page: str, table: str, measure: str) -> dict[str, str]:
    body = page.split(f'data-testid="table-{table}"')[1].split("</table>")[0]
    return {
        key: html.unescape(href)
        for key, href in re.findall(
            rf'<tr data-key="([^"]+)">.*?<a href="([^"]+)" data-measure="{measure}"', body, re.S
        )
    }


def test_numbers_open_the_proposals_behind_them(scale_data, client, users):
    client.force_login(users["ministry"])
    region = Region.objects.get(code="dnb")
    filters = {"region": region.pk, "year_from": 2022, "year_to": 2025}
    page = client.get(reverse("dashboard-national"), filters).content.decode()
    truth = Truth()
    rows = truth.select({**filters, "region": region})
    by_province = truth.by(rows, lambda r: r["province_id"])
    counts = _links(page, "provinces", "count")
    funded = _links(page, "provinces", "funded")
    checked = 0
    for key, url in counts.items():
        expected = by_province.get(int(key))
        if expected is None:
            continue
        assert "region=" in url and "year_from=2022" in url and "year_to=2025" in url
        assert _count(client, url) == expected.count
        assert _count(client, funded[key]) == expected.funded
        checked += 1
    assert checked == 3  # Đồng Nai, Hồ Chí Minh, Tây Ninh

    for key, url in _links(page, "years", "count").items():
        expected = truth.by(rows, lambda r: r["plan__year"]).get(int(key))
        assert _count(client, url) == (expected.count if expected else 0)
    for key, url in _links(page, "kinds", "count").items():
        expected = truth.by(rows, lambda r: r["kind"]).get(key)
        assert _count(client, url) == (expected.count if expected else 0)

    # Status badges, findings and warnings.
    badges = re.findall(r'<a class="badge[^"]*" href="([^"]+)" data-status="(\w+)"', page)
    assert badges
    for url, status in badges:
        assert _count(client, html.unescape(url)) == sum(r["status"] == status for r in rows)
    with_findings = {r["id"] for r in rows if truth.findings[r["id"]][0]}
    url = html.unescape(re.search(r'href="([^"]+)" data-testid="total-findings"', page).group(1))
    assert _count(client, url) == len(with_findings)
    url = html.unescape(re.search(r'href="([^"]+)" data-testid="total-flags"', page).group(1))
    assert _count(client, url) == sum(1 for r in rows if truth.flags[r["id"]])
    url = html.unescape(re.search(r'href="([^"]+)" data-testid="total-compliance"', page).group(1))
    assert _count(client, url) == sum(r["compliance"] == "compliant" for r in rows)

    # The export of a drill-down list has the same đề án.
    url = funded[next(iter(k for k in funded if int(k) in by_province))]
    query = url.split("?", 1)[1]
    response = client.get(f"{reverse('proposal-export')}?{query}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    province = int(re.search(r"province=(\d+)", query).group(1))
    assert codes == set(
        Proposal.objects.filter(
            pk__in=[r["id"] for r in rows if r["province_id"] == province and r["status"] in FUNDED]
        ).values_list("code", flat=True)
    )


def test_the_list_shows_the_dashboard_filters_and_lets_them_go(scale_data, client, users):
    client.force_login(users["ministry"])
    region = Region.objects.get(code="tn")
    url = reverse("proposal-list") + f"?region={region.pk}&stage=funded&source=kcqg"
    page = client.get(url).content.decode()
    assert 'data-testid="drill-filters"' in page
    assert 'data-filter="region"' in page and region.name in page
    # Removing one filter keeps the others.
    remove = re.search(r'data-filter="region">.*?href="\?([^"]*)"', page, re.S).group(1)
    assert "region" not in html.unescape(remove) and "stage=funded" in html.unescape(remove)
    # The hidden fields carry them when the visible filters are submitted again.
    assert f'name="region" value="{region.pk}"' in page
