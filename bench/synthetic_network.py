"""A synthetic national network at benchmark scale, generated in SQL.

``generate(conn, batteries=1_000_000, outlets=5_000)`` fills a freshly migrated database
with ``INSERT ... SELECT generate_series`` statements: 200 partners (20 automakers, 10
battery makers, 150 outlet operators, 10 recyclers, 10 cascade users), outlets over every
prefecture with coordinates, sharing grants, batteries with their custody events (about
3.7 per battery: received, dispatched, handover received at a facility, recycled or
re-coded), consignments, reporting obligations, stock and sales footprints.

It runs as the bootstrap superuser with ``session_replication_role = replica``: the data
is consistent by construction, so foreign-key triggers and the ledger's append-only
trigger are skipped, and secondary indexes are dropped during the load and rebuilt after
(the usual bulk-load recipe). Hashes are placeholders: ``verify_ledger`` would reject this
ledger, and by default no feed entries or consignment items are written; the reports need
neither.

Optional, for the list benchmark (the defaults leave the data above exactly as it is):
``inspections_per_battery`` adds ``inspected`` events at the outlet between the receipt
and the dispatch (1.35 brings 1M batteries to about 5M events), ``consignment_items``
writes the items of every consignment, and ``feed_partners`` writes the feed entries of
those partners (0 is the data center's feed), in transactions of ``feed_chunk`` events.

Times spread over the three years before ``now``; with the default report period (the last
365 days) about a third of the events fall inside it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psycopg

TABLES_WITH_BULK = ("batteries_battery", "batteries_custodyevent", "batteries_obligation", "batteries_consignment")
AUTOMAKERS, MAKERS, OPERATORS, RECYCLERS, CASCADERS = 20, 10, 150, 10, 10
HAZARDS = ("damaged", "leaking", "swollen", "smoking", "insulation_fault")


@contextmanager
def step(name: str) -> Iterator[None]:
    started = time.perf_counter()
    print(f"  {name} ...", end="", flush=True)
    yield
    print(f" {time.perf_counter() - started:.1f} s", flush=True)


def _secondary_indexes(cur: psycopg.Cursor, tables: Sequence[str]) -> list[tuple[str, str]]:
    """Indexes of the bulk tables that back no constraint: (name, CREATE statement)."""
    cur.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
         WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)
        """,
        [list(tables)],
    )
    return cur.fetchall()


PARTNERS_SQL = """
INSERT INTO partners_partner (id, name, name_en, credit_code, kinds, status, demonstration_unit, status_reason,
                              created_at, updated_at, joined_on)
SELECT i, '基准企业' || i, 'Bench partner ' || i, '91' || (110000 + i)::text || lpad(i::text, 10, '0'),
       ARRAY[CASE WHEN i <= 20 THEN 'automaker' WHEN i <= 30 THEN 'battery_maker' WHEN i <= 180 THEN 'outlet_operator'
                  WHEN i <= 190 THEN 'recycler' ELSE 'cascade_user' END]::varchar[],
       'active', false, '', now() - interval '4 years', now(), (now() - interval '4 years')::date
  FROM generate_series(1, 200) i;
SELECT setval(pg_get_serial_sequence('partners_partner', 'id'), 200);
"""

