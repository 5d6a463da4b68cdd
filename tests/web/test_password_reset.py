"""Password reset and invitations: links go through the email outbox, are sent only once
the request's transaction commits, and set a password that works."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from partners import services as partner_services
from partners.models import OutboxEmail, OutboxStatus, UserRole
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import DATACENTER, call
from tests.web.conftest import sign_in

LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/[^/\s]+/[^/\s]+/)")
NEW_PASSWORD = "Fresh-Passw0rd-2026"


def _outbox(kind: str) -> list[OutboxEmail]:
    with run_as(SYSTEM):
        return list(OutboxEmail.objects.filter(kind=kind).order_by("id"))


def _choose_password(client: Client, link_path: str) -> None:
    # Django moves the token out of the URL into the session before showing the form.
    response = client.get(link_path)
    assert response.status_code == 302
    form_url = response["Location"]
    assert client.get(form_url).context["validlink"] is True
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reset/done/"


def test_a_reset_is_queued_in_the_outbox_sent_after_commit_and_its_link_sets_a_new_password(
    people, django_capture_on_commit_callbacks
):
    user = people.staff
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = Client().post("/accounts/password/reset/", {"email": user.email.upper()})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    [row] = _outbox("user.password_reset")
    assert row.to == [user.email]
    assert row.status == OutboxStatus.PENDING
    assert mail.outbox == []  # the transaction has not committed: nothing was sent

    for callback in callbacks:  # what the commit runs
        callback()
    [row] = _outbox("user.password_reset")
    assert row.status == OutboxStatus.SENT
    [sent] = mail.outbox
    assert sent.to == [user.email]
    assert sent.subject == row.subject
    assert user.get_username() in sent.body

    link_path = LINK.search(sent.body).group(1)
    client = Client()
    _choose_password(client, link_path)
    assert sign_in(Client(), user, password=NEW_PASSWORD).status_code == 302
    # The link dies once used.
    used = client.get(link_path, follow=True)
    assert used.context["validlink"] is False


def test_unknown_and_refused_addresses_get_the_same_answer_and_no_mail(people):
    call(DATACENTER, partner_services.user_set_active, user=people.staff, active=False, reason="离职")
    client = Client()
    for email in ("nobody@example.com", people.staff.email):
        response = client.post("/accounts/password/reset/", {"email": email})
        assert response.status_code == 302
        assert response["Location"] == "/accounts/password/reset/sent/"
    assert _outbox("user.password_reset") == []

    call(DATACENTER, partner_services.partner_suspend, partner=people.partner, reason="资质到期")
    client.post("/accounts/password/reset/", {"email": people.partner_admin.email})
    assert _outbox("user.password_reset") == []


def test_an_invited_user_chooses_a_password_through_the_invitation_link(people, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invited = call(
            DATACENTER,
            partner_services.user_create,
            partner=people.partner,
            username="new.staff",
            email="new.staff@example.com",
            role=UserRole.OUTLET_STAFF,
        )
    assert not invited.has_usable_password()
    [invitation] = [m for m in mail.outbox if m.to == ["new.staff@example.com"]]
    _choose_password(Client(), LINK.search(invitation.body).group(1))
    assert sign_in(Client(), invited, password=NEW_PASSWORD).status_code == 302


def test_an_invited_user_who_lost_the_invitation_can_ask_for_a_new_link(people):
    call(
        DATACENTER,
        partner_services.user_create,
        partner=people.partner,
        username="lost.invite",
        email="lost.invite@example.com",
        role=UserRole.OUTLET_STAFF,
    )
    Client().post("/accounts/password/reset/", {"email": "lost.invite@example.com"})
    assert [row.to for row in _outbox("user.password_reset")] == [["lost.invite@example.com"]]
