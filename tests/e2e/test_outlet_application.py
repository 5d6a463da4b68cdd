"""An outlet application in a real browser (DESIGN §6, §9): a partner admin drafts and
submits it, the data center sends it back for changes, the partner resubmits, the data
center approves; the outlet is then in the public directory and on the intake screen.
A rejection shows its reason to the partner.

Assertions use data attributes and the data typed in, not interface text, so they hold
whether or not the Chinese catalogue has been merged yet."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from outlets import services as outlet_services
from outlets.models import Outlet, OutletStatus
from partners.models import Partner, User, UserRole
from recycling_network.tenancy import SYSTEM, actor_for_user, run_as
from tests.builders import DATACENTER, call, make_partner, make_user

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-horse-battery!"
NAME = "海淀中关村回收网点"
ADDRESS = "北京市海淀区中关村大街27号"


@dataclass
class People:
    partner: Partner
    partner_admin: User
    staff: User
    datacenter_admin: User


@pytest.fixture
def people(live_server) -> People:
    partner = make_partner(kinds=["outlet_operator"], name="绿源回收")
    return People(
        partner=partner,
        partner_admin=make_user(partner, UserRole.PARTNER_ADMIN, password=PASSWORD),
        staff=make_user(partner, UserRole.OUTLET_STAFF, password=PASSWORD),
        datacenter_admin=make_user(None, password=PASSWORD),
    )


def switch_user(page, login, user: User) -> None:
    page.context.clear_cookies()
    login(page, user.username, PASSWORD)


def outlet_named(name: str) -> Outlet:
    with run_as(SYSTEM):
        return Outlet.objects.get(name=name)


def submit_button(page, path_end: str) -> None:
    """Press the submit button of the form posting to a URL ending in ``path_end``."""
    with page.expect_navigation():
        page.click(f"form[action$='{path_end}'] button[type=submit]")


def decide(page, decision: str) -> None:
    """Press a data-center decision's button on the review page."""
    with page.expect_navigation():
        page.click(f"form[data-decision={decision}] button[type=submit]")


def draft_application(page, name: str) -> Outlet:
    page.goto("/outlets/new/")
    page.fill("#id_name", name)
    page.check("input[name=kind][value=collection]")
    page.select_option("#id_prefecture", "110100")
    page.fill("#id_address", ADDRESS)
    page.fill("#id_longitude", "116.31")
    page.fill("#id_latitude", "39.98")
    page.fill("#id_storage_area_m2", "40")
    page.fill("#id_capacity_kg", "4000")
    page.fill("#id_opening_hours", "09:00-17:00")
    page.fill("#id_contacts-0-name", "王五")
    page.fill("#id_contacts-0-phone", "13900000000")
    page.locator("#id_latitude").blur()
    # htmx redraws the preview with the point and the prefecture's centre.
    page.wait_for_selector("#map-preview svg [data-role=subject]")
    assert page.locator("#map-preview svg [data-role=centroid]").count() == 1
    assert page.locator("#map-preview [data-location-warning]").count() == 0
    with page.expect_navigation():
        page.click("#outlet-form button[type=submit]")
    outlet = outlet_named(name)
    assert page.url.endswith(f"/outlets/{outlet.pk}/")
    return outlet


