"""What each home page counts, read through the selectors with the actor (in the
actor's database context, as the tenancy middleware sets it for a request)."""

from __future__ import annotations

from decimal import Decimal

from batteries import services as battery_services
from outlets import services as outlet_services
from outlets.models import OutletKind
from partners import services as partner_services
from partners.models import UserRole
from recycling_network.tenancy import actor_for_user, run_as
from recycling_network.web.dashboards import datacenter_overview, outlet_staff_dashboard, partner_summary
from tests.builders import (
    DATACENTER,
    admin_of,
    battery_code,
    call,
    make_outlet,
    make_partner,
    make_user,
    partner_key_actor,
    receive,
)


def test_the_outlet_dashboard_counts_hazards_and_transit_per_outlet_and_hides_a_sharers_stock(db):
    ours = make_partner(kinds=["outlet_operator", "recycler"])
    own_outlet = make_outlet(ours)
    sharer = make_partner(kinds=["outlet_operator"])
    shared_outlet = make_outlet(sharer, kind=OutletKind.CENTRALIZED_STORAGE, capacity_kg=30000, prefecture="310100")
    call(partner_key_actor(sharer), outlet_services.sharing_grant, outlet=shared_outlet, grantee=ours)
    not_assigned = make_outlet(ours)
    staff_user = make_user(ours, UserRole.OUTLET_STAFF)
    call(DATACENTER, outlet_services.staff_assign_outlets, user=staff_user, outlets=[own_outlet, shared_outlet])
    staff = actor_for_user(staff_user)
    other = make_partner(kinds=["outlet_operator"])
    other_outlet = make_outlet(other, prefecture="440300")
    other_admin = admin_of(other)

    receive(staff, own_outlet, condition="leaking", weight_kg="200")
    receive(staff, own_outlet, weight_kg="100")
    receive(staff, shared_outlet, condition="damaged")
    receive(admin_of(ours), not_assigned, condition="swollen")  # not at an assigned outlet
    outgoing = receive(staff, own_outlet, weight_kg="50")
    call(
        staff,
        battery_services.consignment_dispatch,
        from_outlet=own_outlet,
        to_partner=other.pk,
        to_outlet=other_outlet,
        batteries=[outgoing.code],
    )
    for target in (own_outlet, None, None):
        battery = receive(other_admin, other_outlet, battery_code())
        call(
            other_admin,
            battery_services.consignment_dispatch,
            from_outlet=other_outlet,
            to_partner=ours.pk,
            to_outlet=target,
            batteries=[battery.code],
        )

    with run_as(staff):
        dashboard = outlet_staff_dashboard(staff)
    cards = {card.outlet.pk: card for card in dashboard.cards}
    assert set(cards) == {own_outlet.pk, shared_outlet.pk}
    own, shared = cards[own_outlet.pk], cards[shared_outlet.pk]
    assert (own.hazards, own.incoming, own.outgoing) == (1, 1, 1)
    assert (shared.hazards, shared.incoming, shared.outgoing) == (1, 0, 0)
    assert dashboard.unaddressed_incoming == 2
    assert own.shows_stock and own.outlet.stock_kg == Decimal("300.00")
    assert not shared.shows_stock  # stock belongs to the operator (DESIGN §4)


def test_the_partner_summary_counts_its_own_records(db):
    ours, other = make_partner(), make_partner()
    outlet, other_outlet = make_outlet(ours), make_outlet(other, prefecture="310100")
    make_outlet(ours, status="draft")
    admin, other_admin = admin_of(ours), admin_of(other)
    receive(admin, outlet, condition="damaged")
    sent = receive(admin, outlet)
    receive(other_admin, other_outlet)  # someone else's battery
    call(
        admin,
        battery_services.consignment_dispatch,
        from_outlet=outlet,
        to_partner=other.pk,
        to_outlet=other_outlet,
        batteries=[sent.code],
    )

    with run_as(admin):
        summary = partner_summary(admin)
    assert summary.partner == ours
    assert (summary.held.at_outlet, summary.held.in_transit, summary.held.hazards) == (1, 1, 1)
    assert (summary.consignments_out, summary.consignments_in) == (1, 0)
    assert {o.pk for o in summary.outlets} >= {outlet.pk}
    assert other_outlet.pk not in {o.pk for o in summary.outlets}
    assert {c.value: c.count for c in summary.outlet_counts}["draft"] == 1
    assert summary.outlets_total == 2
    with run_as(other_admin):
        assert partner_summary(other_admin).consignments_in == 1


def test_the_datacenter_overview_counts_everything(db):
    make_partner()
    suspended = make_partner()
    call(DATACENTER, partner_services.partner_suspend, partner=suspended, reason="资质到期")
    operator = make_partner()
    make_outlet(operator, status="submitted")
    receive(admin_of(operator), make_outlet(operator))

    with run_as(DATACENTER):
        overview = datacenter_overview(DATACENTER)
    partners = {c.value: c.count for c in overview.partners}
    assert partners["suspended"] == 1
    assert partners["active"] >= 2
    assert overview.outlets_submitted == 1
    assert {c.value: c.count for c in overview.batteries}["at_outlet"] == 1
