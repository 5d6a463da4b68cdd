"""Screenshots of the outlet screens for ``docs/screenshots/`` (``make screenshots``).

Not collected with the test suite (its name does not start with ``test_``): run it with
``scripts/screenshots.py``, which sets up the database and Redis as ``make test`` does and
calls ``pytest tests/e2e/screenshots_test.py``. It is a browser test like the others: the
``live_server`` of a fresh test database, a small demo network built through the
services, Debian's Chromium driven by Playwright at 1280x800 in Chinese.

``SCREENSHOTS_DIR`` names the output directory (default ``docs/screenshots``);
``SCREENSHOTS_LOCALE_DIR`` may name a locale directory with a draft catalogue, to preview
translations before they are merged into ``locale/``.
"""

from __future__ import annotations

import datetime
import os
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from batteries import services as battery_services
from batteries.codes import build_battery_code
from outlets import services as outlet_services
from outlets.models import Outlet, OutletKind
from partners.models import Partner, User, UserRole
from recycling_network.tenancy import Actor, actor_for_user
from tests.builders import DATACENTER, admin_of, call, claim_code, make_outlet, make_partner, make_user

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(os.environ.get("SCREENSHOTS_DIR") or ROOT / "docs" / "screenshots")
PASSWORD = "Corr3ct-horse-battery!"
VINS = ["LSVAG2180N2", "LFVBA24B5P3", "LGXC74C35M0"]  # + 6 digits


@pytest.fixture(autouse=True)
def _draft_catalogue(settings):
    draft = os.environ.get("SCREENSHOTS_LOCALE_DIR")
    if draft:
        settings.LOCALE_PATHS = [draft]


@dataclass
class Demo:
    staff: User
    their_staff: User
    outlet: Outlet
    rich_battery: str
    outgoing: int
    settled: int
    fresh_codes: list[str]
    invalid_code: str
    held_elsewhere: str


def _codes(rng: random.Random, manufacturer: str, count: int) -> list[str]:
    codes = []
    for _ in range(count):
        codes.append(
            build_battery_code(
                manufacturer=manufacturer,
                product_type_char=rng.choice("PPPM"),
                battery_type_char=rng.choice("BBBE"),
                spec=rng.choice(["A1", "B2", "K7", "H3"]),
                trace=f"{rng.choice(['TJ', 'SZ', 'NB'])}{rng.randint(10000, 99999)}",
                year_char=rng.choice("ABCDEF"),
                month_char=rng.choice("123456789ABC"),
                day_char=rng.choice("123456789ABCDEFGH"),
                serial=f"{rng.randint(0, 9999999):07d}",
            )
        )
    return codes


def _ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _vin(rng: random.Random) -> str:
    return f"{rng.choice(VINS)}{rng.randint(0, 999999):06d}"


