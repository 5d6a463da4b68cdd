"""Every state change of the outlets app."""

from outlets.services.change_requests import (
    outlet_change_request_approve,
    outlet_change_request_reject,
    outlet_change_request_submit,
)
from outlets.services.lifecycle import (
    OutletResult,
    outlet_approve,
    outlet_close,
    outlet_copy_rejected,
    outlet_create,
    outlet_reject,
    outlet_reopen,
    outlet_request_changes,
    outlet_submit,
    outlet_suspend,
    outlet_update,
)
from outlets.services.sharing import sharing_grant, sharing_revoke
from outlets.services.staff import staff_assign_outlets

__all__ = [
    "OutletResult",
    "outlet_approve",
    "outlet_change_request_approve",
    "outlet_change_request_reject",
    "outlet_change_request_submit",
    "outlet_close",
    "outlet_copy_rejected",
    "outlet_create",
    "outlet_reject",
    "outlet_reopen",
    "outlet_request_changes",
    "outlet_submit",
    "outlet_suspend",
    "outlet_update",
    "sharing_grant",
    "sharing_revoke",
    "staff_assign_outlets",
]
