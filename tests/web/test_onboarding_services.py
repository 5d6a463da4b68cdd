"""Partner and code-claim transitions, allowed and forbidden (DESIGN §4: only the data
center approves partners and codes), the application with its claims, the first admin,
and what a suspension switches off."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from partners import services
from partners.models import AuditEntry, ClaimStatus, CodeClaim, OutboxEmail, Partner, PartnerStatus, User, UserRole
from recycling_network.errors import Conflict, DomainError, Forbidden, InvalidInput
from recycling_network.tenancy import ANONYMOUS, SYSTEM, Actor, actor_for_user, run_as
from tests.builders import (
    DATACENTER,
    admin_of,
    battery_code,
    call,
    credit_code,
    make_outlet,
    make_partner,
    make_user,
    staff_of,
)

PASSWORD = "Corr3ct-horse-battery!"
_applicants = itertools.count(1)


def apply(
    name: str = "申请企业", *, kinds: tuple[str, ...] = ("battery_maker",), email: str | None = None, **kwargs: Any
) -> Partner:
    """An application sent from the public form (nobody signed in)."""
    values: dict[str, Any] = {
        "name": name,
        "name_en": "Applicant Ltd",
        "credit_code": credit_code(),
        "kinds": list(kinds),
        "contacts": [
            {
                "name": "王经理",
                "title": "总经理",
                "phone": "13900000000",
                "email": email or f"boss{next(_applicants)}@example.com",
            },
            {"name": "李工", "phone": "13900000001"},
        ],
        **kwargs,
    }
    return call(ANONYMOUS, services.partner_apply_with_claims, **values)


def partner_in(status: str) -> Partner:
    """A partner in ``status``, taken there through the services."""
    if status == PartnerStatus.APPLIED:
        return apply(f"申请企业{next(_applicants)}")
    if status == PartnerStatus.REJECTED:
        return call(DATACENTER, services.partner_reject, partner=partner_in("applied"), reason="资料不全")
    partner = make_partner(kinds=["battery_maker"])
    if status == PartnerStatus.SUSPENDED:
        partner = call(DATACENTER, services.partner_suspend, partner=partner, reason="违规")
    return partner


def rows(model: type, **filters: Any) -> list:
    with run_as(SYSTEM):
        return list(model.objects.filter(**filters).order_by("pk"))


# --- partners ------------------------------------------------------------------------------

TRANSITIONS = {
    # service: (statuses it starts from, status it leads to, extra arguments)
    "partner_approve": ({"applied"}, "active", {}),
    "partner_reject": ({"applied"}, "rejected", {"reason": "资料不全"}),
    "partner_suspend": ({"active"}, "suspended", {"reason": "违规"}),
    "partner_reactivate": ({"suspended"}, "active", {}),
}


@pytest.mark.parametrize("status", [s.value for s in PartnerStatus])
@pytest.mark.parametrize("service", list(TRANSITIONS))
def test_each_partner_transition_starts_only_from_its_status(db, service, status):
    allowed_from, to, extra = TRANSITIONS[service]
    partner = partner_in(status)
    if status in allowed_from:
        assert call(DATACENTER, getattr(services, service), partner=partner, **extra).status == to
        return
    with pytest.raises(Conflict) as refused:
        call(DATACENTER, getattr(services, service), partner=partner, **extra)
    assert refused.value.code == "partner_status_conflict"
    assert rows(Partner, pk=partner.pk)[0].status == status


def _actors(partner: Partner) -> dict[str, Actor]:
    outlet_partner = make_partner()
    return {
        "anonymous": ANONYMOUS,
        # Its own admin where it can have one (an active partner cannot suspend itself).
        "partner_admin": admin_of(partner) if partner.status == "active" else admin_of(make_partner()),
        "staff": staff_of(outlet_partner, make_outlet(outlet_partner)),
    }


@pytest.mark.parametrize("service", list(TRANSITIONS))
def test_only_the_data_center_decides_about_partners(db, service):
    allowed_from, _to, extra = TRANSITIONS[service]
    partner = partner_in(next(iter(allowed_from)))
    for name, actor in _actors(partner).items():
        with pytest.raises(Forbidden):
            call(actor, getattr(services, service), partner=partner, **extra)
        assert rows(Partner, pk=partner.pk)[0].status == partner.status, name


@pytest.mark.parametrize("service", ["partner_reject", "partner_suspend"])
def test_rejecting_and_suspending_need_a_reason(db, service):
    partner = partner_in("applied" if service == "partner_reject" else "active")
    with pytest.raises(InvalidInput) as refused:
        call(DATACENTER, getattr(services, service), partner=partner, reason="  ")
    assert refused.value.errors.keys() == {"reason"}
    assert rows(Partner, pk=partner.pk)[0].status == partner.status


def test_the_demonstration_flag_needs_its_agreement_date_and_is_the_data_centers(db):
    partner = make_partner()
    with pytest.raises(InvalidInput) as refused:
        call(DATACENTER, services.partner_update, partner=partner, demonstration_unit=True)
    assert "demonstration_agreed_on" in refused.value.errors
    with pytest.raises(Forbidden):
        call(admin_of(partner), services.partner_update, partner=partner, demonstration_unit=False)
    updated = call(
        DATACENTER,
        services.partner_update,
        partner=partner,
        demonstration_unit=True,
        demonstration_agreed_on=datetime.date(2025, 3, 1),
    )
    assert (updated.demonstration_unit, updated.demonstration_agreed_on) == (True, datetime.date(2025, 3, 1))


# --- the application with its claims ---------------------------------------------------------


def test_an_application_files_its_claims_as_the_system_pending_the_data_centers_decision(db):
    partner = apply(kinds=("battery_maker", "automaker"), claims=[("manufacturer", "q7x"), ("wmi", "LFV")])
    assert partner.status == PartnerStatus.APPLIED
    claims = rows(CodeClaim, partner=partner)
    assert [(c.kind, c.code, c.status) for c in claims] == [
        ("manufacturer", "Q7X", ClaimStatus.PENDING),
        ("wmi", "LFV", ClaimStatus.PENDING),
    ]
    entries = rows(AuditEntry, action="code_claim.submit", target_id__in=[str(c.pk) for c in claims])
    assert {e.actor_label for e in entries} == {"system"}
    assert rows(AuditEntry, action="partner.apply", target_id=str(partner.pk))[0].actor_label == "anonymous"
    # Nobody may sign in yet: the first admin comes with the approval.
    assert not rows(User, partner=partner)


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ([("manufacturer", "Q7X"), ("manufacturer", "Q7X")], "code_already_claimed"),  # twice in one application
        ([("manufacturer", "Q7X"), ("wmi", "LFV")], "code_kind_not_allowed"),  # a battery maker claims a WMI
        ([("wmi", "IOQ")], "wmi_invalid"),
    ],
)
def test_an_application_with_a_refused_claim_is_not_kept_at_all(db, claims, code):
    with pytest.raises(DomainError) as refused:
        apply(claims=claims)
    assert refused.value.code == code
    assert "claims" in refused.value.errors
    assert not rows(Partner, name="申请企业")
    assert not rows(CodeClaim)


def test_a_code_held_by_another_partner_refuses_the_application(db):
    holder = make_partner(kinds=["battery_maker"])
    call(DATACENTER, services.code_claim_submit, partner=holder, kind="manufacturer", code="Q7X")
    with pytest.raises(Conflict):
        apply(claims=[("manufacturer", "Q7X")])
    assert not rows(Partner, name="申请企业")


# --- the first admin ---------------------------------------------------------------------------


def test_approval_invites_the_primary_contact_as_the_first_admin(db):
    partner = apply(email="Boss@Example.com")
    partner, admin = call(DATACENTER, services.partner_approve_and_onboard, partner=partner)
    assert partner.status == PartnerStatus.ACTIVE
    assert (admin.username, admin.email, admin.role, admin.partner_id, admin.display_name) == (
        "boss@example.com",
        "boss@example.com",
        UserRole.PARTNER_ADMIN,
        partner.pk,
        "王经理",
    )
    assert not admin.has_usable_password()
    invitation = rows(OutboxEmail, kind="user.invitation")
    assert [mail.to for mail in invitation] == [["boss@example.com"]]
    assert "/accounts/reset/" in invitation[0].body
    # Onboarding twice invites nobody twice.
    assert call(DATACENTER, services.partner_onboard_admin, partner=partner) == admin
    assert len(rows(OutboxEmail, kind="user.invitation")) == 1


def test_a_taken_user_name_gets_the_partner_id(db):
    first = call(DATACENTER, services.partner_approve_and_onboard, partner=apply("甲", email="boss@example.com"))[1]
    other = apply("乙", email="boss@example.com")
    second = call(DATACENTER, services.partner_approve_and_onboard, partner=other)[1]
    assert first.username == "boss@example.com"
    assert second.username == f"boss.{other.pk}"
    assert second.email == first.email


def test_only_an_active_partner_gets_an_admin_and_only_from_the_data_center(db):
    with pytest.raises(Conflict):
        call(DATACENTER, services.partner_onboard_admin, partner=apply())
    active = make_partner()
    with pytest.raises(Forbidden):
        call(admin_of(active), services.partner_onboard_admin, partner=active)


def test_an_approval_whose_invitation_cannot_be_made_is_not_committed(db):
    partner = apply(contacts=[{"name": "无邮箱", "phone": "13900000000"}])
    with pytest.raises(InvalidInput) as refused:
        call(DATACENTER, services.partner_approve_and_onboard, partner=partner)
    assert refused.value.code == "contact_email_missing"
    assert rows(Partner, pk=partner.pk)[0].status == PartnerStatus.APPLIED
    assert not rows(OutboxEmail)


# --- code claims ---------------------------------------------------------------------------------


@pytest.fixture
def maker(db) -> Partner:
    return make_partner(kinds=["battery_maker"])


def test_a_partner_admin_claims_for_its_own_partner_only(maker):
    other = make_partner(kinds=["battery_maker"])
    with pytest.raises(Forbidden):
        call(admin_of(other), services.code_claim_submit, partner=maker, kind="manufacturer", code="Q7X")
    staff_partner = make_partner(kinds=["battery_maker", "outlet_operator"])
    staff = staff_of(staff_partner, make_outlet(staff_partner))
    with pytest.raises(Forbidden):
        call(staff, services.code_claim_submit, partner=staff_partner, kind="manufacturer", code="Q7X")
    claim = call(admin_of(maker), services.code_claim_submit, partner=maker, kind="manufacturer", code="Q7X")
    assert claim.status == ClaimStatus.PENDING


def test_a_partner_admin_cannot_approve_or_reject_its_own_claim(maker):
    admin = admin_of(maker)
    claim = call(admin, services.code_claim_submit, partner=maker, kind="manufacturer", code="Q7X")
    operator = make_partner()
    for actor in (admin, staff_of(operator, make_outlet(operator)), ANONYMOUS):
        with pytest.raises(Forbidden):
            call(actor, services.code_claim_approve, claim=claim)
        with pytest.raises(Forbidden):
            call(actor, services.code_claim_reject, claim=claim, reason="不行")
    assert rows(CodeClaim, pk=claim.pk)[0].status == ClaimStatus.PENDING


@pytest.mark.parametrize("first", ["approve", "reject"])
def test_a_claim_is_decided_once(maker, first):
    claim = call(admin_of(maker), services.code_claim_submit, partner=maker, kind="manufacturer", code="Q7X")
    decide = {
        "approve": lambda: call(DATACENTER, services.code_claim_approve, claim=claim),
        "reject": lambda: call(DATACENTER, services.code_claim_reject, claim=claim, reason="编码不属于贵公司"),
    }
    decided = decide[first]()
    assert decided.status == {"approve": "approved", "reject": "rejected"}[first]
    for again in decide.values():
        with pytest.raises(Conflict) as refused:
            again()
        assert refused.value.code == "code_claim_decided"


def test_rejecting_a_claim_needs_a_reason_and_frees_the_code(maker):
    claim = call(admin_of(maker), services.code_claim_submit, partner=maker, kind="manufacturer", code="Q7X")
    with pytest.raises(InvalidInput):
        call(DATACENTER, services.code_claim_reject, claim=claim, reason="")
    call(DATACENTER, services.code_claim_reject, claim=claim, reason="编码不属于贵公司")
    other = make_partner(kinds=["cascade_user"])
    assert call(admin_of(other), services.code_claim_submit, partner=other, kind="manufacturer", code="Q7X")


# --- suspension ------------------------------------------------------------------------------


def test_a_suspended_partners_key_users_and_intakes_are_refused(db):
    partner = make_partner(kinds=["outlet_operator"])
    outlet = make_outlet(partner)
    user = make_user(partner, UserRole.PARTNER_ADMIN, password=PASSWORD)
    _key, raw = call(admin_of(partner), services.api_key_create, partner=partner, name="ERP")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    browser = Client()
    assert browser.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    intake = {"outlet": outlet.code, "code": battery_code(), "weight_kg": 300}
    assert api.get("/api/v1/me/").status_code == 200  # the control: the key works before

    call(DATACENTER, services.partner_suspend, partner=partner, reason="违规")

    me = api.get("/api/v1/me/")
    assert me.status_code == 401
    assert me["WWW-Authenticate"].startswith("Bearer")
    assert api.post("/api/v1/intakes/", intake, format="json").status_code == 401
    # The open session turns anonymous; a new sign-in is refused.
    assert browser.post("/api/v1/intakes/", intake, content_type="application/json").status_code in (401, 403)
    assert actor_for_user(rows(User, pk=user.pk)[0]) == ANONYMOUS
    assert Client().post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 200
    from batteries.models import Battery

    assert not rows(Battery, code=intake["code"])

    call(DATACENTER, services.partner_reactivate, partner=partner)
    assert api.get("/api/v1/me/").status_code == 200
