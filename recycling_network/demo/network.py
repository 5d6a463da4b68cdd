"""The demo network: data-center admins, partners and their code claims, users, outlets
taken through their lifecycle, sharing authorisations and outlet staff.

Each piece is found by its natural key first (user name, credit code, claimed code,
outlet name and operator, grant) and created through its service only when missing, so
running the seeder again changes nothing and a run interrupted halfway is completed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from outlets import services as outlet_services
from outlets.models import Division, Outlet, OutletStatus, SharingGrant, StaffAssignment
from partners import services as partner_services
from partners.models import ClaimStatus, CodeClaim, CodeKind, Partner, User, UserRole
from partners.validators import CREDIT_CODE_CHARSET, credit_code_check_character, organization_code_check_character
from recycling_network.demo import data
from recycling_network.demo.calls import SeedError, call
from recycling_network.demo.runtime import in_threads
from recycling_network.tenancy import SYSTEM, Actor, ActorRole, actor_for_user, run_as

Log = Callable[[str], None]

# Who acts before the first data-center admin exists (it creates that admin).
BOOTSTRAP = Actor(role=ActorRole.DATACENTER_ADMIN, label="seed_demo")
LIFECYCLE = ("draft", "submitted", "approved", "suspended")
SUSPENSION_REASON = "消防设施年度检测未通过，整改完成前暂停接收退役电池。"


@dataclass
class Network:
    """What the battery history needs: who acts, and where."""

    datacenter: Actor
    partners: dict[str, Partner] = field(default_factory=dict)
    admins: dict[str, Actor] = field(default_factory=dict)
    staff: dict[str, Actor] = field(default_factory=dict)  # by outlet key
    outlets: dict[str, Outlet] = field(default_factory=dict)  # by outlet key

    def actor_at(self, outlet_key: str) -> Actor:
        """Who works at an outlet: its assigned staff member, else the operator's admin."""
        return self.staff.get(outlet_key) or self.admins[data.OUTLETS_BY_KEY[outlet_key].operator]


def credit_code(spec: data.PartnerSpec) -> str:
    """A valid unified social credit code (GB 32100, with a GB 11714 organisation code),
    the same for a partner on every run: "91" (an enterprise), the registration
    division, "MA" (codes issued since 2015) and six characters drawn from the name."""
    rng = random.Random(f"credit-code:{spec.short}")
    body = [c for c in CREDIT_CODE_CHARSET if c != "X"]
    organization = "MA" + "".join(rng.choice(body) for _ in range(6))
    first17 = "91" + spec.division + organization + organization_code_check_character(organization)
    return first17 + credit_code_check_character(first17)


def person(rng: random.Random) -> str:
    return rng.choice(data.SURNAMES) + rng.choice(data.GIVEN_NAMES)


def mobile(rng: random.Random) -> str:
    return rng.choice(("138", "139", "136", "159", "186", "177")) + f"{rng.randrange(10**8):08d}"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def ensure_user(
    actor: Actor, *, username: str, role: str, partner: Partner | None, display_name: str, email: str
) -> tuple[User, bool]:
    existing = _user(username)
    if existing is not None:
        return existing, False
    user = call(
        actor,
        partner_services.user_create,
        partner=partner,
        username=username,
        email=email,
        role=role,
        display_name=display_name,
        password=data.DEMO_PASSWORD,
    )
    return user, True


def ensure_datacenter_admin(username: str, display_name: str, acting: Actor) -> tuple[User, bool]:
    return ensure_user(
        acting,
        username=username,
        role=UserRole.DATACENTER_ADMIN,
        partner=None,
        display_name=display_name,
        email=f"{username}@datacenter.{data.EMAIL_DOMAIN}",
    )


def ensure_partner(spec: data.PartnerSpec, dc: Actor) -> tuple[Partner, bool]:
    code = credit_code(spec)
    existing = Partner.objects.filter(credit_code=code).first()
    if existing is not None:
        return existing, False
    name, title, phone = spec.contact
    partner = call(
        dc,
        partner_services.partner_create,
        name=spec.name,
        name_en=spec.name_en,
        credit_code=code,
        kinds=list(spec.kinds),
        demonstration_unit=spec.demonstration_agreed_on is not None,
        demonstration_agreed_on=spec.demonstration_agreed_on,
        contacts=[{"name": name, "title": title, "phone": phone, "email": f"contact@{spec.email_domain}"}],
    )
    return partner, True


