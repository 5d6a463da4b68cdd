"""The hash-chain status shown on a battery's page (DESIGN §7 "Hash chains").

A partner sees only some events of a chain, so, like ``docs/clients/verify_feed.py``,
it checks what it holds: each event's own hash, the start of the chain, and the link
between consecutive ``seq`` values. The data center sees every event and checks the
whole chain with ``batteries.ledger.verify_chain``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from batteries.ledger import GENESIS_HASH, chain_hash, hashed_fields, verify_chain
from batteries.models import CustodyEvent
from recycling_network.i18n import lazy_format


@dataclass(frozen=True)
class ChainStatus:
    events: int
    links: int
    whole_chain: bool
    problems: list[Promise] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return not self.problems


def _problem(event: CustodyEvent, what: Promise) -> Promise:
    return lazy_format(_("Event #%(seq)s: %(problem)s"), seq=event.seq, problem=what)


def visible_chain_status(events: Sequence[CustodyEvent], *, whole_chain: bool) -> ChainStatus:
    """``events`` in ``seq`` order; ``whole_chain`` when the reader sees every event."""
    if whole_chain:
        broken = verify_chain(events)
        problems = [] if broken is None else [lazy_format(_("The chain breaks at event #%(seq)s."), seq=broken.seq)]
        return ChainStatus(len(events), max(len(events) - 1, 0), True, problems)
    problems: list[Promise] = []
    links = 0
    by_seq = {event.seq: event for event in events}
    for event in events:
        if chain_hash(event.prev_hash, hashed_fields(event)) != event.hash:
            problems.append(_problem(event, _("its hash does not match its content.")))
        if event.seq == 1 and event.prev_hash != GENESIS_HASH:
            problems.append(_problem(event, _("it does not start the chain.")))
        before = by_seq.get(event.seq - 1)
        if before is not None:
            links += 1
            if event.prev_hash != before.hash:
                problems.append(_problem(event, lazy_format(_("not linked to event #%(seq)s."), seq=before.seq)))
    return ChainStatus(len(events), links, False, problems)
