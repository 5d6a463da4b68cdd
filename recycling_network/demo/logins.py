"""The demo sign-ins, printed at the end of every seed (and by ``--if-needed``)."""

from __future__ import annotations

from dataclasses import dataclass

from outlets.models import Outlet, StaffAssignment
from partners.models import User
from recycling_network.demo import data
from recycling_network.tenancy import SYSTEM, run_as


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    sees: str


# The sign-ins worth trying first: one of each role and kind of partner.
FEATURED = (
    ("data-center admin", "dc_admin", "everything: approval queues, review cases, audit log, national coverage"),
    ("data-center admin", "dc_reviewer", "the same, as a second reviewer"),
    (
        "partner admin: outlet operator",
        "admin_lvxun",
        "the largest operator: its outlets, their stock and consignments, sharing with automakers",
    ),
    (
        "partner admin: automaker + operator",
        "admin_huayue",
        "batteries of its vehicles (WMI LRN) wherever they are, its 4S outlets, obligations",
    ),
    (
        "partner admin: automaker",
        "admin_dingze",
        "batteries of its vehicles (WMI LDZ), shared outlets, overdue uploads",
    ),
    ("partner admin: battery maker", "admin_hengli", "batteries coded 0A1 and their history"),
    ("partner admin: cascade user", "admin_chuguang", "batteries at its facility, its re-codes (C7R)"),
    ("partner admin: recycler", "admin_hongyuan", "consignments received, batteries recycled"),
)


def demo_logins() -> list[Login]:
    """The featured sign-ins that exist, then every outlet-staff sign-in with its outlet."""
    usernames = [username for _role, username, _sees in FEATURED] + [s.username for s in data.STAFF]
    present = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    logins = [Login(role, username, sees) for role, username, sees in FEATURED if username in present]
    with run_as(SYSTEM):
        outlets = dict(
            StaffAssignment.objects.filter(user__username__in=present).values_list("user__username", "outlet_id")
        )
        names = dict(Outlet.objects.filter(pk__in=outlets.values()).values_list("pk", "name"))
    for staff in data.STAFF:
        if staff.username in present and staff.username in outlets:
            logins.append(
                Login("outlet staff", staff.username, f"{names[outlets[staff.username]]}: intake, stock, dispatch")
            )
    return logins


def format_logins(logins: list[Login]) -> str:
    """A plain table; the last column may hold Chinese, so it is not padded."""
    role_width = max([len("role")] + [len(login.role) for login in logins])
    user_width = max([len("username")] + [len(login.username) for login in logins])
    password_width = max(len("password"), len(data.DEMO_PASSWORD))
    lines = [
        f"{'role':<{role_width}}  {'username':<{user_width}}  {'password':<{password_width}}  what they see",
        f"{'-' * role_width}  {'-' * user_width}  {'-' * password_width}  {'-' * 13}",
    ]
    lines += [
        f"{login.role:<{role_width}}  {login.username:<{user_width}}  {data.DEMO_PASSWORD:<{password_width}}  {login.sees}"
        for login in logins
    ]
    others = ", ".join(spec.admin_username for spec in data.PARTNERS)
    lines.append(f"Every partner has an admin with the same password: {others}.")
    return "\n".join(lines)