# Collection outlets first (80 %), centralised storage after; 95 % approved, some suspended,
# closed or still drafts. Operators are the 150 operators, plus automakers for 10 %.
OUTLETS_SQL = """
CREATE TEMP TABLE places AS
  SELECT row_number() OVER (ORDER BY adcode) AS n, adcode, longitude, latitude
    FROM outlets_division WHERE level = 'prefecture' AND longitude IS NOT NULL;
INSERT INTO outlets_outlet (id, code, name, kind, status, operator_id, prefecture_id, address, longitude, latitude,
                            storage_area_m2, capacity_kg, stock_kg, opening_hours, review_comments, created_at,
                            updated_at, submitted_at, approved_at, audience)
SELECT o.id,
       CASE WHEN o.status IN ('approved', 'suspended', 'closed')
            THEN 'RN-' || p.adcode || '-' || lpad((row_number() OVER (PARTITION BY p.adcode ORDER BY o.id))::text, 4, '0')
       END,
       '基准网点' || o.id, o.kind, o.status, o.operator, p.adcode, '基准路' || o.id || '号',
       least(greatest(p.longitude + (random() - 0.5) * 0.4, 73.5), 135.0),
       least(greatest(p.latitude + (random() - 0.5) * 0.4, 3.9), 53.5),
       50, CASE WHEN o.kind = 'collection' THEN 5000 ELSE 30000 + floor(random() * 70000) END, 0, '08:00-18:00', '',
       o.approved - interval '30 days', now(), o.approved - interval '10 days',
       CASE WHEN o.status IN ('approved', 'suspended', 'closed') THEN o.approved END, ARRAY[o.operator]
  FROM (
    SELECT i AS id,
           CASE WHEN i <= %(outlets)s * 0.8 THEN 'collection' ELSE 'centralized_storage' END AS kind,
           CASE WHEN r < 0.95 THEN 'approved' WHEN r < 0.97 THEN 'suspended' WHEN r < 0.98 THEN 'closed'
                ELSE 'submitted' END AS status,
           CASE WHEN random() < 0.1 THEN 1 + floor(random() * 20) ELSE 31 + floor(random() * 150) END::bigint AS operator,
           1 + floor(random() * (SELECT count(*) FROM places))::int AS place,
           now() - random() * interval '1100 days' AS approved
      FROM (SELECT i, random() AS r FROM generate_series(1, %(outlets)s) i) s
  ) o JOIN places p ON p.n = o.place;
SELECT setval(pg_get_serial_sequence('outlets_outlet', 'id'), %(outlets)s);
INSERT INTO outlets_sharinggrant (outlet_id, grantee_id, granted_at, revoked_at, note, audience)
SELECT DISTINCT ON (o.id, a) o.id, a, o.approved_at + interval '1 day',
       CASE WHEN random() < 0.1 THEN now() - random() * interval '100 days' END, '', ARRAY[o.operator_id, a]
  FROM outlets_outlet o CROSS JOIN LATERAL (SELECT 1 + floor(random() * 20)::bigint AS a) g
 WHERE o.status = 'approved' AND random() < 0.4 AND o.operator_id <> a;
"""

# One row of random draws per battery; every table below is derived from it.
# Ids follow time, as in production: a battery's id is given at its first intake, and the
# ledger is appended in time order (so a period is a contiguous stretch of the table).
DRAWS_SQL = """
CREATE UNLOGGED TABLE bench_draws AS
SELECT b.id,
       1 + (b.id %% 20) AS automaker, 21 + (b.id %% 10) AS maker,
       'M0' || (b.id %% 10) || 'PBA1TRACE01F31' || lpad(b.id::text, 7, '0') AS code,
       CASE WHEN b.r1 < 0.95
            THEN 'L' || substr('ABCDEFGHJKLMNPRSTUVW', (1 + b.id %% 20)::int, 1) || 'VAB2BC4NA'
                 || lpad((b.id %% 1000000)::text, 6, '0')
            ELSE '' END AS vin,
       o.id AS outlet_in, o.operator_id AS operator, o.code AS outlet_code,
       CASE WHEN b.r5 >= 0.20 AND b.r5 < 0.30 THEN 191 + o.id %% 10 ELSE 181 + o.id %% 10 END AS to_partner,
       round((200 + b.r3 * 300)::numeric, 2) AS weight,
       CASE WHEN b.r4 < 0.01
            THEN (ARRAY['damaged', 'leaking', 'swollen', 'smoking', 'insulation_fault'])[1 + floor(b.r4 * 500)::int]
            ELSE '' END AS hazard,
       CASE WHEN b.r5 < 0.05 THEN 'at_outlet' WHEN b.r5 < 0.06 THEN 'in_transit' WHEN b.r5 < 0.20 THEN 'at_facility'
            WHEN b.r5 < 0.30 THEN 'cascade_use' ELSE 'recycled' END AS status,
       now() - b.age AS received_at,
       now() - b.age + b.age * (0.02 + 0.28 * b.r6) AS dispatched_at,
       b.age AS age, b.r7 AS r7, NULL::bigint AS consignment
  FROM (SELECT row_number() OVER (ORDER BY age DESC) AS id, *
          FROM (SELECT random() AS r1, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
                       random() AS r7, random() * interval '1095 days' AS age,
                       ids.ids[1 + floor(random() * array_length(ids.ids, 1))::int] AS outlet_in
                  FROM generate_series(1, %(batteries)s) i,
                       (SELECT array_agg(id ORDER BY id) AS ids FROM outlets_outlet WHERE status = 'approved') ids) r
       ) b
  JOIN outlets_outlet o ON o.id = b.outlet_in;
"""

