"""Uploads to the national platform: acknowledgements and overdue marking."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from batteries.models import Obligation, ObligationStatus
from batteries.selectors import visible_obligations
from recycling_network.authz import require_write
from recycling_network.errors import Conflict, Forbidden, InvalidInput, NotFound
from recycling_network.i18n import lazy_format
from recycling_network.tenancy import Actor

MAX_ITEMS = 1000


@transaction.atomic
def obligations_acknowledge(*, actor: Actor, items: Sequence[dict[str, Any]]) -> list[Obligation]:
    """The obligated partner records uploads in bulk with the national platform's receipt
    numbers; all or nothing."""
    require_write(actor)
    if not actor.is_partner:
        raise Forbidden(_("Only the obligated partner acknowledges its uploads."), code="partner_only")
    if not items or len(items) > MAX_ITEMS:
        raise InvalidInput(
            lazy_format(_("Acknowledge from 1 to %(count)s obligations at a time."), count=MAX_ITEMS),
            code="items_invalid",
            errors={"items": [_("Invalid.")]},
        )
    wanted: dict[int, str] = {}
    for index, item in enumerate(items):
        try:
            obligation_id = int(item.get("id"))
        except (TypeError, ValueError):
            obligation_id = 0
        receipt = str(item.get("receipt_number") or "").strip()
        if obligation_id <= 0 or not receipt or len(receipt) > 64:
            raise InvalidInput(
                _("Each item needs an obligation id and a receipt number of at most 64 characters."),
                code="items_invalid",
                errors={f"items[{index}]": [_("Invalid.")]},
            )
        wanted[obligation_id] = receipt
    own = visible_obligations(actor).filter(obligated_id=actor.partner_id)
    obligations = list(own.select_for_update().filter(pk__in=wanted).order_by("pk"))
    found = {o.pk for o in obligations}
    missing = [index for index, item in enumerate(items) if int(item["id"]) not in found]
    if missing:
        # Positions, not ids: another partner's obligation and a missing one look the same.
        raise NotFound(
            _("Some obligations are unknown or not owed by you."),
            errors={f"items[{index}].id": [_("Unknown.")] for index in missing[:100]},
        )
    closed = [o.pk for o in obligations if o.status not in (ObligationStatus.PENDING, ObligationStatus.OVERDUE)]
    if closed:
        raise Conflict(
            lazy_format(_("Already reported or not assigned: %(ids)s"), ids=", ".join(map(str, closed[:20]))),
            code="obligation_not_open",
            errors={"items": closed[:100]},
        )
    now = timezone.now()
    for obligation in obligations:
        obligation.status = ObligationStatus.REPORTED
        obligation.receipt_number = wanted[obligation.pk]
        obligation.reported_at = now
        obligation.reported_by_id = actor.user_id
        obligation.save(update_fields=["status", "receipt_number", "reported_at", "reported_by"])
    return obligations


def obligations_mark_overdue() -> int:
    """Nightly (beat): pending obligations past their due date become overdue."""
    return Obligation.objects.filter(status=ObligationStatus.PENDING, due_on__lt=timezone.localdate()).update(
        status=ObligationStatus.OVERDUE
    )
