"""The demo automakers' sales footprints (the input of the report's obligations section):
where each sells NEVs and its fleet there, for last year and this year.

Drawn from the NEV registrations of ``reports/data/nev_by_city.csv`` (loaded as
``NevFleet``): an automaker sells in its home province and in the biggest NEV markets,
with a market share of its own, so that the big cities reach the 8,000-vehicle fleet of a
centralised-storage obligation and some prefectures have no outlet: the demo report shows
both covered obligations and gaps. Set through ``sales_footprint_set``, which replaces the
figures of a prefecture and year, so a second run changes nothing.
"""

from __future__ import annotations

import random

from django.db.models import Sum
from django.utils import timezone

from recycling_network.demo import data
from recycling_network.demo.calls import call
from recycling_network.demo.network import Network
from recycling_network.tenancy import SYSTEM, run_as
from reports.models import NevFleet, SalesFootprint
from reports.services import sales_footprint_set

MARKETS = 60  # the biggest NEV markets an automaker may sell in
SHARE = (0.01, 0.05)  # its market share there
FLEET_YEARS = 4  # its fleet: what it sold over this many years


def _markets() -> tuple[list[tuple[str, int]], int]:
    """Prefectures by NEV registrations over all years (biggest first), and how many
    years that is."""
    years = NevFleet.objects.values("year").distinct().count()
    rows = (
        NevFleet.objects.values("prefecture")
        .annotate(total=Sum("passenger_new"))
        .filter(total__gt=0)
        .order_by("-total", "prefecture")
    )
    return [(row["prefecture"], row["total"]) for row in rows], max(1, years)


def footprint_rows(
    spec: data.PartnerSpec, markets: list[tuple[str, int]], years: int, year: int
) -> list[dict[str, int | str]]:
    """Deterministic rows for one automaker: its home province's prefectures and about a
    third of the biggest markets, for ``year - 1`` and ``year``."""
    rng = random.Random(f"footprint:{spec.short}")
    home = spec.division[:2]
    chosen = [(adcode, total) for adcode, total in markets if adcode.startswith(home)]
    chosen += [m for m in markets[:MARKETS] if not m[0].startswith(home) and rng.random() < 0.35]
    rows = []
    for adcode, total in chosen:
        share = rng.uniform(*SHARE) * (2 if adcode.startswith(home) else 1)
        sold_per_year = max(1, round(total / years * share))
        for sales_year, growth in ((year - 1, 0.85), (year, 1.0)):
            sold = round(sold_per_year * growth)
            rows.append({"prefecture": adcode, "year": sales_year, "vehicles_sold": sold, "fleet": sold * FLEET_YEARS})
    return rows


def ensure_footprints(net: Network) -> int:
    """Every demo automaker's footprint, unless it has one already; returns rows set."""
    year = timezone.localdate().year
    with run_as(SYSTEM):
        markets, years = _markets()
        have = set(SalesFootprint.objects.values_list("partner_id", flat=True).distinct())
    written = 0
    for spec in data.PARTNERS:
        partner = net.partners[spec.short]
        if "automaker" not in spec.kinds or partner.pk in have:
            continue
        written += call(
            net.datacenter, sales_footprint_set, partner=partner, rows=footprint_rows(spec, markets, years, year)
        )
    return written
