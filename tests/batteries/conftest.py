"""A small network for the traceability tests, built through the real services."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from outlets.models import Outlet, OutletKind
from partners.models import Partner
from recycling_network.tenancy import Actor
from tests.builders import admin_of, claim_code, make_outlet, make_partner

VIN = "LSVAB2BC4NA000001"


@dataclass
class Network:
    automaker: Partner
    maker: Partner
    op_a: Partner
    op_b: Partner
    cascade: Partner
    recycler: Partner
    outlet_a: Outlet
    outlet_b: Outlet
    a: Actor
    b: Actor
    auto: Actor
    maker_actor: Actor
    cascade_actor: Actor
    recycler_actor: Actor


@pytest.fixture
def net(db) -> Network:
    automaker = make_partner(kinds=["automaker"], name="汽车厂")
    maker = make_partner(kinds=["battery_maker"], name="电池厂")
    op_a = make_partner(kinds=["outlet_operator"], name="网点甲")
    op_b = make_partner(kinds=["outlet_operator"], name="网点乙")
    cascade = make_partner(kinds=["cascade_user"], name="梯次企业")
    recycler = make_partner(kinds=["recycler"], name="再生企业")
    claim_code(automaker, "wmi", "LSV")
    claim_code(maker, "manufacturer", "001")
    claim_code(cascade, "manufacturer", "C9U")
    return Network(
        automaker=automaker,
        maker=maker,
        op_a=op_a,
        op_b=op_b,
        cascade=cascade,
        recycler=recycler,
        outlet_a=make_outlet(op_a, capacity_kg=5000),
        outlet_b=make_outlet(op_b, kind=OutletKind.CENTRALIZED_STORAGE, capacity_kg=30000, prefecture="310100"),
        a=admin_of(op_a),
        b=admin_of(op_b),
        auto=admin_of(automaker),
        maker_actor=admin_of(maker),
        cascade_actor=admin_of(cascade),
        recycler_actor=admin_of(recycler),
    )
