"""The portal's icon: linked from every page, and /favicon.ico answers (it was a 404 on
every page, issue 17)."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_portal_icon_without_logging_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
    assert finders.find("img/favicon.svg")


@pytest.mark.django_db
def test_every_page_links_the_icon(world, client):
    page = client.get("/login/").content.decode()
    assert 'rel="icon"' in page and "img/favicon.svg" in page
