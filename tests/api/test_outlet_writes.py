"""Contract tests for the outlet writes of DESIGN §6 and §8: applications, the lifecycle,
change requests and sharing authorisations. Statuses, field names, write shapes,
server-owned fields, validation messages, 409 for a wrong transition, 403 for a wrong role.
Rows are read back in the system context (row-level security)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from outlets import services as outlet_services
from outlets.models import (
    ChangeRequestStatus,
    Outlet,
    OutletChangeRequest,
    OutletContact,
    OutletStatus,
    OutletTransition,
    SharingGrant,
)
from partners.models import OutboxEmail, OutboxStatus, UserRole
from recycling_network.tenancy import SYSTEM, run_as
from tests.api.conftest import bearer, key_for
from tests.builders import (
    DATACENTER,
    admin_of,
    call,
    make_outlet,
    make_partner,
    make_user,
    receive,
    system_rows,
)

PROBLEM_FIELDS = {"type", "title", "status", "detail", "code", "errors", "instance"}
OUTLET_FIELDS = {
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
    "stock_kg",
    "contact_name",
    "contact_phone",
}
CHANGE_FIELDS = {
    "id",
    "outlet",
    "status",
    "kind",
    "prefecture",
    "address",
    "longitude",
    "latitude",
    "storage_area_m2",
    "capacity_kg",
    "note",
    "reason",
    "created_at",
    "decided_at",
}
GRANT_FIELDS = {"id", "outlet", "grantee", "active", "granted_at", "revoked_at", "note"}


def application(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "海淀回收网点",
        "kind": "collection",
        "prefecture": "110100",
        "address": "北京市海淀区中关村大街1号",
        "longitude": 116.31,
        "latitude": 39.98,
        "storage_area_m2": 40,
        "capacity_kg": 4000,
        "opening_hours": "周一至周六 09:00-17:00",
        "contacts": [{"name": "王五", "phone": "13900000000", "email": "wang@example.com"}],
    }
    return {**body, **overrides}


def problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS
    if code is not None:
        assert body["code"] == code, body
    return body


def english(client: APIClient) -> APIClient:
    client.credentials(**{**client._credentials, "HTTP_ACCEPT_LANGUAGE": "en"})
    return client


def session(user: Any) -> APIClient:
    """A signed-in browser session, with the CSRF token the UI's own calls send."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    token = "a" * 32
    client.cookies["csrftoken"] = token
    client.credentials(HTTP_X_CSRFTOKEN=token)
    return client


@pytest.fixture
def net(db):
    """Partner A (its admin's key, a read-only key, a staff session) and partner B, an
    automaker to share with, and the data center's key."""
    a = make_partner(kinds=["outlet_operator"], name="甲运营")
    b = make_partner(kinds=["outlet_operator"], name="乙运营")
    automaker = make_partner(kinds=["automaker"], name="车企")
    make_user(a, UserRole.PARTNER_ADMIN)  # the operator's mailbox for notifications
    staff = make_user(a, UserRole.OUTLET_STAFF)

    class Net:
        pass

    n = Net()
    n.a, n.b, n.automaker = a, b, automaker
    n.key_a = english(bearer(key_for(a)))
    n.key_b = english(bearer(key_for(b)))
    n.key_automaker = english(bearer(key_for(automaker)))
    n.read_a = english(bearer(key_for(a, scopes=("read",))))
    n.staff_a = english(session(staff))
    n.dc = english(bearer(key_for(None)))
    return n


def _post(client: APIClient, url: str, body: dict[str, Any] | None = None, **headers: Any) -> Any:
    return client.post(url, body or {}, format="json", **headers)


def _draft(net: Any, **overrides: Any) -> dict[str, Any]:
    response = _post(net.key_a, "/api/v1/outlets/", application(**overrides))
    assert response.status_code == 201, response.content
    return response.json()


# --- applications --------------------------------------------------------------------


