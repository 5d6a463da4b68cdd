"""Approvals as Django admin actions: the same services as the screens, a reason asked on
an intermediate page, one refused row not stopping the others; the ledger has no action."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from batteries.errors import BatteryInCustody
from batteries.models import Battery, CustodyEvent, ReviewCase
from partners import services
from partners.models import ClaimStatus, CodeClaim, OutboxEmail, Partner, User
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import admin_of, battery_code, call, make_outlet, make_partner, make_user, receive
from tests.web.conftest import PASSWORD
from tests.web.test_onboarding_pages import client_for, rows
from tests.web.test_onboarding_services import apply

PARTNERS = "/admin/partners/partner/"
CLAIMS = "/admin/partners/codeclaim/"
CASES = "/admin/batteries/reviewcase/"


@pytest.fixture
def dc(db) -> Client:
    return client_for(make_user(None, password=PASSWORD))


def _act(client: Client, url: str, action: str, rows_: list, **extra: str):
    return client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [r.pk for r in rows_], **extra}, follow=True)


def test_approving_partners_in_the_admin_invites_their_admins_and_reports_refusals(dc):
    first, second = apply("甲申请"), apply("乙申请")
    already = make_partner(name="已在网")
    response = _act(dc, PARTNERS, "approve", [first, second, already])
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("Partners approved: 2" in m for m in messages)
    assert any(m.startswith("已在网: ") and "not possible now" in m for m in messages)
    assert {p.status for p in rows(Partner, pk__in=[first.pk, second.pk])} == {"active"}
    assert len(rows(User, partner__in=[first, second])) == 2
    assert len(rows(OutboxEmail, kind="user.invitation")) == 2


def test_rejecting_in_the_admin_asks_for_the_reason_first(dc):
    partner = apply()
    form_page = _act(dc, PARTNERS, "reject", [partner])
    assert form_page.templates[0].name == "partners/datacenter/admin_action_form.html"
    assert 'name="reason"' in form_page.content.decode()
    assert rows(Partner, pk=partner.pk)[0].status == "applied"
    empty = _act(dc, PARTNERS, "reject", [partner], apply="1", reason="")
    assert empty.context["form"].errors["reason"]
    assert rows(Partner, pk=partner.pk)[0].status == "applied"
    done = _act(dc, PARTNERS, "reject", [partner], apply="1", reason="营业执照已过期")
    assert done.redirect_chain == [(PARTNERS, 302)]
    rejected = rows(Partner, pk=partner.pk)[0]
    assert (rejected.status, rejected.status_reason) == ("rejected", "营业执照已过期")


def test_suspending_and_reactivating_in_the_admin(dc):
    partner = make_partner()
    _act(dc, PARTNERS, "suspend", [partner], apply="1", reason="违规")
    assert rows(Partner, pk=partner.pk)[0].status == "suspended"
    _act(dc, PARTNERS, "reactivate", [partner], apply="1", reason="")
    assert rows(Partner, pk=partner.pk)[0].status == "active"


def test_claims_are_approved_and_rejected_in_the_admin(dc, django_capture_on_commit_callbacks):
    maker = make_partner(kinds=["battery_maker"])
    good, bad = (
        call(admin_of(maker), services.code_claim_submit, partner=maker, kind="manufacturer", code=code)
        for code in ("Q7X", "Q7Y")
    )
    with django_capture_on_commit_callbacks(execute=True):
        _act(dc, CLAIMS, "approve", [good])
    _act(dc, CLAIMS, "reject", [bad], apply="1", reason="非本企业编码")
    assert [(c.code, c.status) for c in rows(CodeClaim, partner=maker)] == [
        ("Q7X", ClaimStatus.APPROVED),
        ("Q7Y", ClaimStatus.REJECTED),
    ]
    assert rows(CodeClaim, pk=good.pk)[0].backfill_done_at is not None  # the backfill ran (eagerly, after the commit)


def test_review_cases_are_resolved_in_the_admin(dc):
    holder, claimant = make_partner(), make_partner()
    code = battery_code()
    receive(admin_of(holder), make_outlet(holder), code)
    with pytest.raises(BatteryInCustody):
        receive(admin_of(claimant), make_outlet(claimant, prefecture="310100"), code)
    case = rows(ReviewCase, battery_code=code)[0]
    form_page = _act(dc, CASES, "resolve", [case])
    assert 'name="resolution"' in form_page.content.decode()
    _act(dc, CASES, "resolve", [case], apply="1", resolution="transfer", note="核实")
    assert rows(ReviewCase, pk=case.pk)[0].resolution == "transfer"
    with run_as(SYSTEM):
        assert Battery.objects.get(code=code).custodian_id == claimant.pk


def test_the_ledger_has_no_action_and_partner_users_get_none(db, dc, people):
    receive(admin_of(people.partner), people.outlet)
    ledger = dc.get("/admin/batteries/custodyevent/")
    assert ledger.status_code == 200
    assert ledger.context["action_form"] is None
    event = rows(CustodyEvent)[0]
    refused = dc.post("/admin/batteries/custodyevent/", {"action": "delete_selected", ACTION_CHECKBOX_NAME: [event.pk]})
    assert refused.status_code in (200, 302)
    assert rows(CustodyEvent, pk=event.pk)
    partner = apply()
    admin_client = client_for(people.partner_admin)
    assert admin_client.post(PARTNERS, {"action": "approve", ACTION_CHECKBOX_NAME: [partner.pk]}).status_code == 302
    assert rows(Partner, pk=partner.pk)[0].status == "applied"
