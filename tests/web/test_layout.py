"""The layout every page shares: local assets only, htmx with the CSRF header, the
signed-in user and sign-out."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.test import Client

from tests.web.conftest import sign_in

ATTRIBUTE_URL = re.compile(r'\b(?:src|href|action)="([^"]*)"')


def test_pages_reference_only_the_apps_own_assets(people):
    client = Client()
    sign_in(client, people.staff)
    page = client.get("/").content.decode()
    urls = ATTRIBUTE_URL.findall(page)
    assert "/static/django_htmx/htmx-2.js" in urls  # the unminified build shipped by django-htmx
    assert "/static/css/app.css" in urls
    assert [url for url in urls if not url.startswith(("/", "#"))] == []
    for asset in ("django_htmx/htmx-2.js", "css/app.css", "js/app.js", "img/favicon.svg"):
        assert finders.find(asset), asset


def test_htmx_requests_pass_the_csrf_check_with_the_header_from_the_body(people):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/").content.decode()
    token = re.search(r"""<body[^>]*hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", page).group(1)
    change_language = {"language": "en", "next": "/accounts/login/"}
    assert client.post("/i18n/setlang/", change_language).status_code == 403
    response = client.post("/i18n/setlang/", change_language, headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 302


def test_the_header_shows_who_is_signed_in_and_a_sign_out_form(people):
    client = Client()
    sign_in(client, people.partner_admin)
    page = client.get("/").content.decode()
    header = page[page.index('<header class="site-header">') : page.index("</header>")]
    assert people.partner_admin.get_username() in header
    assert people.partner.name in header
    assert '<form class="inline-form" method="post" action="/accounts/logout/">' in header
    # Anonymous pages have no account area, but keep the language switch.
    anonymous = Client().get("/accounts/login/").content.decode()
    assert 'action="/accounts/logout/"' not in anonymous
    assert 'action="/i18n/setlang/"' in anonymous
