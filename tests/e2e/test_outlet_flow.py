"""The outlet counter's day in a real browser: scan four codes at intake, reload, find the
two new batteries in the stock list, dispatch them, the other partner receives one and
rejects one, the timelines tell it all, and nobody else can look."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import translation

from batteries.models import Battery, CustodyEvent, ReviewCase
from batteries.views.intake import SEGMENT_LABELS
from outlets import services as outlet_services
from outlets.models import Outlet, OutletKind
from partners.models import User, UserRole
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import DATACENTER, admin_of, battery_code, call, make_outlet, make_partner, make_user, receive

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-horse-battery!"


@dataclass
class Counter:
    staff: User
    outlet: Outlet
    their_staff: User
    their_outlet: Outlet
    their_partner_id: int
    third_admin: User
    held_elsewhere: str


@pytest.fixture
def counter(live_server) -> Counter:
    ours = make_partner(name="绿源回收")
    outlet = make_outlet(ours, name="朝阳回收网点")
    staff = make_user(ours, UserRole.OUTLET_STAFF, password=PASSWORD)
    call(DATACENTER, outlet_services.staff_assign_outlets, user=staff, outlets=[outlet])
    theirs = make_partner(kinds=["outlet_operator", "recycler"], name="再生科技")
    their_outlet = make_outlet(
        theirs, name="浦东集中贮存点", kind=OutletKind.CENTRALIZED_STORAGE, capacity_kg=30000, prefecture="310100"
    )
    their_staff = make_user(theirs, UserRole.OUTLET_STAFF, password=PASSWORD)
    call(DATACENTER, outlet_services.staff_assign_outlets, user=their_staff, outlets=[their_outlet])
    third = make_partner(name="第三方回收")
    held = receive(admin_of(third), make_outlet(third, prefecture="440300")).code
    return Counter(
        staff=staff,
        outlet=outlet,
        their_staff=their_staff,
        their_outlet=their_outlet,
        their_partner_id=theirs.pk,
        third_admin=make_user(third, UserRole.PARTNER_ADMIN, password=PASSWORD),
        held_elsewhere=held,
    )


def _context_page(browser, live_server, resources):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    resources.attach(page)
    return context, page


def _line(page, code: str, state: str):
    return page.wait_for_selector(f"#intake-lines tr[data-code='{code}'][data-state='{state}']")


def _scan(page, code: str) -> None:
    # A scanner types into whatever has the focus, then presses Enter.
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def _timeline_kinds(page) -> list[str]:
    return page.eval_on_selector_all(".timeline__item", "items => items.map(item => item.dataset.kind)")


def _events(code: str) -> list[str]:
    with run_as(SYSTEM):
        return list(CustodyEvent.objects.filter(battery_code=code).order_by("seq").values_list("kind", flat=True))


def test_a_day_at_the_counter(page, browser, live_server, login, resources, counter):
    invalid = "001XBA1TRACE01F310000009"  # product type X
    first, second = battery_code(), battery_code()

    # Sign in: the Chinese UI.
    login(page, counter.staff.username, PASSWORD)
    assert page.get_attribute("html", "lang") == "zh-hans"
    page.goto("/intake/")
    assert page.evaluate("document.activeElement.id") == "id_code"
    page.fill("#id_weight_kg", "310.5")
    page.focus("#id_code")

    # Four scans; Enter adds a line and never leaves the page.
    for code in (invalid, counter.held_elsewhere, first, second):
        _scan(page, code)
    assert page.url.endswith("/intake/")
    bad = _line(page, invalid, "invalid")
    with translation.override("zh-hans"):
        segment = str(SEGMENT_LABELS["product_type"])
    assert segment in bad.inner_text()
    for code in (counter.held_elsewhere, first, second):
        _line(page, code, "ready")
    assert page.evaluate("document.activeElement.id") == "id_code"  # the focus stayed

    # Ctrl+Enter submits the lines one by one.
    page.keyboard.press("Control+Enter")
    _line(page, first, "received")
    _line(page, second, "received")
    warning = _line(page, counter.held_elsewhere, "custody")
    assert "intake-line--warning" in warning.get_attribute("class")
    assert "第三方回收" not in page.inner_text("main")  # the holder is never named
    with run_as(SYSTEM):
        assert ReviewCase.objects.filter(battery_code=counter.held_elsewhere).count() == 1
        assert set(Battery.objects.filter(code__in=[first, second]).values_list("outlet_id", flat=True)) == {
            counter.outlet.pk
        }

    # The lines survive a reload, results and all.
    page.reload()
    for code, state in ((invalid, "invalid"), (counter.held_elsewhere, "custody"), (first, "received")):
        _line(page, code, state)
    assert page.locator("#intake-lines tr").count() == 4

    # The stock list shows the two; tick them and dispatch them to the other partner.
    page.goto("/stock/")
    assert page.locator("tbody tr[data-code]").count() == 2
    for code in (first, second):
        page.check(f"tr[data-code='{code}'] input.js-select-row")
    with page.expect_navigation():
        page.click("[data-selection-submit]")
    assert "/consignments/new/" in page.url
    page.wait_for_selector(f"[data-pick-list] li[data-code='{second}'].pick-list__item--success")
    page.select_option("#id_to_partner", str(counter.their_partner_id))
    page.wait_for_selector(f"#id_to_outlet option[value='{counter.their_outlet.code}']", state="attached")
    page.select_option("#id_to_outlet", counter.their_outlet.code)
    page.fill("#id_waybill", "SF1234567890")
    with page.expect_navigation():
        page.click("form[data-dispatch] button[type=submit]")
    consignment_path = page.url.removeprefix(live_server.url)
    assert consignment_path.startswith("/consignments/")
    assert page.locator(".badge--status-in_transit").count() == 1

    # The other partner's staff receive one and reject one as damaged.
    their_context, their_page = _context_page(browser, live_server, resources)
    login(their_page, counter.their_staff.username, PASSWORD)
    their_page.goto(consignment_path)
    their_page.focus("#receive-scan")
    _scan(their_page, first)
    their_page.wait_for_selector(f"tr.receive-row--confirmed[data-code='{first}']")
    their_page.select_option(f"tr[data-code='{second}'] select", "damaged")
    their_page.fill(f"tr[data-code='{second}'] input[type=text]", "外壳破损")
    with their_page.expect_navigation():
        their_page.click("form[data-receive] button[type=submit]")
    assert their_page.locator(".badge--status-partially_rejected").count() == 1
    their_page.goto(f"/batteries/{first}/")
    assert {"dispatched", "handover_received"} <= set(_timeline_kinds(their_page))
    assert their_page.get_attribute("[data-chain]", "data-chain") == "verified"
    resources.collect_references(their_page)
    their_context.close()

    # Both timelines show every event; the rejected battery is back in the sender's stock.
    for code, last in ((first, "handover_received"), (second, "handover_rejected")):
        page.goto(f"/batteries/{code}/")
        assert _timeline_kinds(page) == _events(code) == ["received", "dispatched", last]
        assert page.get_attribute("[data-chain]", "data-chain") == "verified"
        resources.collect_references(page)
    page.goto("/stock/")
    assert page.locator("tbody tr[data-code]").count() == 1
    assert page.locator(f"tbody tr[data-code='{second}'] .badge--status-at_outlet").count() == 1

    # A user of a third partner gets 404 on those battery pages.
    third_context, third_page = _context_page(browser, live_server, resources)
    login(third_page, counter.third_admin.username, PASSWORD)
    for code in (first, second):
        assert third_page.goto(f"/batteries/{code}/").status == 404
    third_context.close()

    # Switching to English changes the UI text.
    with page.expect_navigation():
        page.click("button[name=language][value=en]")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1") == "Stock"
    assert "Intake" in page.inner_text(".site-nav")
    page.goto("/intake/")
    _line(page, first, "received")
    assert "Received" in page.inner_text(f"#intake-lines tr[data-code='{first}']")

    resources.collect_references(page)
    assert resources.external() == []
    assert resources.seen(r"/static/js/intake\.js$")