def test_apply_request_changes_resubmit_approve_then_directory_and_intake(page, people, login, resources):
    # The partner admin drafts and submits.
    login(page, people.partner_admin.username, PASSWORD)
    outlet = draft_application(page, NAME)
    assert outlet.status == OutletStatus.DRAFT
    submit_button(page, f"/outlets/{outlet.pk}/submit/")
    assert outlet_named(NAME).status == OutletStatus.SUBMITTED
    resources.collect_references(page)

    # The data center finds it in the queue and asks for changes.
    switch_user(page, login, people.datacenter_admin)
    page.goto("/datacenter/outlets/")
    assert page.locator(f"[data-queue] tr[data-outlet='{outlet.pk}']").is_visible()
    with page.expect_navigation():
        page.click(f"[data-queue] tr[data-outlet='{outlet.pk}'] a")
    assert page.locator("svg [data-role=subject]").count() == 1  # the point, drawn by the app
    resources.collect_references(page)
    page.fill("#id_request_changes-comments", "请补充消防设施照片")
    decide(page, "request_changes")
    assert outlet_named(NAME).status == OutletStatus.DRAFT

    # The partner reads the comments, edits and resubmits.
    switch_user(page, login, people.partner_admin)
    page.goto(f"/outlets/{outlet.pk}/")
    assert "请补充消防设施照片" in page.inner_text("[data-review-comments]")
    page.goto(f"/outlets/{outlet.pk}/edit/")
    page.fill("#id_opening_hours", "周一至周六 09:00-17:00")
    with page.expect_navigation():
        page.click("#outlet-form button[type=submit]")
    submit_button(page, f"/outlets/{outlet.pk}/submit/")
    assert outlet_named(NAME).status == OutletStatus.SUBMITTED

    # The data center approves; the page shows the code it assigned.
    switch_user(page, login, people.datacenter_admin)
    page.goto(f"/datacenter/outlets/{outlet.pk}/")
    decide(page, "approve")
    approved = outlet_named(NAME)
    assert approved.status == OutletStatus.APPROVED
    assert approved.code.startswith("RN-110100-")
    assert page.inner_text("[data-assigned-code]") == approved.code

    # Anyone finds it in the public directory, without signing in.
    page.context.clear_cookies()
    page.goto("/directory/?prefecture=110100")
    row = page.locator(f"[data-directory] tr[data-outlet='{approved.code}']")
    assert NAME in row.inner_text()
    with page.expect_navigation():
        row.locator("a").click()
    assert page.inner_text("[data-address]") == ADDRESS
    assert page.inner_text("[data-opening-hours]") == "周一至周六 09:00-17:00"
    resources.collect_references(page)

    # The partner's staff can receive batteries there: the intake screen offers it.
    call(
        actor_for_user(people.partner_admin),
        outlet_services.staff_assign_outlets,
        user=people.staff,
        outlets=[approved],
    )
    login(page, people.staff.username, PASSWORD)
    page.goto("/intake/")
    assert page.locator(f"#id_outlet option[value='{approved.code}']").count() == 1
    resources.collect_references(page)
    assert resources.external() == []


def test_a_rejection_shows_its_reason_to_the_partner(page, people, login):
    login(page, people.partner_admin.username, PASSWORD)
    outlet = draft_application(page, "被拒的网点")
    submit_button(page, f"/outlets/{outlet.pk}/submit/")

    switch_user(page, login, people.datacenter_admin)
    page.goto(f"/datacenter/outlets/{outlet.pk}/")
    decide(page, "reject")  # without a reason: refused, the form says why
    assert outlet_named("被拒的网点").status == OutletStatus.SUBMITTED
    assert page.locator("[data-decision=reject] [aria-invalid=true]").count() == 1
    page.fill("#id_reject-reason", "选址位于居民区，不符合规划")
    decide(page, "reject")
    assert outlet_named("被拒的网点").status == OutletStatus.REJECTED

    switch_user(page, login, people.partner_admin)
    page.goto(f"/outlets/{outlet.pk}/")
    assert "选址位于居民区，不符合规划" in page.inner_text("[data-rejection]")
    # A rejection is final; a new draft starts from it.
    submit_button(page, f"/outlets/{outlet.pk}/copy/")
    with run_as(SYSTEM):
        copy = Outlet.objects.get(copied_from_id=outlet.pk)
    assert copy.status == OutletStatus.DRAFT
    assert page.url.endswith(f"/outlets/{copy.pk}/edit/")
    assert page.input_value("#id_name") == "被拒的网点"


def test_the_directory_is_linked_from_the_sign_in_page(page, people):
    call(DATACENTER, outlet_services.outlet_approve, outlet=_submitted(people))
    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.click("[data-directory-link] a")
    assert page.url.endswith("/directory/")
    assert page.locator("[data-directory] tbody tr").count() == 1
    assert page.locator("svg [data-role=outlet]").count() == 1


def _submitted(people: People) -> Outlet:
    operator = actor_for_user(people.partner_admin)
    draft = call(
        operator,
        outlet_services.outlet_create,
        operator=people.partner,
        name="目录网点",
        kind="collection",
        prefecture="310100",
        address="上海市浦东新区",
        longitude="121.5",
        latitude="31.2",
        storage_area_m2=20,
        capacity_kg=2000,
    ).outlet
    return call(operator, outlet_services.outlet_submit, outlet=draft)
