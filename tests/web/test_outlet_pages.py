"""The outlet screens: who may open them, what they show, and that their forms reach the
services (effects read back in the system context)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from batteries import services as battery_services
from batteries.models import (
    Battery,
    BatteryStatus,
    Consignment,
    ConsignmentItem,
    ConsignmentStatus,
    CustodyEvent,
    EventKind,
    Obligation,
    ReviewCase,
)
from recycling_network.tenancy import SYSTEM, run_as
from recycling_network.web.dashboards import outlet_staff_dashboard
from tests.builders import battery_code, call, receive
from tests.web.test_outlet_world import VIN, World, world_fixture  # noqa: F401 - the fixture

PAGES = ["/", "/intake/", "/stock/", "/hazards/", "/consignments/", "/consignments/new/", "/obligations/"]


def _rows(model, **filters):
    with run_as(SYSTEM):
        return list(model.objects.filter(**filters))


def _one(model, **filters):
    rows = _rows(model, **filters)
    assert len(rows) == 1, rows
    return rows[0]


def _dispatch(world: World, codes: list[str]) -> Consignment:
    return call(
        world.actor(world.staff),
        battery_services.consignment_dispatch,
        from_outlet=world.outlet,
        to_partner=world.theirs.pk,
        to_outlet=world.their_outlet,
        batteries=codes,
        waybill="SF1234",
        carrier="顺丰",
    )


# --- who may open what --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_every_outlet_page_renders_for_staff_and_partner_admins(world, role):
    battery = receive(world.actor(world.staff), world.outlet, weight_kg="250", vin=VIN, condition="leaking")
    consignment = _dispatch(world, [receive(world.actor(world.staff), world.outlet).code])
    client = world.client(getattr(world, role))
    for path in [*PAGES, f"/batteries/{battery.code}/", f"/consignments/{consignment.pk}/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert b'lang="en"' in response.content
    assert battery.code in client.get("/stock/").content.decode()
    assert battery.code in client.get("/hazards/").content.decode()
    assert f"#{consignment.pk}" in client.get("/consignments/").content.decode()


def test_the_pages_are_in_chinese_by_default(world):
    client = world.client(world.staff, language="zh-hans")
    assert "<h1" in (page := client.get("/intake/").content.decode())
    assert 'lang="zh-hans"' in page
    assert 'id="intake-config"' in page


def test_anonymous_visitors_sign_in_first(db):
    from django.test import Client

    for path in [*PAGES[1:], "/batteries/001PBA1TRACE01F310000001/", "/consignments/1/", "/intake/check/?code=x"]:
        response = Client().get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path


def test_the_data_center_reads_the_lists_but_records_no_custody(world):
    battery = receive(world.actor(world.staff), world.outlet)
    client = world.client(world.datacenter_admin)
    for path in ["/stock/", "/consignments/", "/obligations/", f"/batteries/{battery.code}/"]:
        assert client.get(path).status_code == 200, path
    for path in ["/intake/", "/consignments/new/", "/hazards/"]:
        assert client.get(path).status_code == 403, path
    page = client.get(f"/batteries/{battery.code}/").content.decode()
    assert "The whole chain" in page
    assert 'name="action"' not in page  # no forms


def test_foreign_batteries_and_consignments_are_404(world):
    battery = receive(world.actor(world.staff), world.outlet)
    consignment = _dispatch(world, [battery.code])
    assert _rows(Battery, code=battery.code)  # they exist
    outsider = world.client(world.third_admin)
    for path in [
        f"/batteries/{battery.code}/",
        f"/consignments/{consignment.pk}/",
        f"/consignments/{consignment.pk}/manifest/",
        "/batteries/001PBA1TRACE01F319999999/",  # missing: the same answer
        "/consignments/999999/",
    ]:
        assert outsider.get(path).status_code == 404, path
    assert outsider.post(f"/consignments/{consignment.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert battery.code not in outsider.get("/stock/?status=").content.decode()


def test_staff_see_only_their_outlets_and_admins_all_of_the_partners(world):
    at_ours = receive(world.actor(world.staff), world.outlet)
    at_second = receive(world.actor(world.admin), world.second_outlet)
    staff_page = world.client(world.staff).get("/stock/").content.decode()
    admin_page = world.client(world.admin).get("/stock/").content.decode()
    assert at_ours.code in staff_page and at_second.code not in staff_page
    assert at_ours.code in admin_page and at_second.code in admin_page
    assert world.client(world.staff).get(f"/batteries/{at_second.code}/").status_code == 404


# --- intake ------------------------------------------------------------------------------


def test_the_intake_screen_defaults_to_the_staffs_outlet_and_carries_the_scripts_config(world):
    page = world.client(world.staff).get("/intake/").content.decode()
    assert f'<option value="{world.outlet.code}" selected>' in page
    assert world.second_outlet.code not in page  # not assigned
    assert "/static/js/intake.js" in page
    config = json.loads(page.split('id="intake-config" type="application/json">')[1].split("</script>")[0])
    assert config["submitUrl"] == "/api/v1/intakes/"
    assert config["checkUrl"] == "/intake/check/"
    assert config["storageKey"].endswith(str(world.staff.pk))


def test_the_check_endpoint_names_the_segment_of_an_invalid_code(world):
    client = world.client(world.staff)
    answer = client.get("/intake/check/", {"code": "001XBA1TRACE01F310000001"}).json()
    assert answer["status"] == "invalid"
    assert answer["segment"] == "product_type"
    assert answer["segment_label"] == "product type"
    assert "product type" in answer["message"]
    short = client.get("/intake/check/", {"code": "001PBA"}).json()
    assert (short["status"], short["segment"]) == ("invalid", "length")
    chinese = world.client(world.staff, language="zh-hans").get("/intake/check/", {"code": "001PBA"}).json()
    assert chinese["message"] != short["message"]  # in the reader's language


def test_the_check_endpoint_tells_our_own_batteries_but_never_another_partners(world):
    ours = receive(world.actor(world.staff), world.outlet)
    theirs = receive(world.actor(world.their_staff), world.their_outlet)
    client = world.client(world.staff)
    mine = client.get("/intake/check/", {"code": ours.code.lower()}).json()
    assert mine["status"] == "yours"
    assert mine["url"] == f"/batteries/{ours.code}/"
    held_elsewhere = client.get("/intake/check/", {"code": theirs.code}).json()
    fresh = client.get("/intake/check/", {"code": battery_code()}).json()
    assert held_elsewhere["status"] == fresh["status"] == "unknown"
    assert set(held_elsewhere) == set(fresh)  # the same shape: nothing about the holder
    assert "Lithium iron phosphate" in fresh["decoded"]


def test_the_intake_form_without_javascript_receives_a_battery(world):
    code = battery_code()
    response = world.client(world.staff).post(
        "/intake/",
        {"outlet": world.outlet.code, "code": code, "weight_kg": "312.5", "source": "dealer", "condition": "swollen"},
    )
    assert response.status_code == 302
    battery = _one(Battery, code=code)
    assert (battery.outlet_id, battery.weight_kg, battery.hazard) == (world.outlet.pk, Decimal("312.50"), "swollen")
    assert _one(CustodyEvent, battery=battery).data["source"] == "dealer"


def test_the_intake_form_shows_refusals_and_keeps_the_review_case_of_a_conflict(world):
    theirs = receive(world.actor(world.their_staff), world.their_outlet)
    client = world.client(world.staff)
    base = {"outlet": world.outlet.code, "weight_kg": "300", "source": "owner", "condition": "intact"}
    invalid = client.post("/intake/", {**base, "code": "001PBA1TRACE01F31000000X"})
    assert invalid.status_code == 200
    assert "serial number" in invalid.content.decode()
    conflict = client.post("/intake/", {**base, "code": theirs.code})
    assert conflict.status_code == 200
    assert "held by another partner" in conflict.content.decode()
    assert world.their_outlet.name not in conflict.content.decode()
    case = _one(ReviewCase, battery_code=theirs.code)
    assert case.claimant_id == world.ours.pk
    assert _one(Battery, code=theirs.code).custodian_id == world.theirs.pk


def test_the_intake_api_the_screen_uses_takes_the_session_csrf_and_an_idempotency_key(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.staff)
    token = client.get("/intake/").cookies["csrftoken"].value
    body = {"outlet": world.outlet.code, "code": battery_code(), "weight_kg": 280.5, "source": "owner"}
    headers = {"HTTP_X_CSRFTOKEN": token, "HTTP_IDEMPOTENCY_KEY": "line-1"}
    first = client.post("/api/v1/intakes/", body, content_type="application/json", **headers)
    again = client.post("/api/v1/intakes/", body, content_type="application/json", **headers)
    assert first.status_code == again.status_code == 201
    assert len(_rows(Battery, code=body["code"])) == 1
    refused = client.post("/api/v1/intakes/", {**body, "code": battery_code()}, content_type="application/json")
    assert refused.status_code == 403  # no CSRF token


# --- the battery page ----------------------------------------------------------------------


def test_the_battery_page_shows_the_timeline_and_the_verified_chain(world):
    staff = world.actor(world.staff)
    battery = receive(staff, world.outlet, vin=VIN, notes="外壳划痕")
    call(staff, battery_services.battery_inspect, code=battery.code, insulation_ok=True, casing_ok=True)
    page = world.client(world.staff).get(f"/batteries/{battery.code}/").content.decode()
    assert page.count('class="timeline__item') == 2
    assert 'data-kind="received"' in page and 'data-kind="inspected"' in page
    assert 'data-chain="verified"' in page
    assert "Events you may see: 2, each hash recomputed." in page
    assert "Links between consecutive events checked: 1." in page
    assert world.outlet.name in page and "Held by" in page


def test_a_former_holder_sees_the_battery_and_its_events_but_not_where_it_is_now(world):
    battery = receive(world.actor(world.staff), world.outlet)
    consignment = _dispatch(world, [battery.code])
    call(world.actor(world.their_staff), battery_services.consignment_receive, consignment=consignment.pk)
    page = world.client(world.staff).get(f"/batteries/{battery.code}/").content.decode()
    assert "Held by" not in page
    assert "Where the battery is now is shown to its current holder" in page
    assert 'data-kind="dispatched"' in page and 'data-kind="handover_received"' in page
    holder = world.client(world.their_staff).get(f"/batteries/{battery.code}/").content.decode()
    assert "Held by" in holder and world.their_outlet.name in holder


def test_the_battery_page_forms_record_inspection_hazard_and_correction(world):
    battery = receive(world.actor(world.staff), world.outlet, weight_kg="300")
    client = world.client(world.staff)
    path = f"/batteries/{battery.code}/"
    inspect = client.post(
        path,
        {
            "action": "inspect",
            "inspect-insulation_ok": "no",
            "inspect-casing_ok": "yes",
            "inspect-soh_percent": "71.5",
        },
    )
    assert inspect.status_code == 302
    hazard = client.post(path, {"action": "hazard", "hazard-hazard": "leaking", "hazard-notes": "电解液渗出"})
    assert hazard.status_code == 302
    received = _one(CustodyEvent, battery=battery, kind=EventKind.RECEIVED)
    correct = client.post(
        path,
        {"action": "correct", "correct-event_id": received.pk, "correct-weight_kg": "305", "correct-reason": "复称"},
    )
    assert correct.status_code == 302
    kinds = [e.kind for e in sorted(_rows(CustodyEvent, battery=battery), key=lambda e: e.seq)]
    assert kinds == ["received", "inspected", "hazard_reported", "corrected"]
    stored = _one(Battery, pk=battery.pk)
    assert (stored.hazard, stored.soh_percent, stored.weight_kg) == ("leaking", Decimal("71.50"), Decimal("305.00"))
    correction = _one(CustodyEvent, battery=battery, kind=EventKind.CORRECTED)
    assert correction.data["corrects_seq"] == 1 and correction.data["reason"] == "复称"
    page = client.get(path).content.decode()
    assert "Corrected by event #4." in page


def test_a_refused_form_shows_the_services_message(world):
    battery = receive(world.actor(world.staff), world.outlet)
    client = world.client(world.staff)
    empty = client.post(f"/batteries/{battery.code}/", {"action": "correct", "correct-event_id": "1"})
    assert empty.status_code == 200
    assert "data-error-summary" in empty.content.decode()
    soh = client.post(
        f"/batteries/{battery.code}/",
        {"action": "inspect", "inspect-insulation_ok": "yes", "inspect-casing_ok": "yes", "inspect-soh_percent": "140"},
    )
    assert soh.status_code == 200 and "data-error-summary" in soh.content.decode()
    assert [e.kind for e in _rows(CustodyEvent, battery=battery)] == ["received"]


def test_the_hazards_screen_reports_by_code(world):
    battery = receive(world.actor(world.staff), world.outlet)
    response = world.client(world.staff).post(
        "/hazards/", {"code": battery.code.lower(), "hazard": "smoking", "notes": ""}
    )
    assert response.status_code == 302
    assert _one(Battery, pk=battery.pk).hazard == "smoking"
    page = world.client(world.staff).get("/hazards/").content.decode()
    assert battery.code in page
    foreign = receive(world.actor(world.their_staff), world.their_outlet)
    refused = world.client(world.staff).post("/hazards/", {"code": foreign.code, "hazard": "smoking"})
    assert refused.status_code == 200
    assert "Not found." in refused.content.decode()  # not the staff's battery: as if it did not exist
    assert _one(Battery, pk=foreign.pk).hazard == ""


# --- consignments ------------------------------------------------------------------------


def test_the_dispatch_form_sends_the_ticked_batteries(world):
    codes = [receive(world.actor(world.staff), world.outlet).code for _ in range(2)]
    client = world.client(world.staff)
    form = client.get("/consignments/new/", {"battery": codes}).content.decode()
    assert codes[0] in form and codes[1] in form
    assert f'<option value="{world.outlet.code}" selected>' in form
    options = client.get("/consignments/new/outlets/", {"to_partner": world.theirs.pk}).content.decode()
    assert world.their_outlet.code in options
    assert world.their_outlet.code not in client.get("/consignments/new/outlets/", {"to_partner": 0}).content.decode()
    response = client.post(
        "/consignments/new/",
        {
            "from_outlet": world.outlet.code,
            "to_partner": world.theirs.pk,
            "to_outlet": world.their_outlet.code,
            "batteries": "\n".join(codes),
            "waybill": "SF100",
            "carrier": "顺丰",
        },
    )
    assert response.status_code == 302
    consignment = _one(Consignment, from_partner=world.ours)
    assert response["Location"] == f"/consignments/{consignment.pk}/"
    assert (consignment.battery_count, consignment.waybill) == (2, "SF100")
    assert {b.status for b in _rows(Battery, code__in=codes)} == {BatteryStatus.IN_TRANSIT}


def test_the_dispatch_form_shows_what_the_service_refuses(world):
    foreign = receive(world.actor(world.their_staff), world.their_outlet)
    response = world.client(world.staff).post(
        "/consignments/new/",
        {"from_outlet": world.outlet.code, "to_partner": world.theirs.pk, "batteries": foreign.code},
    )
    assert response.status_code == 200
    assert "data-error-summary" in response.content.decode()
    assert not _rows(Consignment)


def test_the_dispatch_check_says_whether_a_code_is_in_stock_at_the_outlet(world):
    battery = receive(world.actor(world.staff), world.outlet, weight_kg="99.5")
    client = world.client(world.staff)
    ready = client.get("/consignments/new/check/", {"code": battery.code, "from_outlet": world.outlet.code}).json()
    assert ready == {"status": "ready", "code": battery.code, "weight_kg": "99.50", "hazard": ""}
    elsewhere = client.get("/consignments/new/check/", {"code": battery.code, "from_outlet": "RN-000000-0000"})
    assert elsewhere.json()["status"] == "missing"
    assert client.get("/consignments/new/check/", {"code": "nope"}).json()["status"] == "invalid"


def test_the_consignee_receives_one_and_rejects_one_which_returns_to_the_sender(world):
    accepted, rejected = (receive(world.actor(world.staff), world.outlet, weight_kg="200") for _ in range(2))
    consignment = _dispatch(world, [accepted.code, rejected.code])
    items = {i.battery_code: i for i in _rows(ConsignmentItem, consignment=consignment)}
    client = world.client(world.their_staff)
    page = client.get(f"/consignments/{consignment.pk}/").content.decode()
    assert "data-receive" in page and f'href="/consignments/{consignment.pk}/manifest/"' in page
    manifest = client.get(f"/consignments/{consignment.pk}/manifest/")
    assert manifest.status_code == 200 and accepted.code in manifest.content.decode()
    incomplete = client.post(f"/consignments/{consignment.pk}/receive/", {f"accept_{items[accepted.code].pk}": "on"})
    assert incomplete.status_code == 200
    assert "Confirm this battery or give a reason to reject it." in incomplete.content.decode()
    assert _one(Consignment, pk=consignment.pk).status == ConsignmentStatus.IN_TRANSIT
    response = client.post(
        f"/consignments/{consignment.pk}/receive/",
        {
            f"accept_{items[accepted.code].pk}": "on",
            f"reason_{items[rejected.code].pk}": "damaged",
            f"note_{items[rejected.code].pk}": "外壳破损",
        },
    )
    assert response.status_code == 302
    assert _one(Consignment, pk=consignment.pk).status == ConsignmentStatus.PARTIALLY_REJECTED
    back = _one(Battery, pk=rejected.pk)
    assert (back.custodian_id, back.outlet_id, back.status) == (world.ours.pk, world.outlet.pk, "at_outlet")
    assert _one(Battery, pk=accepted.pk).custodian_id == world.theirs.pk
    assert rejected.code in world.client(world.staff).get("/stock/").content.decode()
    # The sender cannot receive, the receiver cannot cancel (and is not offered to).
    sender_page = world.client(world.staff).get(f"/consignments/{consignment.pk}/").content.decode()
    assert "data-receive" not in sender_page and "外壳破损" in sender_page


def test_the_sender_cancels_a_consignment(world):
    battery = receive(world.actor(world.staff), world.outlet)
    consignment = _dispatch(world, [battery.code])
    refused = world.client(world.their_staff).post(f"/consignments/{consignment.pk}/cancel/", {"reason": "x"})
    assert refused.status_code == 200 and "data-error-summary" in refused.content.decode()
    response = world.client(world.staff).post(f"/consignments/{consignment.pk}/cancel/", {"reason": "车辆故障"})
    assert response.status_code == 302
    assert _one(Consignment, pk=consignment.pk).status == ConsignmentStatus.CANCELLED
    assert _one(Battery, pk=battery.pk).status == BatteryStatus.AT_OUTLET


def test_the_consignment_list_filters_by_direction(world):
    sent = _dispatch(world, [receive(world.actor(world.staff), world.outlet).code])
    client = world.client(world.their_staff)
    assert f"/consignments/{sent.pk}/" in client.get("/consignments/?direction=received").content.decode()
    assert f"/consignments/{sent.pk}/" not in client.get("/consignments/?direction=sent").content.decode()


# --- obligations ---------------------------------------------------------------------------


def test_staff_read_obligations_and_the_obligated_partners_admin_acknowledges_them(world):
    battery = receive(world.actor(world.staff), world.outlet, vin=VIN)
    staff_page = world.client(world.staff).get("/obligations/").content.decode()
    assert battery.code in staff_page
    assert "acknowledge-form" not in staff_page
    automaker = world.client(world.automaker_admin)
    page = automaker.get("/obligations/").content.decode()
    assert 'id="acknowledge-form"' in page
    obligation = _one(Obligation, battery=battery)
    assert f'name="receipt_{obligation.pk}"' in page
    refused = world.client(world.admin).post("/obligations/acknowledge/", {f"receipt_{obligation.pk}": "R-1"})
    assert refused.status_code == 200  # the creator, not the obligated partner: nothing to acknowledge
    response = automaker.post("/obligations/acknowledge/", {f"receipt_{obligation.pk}": "NTP-2026-0001"})
    assert response.status_code == 302
    stored = _one(Obligation, pk=obligation.pk)
    assert (stored.status, stored.receipt_number) == ("reported", "NTP-2026-0001")
    assert world.client(world.staff).post("/obligations/acknowledge/", {}).status_code == 403


# --- the dashboard ---------------------------------------------------------------------------


def test_the_dashboard_links_hazards_transit_and_the_outlet_screens(world):
    receive(world.actor(world.staff), world.outlet, condition="leaking", vin=VIN)
    _dispatch(world, [receive(world.actor(world.staff), world.outlet).code])
    page = world.client(world.staff).get("/").content.decode()
    assert f"/stock/?hazard=any&amp;outlet={world.outlet.code}" in page
    assert f"/consignments/?status=in_transit&amp;from_outlet={world.outlet.code}" in page
    assert f"/intake/?outlet={world.outlet.code}" in page
    assert "Uploads to the national platform" not in page  # due in 30 working days


def test_the_dashboard_counts_late_uploads_of_the_outlets_events(world):
    long_ago = timezone.now() - datetime.timedelta(days=60)
    receive(world.actor(world.staff), world.outlet, vin=VIN, occurred_at=long_ago)
    receive(world.actor(world.staff), world.outlet, occurred_at=long_ago)  # no automaker: unassigned
    with run_as(world.actor(world.staff)):
        card = outlet_staff_dashboard(world.actor(world.staff)).cards[0]
    assert (card.obligations_due_soon, card.obligations_overdue, card.hazards) == (0, 1, 0)
    page = world.client(world.staff).get("/").content.decode()
    assert "Uploads to the national platform: 0 due within 7 days, 1 overdue" in page
