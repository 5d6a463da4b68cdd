"""Domain errors of the traceability core; ``code`` values are part of the API contract."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from recycling_network.errors import Conflict, Forbidden
from recycling_network.i18n import lazy_format


class BatteryAlreadyReceived(Conflict):
    code = "battery_already_received"
    default_message = _("Your organisation already holds this battery.")


class BatteryInCustody(Conflict):
    """Another partner holds the code. The holder is never named; a review case is opened
    and kept even though the request fails."""

    code = "battery_in_custody"
    default_message = _("This battery is held by another partner. A review case has been opened for the data center.")
    commits = True


class OutletOverCapacity(Conflict):
    code = "outlet_over_capacity"

    def __init__(self, *, excess_kg: Decimal, capacity_kg: Decimal, stock_kg: Decimal) -> None:
        super().__init__(
            lazy_format(
                _(
                    "This would exceed the outlet's capacity of %(capacity)s kg by %(excess)s kg (stock now %(stock)s kg)."
                ),
                capacity=capacity_kg,
                excess=excess_kg,
                stock=stock_kg,
            ),
            extra={"excess_kg": str(excess_kg), "capacity_kg": str(capacity_kg), "stock_kg": str(stock_kg)},
        )


class BatteryStatusConflict(Conflict):
    """The custodian asks for a step the battery's state does not allow (inspecting it while
    it travels, recycling it at an outlet): the state, not the caller, is wrong."""

    code = "battery_status_conflict"
    default_message = _("Not possible in the battery's current state.")


class OutletNotApproved(Conflict):
    code = "outlet_not_approved"
    default_message = _("Only an approved outlet can receive batteries.")


class NotCustodian(Forbidden):
    code = "not_custodian"
    default_message = _("Only the current custodian may do this.")