def ensure_claims(spec: data.PartnerSpec, partner: Partner, admin: Actor, dc: Actor) -> int:
    """The partner claims its codes; the data center approves all but the pending ones.
    Approval schedules the audience backfill (run in-process by ``quiet_side_effects``)."""
    wanted = [(CodeKind.WMI, c, True) for c in spec.wmi]
    wanted += [(CodeKind.MANUFACTURER, c, True) for c in spec.manufacturer_codes]
    wanted += [(CodeKind.MANUFACTURER, c, False) for c in spec.pending_codes]
    changed = 0
    for kind, code, approve in wanted:
        with run_as(SYSTEM):
            claim = CodeClaim.objects.filter(kind=kind, code=code).exclude(status=ClaimStatus.REJECTED).first()
        if claim is None:
            claim = call(admin, partner_services.code_claim_submit, partner=partner, kind=kind, code=code)
            changed += 1
        if claim.partner_id != partner.pk:
            raise SeedError(f"code {code} is claimed by another partner; seed a fresh database")
        if approve and claim.status == ClaimStatus.PENDING:
            call(dc, partner_services.code_claim_approve, claim=claim)
            changed += 1
    return changed


def outlet_fields(spec: data.OutletSpec, partner: data.PartnerSpec, centroid: Division) -> dict:
    """Name, address, location, size, hours and contact of an outlet, the same on every run."""
    rng = random.Random(f"outlet:{spec.key}")
    city = data.CITIES[spec.adcode]
    if spec.kind == data.CENTRALIZED:
        name = f"{partner.brand}{city.name}{spec.label}集中贮存中心"
    else:
        store = "4S店" if "automaker" in partner.kinds else ""
        name = f"{partner.brand}{city.name}{spec.label}{store}回收服务网点"
    area, capacity = data.outlet_size(spec)
    # A few kilometres around the prefecture's centroid: far inside the 300 km warning.
    lon = Decimal(centroid.longitude) + Decimal(f"{rng.uniform(-0.12, 0.12):.6f}")
    lat = Decimal(centroid.latitude) + Decimal(f"{rng.uniform(-0.09, 0.09):.6f}")
    address = (
        f"{city.address_prefix}{spec.district}{rng.choice(data.ROADS)}{rng.randrange(1, 300)}号"
        f"{rng.choice(data.ADDRESS_DETAILS)}"
    )
    return {
        "name": name,
        "kind": spec.kind,
        "prefecture": spec.adcode,
        "address": address,
        "longitude": lon,
        "latitude": lat,
        "storage_area_m2": Decimal(area),
        "capacity_kg": Decimal(capacity),
        "opening_hours": rng.choice(data.OPENING_HOURS),
        "contacts": [{"name": person(rng), "phone": mobile(rng), "email": f"outlet@{partner.email_domain}"}],
    }


def ensure_outlet(spec: data.OutletSpec, net: Network) -> tuple[Outlet, int]:
    """Find the outlet by operator and name, or draft it; then take it along the
    lifecycle to the status the demo wants (create -> submit -> approve -> suspend)."""
    partner_spec = data.PARTNERS_BY_SHORT[spec.operator]
    operator = net.partners[spec.operator]
    admin = net.admins[spec.operator]
    with run_as(SYSTEM):
        fields = outlet_fields(spec, partner_spec, Division.objects.get(adcode=spec.adcode))
        outlet = Outlet.objects.filter(operator=operator, name=fields["name"]).first()
    steps = 0
    if outlet is None:
        outlet = call(admin, outlet_services.outlet_create, operator=operator, **fields).outlet
        steps += 1
    if outlet.status not in LIFECYCLE:
        raise SeedError(f"outlet {outlet.name} is {outlet.status}; seed a fresh database")
    target = LIFECYCLE.index(spec.status)
    while LIFECYCLE.index(outlet.status) < target:
        if outlet.status == OutletStatus.DRAFT:
            outlet = call(admin, outlet_services.outlet_submit, outlet=outlet)
        elif outlet.status == OutletStatus.SUBMITTED:
            outlet = call(net.datacenter, outlet_services.outlet_approve, outlet=outlet)
        else:
            outlet = call(net.datacenter, outlet_services.outlet_suspend, outlet=outlet, reason=SUSPENSION_REASON)
        steps += 1
    return outlet, steps


