"""Build test state through the real services, each call in the acting party's context."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

from outlets import services as outlet_services
from outlets.models import Outlet, OutletKind, OutletStatus
from partners import services as partner_services
from partners.models import CodeClaim, Partner, User, UserRole
from partners.validators import CREDIT_CODE_CHARSET, credit_code_check_character, organization_code_check_character
from recycling_network.errors import DomainError
from recycling_network.tenancy import SYSTEM, Actor, ActorRole, actor_for_user, run_as

T = TypeVar("T")
_counter = itertools.count(1)

DATACENTER = Actor(role=ActorRole.DATACENTER_ADMIN, label="dc-test")

# Prefecture centroids used by default (Beijing, Shanghai, Shenzhen, Wuhan).
PLACES = {
    "110100": (Decimal("116.407394"), Decimal("39.904211")),
    "310100": (Decimal("121.473701"), Decimal("31.230416")),
    "440300": (Decimal("114.057868"), Decimal("22.543099")),
    "420100": (Decimal("114.305393"), Decimal("30.593099")),
}


def call(actor: Actor, service: Callable[..., T], /, **kwargs: Any) -> T:
    """Call ``service`` as ``actor``, in the actor's database context, as a view would:
    an error rolls the transaction back unless it says its writes are kept."""
    with run_as(actor):
        try:
            return service(actor=actor, **kwargs)
        except DomainError as error:
            if not error.commits:
                raise
            kept = error
    raise kept


def credit_code(seed: int | None = None) -> str:
    """A valid unified social credit code (GB 32100 and GB 11714 check characters)."""
    rng = random.Random(seed if seed is not None else next(_counter) * 7919)
    body_chars = [c for c in CREDIT_CODE_CHARSET if c != "X"]
    organization = "".join(rng.choice(body_chars) for _ in range(8))
    first17 = (
        "91" + f"{rng.randint(110000, 659999):06d}" + organization + organization_code_check_character(organization)
    )
    return first17 + credit_code_check_character(first17)


def make_partner(*, kinds: Iterable[str] = ("outlet_operator",), name: str | None = None) -> Partner:
    n = next(_counter)
    return call(
        DATACENTER,
        partner_services.partner_create,
        name=name or f"测试企业{n}",
        name_en=f"Test Partner {n}",
        credit_code=credit_code(n),
        kinds=list(kinds),
        contacts=[{"name": f"联系人{n}", "phone": "010-12345678", "email": f"contact{n}@example.com"}],
    )


def make_user(partner: Partner | None, role: str = UserRole.PARTNER_ADMIN, *, password: str = "s3cret-pass!") -> User:
    n = next(_counter)
    return call(
        DATACENTER,
        partner_services.user_create,
        partner=partner,
        username=f"user{n}",
        email=f"user{n}@example.com",
        role=role if partner is not None else UserRole.DATACENTER_ADMIN,
        password=password,
    )


def admin_of(partner: Partner) -> Actor:
    """An actor for a fresh partner admin of ``partner``."""
    return actor_for_user(make_user(partner, UserRole.PARTNER_ADMIN))


def claim_code(partner: Partner, kind: str, code: str, *, approve: bool = True) -> CodeClaim:
    claim = call(DATACENTER, partner_services.code_claim_submit, partner=partner, kind=kind, code=code)
    if approve:
        claim = call(DATACENTER, partner_services.code_claim_approve, claim=claim)
    return claim


def make_outlet(
    operator: Partner,
    *,
    status: str = OutletStatus.APPROVED,
    kind: str = OutletKind.COLLECTION,
    prefecture: str = "110100",
    capacity_kg: Decimal | int = 5000,
    storage_area_m2: Decimal | int = 50,
    name: str | None = None,
) -> Outlet:
    """An outlet taken through the lifecycle services up to ``status``."""
    operator_actor = Actor(role=ActorRole.PARTNER_KEY, partner_id=operator.pk, label=f"key-of-{operator.pk}")
    lon, lat = PLACES.get(prefecture, PLACES["110100"])
    outlet = call(
        operator_actor,
        outlet_services.outlet_create,
        operator=operator,
        name=name or f"网点{next(_counter)}",
        kind=kind,
        prefecture=prefecture,
        address="测试路1号",
        longitude=lon,
        latitude=lat,
        storage_area_m2=storage_area_m2,
        capacity_kg=capacity_kg,
        opening_hours="09:00-17:00",
        contacts=[{"name": "张三", "phone": "13800000000"}],
    ).outlet
    path = {
        OutletStatus.DRAFT: [],
        OutletStatus.SUBMITTED: ["submit"],
        OutletStatus.APPROVED: ["submit", "approve"],
        OutletStatus.REJECTED: ["submit", "reject"],
        OutletStatus.SUSPENDED: ["submit", "approve", "suspend"],
        OutletStatus.CLOSED: ["submit", "approve", "close"],
    }[status]
    for step in path:
        if step == "submit":
            outlet = call(operator_actor, outlet_services.outlet_submit, outlet=outlet)
        elif step == "approve":
            outlet = call(DATACENTER, outlet_services.outlet_approve, outlet=outlet)
        elif step == "reject":
            outlet = call(DATACENTER, outlet_services.outlet_reject, outlet=outlet, reason="不符合要求")
        elif step == "suspend":
            outlet = call(DATACENTER, outlet_services.outlet_suspend, outlet=outlet, reason="整改")
        elif step == "close":
            outlet = call(DATACENTER, outlet_services.outlet_close, outlet=outlet, reason="停业")
    return outlet


def partner_key_actor(partner: Partner, scopes: Iterable[str] = ("read", "write")) -> Actor:
    """An actor standing for one of the partner's API keys (no key row needed)."""
    return Actor(
        role=ActorRole.PARTNER_KEY, partner_id=partner.pk, scopes=frozenset(scopes), label=f"key-of-{partner.pk}"
    )


def system_rows(model: type, **filters: Any) -> list:
    """Rows as the system sees them (to show foreign rows exist before an isolation check)."""
    with run_as(SYSTEM):
        return list(model.objects.filter(**filters))


# --- batteries ---------------------------------------------------------------------

_serial = itertools.count(1)


def battery_code(
    manufacturer: str = "001", *, product: str = "P", chemistry: str = "B", serial: int | None = None
) -> str:
    """A valid 24-character GB/T 34014 code (year F = 2025, March 1)."""
    number = serial if serial is not None else next(_serial)
    return f"{manufacturer}{product}{chemistry}A1TRACE01F31{number:07d}"


def recode(manufacturer: str, *, serial: int | None = None) -> str:
    """A valid 19-character cascade-use re-code."""
    number = serial if serial is not None else next(_serial)
    return f"{manufacturer}MBA1F31{number:07d}RM"


def staff_of(partner: Partner, *outlets: Outlet) -> Actor:
    """An outlet-staff actor of ``partner`` assigned to ``outlets``."""
    user = make_user(partner, UserRole.OUTLET_STAFF)
    call(DATACENTER, outlet_services.staff_assign_outlets, user=user, outlets=list(outlets))
    return actor_for_user(user)


def receive(actor: Actor, outlet: Outlet, code: str | None = None, *, weight_kg: Any = "300", **kwargs: Any):
    from batteries.services import battery_receive

    return call(actor, battery_receive, outlet=outlet, code=code or battery_code(), weight_kg=weight_kg, **kwargs)
