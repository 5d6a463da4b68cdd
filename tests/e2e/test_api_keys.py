"""A partner admin creates an API key in the browser, sees it once, copies it, and revokes
it; the key works against the API until then."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from partners.models import UserRole
from tests.builders import make_partner, make_user

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-horse-battery!"


def _me_status(base_url: str, key: str) -> tuple[int, dict]:
    """Call the API without the browser's cookies: only the key speaks."""
    url = base_url + "/api/v1/me/"  # the live server's http URL
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def test_a_partner_admin_creates_a_key_sees_it_once_and_revokes_it(page, login, live_server, resources):
    partner = make_partner(name="绿源回收")
    admin = make_user(partner, UserRole.PARTNER_ADMIN, password=PASSWORD)
    login(page, admin.username, PASSWORD)

    page.click(".site-nav a[href='/team/keys/']")
    page.wait_for_url("**/team/keys/")
    page.click("a[href='/team/keys/new/']")
    page.wait_for_url("**/team/keys/new/")
    page.fill("#id_name", "ERP 接口")
    assert page.is_checked("#id_scopes_0")  # read, the default
    page.check("#id_scopes_1")
    page.fill("#id_allowed_networks", "127.0.0.0/8")
    with page.expect_navigation():
        page.click("main form button[type=submit]")

    # The result page: the key, a warning, a copy button; the URL carries nothing.
    assert page.url.endswith("/team/keys/new/")
    secret = page.inner_text("#api-key-secret").strip()
    assert secret.startswith("rnk_")
    assert page.locator(".alert--warning[role=alert]").is_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("button[data-copy]")
    page.wait_for_function("document.querySelector('[data-copy-status]').textContent.length > 0")
    assert page.evaluate("navigator.clipboard.readText()") == secret

    status, me = _me_status(live_server.url, secret)
    assert status == 200
    assert (me["role"], me["partner"]["id"], sorted(me["scopes"])) == ("partner_key", partner.pk, ["read", "write"])

    # Shown once: the list and the key's own page show the prefix only.
    prefix = secret.split("_")[1]
    page.goto("/team/keys/")
    row = page.locator(f"tr[data-key='{prefix}']")
    assert "ERP 接口" in row.inner_text()
    assert "127.0.0.0/8" in row.inner_text()
    assert secret not in page.content()
    page.click(f"tr[data-key='{prefix}'] a[href$='/']:not([href$='/revoke/'])")
    assert secret not in page.content()
    assert f"rnk_{prefix}_" in page.inner_text("main")
    resources.collect_references(page)

    page.click("a[href$='/revoke/']")
    page.wait_for_url("**/revoke/")
    resources.collect_references(page)
    assert _me_status(live_server.url, secret)[0] == 200  # asking is not revoking
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/team/keys/")
    assert page.locator(f"tr[data-key='{prefix}'] a[href$='/revoke/']").count() == 0
    assert page.locator(".alert--success").count() == 1

    assert _me_status(live_server.url, secret)[0] == 401
    assert resources.external() == []
