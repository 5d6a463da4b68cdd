"""What each role's home page shows, read through the apps' selectors with the actor.

Each function runs a fixed number of aggregate queries whatever the size of the
network (the home-page query-count tests pin them)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from batteries.models import BatteryStatus, ConsignmentStatus, ObligationStatus, ReviewStatus
from batteries.selectors import visible_batteries, visible_consignments, visible_obligations, visible_review_cases
from outlets.models import Outlet, OutletStatus
from outlets.selectors import sees_private_fields, visible_outlets
from partners.models import ClaimStatus, Partner, PartnerKind, PartnerStatus
from partners.selectors import visible_code_claims, visible_partners
from recycling_network.tenancy import Actor

#: Outlets listed on a partner admin's home page; the full list is the outlets screen's job.
PARTNER_OUTLETS_SHOWN = 20
#: An obligation due within this many days is "due soon".
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class StatusCount:
    value: str
    label: str
    count: int


def _by_status(rows: dict[str, int], choices: Any) -> list[StatusCount]:
    """Counts in the order of the status choices, zeros included (a stable layout)."""
    return [StatusCount(value, label, rows.get(value, 0)) for value, label in choices.choices]


def _status_counts(queryset: Any) -> dict[str, int]:
    return dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))


# --- data center ---------------------------------------------------------------------


@dataclass(frozen=True)
class DatacenterOverview:
    partners: list[StatusCount]
    outlets: list[StatusCount]
    batteries: list[StatusCount]
    pending_claims: int
    open_review_cases: int

    def count(self, counts: list[StatusCount], value: str) -> int:
        return next((c.count for c in counts if c.value == value), 0)

    @property
    def partners_applied(self) -> int:
        return self.count(self.partners, PartnerStatus.APPLIED)

    @property
    def outlets_submitted(self) -> int:
        return self.count(self.outlets, OutletStatus.SUBMITTED)


def datacenter_overview(actor: Actor) -> DatacenterOverview:
    return DatacenterOverview(
        partners=_by_status(_status_counts(visible_partners(actor)), PartnerStatus),
        outlets=_by_status(_status_counts(visible_outlets(actor)), OutletStatus),
        batteries=_by_status(_status_counts(visible_batteries(actor)), BatteryStatus),
        pending_claims=visible_code_claims(actor).filter(status=ClaimStatus.PENDING).count(),
        open_review_cases=visible_review_cases(actor).filter(status=ReviewStatus.OPEN).count(),
    )


# --- partner admin -------------------------------------------------------------------


@dataclass(frozen=True)
class HeldBatteries:
    at_outlet: int = 0
    in_transit: int = 0
    at_facility: int = 0
    weight_kg: Decimal = Decimal("0")
    hazards: int = 0

    @property
    def total(self) -> int:
        return self.at_outlet + self.in_transit + self.at_facility


@dataclass(frozen=True)
class ObligationSummary:
    pending: int
    due_soon: int
    overdue: int
    next_due_on: datetime.date | None
    due_soon_days: int = DUE_SOON_DAYS


@dataclass(frozen=True)
class PartnerSummary:
    partner: Partner
    outlets: list[Outlet]
    outlet_counts: list[StatusCount]
    held: HeldBatteries
    consignments_out: int
    consignments_in: int
    obligations: ObligationSummary

    @property
    def kind_labels(self) -> list[str]:
        return [PartnerKind(kind).label for kind in self.partner.kinds]

    @property
    def outlets_total(self) -> int:
        return sum(c.count for c in self.outlet_counts)

    @property
    def outlets_not_shown(self) -> int:
        return max(0, self.outlets_total - len(self.outlets))


def _held_batteries(actor: Actor, partner_id: int) -> HeldBatteries:
    held = (BatteryStatus.AT_OUTLET, BatteryStatus.IN_TRANSIT, BatteryStatus.AT_FACILITY)
    totals = (
        visible_batteries(actor)
        .filter(custodian_id=partner_id, status__in=held)
        .aggregate(
            at_outlet=Count("pk", filter=Q(status=BatteryStatus.AT_OUTLET)),
            in_transit=Count("pk", filter=Q(status=BatteryStatus.IN_TRANSIT)),
            at_facility=Count("pk", filter=Q(status=BatteryStatus.AT_FACILITY)),
            weight_kg=Sum("weight_kg"),
            hazards=Count("pk", filter=~Q(hazard="")),
        )
    )
    return HeldBatteries(**{**totals, "weight_kg": totals["weight_kg"] or Decimal("0")})


def _obligations(actor: Actor, partner_id: int) -> ObligationSummary:
    today = timezone.localdate()
    pending = Q(status=ObligationStatus.PENDING)
    # Pending past the due date counts as overdue before the nightly job marks it.
    overdue = Q(status=ObligationStatus.OVERDUE) | (pending & Q(due_on__lt=today))
    totals = (
        visible_obligations(actor)
        .filter(obligated_id=partner_id)
        .aggregate(
            pending=Count("pk", filter=pending & Q(due_on__gte=today)),
            due_soon=Count(
                "pk", filter=pending & Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(DUE_SOON_DAYS))
            ),
            overdue=Count("pk", filter=overdue),
            next_due_on=Min("due_on", filter=pending & Q(due_on__gte=today)),
        )
    )
    return ObligationSummary(**totals)


def partner_summary(actor: Actor) -> PartnerSummary:
    partner_id = actor.partner_id
    partner = visible_partners(actor).get(pk=partner_id)
    own_outlets = visible_outlets(actor).filter(operator_id=partner_id)
    transit = (
        visible_consignments(actor)
        .filter(status=ConsignmentStatus.IN_TRANSIT)
        .aggregate(
            out=Count("pk", filter=Q(from_partner_id=partner_id)), into=Count("pk", filter=Q(to_partner_id=partner_id))
        )
    )
    return PartnerSummary(
        partner=partner,
        outlets=list(
            own_outlets.exclude(status=OutletStatus.CLOSED)
            .select_related("prefecture__parent")
            .order_by("status", "code", "pk")[:PARTNER_OUTLETS_SHOWN]
        ),
        outlet_counts=_by_status(_status_counts(own_outlets), OutletStatus),
        held=_held_batteries(actor, partner_id),
        consignments_out=transit["out"],
        consignments_in=transit["into"],
        obligations=_obligations(actor, partner_id),
    )


# --- outlet staff ----------------------------------------------------------------------


@dataclass
class OutletCard:
    outlet: Outlet
    #: Stock is the operator's to see (DESIGN §4); staff at an outlet shared with their
    #: partner see capacity but not what others store there.
    shows_stock: bool
    hazards: int = 0
    incoming: int = 0
    outgoing: int = 0
    #: Uploads to the national platform that events at this outlet created.
    obligations_due_soon: int = 0
    obligations_overdue: int = 0
    due_soon_days: int = DUE_SOON_DAYS


@dataclass
class OutletStaffDashboard:
    cards: list[OutletCard] = field(default_factory=list)
    #: Consignments to the partner that name no outlet: any assigned outlet may receive them.
    unaddressed_incoming: int = 0


def outlet_staff_dashboard(actor: Actor) -> OutletStaffDashboard:
    assigned = actor.assigned_outlet_ids or frozenset()
    # The partner's hazardous batteries at each outlet, counted in the outlets' query.
    hazards = (
        visible_batteries(actor)
        .filter(outlet_id=OuterRef("pk"), custodian_id=actor.partner_id, status=BatteryStatus.AT_OUTLET)
        .exclude(hazard="")
        .order_by()
        .values("outlet_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    outlets = list(
        visible_outlets(actor)
        .filter(pk__in=assigned)
        .annotate(hazard_count=Coalesce(Subquery(hazards), 0))
        .select_related("prefecture__parent")
        .order_by("code", "pk")
    )
    if not outlets:
        return OutletStaffDashboard()
    cards = {
        o.pk: OutletCard(outlet=o, shows_stock=sees_private_fields(actor, o), hazards=o.hazard_count) for o in outlets
    }
    dashboard = OutletStaffDashboard(cards=list(cards.values()))
    transit = (
        visible_consignments(actor)
        .filter(status=ConsignmentStatus.IN_TRANSIT)
        .order_by()
        .values_list("from_outlet_id", "to_outlet_id", "to_partner_id")
        .annotate(n=Count("pk"))
    )
    for from_outlet, to_outlet, to_partner, n in transit:
        if from_outlet in cards:
            cards[from_outlet].outgoing += n
        if to_outlet in cards:
            cards[to_outlet].incoming += n
        elif to_outlet is None and to_partner == actor.partner_id:
            dashboard.unaddressed_incoming += n
    today = timezone.localdate()
    pending = Q(status=ObligationStatus.PENDING)
    obligations = (
        visible_obligations(actor)
        .filter(event__outlet_id__in=cards, status__in=(ObligationStatus.PENDING, ObligationStatus.OVERDUE))
        .order_by()
        .values_list("event__outlet_id")
        .annotate(
            due_soon=Count(
                "pk", filter=pending & Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(DUE_SOON_DAYS))
            ),
            overdue=Count("pk", filter=Q(status=ObligationStatus.OVERDUE) | (pending & Q(due_on__lt=today))),
        )
    )
    for outlet_id, due_soon, overdue in obligations:
        cards[outlet_id].obligations_due_soon = due_soon
        cards[outlet_id].obligations_overdue = overdue
    return dashboard