def build_demo() -> Demo:
    rng = random.Random(20260301)
    ours = make_partner(kinds=["outlet_operator"], name="绿源再生资源回收有限公司")
    theirs = make_partner(kinds=["outlet_operator", "recycler"], name="华东动力电池再生科技")
    other = make_partner(kinds=["outlet_operator"], name="南方回收")
    automaker = make_partner(kinds=["automaker"], name="远航汽车")
    maker = make_partner(kinds=["battery_maker"], name="恒能电池")
    claim_code(automaker, "wmi", "LSV")
    claim_code(maker, "manufacturer", "03H")
    outlet = make_outlet(ours, name="北京朝阳回收服务网点", capacity_kg=5000)
    second = make_outlet(ours, name="北京海淀回收服务网点", capacity_kg=5000)
    their_outlet = make_outlet(
        theirs, name="上海浦东集中贮存点", kind=OutletKind.CENTRALIZED_STORAGE, capacity_kg=30000, prefecture="310100"
    )
    other_outlet = make_outlet(other, name="深圳南山回收网点", prefecture="440300")
    staff = make_user(ours, UserRole.OUTLET_STAFF, password=PASSWORD)
    call(DATACENTER, outlet_services.staff_assign_outlets, user=staff, outlets=[outlet, second])
    their_staff = make_user(theirs, UserRole.OUTLET_STAFF, password=PASSWORD)
    call(DATACENTER, outlet_services.staff_assign_outlets, user=their_staff, outlets=[their_outlet])
    us, them = actor_for_user(staff), actor_for_user(their_staff)

    def take(actor: Actor, where: Outlet, code: str, days: float, **values) -> None:
        values.setdefault("weight_kg", Decimal(rng.choice([186, 242, 275, 318, 365])) + Decimal("0.5"))
        values.setdefault("vin", _vin(rng) if rng.random() < 0.8 else "")
        values.setdefault("source", rng.choice(["owner", "owner", "dealer", "repair_shop", "fleet"]))
        call(actor, battery_services.battery_receive, outlet=where, code=code, occurred_at=_ago(days), **values)

    stock = _codes(rng, "03H", 12)
    for index, code in enumerate(stock):
        condition = "leaking" if index == 3 else "swollen" if index == 8 else "intact"
        take(us, outlet, code, days=40 - index * 2.5, condition=condition)
    for code in _codes(rng, "03H", 3):
        take(us, second, code, days=12)

    # One battery with a long story: inspected, sent, rejected, corrected.
    rich = stock[1]
    call(us, battery_services.battery_inspect, code=rich, insulation_ok=True, casing_ok=False, soh_percent="78.4")
    call(us, battery_services.battery_report_hazard, code=rich, hazard="damaged", notes="外壳右侧凹陷")
    sent = call(
        us,
        battery_services.consignment_dispatch,
        from_outlet=outlet,
        to_partner=theirs.pk,
        to_outlet=their_outlet,
        batteries=[rich, stock[2], stock[4]],
        waybill="SF1302 8841 5520",
        carrier="顺丰危险品物流",
    )
    call(
        them,
        battery_services.consignment_receive,
        consignment=sent.pk,
        rejected=[{"code": rich, "reason": "damaged", "note": "壳体破损，退回"}],
    )
    first_event = call(us, lambda actor: _first_event(actor, rich))
    call(us, battery_services.event_correct, event_id=first_event, changes={"weight_kg": "318.0"}, reason="复称更正")

    # In transit both ways, for the dashboard and the receipt screen.
    outgoing = call(
        us,
        battery_services.consignment_dispatch,
        from_outlet=outlet,
        to_partner=theirs.pk,
        to_outlet=their_outlet,
        batteries=stock[5:8],
        waybill="ZTO 7788 1203",
        carrier="中通快运",
    )
    incoming_codes = _codes(rng, "03H", 5)
    for code in incoming_codes:
        take(them, their_outlet, code, days=6)
    call(
        them,
        battery_services.consignment_dispatch,
        from_outlet=their_outlet,
        to_partner=ours.pk,
        to_outlet=outlet,
        batteries=incoming_codes,
        waybill="YT 5530 2291",
        carrier="圆通物流",
    )
    held = _codes(rng, "03H", 1)[0]
    call(admin_of(other), battery_services.battery_receive, outlet=other_outlet, code=held, weight_kg="300")
    fresh = _codes(rng, "03H", 4)
    return Demo(
        staff=staff,
        their_staff=their_staff,
        outlet=outlet,
        rich_battery=rich,
        outgoing=outgoing.pk,
        settled=sent.pk,
        fresh_codes=fresh,
        invalid_code=fresh[0][:3] + "X" + fresh[0][4:],
        held_elsewhere=held,
    )


def _first_event(actor: Actor, code: str) -> int:
    from batteries.selectors import battery_events, get_battery

    return battery_events(actor, get_battery(actor, code)).first().pk


