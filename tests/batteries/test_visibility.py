"""Who sees what about a battery (DESIGN §4): former holders, producers, strangers."""

from __future__ import annotations

import pytest

from batteries import selectors, services
from batteries.models import CustodyEvent
from recycling_network.errors import DomainError
from recycling_network.tenancy import SYSTEM, run_as
from tests.batteries.conftest import VIN
from tests.builders import admin_of, battery_code, call, make_partner, receive, recode


def _handed_over(net) -> str:
    code = receive(net.a, net.outlet_a, battery_code("001"), vin=VIN).code
    consignment = call(
        net.a,
        services.consignment_dispatch,
        from_outlet=net.outlet_a,
        to_partner=net.op_b.pk,
        to_outlet=net.outlet_b.code,
        batteries=[code],
    )
    call(net.b, services.consignment_receive, consignment=consignment)
    call(net.b, services.battery_inspect, code=code, insulation_ok=True, casing_ok=True, soh_percent=70)
    return code


def test_a_former_holder_sees_the_battery_and_its_own_events_but_not_where_it_went(net):
    code = _handed_over(net)
    with run_as(net.a):
        battery = selectors.get_battery(net.a, code)
        assert not selectors.sees_where_now(net.a, battery)
        kinds = list(selectors.battery_events(net.a, battery).values_list("kind", flat=True))
    # Its own intake and dispatch, and the receipt it was the counterparty of; not B's inspection.
    assert kinds == ["received", "dispatched", "handover_received"]
    with run_as(SYSTEM):
        assert CustodyEvent.objects.filter(battery_code=code, kind="inspected").exists()


def test_the_current_custodian_and_the_producers_see_where_it_is(net):
    code = _handed_over(net)
    for actor in (net.b, net.maker_actor, net.auto):
        with run_as(actor):
            battery = selectors.get_battery(actor, code)
            assert selectors.sees_where_now(actor, battery)
    with run_as(net.maker_actor):
        kinds = list(selectors.battery_events(net.maker_actor, battery).values_list("kind", flat=True))
    assert kinds == ["received", "dispatched", "handover_received", "inspected"]


def test_a_consignee_in_transit_sees_where_it_is(net):
    code = receive(net.a, net.outlet_a).code
    call(
        net.a,
        services.consignment_dispatch,
        from_outlet=net.outlet_a,
        to_partner=net.op_b.pk,
        to_outlet=net.outlet_b.code,
        batteries=[code],
    )
    with run_as(net.b):
        assert selectors.sees_where_now(net.b, selectors.get_battery(net.b, code))


def test_a_stranger_sees_nothing(net):
    code = _handed_over(net)
    stranger = admin_of(make_partner())
    with run_as(SYSTEM):
        assert CustodyEvent.objects.filter(battery_code=code).count() == 4
    with run_as(stranger):
        assert not selectors.visible_batteries(stranger).filter(code=code).exists()
        assert not selectors.visible_events(stranger).filter(battery_code=code).exists()
        assert not CustodyEvent.objects.filter(battery_code=code).exists()  # row-level security too


def _outcome(action) -> tuple[type, str]:
    try:
        action()
    except DomainError as error:
        return type(error), error.code
    return type(None), "ok"


def test_every_service_treats_a_foreign_battery_as_missing(net):
    """Called by a partner that cannot see the battery, each service fails exactly as it
    does for a code that does not exist."""
    foreign = _handed_over(net)
    missing = battery_code("001")
    with run_as(SYSTEM):
        event_id = CustodyEvent.objects.filter(battery_code=foreign).first().pk
    stranger_partner = make_partner(kinds=["outlet_operator", "recycler", "cascade_user"])
    stranger = admin_of(stranger_partner)
    from tests.builders import claim_code, make_outlet

    claim_code(stranger_partner, "manufacturer", "S7R")
    outlet = make_outlet(stranger_partner)
    receive(stranger, outlet)  # the stranger has batteries of its own
    attempts = {
        "inspect": lambda code: call(stranger, services.battery_inspect, code=code, insulation_ok=True, casing_ok=True),
        "hazard": lambda code: call(stranger, services.battery_report_hazard, code=code, hazard="leaking"),
        "void": lambda code: call(stranger, services.battery_void, code=code, reason="x"),
        "recycle": lambda code: call(stranger, services.battery_recycle, code=code),
        "cascade": lambda code: call(stranger, services.battery_cascade, code=code, new_code=recode("S7R")),
        "dispatch": lambda code: call(
            stranger,
            services.consignment_dispatch,
            from_outlet=outlet,
            to_partner=net.op_a.pk,
            to_outlet=net.outlet_a.code,
            batteries=[code],
        ),
    }
    for name, attempt in attempts.items():
        assert _outcome(lambda a=attempt: a(foreign)) == _outcome(lambda a=attempt: a(missing)), name
        assert _outcome(lambda a=attempt: a(foreign))[1] in {"not_found", "battery_not_found"}, name
    correct = lambda event: call(stranger, services.event_correct, event_id=event, changes={"notes": "x"}, reason="y")  # noqa: E731
    assert _outcome(lambda: correct(event_id)) == _outcome(lambda: correct(10**9))


def test_consignments_are_seen_by_sender_and_receiver_only(net):
    code = receive(net.a, net.outlet_a).code
    consignment = call(
        net.a,
        services.consignment_dispatch,
        from_outlet=net.outlet_a,
        to_partner=net.op_b.pk,
        to_outlet=net.outlet_b.code,
        batteries=[code],
    )
    for actor in (net.a, net.b):
        with run_as(actor):
            assert selectors.get_consignment(actor, consignment.pk) == consignment
    with run_as(net.maker_actor), pytest.raises(DomainError):
        selectors.get_consignment(net.maker_actor, consignment.pk)
    with pytest.raises(DomainError) as error:
        call(net.maker_actor, services.consignment_receive, consignment=consignment.pk)
    assert error.value.code == "not_found"
