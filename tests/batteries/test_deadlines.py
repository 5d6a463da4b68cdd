"""Reporting deadlines in Chinese working days (DESIGN §7 "Deadlines").

Expected dates are worked out by hand from the State Council's published schedules
(2026: Spring Festival Feb 15-23 off, Saturdays Feb 14 and 28 worked; Mid-Autumn and
National Day: Sunday Sep 20 and Saturday Oct 10 worked), not from the code."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from batteries import services
from batteries.deadlines import add_working_days
from batteries.models import CustodyEvent, Obligation, ObligationStatus
from recycling_network.errors import InvalidInput, NotFound
from recycling_network.tenancy import SYSTEM, run_as
from tests.batteries.conftest import VIN
from tests.builders import call, receive

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # the Saturday before Spring Festival is worked
        (D(2026, 2, 13), 2, D(2026, 2, 24)),  # then nothing until the Tuesday after the break
        (D(2026, 2, 13), 10, D(2026, 3, 5)),  # ... including the worked Saturday Feb 28
        (D(2026, 9, 19), 1, D(2026, 9, 20)),  # an adjusted working Sunday
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # National Day: Oct 1-7 off
        (D(2026, 10, 8), 2, D(2026, 10, 10)),  # Saturday Oct 10 is worked
        (D(2026, 12, 30), 3, D(2027, 1, 5)),  # across the year boundary and New Year's Day
        (D(2026, 11, 27), 30, D(2027, 1, 11)),  # 30 working days from a Friday
    ],
)
def test_working_days(start, days, due):
    assert add_working_days(start, days) == due


def _obligation(code: str) -> Obligation:
    with run_as(SYSTEM):
        return Obligation.objects.get(event__battery_code=code, event__kind="received")


def test_an_intake_obliges_the_vins_automaker_within_30_working_days(net):
    occurred = datetime.datetime(2026, 2, 13, 23, 30, tzinfo=SHANGHAI)  # Friday evening in Shanghai
    code = receive(net.a, net.outlet_a, vin=VIN, occurred_at=occurred).code
    obligation = _obligation(code)
    assert obligation.obligated_id == net.automaker.pk
    assert obligation.occurred_on == D(2026, 2, 13)  # Shanghai date, although it is 15:30 UTC
    assert obligation.due_on == D(2026, 4, 2)
    assert obligation.status == ObligationStatus.OVERDUE  # that date has passed
    assert set(obligation.audience) == {net.automaker.pk, net.op_a.pk}


def test_no_vin_or_an_unknown_automaker_leaves_it_unassigned(net):
    for vin in ("", "WBA12345678901234"):
        obligation = _obligation(receive(net.a, net.outlet_a, vin=vin).code)
        assert (obligation.status, obligation.obligated_id, obligation.due_on) == ("unassigned", None, None)


def test_acknowledging_uploads_moves_obligations_to_reported(net):
    codes = [receive(net.a, net.outlet_a, vin=VIN).code for _ in range(3)]
    obligations = [_obligation(code) for code in codes]
    assert all(o.status == ObligationStatus.PENDING for o in obligations)
    items = [{"id": o.pk, "receipt_number": f"NP2026{o.pk:06d}"} for o in obligations[:2]]
    with pytest.raises(NotFound):  # only the obligated partner acknowledges
        call(net.a, services.obligations_acknowledge, items=items)
    call(net.auto, services.obligations_acknowledge, items=items)
    statuses = [_obligation(code).status for code in codes]
    assert statuses == ["reported", "reported", "pending"]
    assert _obligation(codes[0]).receipt_number == items[0]["receipt_number"]
    with pytest.raises(InvalidInput):
        call(net.auto, services.obligations_acknowledge, items=[{"id": obligations[2].pk, "receipt_number": ""}])


def test_a_wmi_claim_assigns_the_unassigned_uploads(net):
    from tests.builders import claim_code, make_partner

    code = receive(net.a, net.outlet_a, vin="LFV2A21K8N4000001").code
    assert _obligation(code).status == "unassigned"
    newcomer = make_partner(kinds=["automaker"])
    claim_code(newcomer, "wmi", "LFV")
    from batteries.services import audience_backfill

    with run_as(SYSTEM):
        claim = newcomer.code_claims.get()
    audience_backfill(claim_id=claim.pk)
    obligation = _obligation(code)
    assert obligation.obligated_id == newcomer.pk
    assert obligation.due_on is not None


def test_facility_events_oblige_the_facility(net):
    code = receive(net.a, net.outlet_a, vin=VIN).code
    consignment = call(
        net.a, services.consignment_dispatch, from_outlet=net.outlet_a, to_partner=net.recycler.pk, batteries=[code]
    )
    call(net.recycler_actor, services.consignment_receive, consignment=consignment)
    call(net.recycler_actor, services.battery_recycle, code=code)
    with run_as(SYSTEM):
        rows = {
            o.event.kind: (o.obligated_id, o.working_days, o.rule)
            for o in Obligation.objects.filter(battery_code=code).select_related("event")
        }
        assert CustodyEvent.objects.filter(battery_code=code).count() == 4
    assert rows == {
        "received": (net.automaker.pk, 30, "outlet_receipt"),
        "dispatched": (net.automaker.pk, 30, "outlet_handover"),
        "handover_received": (net.recycler.pk, 30, "recycler_facility"),
        "recycled": (net.recycler.pk, 30, "recycler_facility"),
    }
