"""Deadlines section: uploads to the national platform that are due or overdue, per
obligated partner (automakers for outlet events; dismantlers, cascade users and
recyclers for events at their facilities), as they stood on the report date.

An obligation was open on the report date when its event had happened by then and it
was not reported by then (pending or overdue now, or reported later). Open and due
before the report date: overdue; otherwise due. Partners with nothing open are not
listed. Unassigned obligations (no VIN or no known automaker) are counted apart.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from reports.sections.context import ReportContext, fetch

DUE_SOON_DAYS = 30

# Open now: pending or overdue (the (status, due_on) index finds them among millions of
# reported ones). For a report date in the past, add those reported after that date.
DEADLINES_SQL = """
WITH open AS (
  SELECT o.obligated_id, o.due_on FROM batteries_obligation o
   WHERE o.status IN ('pending', 'overdue') AND o.occurred_on <= %(as_of)s
     AND (%(partner)s::bigint IS NULL OR o.obligated_id = %(partner)s)
  UNION ALL
  SELECT o.obligated_id, o.due_on FROM batteries_obligation o
   WHERE %(in_the_past)s AND o.status = 'reported' AND o.reported_at >= %(as_of_end)s
     AND o.occurred_on <= %(as_of)s AND (%(partner)s::bigint IS NULL OR o.obligated_id = %(partner)s)
)
SELECT open.obligated_id AS partner_id, p.name AS partner_name, p.kinds AS partner_kinds, count(*) AS open,
       count(*) FILTER (WHERE open.due_on < %(as_of)s) AS overdue,
       count(*) FILTER (WHERE open.due_on >= %(as_of)s) AS due,
       count(*) FILTER (WHERE open.due_on BETWEEN %(as_of)s AND %(soon)s) AS due_soon
  FROM open JOIN partners_partner p ON p.id = open.obligated_id
 GROUP BY 1, 2, 3
 ORDER BY 1"""

# Nobody owes these, so a partner's report counts those its own events created.
UNASSIGNED_SQL = """
SELECT count(*) AS n FROM batteries_obligation o
 WHERE o.status = 'unassigned' AND o.occurred_on <= %(as_of)s
   AND (%(partner)s::bigint IS NULL OR o.creator_id = %(partner)s)"""


def compute(ctx: ReportContext) -> dict[str, Any]:
    soon = ctx.as_of + datetime.timedelta(days=DUE_SOON_DAYS)
    in_the_past = ctx.as_of < timezone.localdate()
    rows = fetch(DEADLINES_SQL, ctx.params(soon=soon, in_the_past=in_the_past))
    partners = [
        {
            "partner": {"id": r["partner_id"], "name": r["partner_name"], "kinds": list(r["partner_kinds"])},
            "open": r["open"],
            "due": r["due"],
            "overdue": r["overdue"],
            "due_next_30_days": r["due_soon"],
        }
        for r in rows
    ]
    keys = ("open", "due", "overdue", "due_next_30_days")
    return {
        "due_soon_days": DUE_SOON_DAYS,
        "partners": partners,
        "totals": {key: sum(p[key] for p in partners) for key in keys},
        "unassigned": fetch(UNASSIGNED_SQL, ctx.params())[0]["n"],
    }