# Batteries leaving an outlet travel in consignments: one per outlet, month, receiver and
# whether it is still on its way. 1 %% of the delivered ones were cancelled instead.
CONSIGNMENTS_SQL = """
CREATE TEMP TABLE bench_consignments AS
SELECT row_number() OVER (ORDER BY min(dispatched_at), outlet_in, to_partner, transit) AS id, outlet_in, operator, to_partner,
       transit, month, count(*) AS n, sum(weight) AS weight, min(dispatched_at) AS dispatched_at
  FROM (SELECT outlet_in, operator, to_partner, status = 'in_transit' AS transit,
               date_trunc('month', dispatched_at) AS month, weight, dispatched_at
          FROM bench_draws WHERE status <> 'at_outlet') d
 GROUP BY outlet_in, operator, to_partner, transit, month;
INSERT INTO batteries_consignment (id, from_partner_id, from_outlet_id, to_partner_id, status, waybill, carrier, notes,
                                   battery_count, total_weight_kg, dispatched_at, received_at, cancelled_at, updated_at,
                                   audience)
SELECT id, operator, outlet_in, to_partner,
       CASE WHEN transit THEN 'in_transit' WHEN id %% 100 = 0 THEN 'cancelled' ELSE 'received' END, '', '', '',
       n, weight, dispatched_at, CASE WHEN NOT transit THEN dispatched_at + interval '2 days' END, NULL, now(),
       ARRAY[operator, to_partner]
  FROM bench_consignments;
SELECT setval(pg_get_serial_sequence('batteries_consignment', 'id'), (SELECT max(id) FROM bench_consignments));
UPDATE bench_draws d SET consignment = c.id
  FROM bench_consignments c
 WHERE d.status <> 'at_outlet' AND c.outlet_in = d.outlet_in AND c.to_partner = d.to_partner
   AND c.transit = (d.status = 'in_transit') AND c.month = date_trunc('month', d.dispatched_at);
"""

BATTERIES_SQL = """
INSERT INTO batteries_battery (id, code, manufacturer_code, product_type, chemistry, production_year, production_month,
                               weight_kg, vin, status, hazard, counterfeit, over_capacity, custodian_id, outlet_id,
                               consignee_id, consignment_id, producer_ids, last_seq, last_hash, received_at, updated_at,
                               audience)
SELECT id, code, substr(code, 1, 3), 'pack', 'lfp', 2025, 3, weight, vin, status, hazard, false, false,
       CASE WHEN status IN ('at_outlet', 'in_transit') THEN operator ELSE to_partner END,
       CASE WHEN status = 'at_outlet' THEN outlet_in END,
       CASE WHEN status = 'in_transit' THEN to_partner END,
       CASE WHEN status = 'in_transit' THEN consignment END,
       CASE WHEN vin <> '' THEN ARRAY[automaker, maker] ELSE ARRAY[maker] END,
       CASE status WHEN 'at_outlet' THEN 1 WHEN 'in_transit' THEN 2 WHEN 'at_facility' THEN 3 ELSE 4 END{shift},
       repeat('a', 64), received_at, now(),
       CASE WHEN status = 'at_outlet' THEN ARRAY[operator, automaker, maker]
            ELSE ARRAY[operator, automaker, maker, to_partner] END
  FROM bench_draws ORDER BY id;
SELECT setval(pg_get_serial_sequence('batteries_battery', 'id'), %(batteries)s);
"""

