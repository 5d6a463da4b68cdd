"""Browser pages of the outlets app (DESIGN §9): a partner's applications, change requests
and sharing, its network, the data center's queue and decisions, the public directory."""

from outlets.views.applications import (
    change_request,
    map_preview,
    my_outlets,
    outlet_close,
    outlet_copy,
    outlet_detail,
    outlet_edit,
    outlet_new,
    outlet_submit,
)
from outlets.views.directory import directory, directory_outlet
from outlets.views.review import decide, decide_change, queue, review
from outlets.views.sharing import network, revoke, sharing

__all__ = [
    "change_request",
    "decide",
    "decide_change",
    "directory",
    "directory_outlet",
    "map_preview",
    "my_outlets",
    "network",
    "outlet_close",
    "outlet_copy",
    "outlet_detail",
    "outlet_edit",
    "outlet_new",
    "outlet_submit",
    "queue",
    "review",
    "revoke",
    "sharing",
]
