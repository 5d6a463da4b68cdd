"""Races on the real database, each with the interleaving it claims forced: the first
transaction stays open until every other one is seen waiting on a lock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from batteries import services
from batteries.errors import BatteryAlreadyReceived, BatteryInCustody, OutletOverCapacity
from batteries.ledger import verify_chain
from batteries.models import Battery, CustodyEvent, ReviewCase
from outlets.models import Outlet
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import admin_of, battery_code, make_outlet, make_partner, receive
from tests.concurrency import Attempt, Held, wait_for_lock_waiters

pytestmark = pytest.mark.django_db(transaction=True)


def _intake(actor, outlet, code, weight="300"):
    return {"outlet": outlet, "code": code, "weight_kg": weight}


def test_twenty_intakes_of_one_code_give_one_battery_and_nineteen_refusals():
    operator = make_partner()
    outlet = make_outlet(operator)
    actor = admin_of(operator)
    code = battery_code()
    first = Held(actor, services.battery_receive, **_intake(actor, outlet, code))
    first.start()
    assert first.ready.wait(30)
    others = [Attempt(actor, services.battery_receive, **_intake(actor, outlet, code)) for _ in range(19)]
    for thread in others:
        thread.start()
    wait_for_lock_waiters(19)
    first.commit()
    for thread in others:
        thread.join(60)
    assert all(isinstance(t.error, BatteryAlreadyReceived) for t in others), [t.error for t in others]
    with run_as(SYSTEM):
        assert Battery.objects.filter(code=code).count() == 1
        assert CustodyEvent.objects.filter(battery_code=code, kind="received").count() == 1
        assert Outlet.objects.get(pk=outlet.pk).stock_kg == Decimal("300.00")


def test_two_partners_receiving_one_code_give_one_custody_and_one_review_case():
    first_partner, second_partner = make_partner(), make_partner()
    first_outlet, second_outlet = make_outlet(first_partner), make_outlet(second_partner)
    first_actor, second_actor = admin_of(first_partner), admin_of(second_partner)
    code = battery_code()
    first = Held(first_actor, services.battery_receive, **_intake(first_actor, first_outlet, code))
    first.start()
    assert first.ready.wait(30)
    second = Attempt(second_actor, services.battery_receive, **_intake(second_actor, second_outlet, code))
    second.start()
    wait_for_lock_waiters(1)
    first.commit()
    second.join(60)
    assert isinstance(second.error, BatteryInCustody)
    # The holder is not named in what the second partner is told.
    assert first_partner.name not in str(second.error)
    with run_as(SYSTEM):
        battery = Battery.objects.get(code=code)
        cases = list(ReviewCase.objects.filter(battery_code=code))
    assert battery.custodian_id == first_partner.pk
    assert [(c.claimant_id, c.status, c.audience) for c in cases] == [(second_partner.pk, "open", [second_partner.pk])]
    # Trying again does not open a second case.
    retry = Attempt(second_actor, services.battery_receive, **_intake(second_actor, second_outlet, code))
    retry.start()
    retry.join(60)
    assert isinstance(retry.error, BatteryInCustody)
    with run_as(SYSTEM):
        assert ReviewCase.objects.filter(battery_code=code).count() == 1


def test_concurrent_intakes_near_capacity_never_overfill_the_outlet():
    operator = make_partner()
    outlet = make_outlet(operator, capacity_kg=5000)
    actor = admin_of(operator)
    receive(actor, outlet, weight_kg="4000")
    first = Held(actor, services.battery_receive, **_intake(actor, outlet, battery_code()))
    first.start()
    assert first.ready.wait(30)
    others = [Attempt(actor, services.battery_receive, **_intake(actor, outlet, battery_code())) for _ in range(9)]
    for thread in others:
        thread.start()
    wait_for_lock_waiters(9)
    first.commit()
    for thread in others:
        thread.join(60)
    accepted = [t for t in others if t.error is None]
    refused = [t for t in others if isinstance(t.error, OutletOverCapacity)]
    assert (len(accepted), len(refused)) == (2, 7)  # 4000 + 3 x 300 = 4900; a fourth would be 5200
    with run_as(SYSTEM):
        assert Outlet.objects.get(pk=outlet.pk).stock_kg == Decimal("4900.00")


def test_two_concurrent_appends_to_one_battery_never_fork_its_chain():
    operator = make_partner()
    outlet = make_outlet(operator)
    actor = admin_of(operator)
    code = receive(actor, outlet).code
    first = Held(actor, services.battery_inspect, code=code, insulation_ok=True, casing_ok=True)
    first.start()
    assert first.ready.wait(30)
    second = Attempt(actor, services.battery_report_hazard, code=code, hazard="swollen")
    second.start()
    wait_for_lock_waiters(1)
    first.commit()
    second.join(60)
    assert second.error is None
    with run_as(SYSTEM):
        chain = list(CustodyEvent.objects.filter(battery_code=code).order_by("seq"))
    assert [(e.seq, e.kind) for e in chain] == [(1, "received"), (2, "inspected"), (3, "hazard_reported")]
    assert chain[2].prev_hash == chain[1].hash
    assert verify_chain(chain) is None