EVENTS_SQL = """
INSERT INTO batteries_custodyevent (battery_id, battery_code, seq, kind, partner_id, counterparty_id, outlet_id,
                                    outlet_code, consignment_id, occurred_at, recorded_at, data, prev_hash, hash,
                                    audience)
SELECT id, code, 1, 'received', operator, NULL, outlet_in, outlet_code, NULL, received_at, received_at,
       jsonb_build_object('source', 'owner', 'code', code, 'product_type', 'pack', 'chemistry', 'lfp',
                          'weight_kg', weight::text, 'energy_kwh', NULL, 'vin', vin, 'condition',
                          coalesce(nullif(hazard, ''), 'intact'), 'soh_percent', NULL, 'notes', ''),
       repeat('0', 64), repeat('a', 64), ARRAY[operator, automaker, maker]
  FROM bench_draws
UNION ALL{inspected}
SELECT id, code, 2{shift}, 'dispatched', operator, to_partner, outlet_in, outlet_code, consignment, dispatched_at, dispatched_at,
       jsonb_build_object('consignment', consignment, 'destination_partner', to_partner, 'destination_outlet', NULL,
                          'weight_kg', weight::text, 'waybill', '', 'carrier', ''),
       repeat('a', 64), repeat('b', 64), ARRAY[operator, automaker, maker, to_partner]
  FROM bench_draws WHERE status <> 'at_outlet'
UNION ALL
SELECT id, code, 3{shift}, 'handover_received', to_partner, operator, NULL, '', consignment, dispatched_at + interval '2 days',
       dispatched_at + interval '2 days',
       jsonb_build_object('consignment', consignment, 'weight_kg', weight::text, 'facility', true),
       repeat('b', 64), repeat('c', 64), ARRAY[to_partner, operator, automaker, maker]
  FROM bench_draws WHERE status IN ('at_facility', 'cascade_use', 'recycled')
UNION ALL
SELECT id, code, 4{shift}, CASE WHEN status = 'recycled' THEN 'recycled' ELSE 'cascade_recoded' END, to_partner, NULL, NULL, '',
       NULL, dispatched_at + interval '3 days' + age * 0.3 * r7, dispatched_at + interval '3 days' + age * 0.3 * r7,
       jsonb_build_object('notes', ''), repeat('c', 64), repeat('d', 64), ARRAY[to_partner, automaker, maker]
  FROM bench_draws WHERE status IN ('cascade_use', 'recycled')
 ORDER BY 10;  -- occurred_at
"""

# Inspections per battery: floor(x * id) - floor(x * (id - 1)) is floor(x) or floor(x) + 1,
# x on average, without drawing random numbers (the draws of the later steps stay the same).
INSPECTIONS = "(floor(%(inspections)s::numeric * id) - floor(%(inspections)s::numeric * (id - 1)))::int"

# The outlet's safety inspections, spread between the receipt and the dispatch.
INSPECTED_EVENTS_SQL = f"""
SELECT id, code, 1 + i, 'inspected', operator, NULL::bigint, outlet_in, outlet_code, NULL::bigint, inspected_at, inspected_at,
       jsonb_build_object('insulation_ok', true, 'casing_ok', true, 'notes', ''),
       repeat('e', 64), repeat('e', 64), ARRAY[operator, automaker, maker]
  FROM bench_draws
 CROSS JOIN LATERAL generate_series(1, {INSPECTIONS}) i
 CROSS JOIN LATERAL (SELECT received_at + (dispatched_at - received_at) * i / ({INSPECTIONS} + 1) AS inspected_at) t
UNION ALL"""