def ensure_grants(spec: data.OutletSpec, net: Network) -> int:
    outlet = net.outlets[spec.key]
    made = 0
    for grantee in spec.shared_with:
        partner = net.partners[grantee]
        with run_as(SYSTEM):
            exists = SharingGrant.objects.filter(outlet=outlet, grantee=partner, revoked_at__isnull=True).exists()
        if not exists:
            call(
                net.admins[spec.operator],
                outlet_services.sharing_grant,
                outlet=outlet,
                grantee=partner,
                note="共建共享合作协议",
            )
            made += 1
    return made


def ensure_staff(spec: data.StaffSpec, net: Network) -> int:
    partner = net.partners[spec.partner]
    admin = net.admins[spec.partner]
    user, created = ensure_user(
        admin,
        username=spec.username,
        role=UserRole.OUTLET_STAFF,
        partner=partner,
        display_name=spec.display_name,
        email=f"{spec.username}@{data.PARTNERS_BY_SHORT[spec.partner].email_domain}",
    )
    outlet = net.outlets[spec.outlet]
    assigned = set(StaffAssignment.objects.filter(user=user).values_list("outlet_id", flat=True))
    if assigned != {outlet.pk}:
        call(admin, outlet_services.staff_assign_outlets, user=user, outlets=[outlet])
        created = True
    net.staff[spec.outlet] = actor_for_user(user)
    return int(created)


def _ensure_admin(spec: data.PartnerSpec, net: Network) -> tuple[User, bool]:
    return ensure_user(
        net.datacenter,
        username=spec.admin_username,
        role=UserRole.PARTNER_ADMIN,
        partner=net.partners[spec.short],
        display_name=spec.contact[0],
        email=f"admin@{spec.email_domain}",
    )


def build_network(log: Log) -> Network:
    started = time.monotonic()
    first, display_name = data.DATACENTER_ADMINS[0]
    dc_user, created = ensure_datacenter_admin(first, display_name, BOOTSTRAP)
    net = Network(datacenter=actor_for_user(dc_user))
    changes = int(created)
    for spec in data.PARTNERS:
        net.partners[spec.short], made = ensure_partner(spec, net.datacenter)
        changes += made
    # Users are created two at a time: most of their cost is hashing the password.
    admins = in_threads(lambda spec: _ensure_admin(spec, net), data.PARTNERS)
    for spec, (admin, made) in zip(data.PARTNERS, admins, strict=True):
        net.admins[spec.short] = actor_for_user(admin)
        changes += made + ensure_claims(spec, net.partners[spec.short], net.admins[spec.short], net.datacenter)
    log(f"partners: {len(net.partners)} with their admins and code claims ({time.monotonic() - started:.0f} s)")
    for spec in data.OUTLETS:
        net.outlets[spec.key], steps = ensure_outlet(spec, net)
        changes += steps
    changes += sum(ensure_grants(spec, net) for spec in data.OUTLETS)
    changes += sum(in_threads(lambda spec: ensure_staff(spec, net), data.STAFF))
    approved = sum(1 for o in net.outlets.values() if o.status == OutletStatus.APPROVED)
    log(
        f"outlets: {len(net.outlets)} ({approved} approved), staff: {len(net.staff)}; {changes} changes"
        f" ({time.monotonic() - started:.0f} s)"
    )
    return net


def finish_network(net: Network) -> None:
    """The second data-center admin comes last: its existence marks a completed seed
    (``--if-needed``)."""
    username, display_name = data.DATACENTER_ADMINS[-1]
    ensure_datacenter_admin(username, display_name, net.datacenter)


def seed_complete() -> bool:
    return User.objects.filter(username=data.DATACENTER_ADMINS[-1][0]).exists()
