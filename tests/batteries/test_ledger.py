"""The ledger is append-only in the database and its hash chains are checkable, by the
platform (``verify_ledger``) and by a partner (``docs/clients/verify_feed.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from batteries import services
from batteries.feed import feed_page
from batteries.ledger import feed_representation
from batteries.models import CustodyEvent
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import admin_of, call, make_outlet, make_partner, receive
from tests.concurrency import eventually

VERIFIER = Path(__file__).resolve().parents[2] / "docs" / "clients" / "verify_feed.py"


def _verifier():
    spec = importlib.util.spec_from_file_location("verify_feed", VERIFIER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _feed_events(actor, count: int) -> list[dict]:
    """The actor's feed as the API serves it, once it holds ``count`` events (entries of
    transactions still running elsewhere on the server are held back for a moment)."""

    def read() -> list[dict]:
        with run_as(actor):
            return [feed_representation(e) for e in feed_page(actor, None, 100).events]

    events = eventually(read, lambda found: len(found) >= count)
    assert len(events) == count
    return events


def _history():
    """Two batteries with a few events each; returns the operator's actor."""
    operator = make_partner()
    outlet = make_outlet(operator)
    actor = admin_of(operator)
    for _ in range(2):
        code = receive(actor, outlet).code
        call(actor, services.battery_inspect, code=code, insulation_ok=True, casing_ok=True, soh_percent=81)
        call(actor, services.battery_report_hazard, code=code, hazard="swollen")
    return actor


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE batteries_custodyevent SET kind = 'voided'",
        "UPDATE batteries_custodyevent SET data = '{}'::jsonb",
        "DELETE FROM batteries_custodyevent",
    ],
)
@pytest.mark.parametrize("context", ["partner", "system"])
def test_the_database_refuses_updates_and_deletes_of_events(db, statement, context):
    actor = _history()
    with run_as(actor if context == "partner" else SYSTEM):
        assert CustodyEvent.objects.exists()
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


def test_only_the_audience_may_change_and_only_in_the_system_context(db):
    actor = _history()
    with run_as(actor):
        event = CustodyEvent.objects.first()
        with pytest.raises(DatabaseError), transaction.atomic():
            CustodyEvent.objects.filter(pk=event.pk).update(audience=[*event.audience, 999])
    with run_as(SYSTEM):
        CustodyEvent.objects.filter(pk=event.pk).update(audience=[*event.audience, 999])
        assert 999 in CustodyEvent.objects.get(pk=event.pk).audience


def _tamper(event_id: int, sql: str) -> None:
    """As the table owner: switch the guard off, change a row, switch it on again."""
    owner = connections["owner"]
    with transaction.atomic(using="owner"), run_as(SYSTEM, using="owner"), owner.cursor() as cursor:
        cursor.execute("ALTER TABLE batteries_custodyevent DISABLE TRIGGER rn_ledger_append_only")
        cursor.execute(sql, [event_id])
        cursor.execute("ALTER TABLE batteries_custodyevent ENABLE TRIGGER rn_ledger_append_only")


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_verify_ledger_passes_and_then_names_a_tampered_event(capsys):
    actor = _history()
    call_command("verify_ledger")
    assert "ledger ok: 2 batteries, 6 events" in capsys.readouterr().out

    events = _feed_events(actor, 6)
    verifier = _verifier()
    assert verifier.verify_events(events) == []

    with run_as(SYSTEM):
        target = CustodyEvent.objects.filter(seq=2).order_by("id").first()
    _tamper(
        target.pk,
        """UPDATE batteries_custodyevent SET data = jsonb_set(data, '{soh_percent}', '"95.00"') WHERE id = %s""",
    )
    with pytest.raises(CommandError) as error:
        call_command("verify_ledger")
    assert f"battery {target.battery_code}, event {target.pk} (seq 2)" in str(error.value)
    # The partner's verifier, given the same feed output, points at the same event.
    problems = verifier.verify_events(_feed_events(actor, 6))
    assert problems == [f"battery {target.battery_code}, event {target.pk} (seq 2): hash does not match"]


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_a_broken_link_is_found_by_both_verifiers():
    actor = _history()
    with run_as(SYSTEM):
        target = CustodyEvent.objects.filter(seq=3).order_by("id").first()
    # Rewrite prev_hash and hash together so that the event is self-consistent but unlinked.
    from batteries.ledger import chain_hash, hashed_fields

    forged_prev = "f" * 64
    forged_hash = chain_hash(forged_prev, hashed_fields(target))
    _tamper(
        target.pk,
        f"UPDATE batteries_custodyevent SET prev_hash = '{forged_prev}', hash = '{forged_hash}' WHERE id = %s",
    )
    with pytest.raises(CommandError) as error:
        call_command("verify_ledger")
    assert f"event {target.pk} (seq 3): prev_hash" in str(error.value)
    assert _verifier().verify_events(_feed_events(actor, 6)) == [
        f"battery {target.battery_code}, event {target.pk} (seq 3): not linked to seq 2"
    ]
