"""The audit log records every change of partners, claims, users, keys and outlets; the
outbox sends after commit and never after a rollback."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from outlets import services as outlet_services
from partners import services
from partners.models import AuditEntry, OutboxEmail, OutboxStatus, UserRole
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import DATACENTER, admin_of, call, credit_code, make_outlet, make_partner, make_user


def _entry(action: str) -> AuditEntry:
    with run_as(SYSTEM):
        return AuditEntry.objects.filter(action=action).latest("id")


def test_every_kind_of_change_is_audited_with_actor_target_before_after_and_reason(db):
    partner = call(
        DATACENTER, services.partner_create, name="审计企业", credit_code=credit_code(7), kinds=["battery_maker"]
    )
    entry = _entry("partner.create")
    assert (entry.actor_label, entry.target_type, entry.target_id) == ("dc-test", "partners.partner", str(partner.pk))
    assert entry.before is None
    assert entry.after["name"] == "审计企业"

    call(DATACENTER, services.partner_suspend, partner=partner, reason="资料过期")
    entry = _entry("partner.suspend")
    assert (entry.before["status"], entry.after["status"], entry.reason) == ("active", "suspended", "资料过期")
    call(DATACENTER, services.partner_reactivate, partner=partner)
    assert _entry("partner.reactivate").after["status"] == "active"

    admin = admin_of(partner)
    claim = call(admin, services.code_claim_submit, partner=partner, kind="manufacturer", code="Q7Z")
    assert _entry("code_claim.submit").actor_label == str(admin)
    call(DATACENTER, services.code_claim_approve, claim=claim)
    entry = _entry("code_claim.approve")
    assert (entry.before["status"], entry.after["status"]) == ("pending", "approved")

    user = make_user(partner, UserRole.OUTLET_STAFF)
    assert _entry("user.create").after["role"] == "outlet_staff"
    call(admin, services.user_update, user=user, display_name="李四")
    entry = _entry("user.update")
    assert (entry.before["display_name"], entry.after["display_name"]) == ("", "李四")
    call(admin, services.user_set_active, user=user, active=False, reason="离职")
    entry = _entry("user.deactivate")
    assert (entry.before["is_active"], entry.after["is_active"], entry.reason) == (True, False, "离职")

    key, _raw = call(admin, services.api_key_create, partner=partner, name="ERP")
    assert _entry("api_key.create").after["prefix"] == key.prefix
    call(admin, services.api_key_revoke, key=key)
    entry = _entry("api_key.revoke")
    assert entry.before["revoked_at"] is None
    assert entry.after["revoked_at"] is not None

    outlet = make_outlet(partner)
    entry = _entry("outlet.approve")
    assert (entry.target_id, entry.after["code"]) == (str(outlet.pk), outlet.code)
    # The audit log is the partner's too: its admin sees entries about it.
    with run_as(admin):
        assert AuditEntry.objects.filter(action="outlet.approve", target_id=str(outlet.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_the_outbox_sends_after_commit():
    partner = make_partner()
    make_user(partner, UserRole.PARTNER_ADMIN)
    mail.outbox.clear()
    make_outlet(partner)  # submit and approval each notify the operator
    with run_as(SYSTEM):
        rows = list(OutboxEmail.objects.filter(kind__startswith="outlet.").order_by("id"))
    assert [row.kind for row in rows] == ["outlet.submit", "outlet.approve"]
    assert all(row.status == OutboxStatus.SENT for row in rows)
    assert [m.subject for m in mail.outbox if "outlet" in m.subject.lower() or "网点" in m.subject] == [
        r.subject for r in rows
    ]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_queued_or_sent_after_a_rollback():
    partner = make_partner()
    make_user(partner, UserRole.PARTNER_ADMIN)
    outlet = make_outlet(partner, status="submitted")
    mail.outbox.clear()
    with run_as(SYSTEM):
        before = OutboxEmail.objects.count()

    class Abort(Exception):
        pass

    def approve_then_fail() -> None:
        with transaction.atomic():
            call(DATACENTER, outlet_services.outlet_approve, outlet=outlet)
            with run_as(SYSTEM):
                assert OutboxEmail.objects.count() == before + 1  # queued inside the transaction
            raise Abort

    with pytest.raises(Abort):
        approve_then_fail()
    with run_as(SYSTEM):
        assert OutboxEmail.objects.count() == before
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_mail_server_leaves_the_row_pending_for_a_retry(settings):
    from partners.tasks import outbox_send

    settings.EMAIL_BACKEND = "tests.partners.failing_mail.Backend"
    with run_as(SYSTEM):
        row = OutboxEmail.objects.create(to=["ops@example.com"], subject="s", body="b", kind="test")
    with pytest.raises(ConnectionRefusedError):
        outbox_send(row.pk)  # called directly, Celery re-raises instead of scheduling the retry
    with run_as(SYSTEM):
        row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 1
    assert "refused" in row.last_error
