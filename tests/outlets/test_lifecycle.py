"""Every allowed and every forbidden arrow of the outlet lifecycle (DESIGN §6), each audited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from outlets import services
from outlets.models import Outlet, OutletStatus, OutletTransition
from partners.models import AuditEntry, OutboxEmail, UserRole
from recycling_network.errors import Conflict, Forbidden, InvalidInput, NotFound
from recycling_network.tenancy import SYSTEM, actor_for_user, run_as
from tests.builders import DATACENTER, admin_of, call, make_outlet, make_partner, make_user

STATUSES = [s.value for s in OutletStatus]

# The rules of DESIGN §6, written out here rather than read from the code:
# action -> (statuses it starts from, status it ends in, who may take it)
RULES = {
    "submit": ({"draft"}, "submitted", {"operator_admin"}),
    "request_changes": ({"submitted"}, "draft", {"datacenter"}),
    "approve": ({"submitted"}, "approved", {"datacenter"}),
    "reject": ({"submitted"}, "rejected", {"datacenter"}),
    "suspend": ({"approved"}, "suspended", {"datacenter"}),
    "reopen": ({"suspended"}, "approved", {"datacenter"}),
    "close": ({"approved", "suspended"}, "closed", {"operator_admin", "datacenter"}),
}
ACTORS = ["operator_admin", "operator_staff", "other_admin", "datacenter"]


def _run(action: str, actor, outlet: Outlet) -> Outlet:
    function = getattr(services, f"outlet_{action}")
    kwargs = {"outlet": outlet}
    if action == "request_changes":
        kwargs["comments"] = "请补充消防设施照片"
    elif action in ("reject", "suspend"):
        kwargs["reason"] = "不符合要求"
    elif action in ("close", "reopen"):
        kwargs["reason"] = "原因"
    return call(actor, function, **kwargs)


@pytest.mark.parametrize("action", list(RULES))
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("who", ACTORS)
def test_outlet_transition(db, action, status, who):
    operator = make_partner()
    outlet = make_outlet(operator, status=status)
    actor = {
        "operator_admin": lambda: admin_of(operator),
        "operator_staff": lambda: actor_for_user(make_user(operator, UserRole.OUTLET_STAFF)),
        "other_admin": lambda: admin_of(make_partner()),
        "datacenter": lambda: DATACENTER,
    }[who]()
    sources, target, allowed_roles = RULES[action]
    with run_as(SYSTEM):
        transitions_before = OutletTransition.objects.count()
        audits_before = AuditEntry.objects.filter(action=f"outlet.{action}").count()

    if who in allowed_roles and status in sources:
        result = _run(action, actor, outlet)
        assert result.status == target
        with run_as(SYSTEM):
            transition = OutletTransition.objects.filter(outlet=outlet).latest("id")
            assert (transition.from_status, transition.to_status, transition.action) == (status, target, action)
            entry = AuditEntry.objects.filter(action=f"outlet.{action}", target_id=str(outlet.pk)).latest("id")
            assert entry.before["status"] == status and entry.after["status"] == target
            assert entry.actor_label == str(actor)
            assert OutboxEmail.objects.filter(kind=f"outlet.{action}").exists()
        if action == "approve":
            assert result.code.startswith(f"RN-{outlet.prefecture_id}-")
        return

    if who == "other_admin":
        # A foreign outlet cannot even be locked: it behaves as if it did not exist.
        expected = (NotFound,)
    elif who not in allowed_roles:
        expected = (Forbidden,)
    else:
        expected = (Conflict,)
    with pytest.raises(expected):
        _run(action, actor, outlet)
    with run_as(SYSTEM):
        assert Outlet.objects.get(pk=outlet.pk).status == status
        assert OutletTransition.objects.count() == transitions_before
        assert AuditEntry.objects.filter(action=f"outlet.{action}").count() == audits_before


def test_closing_needs_an_empty_outlet(db):
    operator = make_partner()
    outlet = make_outlet(operator)
    with run_as(SYSTEM):
        Outlet.objects.filter(pk=outlet.pk).update(stock_kg=Decimal("120.5"))
    with pytest.raises(Conflict) as error:
        call(admin_of(operator), services.outlet_close, outlet=outlet)
    assert error.value.code == "outlet_not_empty"


def test_reasons_are_required_where_the_design_asks_for_them(db):
    outlet = make_outlet(make_partner(), status=OutletStatus.SUBMITTED)
    with pytest.raises(InvalidInput):
        call(DATACENTER, services.outlet_reject, outlet=outlet, reason="  ")
    with pytest.raises(InvalidInput):
        call(DATACENTER, services.outlet_request_changes, outlet=outlet, comments="")


def test_codes_are_assigned_per_prefecture_and_never_reused(db):
    operator = make_partner()
    first = make_outlet(operator, prefecture="310100")
    second = make_outlet(operator, prefecture="310100")
    call(DATACENTER, services.outlet_close, outlet=first)
    third = make_outlet(operator, prefecture="310100")
    other = make_outlet(operator, prefecture="440300")
    assert [first.code, second.code, third.code] == ["RN-310100-0001", "RN-310100-0002", "RN-310100-0003"]
    assert other.code == "RN-440300-0001"


def test_request_changes_round_trip_keeps_comments_and_history(db):
    operator = make_partner()
    admin = admin_of(operator)
    outlet = make_outlet(operator, status=OutletStatus.SUBMITTED)
    outlet = call(DATACENTER, services.outlet_request_changes, outlet=outlet, comments="请补充地址")
    assert outlet.status == "draft" and outlet.review_comments == "请补充地址"
    outlet = call(admin, services.outlet_update, outlet=outlet, address="测试路2号").outlet
    outlet = call(admin, services.outlet_submit, outlet=outlet)
    outlet = call(DATACENTER, services.outlet_approve, outlet=outlet)
    with run_as(SYSTEM):
        history = list(OutletTransition.objects.filter(outlet=outlet).values_list("action", flat=True))
    assert history == ["create", "submit", "request_changes", "submit", "approve"]


def test_a_rejected_application_is_final_but_can_be_copied(db):
    operator = make_partner()
    admin = admin_of(operator)
    rejected = make_outlet(operator, status=OutletStatus.REJECTED)
    with pytest.raises(Conflict):
        call(admin, services.outlet_update, outlet=rejected, name="新名字")
    copy = call(admin, services.outlet_copy_rejected, outlet=rejected).outlet
    assert copy.status == "draft" and copy.copied_from_id == rejected.pk and copy.name == rejected.name


def test_after_approval_only_name_hours_and_contacts_change_freely(db):
    operator = make_partner()
    admin = admin_of(operator)
    outlet = make_outlet(operator)
    outlet = call(admin, services.outlet_update, outlet=outlet, opening_hours="24小时", name="新名称").outlet
    assert outlet.opening_hours == "24小时"
    with pytest.raises(Conflict) as error:
        call(admin, services.outlet_update, outlet=outlet, capacity_kg=4000)
    assert error.value.code == "outlet_change_request_required"


def test_change_requests_apply_only_when_approved_and_never_below_stock(db):
    operator = make_partner()
    admin = admin_of(operator)
    outlet = make_outlet(operator, capacity_kg=5000)
    with run_as(SYSTEM):
        Outlet.objects.filter(pk=outlet.pk).update(stock_kg=Decimal("3000"))
    with pytest.raises(Conflict) as error:
        call(admin, services.outlet_change_request_submit, outlet=outlet, capacity_kg=2000)
    assert error.value.code == "capacity_below_stock"
    call(admin, services.outlet_change_request_submit, outlet=outlet, capacity_kg=4000)
    with run_as(SYSTEM):
        assert Outlet.objects.get(pk=outlet.pk).capacity_kg == Decimal("5000")
        request = outlet.change_requests.get()
    with pytest.raises(Forbidden):
        call(admin, services.outlet_change_request_approve, request=request)
    outlet = call(DATACENTER, services.outlet_change_request_approve, request=request)
    assert outlet.capacity_kg == Decimal("4000")
    with run_as(SYSTEM):
        assert AuditEntry.objects.filter(action="outlet.change_approve", target_id=str(outlet.pk)).exists()


def test_location_far_from_the_prefecture_is_a_warning_not_an_error(db):
    operator = make_partner()
    result = call(
        admin_of(operator),
        services.outlet_create,
        operator=operator,
        name="远处网点",
        kind="collection",
        prefecture="110100",
        address="某地",
        longitude="121.47",
        latitude="31.23",
        storage_area_m2=20,
        capacity_kg=3000,
    )
    assert result.outlet.pk and len(result.warnings) == 1
    from django.utils import translation

    with translation.override("en"):
        assert "km from the centre of" in str(result.warnings[0])
    with translation.override("zh-hans"):
        assert "公里" in str(result.warnings[0])