def test_a_partner_admin_drafts_an_outlet_and_the_server_owns_operator_status_and_code(net):
    body = application(operator={"id": net.b.pk}, status="approved", code="RN-110100-9999", stock_kg=999)
    body |= {"audience": [net.b.pk], "id": 1, "approved_at": "2026-01-01T00:00:00Z"}
    response = _post(net.key_a, "/api/v1/outlets/", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == OUTLET_FIELDS | {"warnings"}
    assert response["Location"] == f"/api/v1/outlets/{data['id']}/"
    assert data["operator"] == {"id": net.a.pk, "name": "甲运营"}
    assert (data["status"], data["code"], data["stock_kg"]) == ("draft", None, 0.0)
    assert data["prefecture"] == {"adcode": "110100", "name": "北京市市辖区"}
    assert (data["longitude"], data["latitude"], data["capacity_kg"]) == (116.31, 39.98, 4000.0)
    assert (data["contact_name"], data["contact_phone"]) == ("王五", "13900000000")
    assert data["warnings"] == []
    [row] = system_rows(Outlet, pk=data["id"])
    assert (row.operator_id, row.status, row.code, row.stock_kg, row.audience) == (
        net.a.pk,
        OutletStatus.DRAFT,
        None,
        Decimal("0"),
        [net.a.pk],
    )
    contacts = system_rows(OutletContact, outlet_id=row.pk)
    assert [(c.name, c.email, c.audience) for c in contacts] == [("王五", "wang@example.com", [net.a.pk])]
    # The draft is the operator's: B does not see it.
    assert net.key_b.get(f"/api/v1/outlets/{row.pk}/").status_code == 404


def test_a_point_far_from_its_prefecture_is_a_warning_not_an_error(net):
    # Beijing's prefecture with a point in Shanghai: about 1,070 km away.
    data = _draft(net, longitude=121.47, latitude=31.23)
    assert data["status"] == "draft"
    [warning] = data["warnings"]
    assert warning["code"] == "location_far_from_prefecture"
    assert "km" in warning["detail"]
    patched = net.key_a.patch(f"/api/v1/outlets/{data['id']}/", {"longitude": 116.4, "latitude": 39.9}, format="json")
    assert patched.status_code == 200
    assert patched.json()["warnings"] == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"capacity_kg": 6000}, "capacity_kg", "A collection outlet may hold at most 5,000 kg."),
        ({"storage_area_m2": 5}, "storage_area_m2", "A collection outlet needs a storage area of at least 10 m²."),
        (
            {"kind": "centralized_storage", "capacity_kg": 20000},
            "capacity_kg",
            "A centralised-storage outlet must hold at least 30,000 kg.",
        ),
        ({"longitude": 20}, "longitude", "The longitude is outside China (73.4 to 135.1)."),
        ({"prefecture": "999999"}, "prefecture", "Unknown administrative division code."),
        ({"prefecture": "110000"}, "prefecture", "110000 (北京市) is not a prefecture-level division"),
        ({"name": "  "}, "name", "This field may not be blank."),
        ({"kind": "depot"}, "kind", '"depot" is not a valid choice.'),
        ({"capacity_kg": "lots"}, "capacity_kg", "A valid number is required."),
        ({"contacts": [{"phone": "1"}]}, "contacts.0.name", "This field is required."),
    ],
)
def test_invalid_applications_say_what_is_wrong_per_field(net, overrides, field, message):
    body = problem(_post(net.key_a, "/api/v1/outlets/", application(**overrides)), 400)
    assert field in body["errors"], body
    assert message in str(body["errors"][field]), body["errors"]
    assert system_rows(Outlet, operator_id=net.a.pk) == []


def test_missing_fields_are_named(net):
    body = problem(_post(net.key_a, "/api/v1/outlets/", {"name": "x"}), 400)
    assert set(body["errors"]) == {
        "kind",
        "prefecture",
        "address",
        "longitude",
        "latitude",
        "storage_area_m2",
        "capacity_kg",
    }


