"""The handover manifest (交接单) of a consignment: what the paper in the truck says."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from batteries.models import Battery, Consignment, ConsignmentItem
from batteries.selectors import consignment_items, get_consignment
from outlets.models import Outlet
from recycling_network.tenancy import Actor, system_context


@dataclass(frozen=True)
class ManifestLine:
    number: int
    item: ConsignmentItem
    product_type: str
    chemistry: str
    vin: str


@dataclass(frozen=True)
class Manifest:
    consignment: Consignment
    from_outlet: Outlet
    to_outlet: Outlet | None
    lines: list[ManifestLine]
    total_kg: Decimal
    accepted_kg: Decimal
    rejected_count: int


def consignment_manifest(actor: Actor, consignment_id: int) -> Manifest:
    """The manifest for a party to the consignment (sender or consignee); 404 otherwise."""
    consignment = get_consignment(actor, consignment_id)
    items = list(consignment_items(actor, consignment))
    # Both parties may print the whole manifest; the outlets and batteries named on it are
    # read in the system context because one side cannot see the other's private rows.
    with system_context():
        outlets = Outlet.objects.select_related("prefecture__parent", "operator").in_bulk(
            [
                pk
                for pk in (consignment.from_outlet_id, consignment.to_outlet_id or consignment.received_outlet_id)
                if pk
            ]
        )
        batteries: dict[int, Any] = Battery.objects.only("product_type", "chemistry", "vin").in_bulk(
            [i.battery_id for i in items]
        )
    lines = [
        ManifestLine(
            n,
            item,
            batteries[item.battery_id].get_product_type_display(),
            batteries[item.battery_id].get_chemistry_display(),
            batteries[item.battery_id].vin,
        )
        for n, item in enumerate(items, start=1)
    ]
    accepted = sum((i.weight_kg for i in items if i.outcome == "accepted"), Decimal("0"))
    return Manifest(
        consignment=consignment,
        from_outlet=outlets[consignment.from_outlet_id],
        to_outlet=outlets.get(consignment.to_outlet_id or consignment.received_outlet_id),
        lines=lines,
        total_kg=sum((i.weight_kg for i in items), Decimal("0")),
        accepted_kg=accepted,
        rejected_count=sum(1 for i in items if i.outcome == "rejected"),
    )
