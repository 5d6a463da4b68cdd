"""Contract tests for the routes of DESIGN §8: statuses, field names, write shapes,
filters, pagination over more rows than a page, ordering, ETags, mass assignment."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from batteries import services as battery_services
from batteries.models import Battery, CustodyEvent, Obligation, ReviewCase
from outlets import services as outlet_services
from outlets.models import Outlet, OutletStatus
from partners.models import Partner
from recycling_network.rest.pagination import RnCursorPagination
from recycling_network.tenancy import SYSTEM, run_as
from tests.api.conftest import VIN, bearer, key_for
from tests.builders import (
    DATACENTER,
    admin_of,
    battery_code,
    call,
    credit_code,
    make_outlet,
    make_partner,
    receive,
    recode,
)
from tests.concurrency import eventually

BATTERY_FIELDS = {
    "code",
    "product_type",
    "chemistry",
    "manufacturer_code",
    "production_year",
    "production_month",
    "weight_kg",
    "energy_kwh",
    "vin",
    "status",
    "hazard",
    "outlet",
    "custodian",
    "original",
    "received_at",
    "updated_at",
}
EVENT_FIELDS = {
    "id",
    "seq",
    "kind",
    "battery",
    "occurred_at",
    "recorded_at",
    "outlet",
    "partner",
    "counterparty",
    "data",
    "hash",
    "prev_hash",
}
OUTLET_PUBLIC = {
    "id",
    "code",
    "name",
    "kind",
    "status",
    "operator",
    "prefecture",
    "province_adcode",
    "address",
    "longitude",
    "latitude",
    "storage_area_m2",
    "capacity_kg",
    "opening_hours",
}
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code", "errors", "instance"}


def _all_pages(client: APIClient, url: str) -> list[dict]:
    results, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        results += body["results"]
        url = body["next"]
        pages += 1
        assert pages < 100
    return results


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS
    assert body["code"] == code
    assert body["status"] == status
    return body


# --- me, partners, divisions ---------------------------------------------------------


def test_me_describes_every_kind_of_caller(world):
    key = world.clients["key_a"].get("/api/v1/me/").json()
    assert key["partner"] == {"id": world.a.pk, "name": world.a.name, "kinds": ["outlet_operator"]}
    assert (key["role"], key["scopes"], key["user"]) == ("partner_key", ["read", "write"], None)
    assert set(key["api_key"]) == {"id", "name", "prefix"}
    assert world.clients["read_key_a"].get("/api/v1/me/").json()["scopes"] == ["read"]
    dc = world.clients["dc_key"].get("/api/v1/me/").json()
    assert (dc["partner"], dc["role"]) == (None, "datacenter_key")
    staff = world.clients["staff_a"].get("/api/v1/me/").json()
    assert (staff["role"], staff["user"]["username"], staff["api_key"]) == (
        "outlet_staff",
        world.users["staff_a"].username,
        None,
    )
    assert world.clients["datacenter"].get("/api/v1/me/").json()["role"] == "datacenter_admin"


def test_partners_full_records_for_the_data_center_directory_for_others(world):
    full = world.clients["dc_key"].get("/api/v1/partners/").json()["results"]
    assert set(full[0]) == {
        "id",
        "name",
        "name_en",
        "credit_code",
        "kinds",
        "manufacturer_codes",
        "wmi_codes",
        "status",
        "demonstration_unit",
        "demonstration_agreed_on",
        "joined_on",
    }
    by_id = {p["id"]: p for p in full}
    assert by_id[world.maker.pk]["manufacturer_codes"] == ["0A1"]
    assert by_id[world.automaker.pk]["wmi_codes"] == ["LSV"]
    directory = world.clients["key_a"].get("/api/v1/partners/").json()["results"]
    assert all(set(p) == {"id", "name", "kinds"} for p in directory)
    own = world.clients["key_a"].get(f"/api/v1/partners/{world.a.pk}/").json()
    assert own["credit_code"] == world.a.credit_code
    other = world.clients["key_a"].get(f"/api/v1/partners/{world.b.pk}/").json()
    assert set(other) == {"id", "name", "kinds"}


def test_the_data_center_creates_partners_with_scalars(world):
    body = {
        "name": "新合作企业",
        "credit_code": credit_code(777),
        "kinds": ["recycler"],
        "status": "suspended",
        "id": 1,
    }
    response = world.clients["dc_key"].post("/api/v1/partners/", body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert response["Location"] == f"/api/v1/partners/{created['id']}/"
    assert (created["status"], created["kinds"]) == ("active", ["recycler"])  # status is server-owned
    _problem(world.clients["key_a"].post("/api/v1/partners/", body, format="json"), 403, "datacenter_only")
    bad = {**body, "name": "另一家", "credit_code": "91350100M000100Y44"}
    problem = _problem(world.clients["dc_key"].post("/api/v1/partners/", bad, format="json"), 400, "credit_code_check")
    assert "credit_code" in problem["errors"]


def test_divisions_paginate_filter_and_refuse_unknown_parameters(world):
    client = world.clients["key_a"]
    first = client.get("/api/v1/divisions/").json()
    assert len(first["results"]) == 100  # the default page
    assert set(first["results"][0]) == {"adcode", "name", "level", "parent_adcode", "region", "longitude", "latitude"}
    everything = _all_pages(client, "/api/v1/divisions/?limit=50")
    assert len(everything) == 374
    assert len({d["adcode"] for d in everything}) == 374
    assert [d["adcode"] for d in everything] == sorted(d["adcode"] for d in everything)
    provinces = _all_pages(client, "/api/v1/divisions/?level=province")
    assert len(provinces) == 31
    hubei = _all_pages(client, "/api/v1/divisions/?parent=420000")
    assert {d["parent_adcode"] for d in hubei} == {"420000"}
    _problem(client.get("/api/v1/divisions/?levle=province"), 400, "invalid")
    _problem(client.get("/api/v1/divisions/?limit=0"), 400, "invalid")
    _problem(client.get("/api/v1/divisions/?cursor=nonsense"), 400, "invalid")


def test_limits_above_500_are_clamped():
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    request = Request(APIRequestFactory().get("/api/v1/batteries/?limit=100000"))
    assert RnCursorPagination().get_page_size(request) == 500


# --- outlets ------------------------------------------------------------------------


def test_outlets_show_private_fields_to_their_operator_only(world):
    operator_view = world.clients["key_a"].get(f"/api/v1/outlets/{world.outlet_a.code}/").json()
    assert set(operator_view) == OUTLET_PUBLIC | {"stock_kg", "contact_name", "contact_phone"}
    assert operator_view["stock_kg"] == 300.0
    assert operator_view["contact_name"] == "张三"
    assert operator_view["operator"] == {"id": world.a.pk, "name": world.a.name}
    assert operator_view["prefecture"]["adcode"] == "110100"
    assert operator_view["province_adcode"] == "110000"
    others = world.clients["key_b"].get(f"/api/v1/outlets/{world.outlet_a.pk}/").json()
    assert (others["stock_kg"], others["contact_name"], others["contact_phone"]) == (None, None, None)
    public = APIClient().get("/api/v1/public/outlets/").json()["results"]
    assert {o["code"] for o in public} == {world.outlet_a.code, world.outlet_b.code}
    assert all(set(o) == OUTLET_PUBLIC for o in public)


def test_outlet_filters_and_ordering(world):
    draft = make_outlet(world.a, status=OutletStatus.DRAFT, prefecture="420100")
    central = make_outlet(world.a, kind="centralized_storage", capacity_kg=40000, prefecture="440300")
    client = world.clients["key_a"]

    def ids(query: str) -> set[int]:
        return {o["id"] for o in _all_pages(client, f"/api/v1/outlets/?{query}")}

    assert ids(f"code={world.outlet_a.code.lower()}") == {world.outlet_a.pk}
    assert ids("status=draft") == {draft.pk}
    assert ids("kind=centralized_storage") == {central.pk}
    assert ids("province=440000") == {central.pk}
    assert ids("prefecture=310100") == {world.outlet_b.pk}
    assert ids("region=CENTRAL") == {draft.pk}
    assert ids(f"operator={world.b.pk}") == {world.outlet_b.pk}
    ordered = [o["id"] for o in _all_pages(client, "/api/v1/outlets/?ordering=-id")]
    assert ordered == sorted(ordered, reverse=True)
    by_capacity = [o["capacity_kg"] for o in _all_pages(client, "/api/v1/outlets/?ordering=capacity_kg")]
    assert by_capacity == sorted(by_capacity)
    _problem(client.get("/api/v1/outlets/?ordering=address"), 400, "invalid")
    _problem(client.get("/api/v1/outlets/?kind=warehouse"), 400, "invalid")


# --- batteries ----------------------------------------------------------------------


@pytest.fixture
def many(world):
    """150 batteries of A across chemistries and product types, at two outlets."""
    admin = admin_of(world.a)
    second = make_outlet(world.a, kind="centralized_storage", capacity_kg=60000, prefecture="120100")
    codes = []
    start = timezone.now() - datetime.timedelta(days=150)
    for n in range(150):
        chemistry = "B" if n % 3 else "E"
        product = "P" if n % 5 else "M"
        code = battery_code("0A1", product=product, chemistry=chemistry)
        receive(
            admin,
            second if n % 2 else world.outlet_a,
            code,
            weight_kg="20",
            occurred_at=start + datetime.timedelta(days=n),
        )
        codes.append(code)
    return codes, second


def test_batteries_paginate_over_many_pages_without_gaps_or_duplicates(world, many):
    codes, _second = many
    client = world.clients["key_a"]
    seen = _all_pages(client, "/api/v1/batteries/?limit=40")
    assert len(seen) == 151  # 150 plus the world's own battery
    assert {b["code"] for b in seen} == {*codes, world.a_battery}
    assert all(set(b) == BATTERY_FIELDS for b in seen)
    by_receipt = [b["received_at"] for b in _all_pages(client, "/api/v1/batteries/?ordering=received_at&limit=40")]
    assert by_receipt == sorted(by_receipt)
    newest_first = [b["updated_at"] for b in _all_pages(client, "/api/v1/batteries/?ordering=-updated_at&limit=60")]
    assert newest_first == sorted(newest_first, reverse=True)


def test_battery_filters(world, many):
    codes, second = many
    client = world.clients["key_a"]

    def count(query: str) -> int:
        return len(_all_pages(client, f"/api/v1/batteries/?{query}&limit=500"))

    assert count(f"code={codes[7].lower()}") == 1
    assert count("chemistry=ternary") == 50
    assert count("product_type=module") == 30
    assert count("manufacturer_code=0a1") == 151
    assert count(f"outlet={second.code}") == 75
    assert count("status=at_outlet") == 151
    call(admin_of(world.a), battery_services.battery_report_hazard, code=codes[0], hazard="leaking")
    assert count("hazard=leaking") == 1
    assert count("hazard=any") == 1
    since = (timezone.now() - datetime.timedelta(days=10)).isoformat()
    assert count(f"received_after={since.replace('+', '%2B')}") == 10
    assert count(f"received_before={since.replace('+', '%2B')}") == 141
    assert (
        count(f"updated_after={(timezone.now() - datetime.timedelta(minutes=5)).isoformat().replace('+', '%2B')}")
        == 151
    )
    _problem(client.get("/api/v1/batteries/?received_after=yesterday"), 400, "invalid")
    _problem(client.get("/api/v1/batteries/?colour=red"), 400, "invalid")


def test_battery_detail_has_events_and_an_etag(world):
    client = world.clients["key_a"]
    response = client.get(f"/api/v1/batteries/{world.a_battery.lower()}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == BATTERY_FIELDS | {"events"}
    assert body["custodian"] == {"id": world.a.pk, "name": world.a.name}
    assert body["outlet"] == world.outlet_a.code
    assert [set(e) for e in body["events"]] == [EVENT_FIELDS]
    event = body["events"][0]
    assert (event["battery"], event["kind"], event["seq"], event["prev_hash"]) == (
        world.a_battery,
        "received",
        1,
        "0" * 64,
    )
    assert event["occurred_at"].endswith("Z")
    assert event["data"]["weight_kg"] == "300.00"
    tag = response["ETag"]
    assert client.get(f"/api/v1/batteries/{world.a_battery}/", HTTP_IF_NONE_MATCH=tag).status_code == 304
    call(admin_of(world.a), battery_services.battery_report_hazard, code=world.a_battery, hazard="swollen")
    changed = client.get(f"/api/v1/batteries/{world.a_battery}/", HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed["ETag"] != tag


def test_etags_on_every_detail_route(world):
    client = world.clients["key_a"]
    consignment = call(
        admin_of(world.a),
        battery_services.consignment_dispatch,
        from_outlet=world.outlet_a,
        to_partner=world.b.pk,
        to_outlet=world.outlet_b.code,
        batteries=[world.a_battery],
    )
    for url in (
        f"/api/v1/partners/{world.a.pk}/",
        f"/api/v1/outlets/{world.outlet_a.code}/",
        f"/api/v1/consignments/{consignment.pk}/",
    ):
        first = client.get(url)
        assert first.status_code == 200
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


# --- intakes ------------------------------------------------------------------------


def _intake(world, client_name: str = "key_a", **overrides):
    body = {"outlet": world.outlet_a.code, "code": battery_code("0A1"), "weight_kg": 250.5, **overrides}
    return world.clients[client_name].post("/api/v1/intakes/", body, format="json")


def test_intake_write_shape_and_response(world):
    occurred = (timezone.now() - datetime.timedelta(hours=3)).replace(microsecond=0)
    response = _intake(
        world,
        vin=VIN,
        source="repair_shop",
        condition="leaking",
        soh_percent=68.5,
        energy_kwh=52,
        notes="追尾事故车",
        occurred_at=occurred.isoformat(),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"/api/v1/batteries/{body['code']}/"
    assert set(body) == BATTERY_FIELDS
    assert (body["status"], body["hazard"], body["weight_kg"], body["energy_kwh"]) == (
        "at_outlet",
        "leaking",
        250.5,
        52.0,
    )
    with run_as(SYSTEM):
        event = CustodyEvent.objects.get(battery_code=body["code"])
    assert event.occurred_at == occurred
    assert (event.data["source"], event.data["soh_percent"], event.data["notes"]) == (
        "repair_shop",
        "68.50",
        "追尾事故车",
    )


def test_intake_errors_carry_their_codes(world):
    problem = _problem(_intake(world, code="0A1PXA1TRACE01F310000001"), 400, "battery_code_invalid")
    assert problem["segment"] == "battery_type"
    assert problem["position"] == 5
    assert "code" in problem["errors"]
    _problem(_intake(world, code=world.a_battery), 409, "battery_already_received")
    _problem(_intake(world, occurred_at="2026-01-01T08:00:00"), 400, "invalid")
    _problem(
        _intake(world, occurred_at=(timezone.now() + datetime.timedelta(days=1)).isoformat()), 400, "occurred_at_future"
    )
    _problem(_intake(world, weight_kg=4800), 409, "outlet_over_capacity")
    _problem(_intake(world, vin="LSV"), 400, "vin_invalid")
    _problem(_intake(world, source="friend"), 400, "invalid")
    call(DATACENTER, outlet_services.outlet_suspend, outlet=world.outlet_a, reason="整改")
    _problem(_intake(world), 409, "outlet_not_approved")


def test_over_capacity_names_the_excess(world):
    problem = _problem(_intake(world, weight_kg=4800), 409, "outlet_over_capacity")
    assert (problem["excess_kg"], problem["capacity_kg"], problem["stock_kg"]) == ("100.00", "5000.00", "300.00")


def test_a_code_held_elsewhere_is_a_409_that_keeps_its_review_case_and_names_nobody(world):
    response = world.clients["key_b"].post(
        "/api/v1/intakes/", {"outlet": world.outlet_b.code, "code": world.a_battery, "weight_kg": 300}, format="json"
    )
    problem = _problem(response, 409, "battery_in_custody")
    assert world.a.name not in response.content.decode()
    with run_as(SYSTEM):
        case = ReviewCase.objects.get(battery_code=world.a_battery)
    assert (case.claimant_id, case.status) == (world.b.pk, "open")
    assert problem["review_case"] == case.pk


def test_server_owned_fields_in_an_intake_body_change_nothing(world):
    code = battery_code("0A1")
    response = _intake(
        world,
        code=code,
        status="recycled",
        custodian=world.b.pk,
        audience=[world.b.pk],
        hazard="smoking",
        outlet_id=world.outlet_b.pk,
        producer_ids=[world.b.pk],
        counterfeit=True,
        received_at="2020-01-01T00:00:00Z",
    )
    assert response.status_code == 201, response.content
    with run_as(SYSTEM):
        battery = Battery.objects.get(code=code)
    assert (battery.status, battery.custodian_id, battery.outlet_id, battery.hazard, battery.counterfeit) == (
        "at_outlet",
        world.a.pk,
        world.outlet_a.pk,
        "",
        False,
    )
    assert world.b.pk not in battery.audience
    assert battery.received_at.year == timezone.now().year


# --- battery actions ----------------------------------------------------------------


def test_battery_actions_take_their_shapes(world):
    client = world.clients["key_a"]
    url = f"/api/v1/batteries/{world.a_battery}"
    body = client.post(
        f"{url}/inspect/", {"insulation_ok": True, "casing_ok": False, "soh_percent": 71.25}, format="json"
    ).json()
    assert body["hazard"] == "damaged"
    assert (
        client.post(f"{url}/hazard/", {"hazard": "smoking", "notes": "冒烟"}, format="json").json()["hazard"]
        == "smoking"
    )
    _problem(client.post(f"{url}/hazard/", {"hazard": "on_fire"}, format="json"), 400, "invalid")
    _problem(client.post(f"{url}/void/", {"reason": "录错"}, format="json"), 409, "void_not_possible")
    fresh = _intake(world).json()["code"]
    voided = client.post(f"/api/v1/batteries/{fresh}/void/", {"reason": "录错"}, format="json")
    assert voided.status_code == 200
    assert voided.json()["status"] == "void"
    _problem(client.post(f"{url}/recycle/", {}, format="json"), 403, "partner_kind_required")


def test_cascade_and_recycle_over_the_api(db):
    operator, cascade, recycler = make_partner(), make_partner(kinds=["cascade_user"]), make_partner(kinds=["recycler"])
    from tests.builders import claim_code

    claim_code(cascade, "manufacturer", "C9U")
    outlet = make_outlet(operator)
    admin = admin_of(operator)
    first, second = receive(admin, outlet).code, receive(admin, outlet).code
    for code, target in ((first, cascade), (second, recycler)):
        consignment = call(
            admin, battery_services.consignment_dispatch, from_outlet=outlet, to_partner=target.pk, batteries=[code]
        )
        call(admin_of(target), battery_services.consignment_receive, consignment=consignment)
    cascade_client, recycler_client = bearer(key_for(cascade)), bearer(key_for(recycler))
    new_code = recode("C9U")
    response = cascade_client.post(
        f"/api/v1/batteries/{first}/cascade/", {"new_code": new_code, "soh_percent": 74}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["code"], response.json()["original"]) == (new_code, first)
    _problem(
        cascade_client.post(f"/api/v1/batteries/{first}/cascade/", {"new_code": "C9U"}, format="json"),
        400,
        "battery_code_invalid",
    )
    recycled = recycler_client.post(f"/api/v1/batteries/{second}/recycle/", {"notes": "湿法"}, format="json")
    assert recycled.status_code == 200
    assert recycled.json()["status"] == "recycled"


# --- consignments -------------------------------------------------------------------


def test_consignments_dispatch_list_filter_receive_and_cancel(world, many):
    codes, second = many
    client_a, client_b = world.clients["key_a"], world.clients["key_b"]
    create = {
        "from_outlet": world.outlet_a.code,
        "to_partner": world.b.pk,
        "to_outlet": world.outlet_b.code,
        "batteries": [*codes[0:6:2], world.a_battery],  # the even ones are at outlet_a
        "waybill": "SF1234567890",
        "carrier": "顺丰",
        "status": "received",  # server-owned: ignored
        "from_partner": world.b.pk,  # server-owned: ignored
    }
    response = client_a.post("/api/v1/consignments/", create, format="json")
    assert response.status_code == 201, response.content
    consignment = response.json()
    assert response["Location"] == f"/api/v1/consignments/{consignment['id']}/"
    assert (consignment["status"], consignment["from_partner"]["id"], consignment["waybill"]) == (
        "in_transit",
        world.a.pk,
        "SF1234567890",
    )
    assert set(consignment["batteries"]) == set(create["batteries"])
    assert {i["outcome"] for i in consignment["items"]} == {"pending"}
    other = client_a.post(
        "/api/v1/consignments/",
        {
            "from_outlet": second.code,
            "to_partner": world.b.pk,
            "to_outlet": world.outlet_b.code,
            "batteries": [codes[1]],
        },
        format="json",
    ).json()

    def ids(client, query: str) -> set[int]:
        return {c["id"] for c in _all_pages(client, f"/api/v1/consignments/?{query}")}

    assert ids(client_a, "direction=sent") == {consignment["id"], other["id"]}
    assert ids(client_a, "direction=received") == set()
    assert ids(client_b, "direction=received") == {consignment["id"], other["id"]}
    assert ids(client_a, f"from_outlet={second.code}") == {other["id"]}
    assert ids(client_a, f"to_partner={world.b.pk}") == {consignment["id"], other["id"]}
    rejected = create["batteries"][0]
    received = client_b.post(
        f"/api/v1/consignments/{consignment['id']}/receive/",
        {"rejected": [{"code": rejected, "reason": "damaged", "note": "外壳破裂"}]},
        format="json",
    )
    assert received.status_code == 200, received.content
    body = received.json()
    assert body["status"] == "partially_rejected"
    assert body["received_outlet"] == world.outlet_b.code
    outcomes = {i["code"]: (i["outcome"], i["rejection_reason"]) for i in body["items"]}
    assert outcomes[rejected] == ("rejected", "damaged")
    assert ids(client_b, "status=partially_rejected") == {consignment["id"]}
    _problem(client_b.post(f"/api/v1/consignments/{other['id']}/cancel/", {}, format="json"), 403, "not_sender")
    cancelled = client_a.post(f"/api/v1/consignments/{other['id']}/cancel/", {"reason": "改期"}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    _problem(client_a.post(f"/api/v1/consignments/{other['id']}/cancel/", {}, format="json"), 409, "consignment_closed")
    _problem(
        client_b.post(
            f"/api/v1/consignments/{consignment['id']}/receive/",
            {"rejected": [{"code": rejected, "reason": "lost"}]},
            format="json",
        ),
        400,
        "invalid",
    )


# --- events, obligations --------------------------------------------------------------


def test_corrections_answer_with_the_new_event(world):
    with run_as(SYSTEM):
        intake = CustodyEvent.objects.get(battery_code=world.a_battery)
    response = world.clients["key_a"].post(
        f"/api/v1/events/{intake.pk}/correct/", {"changes": {"weight_kg": "310"}, "reason": "复称"}, format="json"
    )
    assert response.status_code == 201, response.content
    event = response.json()
    assert set(event) == EVENT_FIELDS
    assert (event["kind"], event["seq"], event["data"]["corrects"]) == ("corrected", 2, intake.pk)
    _problem(
        world.clients["key_a"].post(
            f"/api/v1/events/{intake.pk}/correct/", {"changes": {"status": "x"}, "reason": "y"}, format="json"
        ),
        400,
        "correction_invalid",
    )


def test_obligations_list_filter_and_acknowledge(world):
    automaker = bearer(key_for(world.automaker))
    listed = automaker.get("/api/v1/obligations/").json()["results"]
    assert len(listed) == 1
    obligation = listed[0]
    assert set(obligation) == {
        "id",
        "battery",
        "event",
        "rule",
        "working_days",
        "occurred_on",
        "due_on",
        "status",
        "obligated",
        "receipt_number",
        "reported_at",
    }
    assert (obligation["battery"], obligation["rule"], obligation["working_days"], obligation["status"]) == (
        world.a_battery,
        "outlet_receipt",
        30,
        "pending",
    )
    assert obligation["obligated"] == {"id": world.automaker.pk, "name": world.automaker.name}
    assert automaker.get("/api/v1/obligations/?status=reported").json()["results"] == []
    response = automaker.post(
        "/api/v1/obligations/acknowledge/",
        {"items": [{"id": obligation["id"], "receipt_number": "NP2026000123"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()[0]["status"] == "reported"
    assert [o["receipt_number"] for o in automaker.get("/api/v1/obligations/?status=reported").json()["results"]] == [
        "NP2026000123"
    ]
    with run_as(SYSTEM):
        assert Obligation.objects.get(pk=obligation["id"]).status == "reported"
    _problem(automaker.post("/api/v1/obligations/acknowledge/", {"items": []}, format="json"), 400, "invalid")


@pytest.mark.django_db(transaction=True)
def test_the_feed_pages_with_a_cursor():
    operator = make_partner()
    outlet = make_outlet(operator)
    admin = admin_of(operator)
    codes = [receive(admin, outlet).code for _ in range(5)]
    client = bearer(key_for(operator))
    # Entries of transactions still running anywhere on the server are held back for a moment.
    eventually(lambda: client.get("/api/v1/events/?limit=500").json()["results"], lambda found: len(found) == 5)
    first = client.get("/api/v1/events/?limit=2").json()
    assert set(first) == {"results", "next_cursor", "has_more"}
    assert first["has_more"] is True
    assert [set(e) for e in first["results"]] == [EVENT_FIELDS, EVENT_FIELDS]
    rest = client.get(f"/api/v1/events/?after={first['next_cursor']}&limit=10").json()
    assert rest["has_more"] is False
    assert [e["battery"] for e in first["results"] + rest["results"]] == codes
    again = client.get(f"/api/v1/events/?after={rest['next_cursor']}").json()
    assert (again["results"], again["next_cursor"]) == ([], rest["next_cursor"])
    _problem(client.get("/api/v1/events/?after=%%%"), 400, "cursor_invalid")
    _problem(client.get("/api/v1/events/?since=0"), 400, "invalid")
    _problem(client.get("/api/v1/events/?limit=-3"), 400, "invalid")
    dc = bearer(key_for(None))
    dc_feed = eventually(lambda: dc.get("/api/v1/events/?limit=500").json()["results"], lambda found: len(found) == 5)
    assert [e["battery"] for e in dc_feed] == codes
    with run_as(SYSTEM):
        assert Partner.objects.count() == 1
        assert Outlet.objects.get(pk=outlet.pk).stock_kg == Decimal("1500.00")
