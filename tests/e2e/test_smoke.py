"""The UI in a real browser: signing in, the dashboard, the language switch, and that no
page loads anything from outside the app (DESIGN §9: intranets and mainland networks)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from outlets import services as outlet_services
from partners.models import User, UserRole
from tests.builders import DATACENTER, call, make_outlet, make_partner, make_user

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-horse-battery!"


@dataclass
class Users:
    datacenter_admin: User
    partner_admin: User
    staff: User
    outlet_code: str


@pytest.fixture
def users(live_server) -> Users:
    partner = make_partner(name="绿源回收")
    outlet = make_outlet(partner, name="朝阳回收网点")
    staff = make_user(partner, UserRole.OUTLET_STAFF, password=PASSWORD)
    call(DATACENTER, outlet_services.staff_assign_outlets, user=staff, outlets=[outlet])
    return Users(
        datacenter_admin=make_user(None, password=PASSWORD),
        partner_admin=make_user(partner, UserRole.PARTNER_ADMIN, password=PASSWORD),
        staff=staff,
        outlet_code=outlet.code,
    )


def test_staff_sign_in_see_their_dashboard_and_switch_to_english(page, users, login):
    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert page.inner_text("h1") == "登录"

    login(page, users.staff.username, PASSWORD)
    assert page.url.endswith("/")
    card = page.locator(f"[data-outlet='{users.outlet_code}']")
    assert card.is_visible()
    assert "朝阳回收网点" in card.inner_text()
    assert card.locator("meter").count() == 1  # stock against capacity
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert "修改密码" in page.inner_text(".account")

    with page.expect_navigation():
        page.click("button[name=language][value=en]")
    assert page.url.endswith("/")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1") == "Outlet dashboard"
    assert "Change password" in page.inner_text(".account")
    assert "Home" in page.inner_text(".site-nav")
    # The choice sticks, and switching back is one click too.
    page.goto("/accounts/password/change/")
    assert page.inner_text("h1") == "Change password"
    with page.expect_navigation():
        page.click("button[name=language][value=zh-hans]")
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert page.inner_text("h1") == "修改密码"


# The outlet screens (batteries app); the battery and consignment pages are covered by
# tests/e2e/test_outlet_flow.py, which builds the rows they show.
OUTLET_PAGES = ["/intake/", "/stock/", "/hazards/", "/consignments/", "/consignments/new/", "/obligations/"]
PAGES = {
    None: ["/accounts/login/", "/accounts/password/reset/"],
    "datacenter_admin": ["/", "/accounts/password/change/", "/admin/", "/admin/partners/partner/"],
    "partner_admin": ["/", "/accounts/password/change/", *OUTLET_PAGES],
    "staff": ["/", "/accounts/password/change/", *OUTLET_PAGES],
}


@pytest.mark.parametrize("role", list(PAGES), ids=lambda role: role or "anonymous")
def test_no_page_loads_anything_from_outside_the_app(page, users, login, resources, role):
    if role is not None:
        login(page, getattr(users, role).username, PASSWORD)
    for path in PAGES[role]:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        resources.collect_references(page)
    assert resources.external() == []
    # The collector saw the app's own assets, so an empty list means something.
    assert resources.seen(r"/static/css/app\.css$")
    assert resources.seen(r"/static/django_htmx/htmx-2\.js$")


def test_the_external_resource_check_catches_what_it_should(page, resources):
    """The control: the same collector flags a stylesheet, an image and a CSS url() from
    elsewhere, and refuses to fetch them."""
    page.goto("/accounts/login/")
    page.evaluate(
        """() => {
          const image = document.createElement("img");
          image.src = "http://203.0.113.7/pixel.png";
          document.body.append(image);
          const style = document.createElement("style");
          style.textContent = "body { background: url('https://cdn.example.invalid/bg.png'); }";
          document.head.append(style);
          const link = document.createElement("link");
          link.rel = "stylesheet";
          link.href = "https://fonts.example.invalid/css";
          document.head.append(link);
        }"""
    )
    page.wait_for_load_state("networkidle")
    resources.collect_references(page)
    assert resources.external() == [
        "http://203.0.113.7/pixel.png",
        "https://cdn.example.invalid/bg.png",
        "https://fonts.example.invalid/css",
    ]
    assert "http://203.0.113.7/pixel.png" in resources.blocked
