"""The custody flows of DESIGN §7, each through the real services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from batteries import services
from batteries.errors import (
    BatteryAlreadyReceived,
    BatteryStatusConflict,
    NotCustodian,
    OutletNotApproved,
    OutletOverCapacity,
)
from batteries.models import (
    Battery,
    BatteryStatus,
    ConsignmentStatus,
    CustodyEvent,
    ReviewCase,
    ReviewKind,
)
from outlets import services as outlet_services
from outlets.models import Outlet
from recycling_network.errors import Conflict, Forbidden, InvalidInput, NotFound
from recycling_network.tenancy import SYSTEM, run_as
from tests.batteries.conftest import VIN
from tests.builders import DATACENTER, battery_code, call, make_outlet, receive, recode


def stock(outlet: Outlet) -> Decimal:
    with run_as(SYSTEM):
        return Outlet.objects.get(pk=outlet.pk).stock_kg


def row(code: str) -> Battery:
    with run_as(SYSTEM):
        return Battery.objects.get(code=code)


def kinds(code: str) -> list[str]:
    with run_as(SYSTEM):
        return list(CustodyEvent.objects.filter(battery_code=code).order_by("seq").values_list("kind", flat=True))


def dispatch(net, codes, **kwargs):
    return call(
        net.a,
        services.consignment_dispatch,
        from_outlet=net.outlet_a,
        to_partner=kwargs.pop("to_partner", net.op_b.pk),
        to_outlet=kwargs.pop("to_outlet", net.outlet_b.code),
        batteries=codes,
        **kwargs,
    )


def test_intake_records_the_battery_the_event_and_the_stock(net):
    code = battery_code("001")
    battery = receive(net.a, net.outlet_a, code.lower(), weight_kg="350.5", vin=VIN, source="dealer")
    assert battery.code == code
    assert (battery.status, battery.custodian_id, battery.outlet_id) == ("at_outlet", net.op_a.pk, net.outlet_a.pk)
    assert battery.producer_ids == sorted([net.automaker.pk, net.maker.pk])
    assert set(battery.audience) == {net.op_a.pk, net.automaker.pk, net.maker.pk}
    assert stock(net.outlet_a) == Decimal("350.50")
    with run_as(SYSTEM):
        event = CustodyEvent.objects.get(battery=battery)
    assert event.kind == "received"
    assert event.data["source"] == "dealer"
    assert event.data["weight_kg"] == "350.50"
    assert event.data["vin"] == VIN
    assert event.outlet_code == net.outlet_a.code


def test_receiving_a_code_twice_is_refused_without_side_effects(net):
    code = battery_code()
    receive(net.a, net.outlet_a, code)
    with pytest.raises(BatteryAlreadyReceived):
        receive(net.a, net.outlet_a, code)
    assert kinds(code) == ["received"]
    assert stock(net.outlet_a) == Decimal("300.00")


def test_only_approved_outlets_receive(net):
    call(DATACENTER, outlet_services.outlet_suspend, outlet=net.outlet_a, reason="检查")
    with pytest.raises(OutletNotApproved):
        receive(net.a, net.outlet_a)
    with pytest.raises(Forbidden):
        receive(net.a, net.outlet_b)  # another operator's outlet, not shared


def test_a_shared_outlet_can_be_used_by_the_grantee(net):
    call(net.b, outlet_services.sharing_grant, outlet=net.outlet_b, grantee=net.op_a)
    battery = receive(net.a, net.outlet_b)
    assert battery.outlet_id == net.outlet_b.pk
    assert stock(net.outlet_b) == Decimal("300.00")


def test_intake_over_capacity_names_the_excess(net):
    receive(net.a, net.outlet_a, weight_kg="4800")
    with pytest.raises(OutletOverCapacity) as error:
        receive(net.a, net.outlet_a, weight_kg="250")
    assert error.value.extra["excess_kg"] == "50.00"
    assert stock(net.outlet_a) == Decimal("4800.00")


def test_dispatch_and_full_receipt(net):
    codes = [receive(net.a, net.outlet_a).code for _ in range(3)]
    consignment = dispatch(net, codes, waybill="SF123")
    assert stock(net.outlet_a) == 0
    assert row(codes[0]).status == BatteryStatus.IN_TRANSIT
    assert row(codes[0]).custodian_id == net.op_a.pk
    assert net.op_b.pk in row(codes[0]).audience
    consignment = call(net.b, services.consignment_receive, consignment=consignment)
    assert consignment.status == ConsignmentStatus.RECEIVED
    assert stock(net.outlet_b) == Decimal("900.00")
    battery = row(codes[1])
    assert (battery.status, battery.custodian_id, battery.outlet_id) == ("at_outlet", net.op_b.pk, net.outlet_b.pk)
    assert kinds(codes[1]) == ["received", "dispatched", "handover_received"]


def test_a_step_the_batterys_state_does_not_allow_is_a_conflict(net):
    code = receive(net.a, net.outlet_a).code
    dispatch(net, [code])
    # The sender still holds it while it travels, but cannot inspect or void it.
    for service, kwargs in (
        (services.battery_inspect, {"insulation_ok": True, "casing_ok": True}),
        (services.battery_void, {"reason": "x"}),
    ):
        with pytest.raises(BatteryStatusConflict) as error:
            call(net.a, service, code=code, **kwargs)
        assert (error.value.status, error.value.code) == (409, "battery_status_conflict")
    assert kinds(code) == ["received", "dispatched"]


def test_cancel_returns_the_batteries_to_the_outlet(net):
    codes = [receive(net.a, net.outlet_a).code for _ in range(2)]
    consignment = dispatch(net, codes)
    with pytest.raises(Forbidden):
        call(net.b, services.consignment_cancel, consignment=consignment)
    consignment = call(net.a, services.consignment_cancel, consignment=consignment, reason="车辆故障")
    assert consignment.status == ConsignmentStatus.CANCELLED
    assert stock(net.outlet_a) == Decimal("600.00")
    assert row(codes[0]).status == BatteryStatus.AT_OUTLET
    assert kinds(codes[0]) == ["received", "dispatched", "consignment_cancelled"]
    with pytest.raises(Conflict):
        call(net.b, services.consignment_receive, consignment=consignment)


@pytest.mark.parametrize("reason", ["damaged", "not_in_shipment", "wrong_code", "missing", "other"])
def test_partial_receipt_with_each_rejection_reason(net, reason):
    kept, rejected = receive(net.a, net.outlet_a).code, receive(net.a, net.outlet_a).code
    consignment = dispatch(net, [kept, rejected])
    consignment = call(
        net.b,
        services.consignment_receive,
        consignment=consignment,
        rejected=[{"code": rejected, "reason": reason, "note": "外壳破损"}],
    )
    assert consignment.status == ConsignmentStatus.PARTIALLY_REJECTED
    back = row(rejected)
    assert (back.status, back.custodian_id, back.outlet_id) == ("at_outlet", net.op_a.pk, net.outlet_a.pk)
    assert stock(net.outlet_a) == Decimal("300.00")
    assert stock(net.outlet_b) == Decimal("300.00")
    with run_as(SYSTEM):
        event = CustodyEvent.objects.filter(battery_code=rejected).latest("seq")
        cases = list(ReviewCase.objects.filter(battery_code=rejected))
    assert (event.kind, event.data["reason"], event.data["note"]) == ("handover_rejected", reason, "外壳破损")
    if reason == "missing":
        assert [(c.kind, c.claimant_id) for c in cases] == [(ReviewKind.MISSING, net.op_b.pk)]
    else:
        assert cases == []


def test_rejecting_everything(net):
    code = receive(net.a, net.outlet_a).code
    consignment = call(
        net.b,
        services.consignment_receive,
        consignment=dispatch(net, [code]),
        rejected=[{"code": code, "reason": "damaged"}],
    )
    assert consignment.status == ConsignmentStatus.REJECTED


def test_a_rejection_must_name_a_battery_of_the_consignment_and_a_known_reason(net):
    code = receive(net.a, net.outlet_a).code
    consignment = dispatch(net, [code])
    with pytest.raises(InvalidInput):
        call(
            net.b,
            services.consignment_receive,
            consignment=consignment,
            rejected=[{"code": battery_code(), "reason": "damaged"}],
        )
    with pytest.raises(InvalidInput):
        call(net.b, services.consignment_receive, consignment=consignment, rejected=[{"code": code, "reason": "bored"}])


def test_receipt_checks_capacity_all_or_nothing(net):
    small = make_outlet(net.op_b, capacity_kg=500, prefecture="440300")
    codes = [receive(net.a, net.outlet_a).code for _ in range(2)]
    consignment = dispatch(net, codes, to_outlet=small.code)
    with pytest.raises(OutletOverCapacity):
        call(net.b, services.consignment_receive, consignment=consignment)
    assert stock(small) == 0
    assert row(codes[0]).status == BatteryStatus.IN_TRANSIT
    consignment = call(
        net.b, services.consignment_receive, consignment=consignment, rejected=[{"code": codes[0], "reason": "other"}]
    )
    assert stock(small) == Decimal("300.00")


def test_rejected_batteries_return_even_above_capacity_and_are_flagged(net):
    code = receive(net.a, net.outlet_a, weight_kg="3000").code
    consignment = dispatch(net, [code])
    receive(net.a, net.outlet_a, weight_kg="4000")
    call(net.b, services.consignment_receive, consignment=consignment, rejected=[{"code": code, "reason": "damaged"}])
    assert stock(net.outlet_a) == Decimal("7000.00")
    assert row(code).over_capacity is True


def test_receipt_at_a_facility_then_recycling(net):
    code = receive(net.a, net.outlet_a, vin=VIN).code
    consignment = call(
        net.a, services.consignment_dispatch, from_outlet=net.outlet_a, to_partner=net.recycler.pk, batteries=[code]
    )
    call(net.recycler_actor, services.consignment_receive, consignment=consignment)
    battery = row(code)
    assert (battery.status, battery.outlet_id, battery.custodian_id) == ("at_facility", None, net.recycler.pk)
    with pytest.raises(Forbidden):
        call(net.cascade_actor, services.battery_recycle, code=code)  # another partner, and not a recycler
    battery = call(net.recycler_actor, services.battery_recycle, code=code, notes="湿法冶金")
    assert battery.status == BatteryStatus.RECYCLED
    assert kinds(code)[-1] == "recycled"


def test_a_partner_that_is_not_a_facility_needs_an_outlet(net):
    code = receive(net.a, net.outlet_a).code
    with pytest.raises(InvalidInput):
        call(net.a, services.consignment_dispatch, from_outlet=net.outlet_a, to_partner=net.op_b.pk, batteries=[code])


def _at_cascade_user(net) -> str:
    code = receive(net.a, net.outlet_a, vin=VIN).code
    consignment = call(
        net.a, services.consignment_dispatch, from_outlet=net.outlet_a, to_partner=net.cascade.pk, batteries=[code]
    )
    call(net.cascade_actor, services.consignment_receive, consignment=consignment)
    return code


def test_cascade_recode_links_a_new_battery(net):
    code = _at_cascade_user(net)
    new = call(net.cascade_actor, services.battery_cascade, code=code, new_code=recode("C9U"), soh_percent=72)
    assert new.original.code == code
    assert row(code).status == BatteryStatus.CASCADE_USE
    assert set(new.audience) == {net.cascade.pk, net.automaker.pk, net.maker.pk}
    assert new.status == BatteryStatus.AT_FACILITY
    assert kinds(code)[-1] == "cascade_recoded"
    assert kinds(new.code) == ["cascade_recoded"]


def test_cascade_recode_must_carry_the_actors_manufacturer_code(net):
    code = _at_cascade_user(net)
    with pytest.raises(InvalidInput) as error:
        call(net.cascade_actor, services.battery_cascade, code=code, new_code=recode("001"))
    assert error.value.code == "manufacturer_code_not_yours"
    with pytest.raises(InvalidInput):
        call(net.cascade_actor, services.battery_cascade, code=code, new_code=battery_code("C9U"))


def test_void_only_while_nothing_happened_after(net):
    code = receive(net.a, net.outlet_a).code
    battery = call(net.a, services.battery_void, code=code, reason="扫错码")
    assert battery.status == BatteryStatus.VOID
    assert stock(net.outlet_a) == 0
    # The code can be received again, on the same chain.
    receive(net.a, net.outlet_a, code)
    assert kinds(code) == ["received", "voided", "received"]
    call(net.a, services.battery_inspect, code=code, insulation_ok=True, casing_ok=True)
    with pytest.raises(Conflict):
        call(net.a, services.battery_void, code=code, reason="再次扫错")


def test_correction_appends_an_event_and_updates_the_battery(net):
    battery = receive(net.a, net.outlet_a, weight_kg="300")
    with run_as(SYSTEM):
        intake = CustodyEvent.objects.get(battery=battery)
    correction = call(
        net.a, services.event_correct, event_id=intake.pk, changes={"weight_kg": "320", "vin": VIN}, reason="复称"
    )
    assert correction.kind == "corrected"
    assert correction.data["corrects"] == intake.pk
    assert correction.data["changes"] == {"weight_kg": "320.00", "vin": VIN}
    battery = row(battery.code)
    assert battery.weight_kg == Decimal("320.00")
    assert net.automaker.pk in battery.producer_ids
    assert stock(net.outlet_a) == Decimal("320.00")
    with run_as(SYSTEM):
        assert CustodyEvent.objects.get(pk=intake.pk).data["weight_kg"] == "300.00"  # never rewritten
    with pytest.raises(NotFound):  # someone else's event does not exist for B
        call(net.b, services.event_correct, event_id=intake.pk, changes={"notes": "x"}, reason="y")
    with pytest.raises(Forbidden):  # the producer sees it but did not record it
        call(net.maker_actor, services.event_correct, event_id=intake.pk, changes={"notes": "x"}, reason="y")


def test_inspection_and_hazards(net):
    code = receive(net.a, net.outlet_a).code
    battery = call(net.a, services.battery_inspect, code=code, insulation_ok=False, casing_ok=True, soh_percent="64.5")
    assert (battery.hazard, battery.soh_percent) == ("insulation_fault", Decimal("64.50"))
    battery = call(net.a, services.battery_report_hazard, code=code, hazard="leaking", notes="电解液泄漏")
    assert battery.hazard == "leaking"
    with pytest.raises(NotCustodian):
        call(net.maker_actor, services.battery_report_hazard, code=code, hazard="smoking")


def _conflict(net) -> tuple[str, ReviewCase]:
    code = receive(net.a, net.outlet_a).code
    from batteries.errors import BatteryInCustody

    call(net.b, outlet_services.sharing_grant, outlet=net.outlet_b, grantee=net.op_a)  # harmless; B's own outlet
    with pytest.raises(BatteryInCustody):
        receive(net.b, net.outlet_b, code)
    with run_as(SYSTEM):
        return code, ReviewCase.objects.get(battery_code=code)


def test_review_case_confirm_holder(net):
    code, case = _conflict(net)
    case = call(DATACENTER, services.review_case_resolve, case=case, resolution="confirm_holder", note="原持有方有效")
    assert case.status == "resolved"
    assert row(code).custodian_id == net.op_a.pk
    assert kinds(code)[-1] == "review_resolved"


def test_review_case_transfer(net):
    code, case = _conflict(net)
    call(DATACENTER, services.review_case_resolve, case=case, resolution="transfer")
    battery = row(code)
    assert (battery.custodian_id, battery.outlet_id) == (net.op_b.pk, net.outlet_b.pk)
    assert stock(net.outlet_a) == 0
    assert stock(net.outlet_b) == Decimal("300.00")
    with pytest.raises(Conflict):
        call(DATACENTER, services.review_case_resolve, case=case, resolution="transfer")


def test_review_case_counterfeit(net):
    code, case = _conflict(net)
    call(DATACENTER, services.review_case_resolve, case=case, resolution="counterfeit")
    assert row(code).counterfeit is True
    with pytest.raises(Forbidden):
        call(net.a, services.review_case_resolve, case=case, resolution="transfer")


def test_outlets_with_batteries_in_transit_cannot_close(net):
    code = receive(net.a, net.outlet_a).code
    dispatch(net, [code])
    with pytest.raises(Conflict) as error:
        call(DATACENTER, outlet_services.outlet_close, outlet=net.outlet_b)
    assert error.value.code == "outlet_has_transit"