def events_sql(sql: str, inspections: float) -> str:
    """``sql`` with the inspections in the chains; the very same statement without any."""
    if not inspections:
        return sql.format(shift="", inspected="")
    return sql.format(shift=f" + {INSPECTIONS}", inspected=INSPECTED_EVENTS_SQL)


CONSIGNMENT_ITEMS_SQL = """
INSERT INTO batteries_consignmentitem (consignment_id, battery_id, battery_code, weight_kg, outcome, rejection_reason,
                                       rejection_note, audience)
SELECT d.consignment, d.id, d.code, d.weight,
       CASE c.status WHEN 'in_transit' THEN 'pending' WHEN 'cancelled' THEN 'cancelled' ELSE 'accepted' END, '', '',
       c.audience
  FROM bench_draws d JOIN batteries_consignment c ON c.id = d.consignment
 ORDER BY d.consignment, d.id;
"""

# Each partner's entries of a stretch of the ledger; the transaction's id is the txid.
FEED_SQL = """
INSERT INTO batteries_feedentry (partner_id, event_id)
SELECT p.id, e.id
  FROM batteries_custodyevent e CROSS JOIN unnest(%(partners)s::bigint[]) p(id)
 WHERE e.id > %(after)s AND e.id <= %(upto)s AND (p.id = 0 OR e.audience @> ARRAY[p.id])
 ORDER BY e.id, p.id;
"""

# Outlet receipts and handovers oblige the VIN's automaker (30 working days, about 42
# calendar days here); receipts at a facility oblige the facility. Old ones were reported.
OBLIGATIONS_SQL = """
INSERT INTO batteries_obligation (event_id, battery_id, battery_code, obligated_id, creator_id, rule, working_days,
                                  occurred_on, due_on, status, receipt_number, reported_at, audience)
SELECT e.id, e.battery_id, e.battery_code, x.obligated, e.partner_id, x.rule, x.days, x.occurred_on,
       CASE WHEN x.obligated IS NOT NULL THEN x.occurred_on + 42 END,
       CASE WHEN x.obligated IS NULL THEN 'unassigned'
            WHEN x.occurred_on + 42 < current_date - 30 AND e.id %% 50 <> 0 THEN 'reported'
            WHEN x.occurred_on + 42 < current_date THEN 'overdue' ELSE 'pending' END,
       CASE WHEN x.obligated IS NOT NULL AND x.occurred_on + 42 < current_date - 30 AND e.id %% 50 <> 0
            THEN 'NP' || e.id ELSE '' END,
       CASE WHEN x.obligated IS NOT NULL AND x.occurred_on + 42 < current_date - 30 AND e.id %% 50 <> 0
            THEN e.occurred_at + interval '20 days' END,
       ARRAY_REMOVE(ARRAY[x.obligated, e.partner_id], NULL)
  FROM batteries_custodyevent e
  JOIN bench_draws d ON d.id = e.battery_id
  CROSS JOIN LATERAL (
    SELECT CASE WHEN e.kind = 'handover_received' THEN e.partner_id WHEN d.vin <> '' THEN d.automaker END AS obligated,
           CASE e.kind WHEN 'received' THEN 'outlet_receipt' WHEN 'dispatched' THEN 'outlet_handover'
                       ELSE CASE WHEN e.partner_id > 190 THEN 'cascade_facility' ELSE 'recycler_facility' END END AS rule,
           CASE WHEN e.kind = 'handover_received' AND e.partner_id > 190 THEN 15 ELSE 30 END AS days,
           (e.occurred_at AT TIME ZONE 'Asia/Shanghai')::date AS occurred_on
  ) x
 WHERE e.kind IN ('received', 'dispatched', 'handover_received')
 ORDER BY e.id;
"""

