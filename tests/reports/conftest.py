"""Fixtures of the report tests: a small network whose every figure is known by hand (the
real Celery worker is ``tests/celery_worker.py``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from batteries import services as battery_services
from batteries.models import CustodyEvent
from outlets import services as outlet_services
from outlets.models import Outlet, OutletKind, OutletStatus
from partners.models import Partner
from recycling_network.tenancy import SYSTEM, Actor, run_as
from tests.builders import admin_of, battery_code, call, claim_code, make_outlet, make_partner, receive

# --- a small network ------------------------------------------------------------------

VIN_A = "LSVAB2BC4NA{:06d}"
VIN_B = "LFVAB2BC4NA{:06d}"


@dataclass
class SmallNetwork:
    """Built through the real services; see ``small_network`` for the figures."""

    now: datetime.datetime
    op: Partner
    auto_a: Partner
    auto_b: Partner
    recycler: Partner
    o1: Outlet
    o2: Outlet
    o3: Outlet
    o4: Outlet
    op_actor: Actor
    a_actor: Actor
    b_actor: Actor
    recycler_actor: Actor
    codes: dict[str, str]
    occurred: dict[str, datetime.datetime]


@pytest.fixture
def small_network(db) -> SmallNetwork:
    """Outlets (approved unless said):
    - o1: op, collection, Beijing 110100, 5,000 kg, shared with automaker A
    - o2: op, centralised storage, Shanghai 310100, 30,000 kg, shared with A; shared with
      automaker B and revoked
    - o3: A, collection, Shenzhen 440300, 4,000 kg
    - o4: op, collection, Wuhan 420100, suspended; a draft in Wuhan too

    Batteries (weight kg, VIN owner, days ago):
    - b1 300 A: received at o1 10 d ago, dispatched to the recycler 4 d ago (dwell 6 d)
    - b2 200 A: received at o1 3 d ago, leaking
    - b3 500 no VIN: received at o2 20 d ago, dispatched to the recycler 10 d ago (dwell 10 d)
    - b4 100 A: received at o3 by A today, voided
    - b5 250 B: received at o1 2 d ago, weight corrected to 260
    - b6 400 A: received at o2 5 d ago, dispatched 1 d ago and cancelled
    - b7 150 A: received at o1 100 d ago
    - b8 120 A: received at o3 by A today
    - b9 180 A: received at o1 30 d ago
    """
    now = timezone.now()
    op = make_partner(kinds=["outlet_operator"], name="网点运营商")
    auto_a = make_partner(kinds=["automaker"], name="甲汽车")
    auto_b = make_partner(kinds=["automaker"], name="乙汽车")
    recycler = make_partner(kinds=["recycler"], name="再生公司")
    maker = make_partner(kinds=["battery_maker"], name="电池公司")
    claim_code(auto_a, "wmi", "LSV")
    claim_code(auto_b, "wmi", "LFV")
    claim_code(maker, "manufacturer", "001")
    op_actor, a_actor, b_actor = admin_of(op), admin_of(auto_a), admin_of(auto_b)
    recycler_actor = admin_of(recycler)

    o1 = make_outlet(op, prefecture="110100", capacity_kg=5000)
    o2 = make_outlet(op, kind=OutletKind.CENTRALIZED_STORAGE, prefecture="310100", capacity_kg=30000)
    o3 = make_outlet(auto_a, prefecture="440300", capacity_kg=4000)
    o4 = make_outlet(op, prefecture="420100", status=OutletStatus.SUSPENDED)
    make_outlet(op, prefecture="420100", status=OutletStatus.DRAFT)
    call(op_actor, outlet_services.sharing_grant, outlet=o1, grantee=auto_a)
    call(op_actor, outlet_services.sharing_grant, outlet=o2, grantee=auto_a)
    revoked = call(op_actor, outlet_services.sharing_grant, outlet=o2, grantee=auto_b)
    call(op_actor, outlet_services.sharing_revoke, grant=revoked, reason="合同到期")

    days = lambda n: now - datetime.timedelta(days=n)  # noqa: E731
    codes = {f"b{i}": battery_code("001") for i in range(1, 10)}
    occurred = {}

    def intake(name: str, actor: Actor, outlet: Outlet, weight: int, vin: str, ago: float, **kwargs: Any) -> None:
        occurred[name] = days(ago)
        receive(actor, outlet, codes[name], weight_kg=weight, vin=vin, occurred_at=occurred[name], **kwargs)

    def dispatch(name: str, outlet: Outlet, ago: float):
        occurred[f"{name}_dispatch"] = days(ago)
        return call(
            op_actor,
            battery_services.consignment_dispatch,
            from_outlet=outlet,
            to_partner=recycler.pk,
            batteries=[codes[name]],
            occurred_at=days(ago),
        )

    intake("b1", op_actor, o1, 300, VIN_A.format(1), 10)
    consignment = dispatch("b1", o1, 4)
    call(recycler_actor, battery_services.consignment_receive, consignment=consignment, occurred_at=days(4))
    intake("b2", op_actor, o1, 200, VIN_A.format(2), 3, condition="leaking")
    intake("b3", op_actor, o2, 500, "", 20)
    consignment = dispatch("b3", o2, 10)
    call(recycler_actor, battery_services.consignment_receive, consignment=consignment, occurred_at=days(10))
    intake("b4", a_actor, o3, 100, VIN_A.format(4), 0)
    call(a_actor, battery_services.battery_void, code=codes["b4"], reason="扫错码")
    intake("b5", op_actor, o1, 250, VIN_B.format(5), 2)
    with run_as(SYSTEM):
        b5_intake = CustodyEvent.objects.get(battery_code=codes["b5"], kind="received")
    call(op_actor, battery_services.event_correct, event_id=b5_intake.pk, changes={"weight_kg": "260"}, reason="复称")
    intake("b6", op_actor, o2, 400, VIN_A.format(6), 5)
    consignment = dispatch("b6", o2, 1)
    call(op_actor, battery_services.consignment_cancel, consignment=consignment, reason="车辆故障")
    intake("b7", op_actor, o1, 150, VIN_A.format(7), 100)
    intake("b8", a_actor, o3, 120, VIN_A.format(8), 0)
    intake("b9", op_actor, o1, 180, VIN_A.format(9), 30)
    return SmallNetwork(
        now=now,
        op=op,
        auto_a=auto_a,
        auto_b=auto_b,
        recycler=recycler,
        o1=o1,
        o2=o2,
        o3=o3,
        o4=o4,
        op_actor=op_actor,
        a_actor=a_actor,
        b_actor=b_actor,
        recycler_actor=recycler_actor,
        codes=codes,
        occurred=occurred,
    )
