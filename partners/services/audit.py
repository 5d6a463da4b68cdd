"""The audit log: one row per change of a partner, code claim, user, key or outlet."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from partners.models import AuditEntry
from recycling_network.tenancy import Actor, system_context


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of ``instance`` as JSON-safe values (foreign keys as ids)."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        values[name] = getattr(instance, field.attname)
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def _concerned_partners(target: models.Model) -> list[int]:
    if hasattr(target, "audience") and target.audience:
        return list(target.audience)
    if target._meta.label == "partners.Partner":
        return [target.pk]
    for attname in ("partner_id", "operator_id"):
        value = getattr(target, attname, None)
        if value is not None:
            return [value]
    return []


def audit_record(
    *,
    actor: Actor,
    action: str,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    audience: Iterable[int] | None = None,
) -> AuditEntry:
    """Record ``actor`` doing ``action`` to ``target``, in the caller's transaction.

    The entry is visible to the data center and to the partners it concerns (the
    target's audience, its partner or operator, or ``audience`` when given)."""
    concerned = set(audience if audience is not None else _concerned_partners(target))
    if actor.partner_id is not None:
        concerned.add(actor.partner_id)
    # Written in the system context: the entry may concern partners the actor cannot see.
    with system_context():
        return AuditEntry.objects.create(
            actor_user_id=actor.user_id,
            actor_api_key_id=actor.api_key_id,
            actor_partner_id=actor.partner_id,
            actor_label=str(actor)[:150],
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            target_label=str(target)[:255],
            before=before,
            after=after,
            reason=reason or "",
            audience=sorted(concerned),
        )
