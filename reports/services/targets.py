"""The network's yearly targets of new outlets (the growth figures of the report)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from outlets.models import Region
from partners.services.audit import audit_record
from recycling_network.authz import require_datacenter
from recycling_network.errors import InvalidInput
from recycling_network.tenancy import Actor
from reports.models import YearlyTarget

MAX_TARGET = 100_000


@transaction.atomic
def yearly_target_set(*, actor: Actor, year: int, new_outlets: int, region: Region | str | None = None) -> YearlyTarget:
    """Set the national target of a year (no region) or a region's; the data center only."""
    require_datacenter(actor)
    errors: dict[str, Any] = {}
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = [_("The year must be from 2000 to 2100.")]
    if not isinstance(new_outlets, int) or isinstance(new_outlets, bool) or not 0 <= new_outlets <= MAX_TARGET:
        errors["new_outlets"] = [_("Enter a whole number, zero or more.")]
    code = region.code if isinstance(region, Region) else region
    if code is not None and not Region.objects.filter(code=code).exists():
        errors["region"] = [_("Unknown region.")]
    if errors:
        raise InvalidInput(_("The target is not valid."), code="target_invalid", errors=errors)
    before = YearlyTarget.objects.filter(year=year, region_id=code).values("new_outlets").first()
    target, _created = YearlyTarget.objects.update_or_create(
        year=year, region_id=code, defaults={"new_outlets": new_outlets}
    )
    audit_record(
        actor=actor,
        action="yearly_target.set",
        target=target,
        before=before,
        after={"year": year, "region": code, "new_outlets": new_outlets},
    )
    return target
