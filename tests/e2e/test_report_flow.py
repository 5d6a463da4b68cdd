"""Reports in a real browser with a real Celery worker (DESIGN §9, §10): a partner admin
requests a report, watches the progress bar move (htmx polling the fragment, no reload),
sees the charts when it is done and downloads it; another partner's admin gets 404."""

from __future__ import annotations

import csv
import io

import pytest

from outlets.models import OutletKind
from partners.models import UserRole
from tests.builders import make_outlet, make_partner, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PASSWORD = "Corr3ct-horse-battery!"


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    # Long enough per section that the browser polls several times while it runs.
    return {"RN_REPORT_SECTION_DELAY": "1.5"}


def test_a_partner_admin_requests_a_report_and_watches_it_finish(
    page, browser, login, live_server, resources, celery_worker_process
):
    operator = make_partner(kinds=["outlet_operator"], name="甲运营")
    make_outlet(operator, prefecture="110100")
    make_outlet(operator, kind=OutletKind.CENTRALIZED_STORAGE, prefecture="310100", capacity_kg=30000)
    admin = make_user(operator, UserRole.PARTNER_ADMIN, password=PASSWORD)
    stranger = make_user(make_partner(name="乙运营"), UserRole.PARTNER_ADMIN, password=PASSWORD)

    login(page, admin.username, PASSWORD)
    with page.expect_navigation():
        page.click("nav >> text=报表")
    with page.expect_navigation():
        page.click("text=申请报表")
    page.fill("#id_k", "3")
    page.fill("#id_radius_km", "150")
    with page.expect_navigation():
        page.click("main form button.button--primary")
    report_url = page.url
    assert report_url.rstrip("/").split("/")[-1].isdigit(), report_url

    # The worker has it; the bar moves forward without the page being reloaded.
    page.evaluate("window.__loaded_once = true")
    page.wait_for_selector("[data-polling]")
    page.wait_for_function(
        "() => { const bar = document.querySelector('.report-progress__bar');"
        " return bar && Number(bar.value) > 0 && Number(bar.value) < 100; }",
        timeout=60_000,
    )
    page.wait_for_selector("[data-done]", timeout=90_000)
    assert page.evaluate("window.__loaded_once") is True  # the fragment was swapped in, no reload

    # Done: figures, charts drawn by the app as inline SVG, tables.
    assert page.locator("[data-section=network] svg").count() >= 2
    assert page.locator("[data-figure=outlets] .stat__value").inner_text() == "2"
    assert page.locator("[data-section=allocation]").is_visible()
    resources.collect_references(page)

    with page.expect_download() as download:
        page.click("[data-download=csv]")
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert any(row[:1] == ["110100"] for row in rows), rows[:20]

    # Another partner's admin: the same address is a 404.
    other = browser.new_context(locale="zh-CN", base_url=live_server.url)
    other_page = other.new_page()
    login(other_page, stranger.username, PASSWORD)
    response = other_page.goto(report_url)
    assert response is not None and response.status == 404
    other.close()
    assert resources.external() == []
    assert resources.seen(r"/progress/$")  # htmx polled the fragment