def test_only_a_partners_admins_apply(net):
    problem(_post(net.staff_a, "/api/v1/outlets/", application()), 403, "partner_admin_only")
    problem(_post(net.read_a, "/api/v1/outlets/", application()), 403)
    problem(_post(net.dc, "/api/v1/outlets/", application()), 403, "partner_only")
    problem(_post(APIClient(), "/api/v1/outlets/", application()), 401)
    assert system_rows(Outlet, operator_id=net.a.pk) == []
    # An automaker builds its own outlets too (DESIGN §6: coverage counts its own outlets).
    response = _post(net.key_automaker, "/api/v1/outlets/", application())
    assert response.status_code == 201
    assert response.json()["operator"]["id"] == net.automaker.pk


def test_idempotent_creation_replays_the_first_answer(net):
    headers = {"HTTP_IDEMPOTENCY_KEY": "outlet-application-1"}
    first = _post(net.key_a, "/api/v1/outlets/", application(), **headers)
    again = _post(net.key_a, "/api/v1/outlets/", application(), **headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert len(system_rows(Outlet, operator_id=net.a.pk)) == 1
    problem(_post(net.key_a, "/api/v1/outlets/", application(name="别的"), **headers), 422, "idempotency_key_reused")


# --- editing -----------------------------------------------------------------------------


def test_a_draft_changes_in_full_by_id_or_code_and_contacts_are_replaced(net):
    outlet = _draft(net)
    changes = {
        "name": "新名称",
        "kind": "centralized_storage",
        "prefecture": "310100",
        "address": "上海市",
        "longitude": 121.47,
        "latitude": 31.23,
        "storage_area_m2": 500,
        "capacity_kg": 40000,
        "opening_hours": "全天",
        "contacts": [{"name": "赵六"}, {"name": "钱七", "phone": "021-1"}],
        "status": "approved",
        "operator": net.b.pk,
    }
    response = net.key_a.patch(f"/api/v1/outlets/{outlet['id']}/", changes, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == OUTLET_FIELDS | {"warnings"}
    assert (data["kind"], data["prefecture"]["adcode"], data["capacity_kg"]) == (
        "centralized_storage",
        "310100",
        40000.0,
    )
    assert (data["status"], data["operator"]["id"]) == ("draft", net.a.pk)
    assert [c.name for c in system_rows(OutletContact, outlet_id=outlet["id"])] == ["赵六", "钱七"]
    # Leaving contacts out keeps them.
    net.key_a.patch(f"/api/v1/outlets/{outlet['id']}/", {"name": "再改"}, format="json")
    assert len(system_rows(OutletContact, outlet_id=outlet["id"])) == 2


def test_after_approval_only_name_hours_and_contacts_change_freely(net):
    outlet = make_outlet(net.a)
    url = f"/api/v1/outlets/{outlet.code}/"
    ok = net.key_a.patch(url, {"name": "改名", "opening_hours": "8-20", "contacts": [{"name": "新人"}]}, format="json")
    assert ok.status_code == 200, ok.content
    assert (ok.json()["name"], ok.json()["opening_hours"], ok.json()["contact_name"]) == ("改名", "8-20", "新人")
    # Sending back an unchanged value is not a change.
    same = net.key_a.patch(url, {"capacity_kg": 5000, "kind": "collection", "prefecture": "110100"}, format="json")
    assert same.status_code == 200, same.content
    body = problem(net.key_a.patch(url, {"capacity_kg": 3000}, format="json"), 409, "outlet_change_request_required")
    assert set(body["errors"]) == {"capacity_kg"}
    problem(net.key_a.patch(url, {"longitude": 116.5, "latitude": 40.0}, format="json"), 409)
    [row] = system_rows(Outlet, pk=outlet.pk)
    assert row.capacity_kg == Decimal("5000")


def test_edits_need_the_operators_admin(net):
    draft = _draft(net)
    problem(net.staff_a.patch(f"/api/v1/outlets/{draft['id']}/", {"name": "x"}, format="json"), 403)
    problem(net.key_b.patch(f"/api/v1/outlets/{draft['id']}/", {"name": "x"}, format="json"), 404)
    approved = make_outlet(net.a)
    # B sees A's approved outlet, but to change it the outlet is as good as missing.
    problem(net.key_b.patch(f"/api/v1/outlets/{approved.pk}/", {"name": "x"}, format="json"), 404)
    assert system_rows(Outlet, pk=approved.pk)[0].name == approved.name
    rejected = make_outlet(net.a, status=OutletStatus.REJECTED)
    problem(net.key_a.patch(f"/api/v1/outlets/{rejected.pk}/", {"name": "x"}, format="json"), 409)


# --- the lifecycle ---------------------------------------------------------------------


def test_the_lifecycle_through_the_api(net):
    outlet = _draft(net)
    url = f"/api/v1/outlets/{outlet['id']}"
    submitted = _post(net.key_a, f"{url}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert set(submitted.json()) == OUTLET_FIELDS
    assert submitted.json()["status"] == "submitted"
    back = _post(net.dc, f"{url}/request-changes/", {"comments": "请补充消防设施"})
    assert back.json()["status"] == "draft"
    assert _post(net.key_a, f"{url}/submit/").json()["status"] == "submitted"
    approved = _post(net.dc, f"{url}/approve/")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["code"].startswith("RN-110100-")
    assert _post(net.dc, f"{url}/suspend/", {"reason": "整改"}).json()["status"] == "suspended"
    assert _post(net.dc, f"{url}/reopen/").json()["status"] == "approved"
    assert _post(net.key_a, f"{url}/close/", {"reason": "停业"}).json()["status"] == "closed"
    history = [(t.action, t.to_status, t.reason) for t in system_rows(OutletTransition, outlet_id=outlet["id"])]
    assert history == [
        ("create", "draft", ""),
        ("submit", "submitted", ""),
        ("request_changes", "draft", "请补充消防设施"),
        ("submit", "submitted", ""),
        ("approve", "approved", ""),
        ("suspend", "suspended", "整改"),
        ("reopen", "approved", ""),
        ("close", "closed", "停业"),
    ]


def test_only_the_data_center_approves_and_only_a_submitted_outlet(net):
    outlet = make_outlet(net.a, status=OutletStatus.SUBMITTED)
    url = f"/api/v1/outlets/{outlet.pk}/approve/"
    problem(_post(net.staff_a, url), 403, "datacenter_only")
    problem(_post(net.key_a, url), 403, "datacenter_only")  # not its own outlet
    problem(_post(net.read_a, url), 403)
    problem(_post(net.key_b, url), 404)  # another partner's application does not exist for B
    assert system_rows(Outlet, pk=outlet.pk)[0].status == OutletStatus.SUBMITTED
    draft = _draft(net)
    body = problem(_post(net.dc, f"/api/v1/outlets/{draft['id']}/approve/"), 409, "outlet_status_conflict")
    assert "cannot be approved now" in body["detail"]
    approved = make_outlet(net.a)
    problem(_post(net.dc, f"/api/v1/outlets/{approved.pk}/approve/"), 409, "outlet_status_conflict")
    problem(_post(net.dc, "/api/v1/outlets/987654321/approve/"), 404)


def test_the_operator_submits_and_closes_but_does_not_decide(net):
    draft = _draft(net)
    problem(_post(net.dc, f"/api/v1/outlets/{draft['id']}/submit/"), 403, "operator_only")
    problem(_post(net.staff_a, f"/api/v1/outlets/{draft['id']}/submit/"), 403, "partner_admin_only")
    outlet = make_outlet(net.a, status=OutletStatus.SUBMITTED)
    for action, body in [("reject", {"reason": "x"}), ("request-changes", {"comments": "x"})]:
        problem(_post(net.key_a, f"/api/v1/outlets/{outlet.pk}/{action}/", body), 403, "datacenter_only")
    approved = make_outlet(net.a)
    problem(_post(net.key_a, f"/api/v1/outlets/{approved.pk}/suspend/", {"reason": "x"}), 403)
    problem(_post(net.key_a, f"/api/v1/outlets/{approved.pk}/submit/"), 409, "outlet_status_conflict")


def test_reasons_and_comments_are_required(net):
    outlet = make_outlet(net.a, status=OutletStatus.SUBMITTED)
    body = problem(_post(net.dc, f"/api/v1/outlets/{outlet.pk}/reject/", {}), 400)
    assert "reason" in body["errors"]
    body = problem(_post(net.dc, f"/api/v1/outlets/{outlet.pk}/request-changes/", {"comments": ""}), 400)
    assert "comments" in body["errors"]
    rejected = _post(net.dc, f"/api/v1/outlets/{outlet.pk}/reject/", {"reason": "选址不符合要求"})
    assert rejected.json()["status"] == "rejected"
    assert system_rows(Outlet, pk=outlet.pk)[0].review_comments == "选址不符合要求"
    # A rejection is final.
    problem(_post(net.key_a, f"/api/v1/outlets/{outlet.pk}/submit/"), 409)


def test_closing_needs_zero_stock(net):
    outlet = make_outlet(net.a)
    receive(admin_of(net.a), outlet)
    body = problem(_post(net.key_a, f"/api/v1/outlets/{outlet.pk}/close/"), 409, "outlet_not_empty")
    assert "300" in body["detail"]
    assert system_rows(Outlet, pk=outlet.pk)[0].status == OutletStatus.APPROVED


# --- change requests ---------------------------------------------------------------------


def test_change_requests_apply_once_the_data_center_approves(net):
    outlet = make_outlet(net.a)
    url = f"/api/v1/outlets/{outlet.pk}/change-requests/"
    response = _post(net.key_a, url, {"capacity_kg": 4500, "address": "新地址", "note": "扩建", "status": "approved"})
    assert response.status_code == 201, response.content
    change = response.json()
    assert set(change) == CHANGE_FIELDS | {"warnings"}
    assert (change["status"], change["capacity_kg"], change["kind"], change["note"]) == (
        "pending",
        4500.0,
        "collection",
        "扩建",
    )
    assert change["outlet"] == {"id": outlet.pk, "code": outlet.code, "name": outlet.name}
    problem(_post(net.key_a, url, {"capacity_kg": 4000}), 409, "change_request_pending")
    listed = net.key_a.get(url).json()["results"]
    assert [c["id"] for c in listed] == [change["id"]]
    assert net.key_b.get(url).status_code == 404
    assert system_rows(Outlet, pk=outlet.pk)[0].capacity_kg == Decimal("5000")  # not yet
    problem(_post(net.key_a, f"/api/v1/outlet-change-requests/{change['id']}/approve/"), 403, "datacenter_only")
    approved = _post(net.dc, f"/api/v1/outlet-change-requests/{change['id']}/approve/")
    assert approved.status_code == 200, approved.content
    assert set(approved.json()) == CHANGE_FIELDS
    assert approved.json()["status"] == "approved"
    [row] = system_rows(Outlet, pk=outlet.pk)
    assert (row.capacity_kg, row.address) == (Decimal("4500"), "新地址")
    problem(_post(net.dc, f"/api/v1/outlet-change-requests/{change['id']}/approve/"), 409, "change_request_decided")


def test_capacity_never_drops_below_stock(net):
    outlet = make_outlet(net.a)
    receive(admin_of(net.a), outlet, weight_kg="400")
    url = f"/api/v1/outlets/{outlet.pk}/change-requests/"
    body = problem(_post(net.key_a, url, {"capacity_kg": 300}), 409, "capacity_below_stock")
    assert set(body["errors"]) == {"capacity_kg"}
    assert system_rows(OutletChangeRequest, outlet_id=outlet.pk) == []


def test_change_requests_need_an_outlet_in_service_and_a_rejection_needs_a_reason(net):
    draft = _draft(net)
    problem(_post(net.key_a, f"/api/v1/outlets/{draft['id']}/change-requests/", {"capacity_kg": 10}), 409)
    outlet = make_outlet(net.a)
    change = _post(net.key_a, f"/api/v1/outlets/{outlet.pk}/change-requests/", {"storage_area_m2": 60}).json()
    problem(_post(net.dc, f"/api/v1/outlet-change-requests/{change['id']}/reject/", {}), 400)
    rejected = _post(net.dc, f"/api/v1/outlet-change-requests/{change['id']}/reject/", {"reason": "证明材料不足"})
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("rejected", "证明材料不足")
    [row] = system_rows(OutletChangeRequest, pk=change["id"])
    assert row.status == ChangeRequestStatus.REJECTED
    assert system_rows(Outlet, pk=outlet.pk)[0].storage_area_m2 == Decimal("50")


# --- sharing ----------------------------------------------------------------------------


def test_grant_list_and_revoke_with_history(net):
    outlet = make_outlet(net.a)
    url = f"/api/v1/outlets/{outlet.pk}/grants/"
    response = _post(net.key_a, url, {"grantee": net.automaker.pk, "note": "华北合作", "revoked_at": "2020-01-01"})
    assert response.status_code == 201, response.content
    grant = response.json()
    assert set(grant) == GRANT_FIELDS
    assert (grant["grantee"], grant["active"], grant["revoked_at"]) == (
        {"id": net.automaker.pk, "name": "车企"},
        True,
        None,
    )
    problem(_post(net.key_a, url, {"grantee": net.automaker.pk}), 409, "already_shared")
    # The grantee sees its grant; a third partner gets a 404.
    assert [g["id"] for g in net.key_automaker.get(url).json()["results"]] == [grant["id"]]
    assert net.key_b.get(url).status_code == 404
    # Only the operator revokes: to the grantee and to others the grant is not there to act on.
    problem(_post(net.key_automaker, f"/api/v1/grants/{grant['id']}/revoke/"), 404)
    problem(_post(net.key_b, f"/api/v1/grants/{grant['id']}/revoke/"), 404)
    revoked = _post(net.key_a, f"/api/v1/grants/{grant['id']}/revoke/", {"reason": "合作结束"})
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    problem(_post(net.key_a, f"/api/v1/grants/{grant['id']}/revoke/"), 409, "already_revoked")
    again = _post(net.key_a, url, {"grantee": net.automaker.pk})
    assert again.status_code == 201
    history = net.key_a.get(url).json()["results"]
    assert [(g["id"], g["active"]) for g in history] == [(grant["id"], False), (again.json()["id"], True)]
    assert len(system_rows(SharingGrant, outlet_id=outlet.pk)) == 2


def test_a_grant_needs_an_approved_outlet_and_an_active_other_partner(net):
    draft = _draft(net)
    problem(_post(net.key_a, f"/api/v1/outlets/{draft['id']}/grants/", {"grantee": net.b.pk}), 409)
    outlet = make_outlet(net.a)
    url = f"/api/v1/outlets/{outlet.pk}/grants/"
    problem(_post(net.key_a, url, {"grantee": net.a.pk}), 400, "grantee_is_operator")
    body = problem(_post(net.key_a, url, {"grantee": 987654321}), 400, "grantee_unknown")
    assert set(body["errors"]) == {"grantee"}
    problem(_post(net.key_a, url, {"grantee": 2**63}), 400)
    problem(_post(net.staff_a, url, {"grantee": net.b.pk}), 403)
    problem(_post(net.key_b, url, {"grantee": net.automaker.pk}), 404)


# --- notifications ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_every_outlet_notification_is_in_the_outbox_and_sent_after_commit():
    a = make_partner(kinds=["outlet_operator"])
    make_user(a, UserRole.PARTNER_ADMIN)
    automaker = make_partner(kinds=["automaker"])
    make_user(automaker, UserRole.PARTNER_ADMIN)
    key_a, dc = bearer(key_for(a)), bearer(key_for(None))
    mail.outbox.clear()
    with run_as(SYSTEM):
        OutboxEmail.objects.all().delete()
    outlet = _post(key_a, "/api/v1/outlets/", application()).json()["id"]
    steps = [
        (key_a, f"/api/v1/outlets/{outlet}/submit/", {}),
        (dc, f"/api/v1/outlets/{outlet}/request-changes/", {"comments": "补充"}),
        (key_a, f"/api/v1/outlets/{outlet}/submit/", {}),
        (dc, f"/api/v1/outlets/{outlet}/approve/", {}),
        (dc, f"/api/v1/outlets/{outlet}/suspend/", {"reason": "整改"}),
        (dc, f"/api/v1/outlets/{outlet}/reopen/", {}),
        (key_a, f"/api/v1/outlets/{outlet}/change-requests/", {"capacity_kg": 4000}),
    ]
    for client, url, body in steps:
        assert _post(client, url, body).status_code in (200, 201), url
    change = system_rows(OutletChangeRequest, outlet_id=outlet)[0].pk
    assert _post(dc, f"/api/v1/outlet-change-requests/{change}/approve/").status_code == 200
    change = _post(key_a, f"/api/v1/outlets/{outlet}/change-requests/", {"capacity_kg": 3000}).json()["id"]
    assert _post(dc, f"/api/v1/outlet-change-requests/{change}/reject/", {"reason": "不同意"}).status_code == 200
    grant = _post(key_a, f"/api/v1/outlets/{outlet}/grants/", {"grantee": automaker.pk}).json()["id"]
    assert _post(key_a, f"/api/v1/grants/{grant}/revoke/").status_code == 200
    assert _post(key_a, f"/api/v1/outlets/{outlet}/close/").status_code == 200
    with run_as(SYSTEM):
        rows = list(OutboxEmail.objects.order_by("id"))
    assert [r.kind for r in rows] == [
        "outlet.submit",
        "outlet.request_changes",
        "outlet.submit",
        "outlet.approve",
        "outlet.suspend",
        "outlet.reopen",
        "outlet.change_approved",
        "outlet.change_rejected",
        "sharing.granted",
        "sharing.revoked",
        "outlet.close",
    ]
    assert all(r.status == OutboxStatus.SENT for r in rows)
    assert len(mail.outbox) == len(rows)


@pytest.mark.django_db(transaction=True)
def test_no_notification_survives_a_refused_or_rolled_back_change():
    a = make_partner(kinds=["outlet_operator"])
    make_user(a, UserRole.PARTNER_ADMIN)
    outlet = make_outlet(a)
    receive(admin_of(a), outlet)
    key_a = bearer(key_for(a))
    mail.outbox.clear()
    with run_as(SYSTEM):
        before = OutboxEmail.objects.count()
    # Refused: the outlet holds stock.
    assert _post(key_a, f"/api/v1/outlets/{outlet.pk}/close/").status_code == 409

    class Abort(Exception):
        pass

    def suspend_then_fail() -> None:
        with transaction.atomic():
            call(DATACENTER, outlet_services.outlet_suspend, outlet=outlet, reason="整改")
            with run_as(SYSTEM):
                assert OutboxEmail.objects.count() == before + 1  # queued with the change...
            raise Abort

    with pytest.raises(Abort):
        suspend_then_fail()
    with run_as(SYSTEM):
        assert OutboxEmail.objects.count() == before  # ...and gone with it
        assert Outlet.objects.get(pk=outlet.pk).status == OutletStatus.APPROVED
    assert mail.outbox == []


# --- the public directory ----------------------------------------------------------------


def test_the_public_api_and_the_directory_show_approved_outlets_and_public_fields_only(net):
    approved = make_outlet(net.a, name="公开网点")
    receive(admin_of(net.a), approved, weight_kg="777.77")
    hidden = [make_outlet(net.a, status=s) for s in ("draft", "submitted", "rejected", "suspended", "closed")]
    anonymous = APIClient()
    results = anonymous.get("/api/v1/public/outlets/?limit=500").json()["results"]
    assert [r["code"] for r in results] == [approved.code]
    assert not {"stock_kg", "contact_name", "contact_phone", "contacts"} & set(results[0])
    assert "777" not in str(results) and "张三" not in str(results)
    # Filters cannot reach the others either.
    for outlet in hidden:
        assert anonymous.get(f"/api/v1/public/outlets/?status={outlet.status}").json()["results"] == [], outlet.status
    # The directory page lists the same outlets for the same search.
    page = Client().get("/directory/?prefecture=110100").content.decode()
    assert set(re.findall(r'<tr data-outlet="([^"]+)"', page)) == {
        r["code"] for r in anonymous.get("/api/v1/public/outlets/?prefecture=110100").json()["results"]
    }
