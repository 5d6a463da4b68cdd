"""The email outbox: rows written with the change they report, sent after commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise

from partners.models import OutboxEmail, Partner, PartnerContact, User, UserRole
from recycling_network.tenancy import system_context


def bilingual(text: str | Promise) -> str:
    """The Chinese text, then the English one: mail is read by people of either language."""
    with translation.override("zh-hans"):
        chinese = str(text)
    with translation.override("en"):
        english = str(text)
    return chinese if chinese == english else f"{chinese} / {english}"


def outbox_enqueue(*, to: Iterable[str], subject: str, body: str, kind: str) -> OutboxEmail | None:
    """Queue one email in the current transaction; a task sends it once that commits."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    email = OutboxEmail.objects.create(to=recipients, subject=subject[:255], body=body, kind=kind)

    def send() -> None:
        from partners.tasks import outbox_send

        outbox_send.delay(email.pk)

    transaction.on_commit(send)
    return email


def partner_admin_addresses(partner_id: int) -> list[str]:
    """Where to tell a partner about its outlets, claims and keys: its active admins, else its
    primary contact."""
    addresses = list(
        User.objects.filter(partner_id=partner_id, role=UserRole.PARTNER_ADMIN, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not addresses:
        with system_context():
            addresses = list(
                PartnerContact.objects.filter(partner_id=partner_id, is_primary=True)
                .exclude(email="")
                .values_list("email", flat=True)
            )
    return addresses


def notify_partner(
    *, partner: Partner | int, kind: str, subject: str | Promise, lines: Iterable[str | Promise]
) -> None:
    """Queue a bilingual notification to a partner's admins."""
    partner_id = partner if isinstance(partner, int) else partner.pk
    body = "\n".join(bilingual(line) for line in lines)
    body += f"\n\n{settings.SITE_URL}\n"
    outbox_enqueue(to=partner_admin_addresses(partner_id), subject=bilingual(subject), body=body, kind=kind)