def _shot(page, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    page.screenshot(path=str(OUT / f"{name}.png"))


def test_screenshots(page, browser, live_server, login):
    demo = build_demo()
    login(page, demo.staff.username, PASSWORD)
    _shot(page, "dashboard")

    page.goto(f"/intake/?outlet={demo.outlet.code}")
    page.fill("#id_weight_kg", "318.5")
    page.focus("#id_code")
    for code in [demo.invalid_code, demo.held_elsewhere, *demo.fresh_codes[1:3]]:
        page.keyboard.type(code)
        page.keyboard.press("Enter")
    for code in demo.fresh_codes[1:3]:
        page.wait_for_selector(f"#intake-lines tr[data-code='{code}'][data-state='ready']")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(f"#intake-lines tr[data-code='{demo.held_elsewhere}'][data-state='custody']")
    page.wait_for_selector(f"#intake-lines tr[data-code='{demo.fresh_codes[2]}'][data-state='received']")
    page.keyboard.type(demo.fresh_codes[3])
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#intake-lines tr[data-code='{demo.fresh_codes[3]}'][data-state='ready']")
    page.wait_for_timeout(1000)  # let the row's highlight fade
    _shot(page, "intake")

    page.goto("/stock/")
    for row in page.locator("tbody tr[data-code]").all()[:2]:
        row.locator("input.js-select-row").check()
    _shot(page, "stock")

    page.goto(f"/batteries/{demo.rich_battery}/")
    _shot(page, "battery")

    page.goto("/consignments/")
    _shot(page, "consignments")

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    their_page = context.new_page()
    login(their_page, demo.their_staff.username, PASSWORD)
    their_page.goto(f"/consignments/{demo.outgoing}/")
    codes = their_page.eval_on_selector_all(".receive-row", "rows => rows.map(r => r.dataset.code)")
    their_page.focus("#receive-scan")
    for code in codes[:2]:
        their_page.keyboard.type(code)
        their_page.keyboard.press("Enter")
    their_page.select_option(f"tr[data-code='{codes[2]}'] select", "damaged")
    their_page.fill(f"tr[data-code='{codes[2]}'] input[type=text]", "电解液渗漏")
    _shot(their_page, "consignment-receive")
    context.close()

    page.goto(f"/consignments/{demo.settled}/")
    _shot(page, "consignment")

    page.goto(f"/stock/?outlet={demo.outlet.code}")
    rows = page.locator("tbody tr[data-code]").all()
    for row in rows[:3]:
        row.locator("input.js-select-row").check()
    with page.expect_navigation():
        page.click("[data-selection-submit]")
    page.wait_for_selector("[data-pick-list] li.pick-list__item--success")
    _shot(page, "dispatch")

    page.goto("/hazards/")
    _shot(page, "hazards")


def _shot_at(page, name: str, selector: str) -> None:
    """A screenshot of the window scrolled to ``selector``."""
    OUT.mkdir(parents=True, exist_ok=True)
    page.locator(selector).evaluate("element => element.scrollIntoView({block: 'start'})")
    page.mouse.move(0, 0)
    page.screenshot(path=str(OUT / f"{name}.png"))


def test_report_screenshots(page, live_server, login):
    """The national coverage report of the small demo network: figures and charts, then the
    allocation and an automaker's obligations (``pytest -k report`` redoes only these)."""
    from reports.services import sales_footprint_set

    build_demo()
    automaker = Partner.objects.get(name="远航汽车")
    year = timezone.localdate().year
    rows = [
        {"prefecture": adcode, "year": year, "vehicles_sold": sold, "fleet": fleet}
        for adcode, sold, fleet in (
            ("110100", 5200, 21000),
            ("310100", 4100, 16500),
            ("440300", 3900, 12000),
            ("320500", 1400, 5200),
            ("330100", 1800, 7100),
            ("420100", 900, 3300),
        )
    ]
    call(DATACENTER, sales_footprint_set, partner=automaker, rows=rows)
    datacenter = make_user(None, password=PASSWORD)
    login(page, datacenter.username, PASSWORD)
    page.goto("/reports/new/")
    page.fill("#id_k", "6")
    with page.expect_navigation():
        page.click("main form button.button--primary")
    page.wait_for_selector("[data-done]")
    _shot(page, "report")
    _shot_at(page, "report-obligations", "[data-section=allocation]")
