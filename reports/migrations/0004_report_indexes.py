"""Indexes the coverage report needs on the traceability tables (measured at 1M batteries
and 3.7M events by ``bench/report_bench.py``; docs/performance.md).

- ``report_event_arrival``: dwell time looks up, for every departure in the period, the
  battery's last arrival at that outlet before it left: one probe per departure
  (same battery and outlet, the greatest lower seq). The partial index holds arrival
  events only and includes what the lookup reads (and ``audience``, which row-level
  security checks), so each probe is an index-only scan instead of a visit to a random
  heap page (measured: about 3x faster at 380,000 departures).
- ``report_event_departure``: the same section first lists the departures of the period
  (dispatches, with their consignment to leave out cancelled ones); this partial index
  serves that list from the index alone (measured: 0.4 s instead of 2.5 s for 380,000
  departures).
- ``report_obligation_unreported``: deadlines count the open obligations (pending or
  overdue) per obligated partner, and the unassigned ones; they are a small part of
  millions of reported ones, and the partial index answers from the index alone.
- ``report_battery_hazard``: the flagged batteries are a few in a million; the partial
  index finds them without scanning the table.
"""

from django.db import migrations

INDEXES = {
    "report_event_arrival": (
        "CREATE INDEX IF NOT EXISTS report_event_arrival ON batteries_custodyevent (battery_id, outlet_id, seq) "
        "INCLUDE (occurred_at, audience) "
        "WHERE kind IN ('received', 'handover_received') AND outlet_id IS NOT NULL"
    ),
    "report_event_departure": (
        "CREATE INDEX IF NOT EXISTS report_event_departure ON batteries_custodyevent (occurred_at) "
        "INCLUDE (battery_id, seq, outlet_id, partner_id, consignment_id, audience) WHERE kind = 'dispatched'"
    ),
    "report_obligation_unreported": (
        "CREATE INDEX IF NOT EXISTS report_obligation_unreported ON batteries_obligation (status, obligated_id) "
        "INCLUDE (due_on, occurred_on, creator_id, audience) WHERE status IN ('pending', 'overdue', 'unassigned')"
    ),
    "report_battery_hazard": (
        "CREATE INDEX IF NOT EXISTS report_battery_hazard ON batteries_battery (hazard) WHERE hazard <> ''"
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("batteries", "0002_ledger_guard_and_row_level_security"),
        ("reports", "0003_load_reference_data"),
    ]

    operations = [migrations.RunSQL(sql, f"DROP INDEX IF EXISTS {name}") for name, sql in INDEXES.items()]
