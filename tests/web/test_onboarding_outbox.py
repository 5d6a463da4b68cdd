"""Every onboarding decision notifies through the outbox: a row written with the change
and sent once it commits, and neither after a rollback (DESIGN §10)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from batteries import services as battery_services
from batteries.errors import BatteryInCustody
from batteries.models import ReviewCase
from partners import services
from partners.models import OutboxEmail, OutboxStatus
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import DATACENTER, admin_of, battery_code, call, make_outlet, make_partner, receive
from tests.web.test_onboarding_services import apply

pytestmark = pytest.mark.django_db(transaction=True)


def _pending_claim() -> Any:
    maker = make_partner(kinds=["battery_maker"])
    return call(admin_of(maker), services.code_claim_submit, partner=maker, kind="manufacturer", code="Q7X")


def _open_case() -> ReviewCase:
    holder, claimant = make_partner(), make_partner()
    code = battery_code()
    receive(admin_of(holder), make_outlet(holder), code)
    with pytest.raises(BatteryInCustody):
        receive(admin_of(claimant), make_outlet(claimant, prefecture="310100"), code)
    with run_as(SYSTEM):
        return ReviewCase.objects.get(battery_code=code)


# name: (build the state, the decision, the kinds of mail it sends)
DECISIONS: dict[str, tuple[Callable[[], Any], Callable[[Any], Any], list[str]]] = {
    "partner approval and invitation": (
        apply,
        lambda partner: services.partner_approve_and_onboard(actor=DATACENTER, partner=partner),
        ["partner.approved", "user.invitation"],
    ),
    "partner rejection": (
        apply,
        lambda partner: services.partner_reject(actor=DATACENTER, partner=partner, reason="资料不全"),
        ["partner.rejected"],
    ),
    "claim approval": (
        _pending_claim,
        lambda claim: services.code_claim_approve(actor=DATACENTER, claim=claim),
        ["code_claim.approved"],
    ),
    "claim rejection": (
        _pending_claim,
        lambda claim: services.code_claim_reject(actor=DATACENTER, claim=claim, reason="编码不属于贵公司"),
        ["code_claim.rejected"],
    ),
    "review case resolution": (
        _open_case,
        lambda case: battery_services.review_case_resolve(actor=DATACENTER, case=case, resolution="transfer"),
        ["review_case.resolved"],
    ),
}


def _outbox() -> list[OutboxEmail]:
    with run_as(SYSTEM):
        return list(OutboxEmail.objects.order_by("id"))


@pytest.mark.parametrize("decision", list(DECISIONS))
def test_a_committed_decision_sends_its_mail_after_commit(decision):
    build, decide, kinds = DECISIONS[decision]
    target = build()
    before = {row.pk for row in _outbox()}
    mail.outbox.clear()
    with run_as(DATACENTER):
        decide(target)
        queued = [row for row in _outbox() if row.pk not in before]
        assert [row.kind for row in queued] == kinds
        assert all(row.status == OutboxStatus.PENDING for row in queued)  # not before the commit
        assert mail.outbox == []
    sent = [row for row in _outbox() if row.pk not in before]
    assert [row.kind for row in sent] == kinds
    assert all(row.status == OutboxStatus.SENT and row.to for row in sent)
    assert sorted(message.subject for message in mail.outbox) == sorted(row.subject for row in sent)


@pytest.mark.parametrize("decision", list(DECISIONS))
def test_a_rolled_back_decision_leaves_no_mail(decision):
    build, decide, kinds = DECISIONS[decision]
    target = build()
    before = len(_outbox())
    mail.outbox.clear()

    class Abort(Exception):
        pass

    def decide_then_fail() -> None:
        with transaction.atomic():
            with run_as(DATACENTER):
                decide(target)
                assert len(_outbox()) == before + len(kinds)  # queued inside the transaction
            raise Abort

    with pytest.raises(Abort):
        decide_then_fail()
    assert len(_outbox()) == before
    assert mail.outbox == []