FINISH_SQL = """
UPDATE outlets_outlet o SET stock_kg = s.kg
  FROM (SELECT outlet_id, sum(weight_kg) AS kg FROM batteries_battery WHERE status = 'at_outlet' GROUP BY 1) s
 WHERE s.outlet_id = o.id;
INSERT INTO reports_salesfootprint (partner_id, prefecture_id, year, vehicles_sold, fleet, updated_at, audience)
SELECT a, p.adcode, extract(year FROM now())::int,
       CASE WHEN random() < 0.6 THEN floor(random() * 3000)::int ELSE 0 END, floor(random() * 20000)::int, now(),
       ARRAY[a::bigint]
  FROM generate_series(1, 20) a CROSS JOIN outlets_division p WHERE p.level = 'prefecture';
DROP TABLE bench_draws;
"""


def generate(
    conn: psycopg.Connection,
    *,
    batteries: int = 1_000_000,
    outlets: int = 5_000,
    seed: float = 0.42,
    inspections_per_battery: float = 0.0,
    consignment_items: bool = False,
    feed_partners: Sequence[int] = (),
    feed_chunk: int = 20_000,
) -> None:
    """Fill the (freshly migrated, empty) database ``conn`` is connected to.

    Each step commits: a transaction open for minutes would hold back the feed of every
    database on the server (its cut-off is the cluster-wide oldest running transaction)."""
    params = {"batteries": batteries, "outlets": outlets, "inspections": inspections_per_battery}
    steps = [
        ("partners", PARTNERS_SQL),
        (f"{outlets:,} outlets and sharing grants", OUTLETS_SQL),
        (f"random draws for {batteries:,} batteries", DRAWS_SQL),
        ("consignments", CONSIGNMENTS_SQL),
        ("batteries", events_sql(BATTERIES_SQL, inspections_per_battery)),
        ("custody events", events_sql(EVENTS_SQL, inspections_per_battery)),
        ("obligations", OBLIGATIONS_SQL),
        # Draws no random numbers: the steps after it get the same draws as without it.
        *([("consignment items", CONSIGNMENT_ITEMS_SQL)] if consignment_items else []),
        ("stock and sales footprints", FINISH_SQL),
    ]
    bulk_tables = (*TABLES_WITH_BULK, *(["batteries_consignmentitem"] if consignment_items else []))
    # Client-side binding: several statements per execute, with parameters.
    with psycopg.ClientCursor(conn) as cur:
        # Session settings: they outlive the commits below.
        cur.execute("SET session_replication_role = replica")
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET max_parallel_maintenance_workers = 2")
        cur.execute("SET work_mem = '256MB'")
        cur.execute("SELECT setseed(%s)", [seed])
        indexes = _secondary_indexes(cur, bulk_tables)
        with step(f"dropping {len(indexes)} secondary indexes"):
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
        conn.commit()
        for name, sql in steps:
            with step(name):
                cur.execute(sql, params)
                conn.commit()
        with step("rebuilding the secondary indexes"):
            for _, definition in indexes:
                cur.execute(definition)
                conn.commit()
        if feed_partners:
            with step(f"feed entries of partners {', '.join(map(str, feed_partners))}"):
                _write_feed(conn, cur, list(feed_partners), feed_chunk)
        cur.execute("SET session_replication_role = origin")
    conn.commit()
    conn.autocommit = True
    with step("VACUUM ANALYZE"), conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


def _write_feed(conn: psycopg.Connection, cur: psycopg.Cursor, partners: list[int], chunk: int) -> None:
    """One transaction per ``chunk`` events, in ledger order, so the feed's ``(txid,
    event_id)`` order is the ledger's and the entries spread over many transactions (in
    production each event's transaction has a txid of its own; the index is the same)."""
    cur.execute("SELECT coalesce(max(id), 0) FROM batteries_custodyevent")
    last = cur.fetchone()[0]
    for after in range(0, last, chunk):
        cur.execute(FEED_SQL, {"partners": partners, "after": after, "upto": after + chunk})
        conn.commit()
