"""Every read of reports a user or partner can reach; each takes the actor."""

from __future__ import annotations

from django.db.models import QuerySet

from partners.models import Partner, PartnerKind
from recycling_network.errors import NotFound
from recycling_network.tenancy import Actor
from reports.models import Report, SalesFootprint


def visible_reports(actor: Actor) -> QuerySet[Report]:
    """Every report for the data center; a partner's admins and keys see the reports their
    partner requested (DESIGN §4). Outlet staff see none: a report covers the whole
    network, beyond the outlets they are assigned to."""
    reports = Report.objects.all()
    if actor.is_datacenter:
        return reports
    if actor.is_partner and actor.is_partner_admin:
        return reports.filter(requester_partner_id=actor.partner_id, audience__contains=[actor.partner_id])
    return reports.none()


def get_report(actor: Actor, report_id: int | str) -> Report:
    """A report by id; another partner's report and a missing one are both 404."""
    key = str(report_id).strip()
    report = visible_reports(actor).filter(pk=int(key)).first() if key.isdigit() and len(key) < 19 else None
    if report is None:
        raise NotFound()
    return report


def visible_sales_footprints(actor: Actor) -> QuerySet[SalesFootprint]:
    """An automaker's own footprint (its admins and keys); all for the data center."""
    footprints = SalesFootprint.objects.all()
    if actor.is_datacenter:
        return footprints
    if actor.is_partner and actor.is_partner_admin:
        return footprints.filter(partner_id=actor.partner_id)
    return footprints.none()


def may_keep_sales_footprint(actor: Actor) -> bool:
    """The data center, or an automaker's admins (only automakers have sales to place
    outlets for)."""
    if actor.is_datacenter:
        return True
    if not (actor.is_partner and actor.is_partner_admin):
        return False
    kinds = Partner.objects.filter(pk=actor.partner_id).values_list("kinds", flat=True).first()
    return PartnerKind.AUTOMAKER in (kinds or ())
