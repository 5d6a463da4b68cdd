"""Onboarding in a real browser: an enterprise applies, the data center approves it, its
first admin chooses a password from the invitation and signs in; and a review case opened
by a conflicting intake is settled by transferring custody, after which each partner sees
what it should (DESIGN §4, §7 "Mistakes", §9)."""

from __future__ import annotations

import re

import pytest

from batteries.errors import BatteryInCustody
from partners.models import OutboxEmail, UserRole
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import admin_of, battery_code, credit_code, make_outlet, make_partner, make_user, receive

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-horse-battery!"
NEW_PASSWORD = "Gr33n-batteries-forever!"


def _english(page, live_server) -> None:
    """Choose English, as the language switch does, for assertions on text."""
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def _new_page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    return context.new_page()


def _held(page) -> str:
    return (
        page.locator(".stat", has=page.locator(".stat__label", has_text="Batteries held"))
        .locator(".stat__value")
        .inner_text()
    )


def test_an_enterprise_applies_is_approved_and_its_first_admin_signs_in(page, browser, login, live_server, resources):
    datacenter = make_user(None, password=PASSWORD)

    # The enterprise applies, signed in as nobody.
    page.goto("/join/")
    page.fill("#id_name", "绿色电池有限公司")
    page.fill("#id_name_en", "Green Battery Co.")
    page.fill("#id_credit_code", credit_code())
    page.check("input[name=kinds][value=battery_maker]")
    page.fill("#id_manufacturer_codes", "q7x")
    page.fill("#id_contacts-0-name", "王经理")
    page.fill("#id_contacts-0-title", "总经理")
    page.fill("#id_contacts-0-phone", "13900000000")
    page.fill("#id_contacts-0-email", "wang@green.example")
    with page.expect_navigation():
        page.click("main form button.button--primary")
    assert page.url.endswith("/join/thanks/")
    resources.collect_references(page)

    # The data center approves it from its queue.
    _english(page, live_server)
    login(page, datacenter.username, PASSWORD)
    page.goto("/datacenter/partners/")
    with page.expect_navigation():
        page.click("text=绿色电池有限公司")
    assert "Q7X" in page.inner_text("[data-table=claims]")
    assert "wang@green.example" in page.inner_text("[data-table=contacts]")
    with page.expect_navigation():
        page.click("form[data-form=approve] button[type=submit]")
    assert "was approved" in page.inner_text("#messages")
    assert "Active" in page.inner_text("h1")
    resources.collect_references(page)

    # Its first admin chooses a password from the invitation and signs in.
    with run_as(SYSTEM):
        invitation = OutboxEmail.objects.get(kind="user.invitation", to=["wang@green.example"])
    link = re.search(r"https?://\S+?(/accounts/reset/\S+/)", invitation.body)
    assert link, invitation.body
    applicant = _new_page(browser, live_server)
    _english(applicant, live_server)
    applicant.goto(link.group(1))
    assert applicant.inner_text("h1") == "Choose your password"
    applicant.fill("#id_new_password1", NEW_PASSWORD)
    applicant.fill("#id_new_password2", NEW_PASSWORD)
    with applicant.expect_navigation():
        applicant.click("main form button[type=submit]")
    assert "/accounts/reset/done/" in applicant.url
    login(applicant, "wang@green.example", NEW_PASSWORD)
    assert applicant.inner_text("h1") == "绿色电池有限公司"
    applicant.goto("/claims/")
    assert "Q7X" in applicant.inner_text("[data-table=claims]")
    assert "Pending" in applicant.inner_text("[data-claim=Q7X]")
    applicant.context.close()
    assert resources.external() == []


def test_a_review_case_is_settled_by_transferring_custody(page, browser, login, live_server):
    holder, claimant = make_partner(name="甲回收"), make_partner(name="乙回收")
    holder_outlet = make_outlet(holder, name="甲网点")
    claimant_outlet = make_outlet(claimant, name="乙网点", prefecture="310100")
    code = battery_code()
    receive(admin_of(holder), holder_outlet, code)
    with pytest.raises(BatteryInCustody):
        receive(admin_of(claimant), claimant_outlet, code)  # opens the case
    holder_admin = make_user(holder, UserRole.PARTNER_ADMIN, password=PASSWORD)
    claimant_admin = make_user(claimant, UserRole.PARTNER_ADMIN, password=PASSWORD)
    datacenter = make_user(None, password=PASSWORD)

    # The data center sees who holds the battery, and transfers custody to the claimant.
    _english(page, live_server)
    login(page, datacenter.username, PASSWORD)
    page.goto("/datacenter/reviews/")
    row = page.locator("[data-table=reviews] tbody tr", has_text=code)
    assert "甲回收" in row.locator("[data-holder]").inner_text()
    assert "乙回收" in row.inner_text()
    with page.expect_navigation():
        row.locator("a").first.click()
    page.check("input[name=resolution][value=transfer]")
    page.fill("#id_note", "乙网点出示了报废证明")
    with page.expect_navigation():
        page.click("form[data-form=resolve] button[type=submit]")
    assert "Custody transferred" in page.inner_text("#messages")
    assert "乙回收" in page.inner_text("[data-table=battery] [data-holder]")

    # The claimant now holds the battery and reads the outcome, never the former holder.
    claimant_page = _new_page(browser, live_server)
    _english(claimant_page, live_server)
    login(claimant_page, claimant_admin.username, PASSWORD)
    assert _held(claimant_page) == "1"
    claimant_page.goto("/reviews/")
    assert "Custody transferred" in claimant_page.inner_text("[data-table=reviews]")
    with claimant_page.expect_navigation():
        claimant_page.click(f"text={code}")
    outcome = claimant_page.inner_text("[data-outcome]")
    assert "Custody was transferred to your organisation" in outcome and claimant_outlet.code in outcome
    assert "甲回收" not in claimant_page.inner_text("main") and "甲网点" not in claimant_page.inner_text("main")
    claimant_page.context.close()

    # The former holder sees the battery as a former holder: no case, no where-now fields.
    holder_page = _new_page(browser, live_server)
    _english(holder_page, live_server)
    login(holder_page, holder_admin.username, PASSWORD)
    assert _held(holder_page) == "0"
    holder_page.goto("/reviews/")
    assert holder_page.locator("[data-table=reviews]").count() == 0
    battery = holder_page.request.get(f"/api/v1/batteries/{code}/")
    assert battery.status == 200
    record = battery.json()
    assert record["code"] == code
    assert (record["custodian"], record["outlet"], record["status"], record["hazard"]) == (None, None, None, None)
    holder_page.context.close()
