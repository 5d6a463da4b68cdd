"""Every figure of the four sections on the small network of ``conftest.small_network``,
worked out by hand."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from batteries import deadlines
from batteries.models import Obligation
from batteries.services import obligations_acknowledge
from recycling_network.tenancy import SYSTEM, run_as
from reports.models import NevFleet, ReportStatus
from reports.services import sales_footprint_set
from tests.builders import DATACENTER, call
from tests.reports.helpers import run_report

pytestmark = pytest.mark.django_db


def by_region(rows):
    return {row["region"]: row for row in rows}


def test_national_network_section(small_network, django_capture_on_commit_callbacks):
    report = run_report(django_capture_on_commit_callbacks, DATACENTER)
    assert report.status == ReportStatus.DONE
    network = report.result["network"]

    # o1, o2, o3 are approved; the suspended o4 and the draft do not count.
    assert network["outlets"]["total"] == 3
    assert network["outlets"]["by_kind"] == {"collection": 2, "centralized_storage": 1}
    regions = by_region(network["outlets"]["by_region"])
    assert {code: row["total"] for code, row in regions.items()} == {"JJJ": 1, "YRD": 1, "PRD": 1}
    assert [(p["adcode"], p["total"]) for p in network["outlets"]["by_province"]] == [
        ("110000", 1),
        ("310000", 1),
        ("440000", 1),
    ]
    assert [(p["adcode"], p["name"]) for p in network["outlets"]["by_prefecture"]] == [
        ("110100", "北京市市辖区"),
        ("310100", "上海市市辖区"),
        ("440300", "深圳市"),
    ]

    # Covered: a collection outlet (Beijing, Shenzhen); Shanghai has only centralised storage.
    coverage = network["coverage"]
    assert coverage["covered_prefectures"] == ["110100", "440300"]
    assert (coverage["prefectures"], coverage["covered"], coverage["uncovered"]) == (343, 2, 341)
    uncovered = {p["adcode"] for p in coverage["uncovered_prefectures"]}
    assert "310100" in uncovered and "420100" in uncovered and "110100" not in uncovered

    # Stock: o1 = b2 200 + b5 260 (corrected) + b7 150 + b9 180; o2 = b6 400 (back from a
    # cancelled dispatch); o3 = b8 120 (b4 was voided).
    capacity = network["capacity"]
    assert (capacity["outlets"], capacity["capacity_kg"], capacity["stock_kg"]) == (3, 39000.0, 1310.0)
    assert capacity["utilisation"] == round(1310 / 39000, 4)
    regional = by_region(capacity["by_region"])
    assert (regional["JJJ"]["stock_kg"], regional["JJJ"]["utilisation"]) == (790.0, round(790 / 5000, 4))
    assert (regional["YRD"]["stock_kg"], regional["PRD"]["stock_kg"]) == (400.0, 120.0)

    # Intake: every receipt but the voided b4, b5 at its corrected weight.
    flows = network["flows"]
    assert flows["intake"] == {"count": 8, "weight_kg": 300 + 200 + 500 + 260 + 400 + 150 + 120 + 180}
    # Dispatch: b1 and b3; b6's consignment was cancelled.
    assert flows["dispatch"] == {"count": 2, "weight_kg": 800.0}
    regional = by_region(flows["by_region"])
    assert (regional["JJJ"]["intake_count"], regional["JJJ"]["intake_kg"]) == (5, 1090.0)
    assert (regional["YRD"]["intake_count"], regional["YRD"]["intake_kg"]) == (2, 900.0)
    assert (regional["PRD"]["intake_count"], regional["PRD"]["dispatch_count"]) == (1, 0)
    assert (regional["JJJ"]["dispatch_kg"], regional["YRD"]["dispatch_kg"]) == (300.0, 500.0)

    # Dwell: b1 stayed 6 days, b3 10 days.
    assert network["dwell"] == {"departures": 2, "average_days": 8.0, "median_days": 8.0}

    assert network["hazards"]["total"] == 1
    assert network["hazards"]["by_kind"] == [{"hazard": "leaking", "count": 1, "weight_kg": 200.0, "at_outlets": 1}]


def test_growth_against_the_yearly_targets(small_network, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    report = run_report(django_capture_on_commit_callbacks, DATACENTER)
    growth = report.result["network"]["growth"]
    years = {row["year"]: row for row in growth["by_year"]}
    assert sorted(years) == list(range((today - datetime.timedelta(days=364)).year, today.year + 1))
    # Approved this year: o1, o2, o3 and o4 (suspended since; it was still a new outlet).
    assert years[today.year] == {"year": today.year, "new_outlets": 4, "target": 150, "achieved": round(4 / 150, 4)}
    regional = {(r["year"], r["region"]): r for r in growth["by_region"]}
    assert (regional[today.year, "JJJ"]["new_outlets"], regional[today.year, "JJJ"]["target"]) == (1, 15)
    assert (regional[today.year, "CENTRAL"]["new_outlets"], regional[today.year, "CENTRAL"]["target"]) == (1, 20)
    assert (regional[today.year, "NORTHWEST"]["new_outlets"], regional[today.year, "NORTHWEST"]["target"]) == (0, 10)


def test_partner_network_counts_own_and_shared_outlets_and_its_own_records(
    small_network, django_capture_on_commit_callbacks
):
    net = small_network
    network = run_report(django_capture_on_commit_callbacks, net.a_actor).result["network"]
    # A operates o3 and may use o1 and o2 (active grants).
    assert network["outlets"]["by_kind"] == {"collection": 2, "centralized_storage": 1}
    assert network["coverage"]["covered_prefectures"] == ["110100", "440300"]
    # Stock is the operator's: A's figures cover o3 only.
    assert network["capacity"]["basis"] == "operated_outlets"
    assert (network["capacity"]["capacity_kg"], network["capacity"]["stock_kg"]) == (4000.0, 120.0)
    assert network["capacity"]["utilisation"] == 0.03
    # A recorded one intake (b8; b4 was voided) and no dispatch.
    assert network["flows"]["intake"] == {"count": 1, "weight_kg": 120.0}
    assert network["flows"]["dispatch"] == {"count": 0, "weight_kg": 0.0}
    assert network["dwell"] == {"departures": 0, "average_days": None, "median_days": None}
    assert network["hazards"]["total"] == 0
    assert network["growth"]["by_year"][-1]["new_outlets"] == 3
    assert network["growth"]["by_year"][-1]["target"] is None

    operator = run_report(django_capture_on_commit_callbacks, net.op_actor).result["network"]
    assert operator["outlets"]["by_kind"] == {"collection": 1, "centralized_storage": 1}
    assert (operator["capacity"]["capacity_kg"], operator["capacity"]["stock_kg"]) == (35000.0, 1190.0)
    assert operator["flows"]["intake"] == {"count": 7, "weight_kg": 1990.0}
    assert operator["dwell"]["departures"] == 2
    assert operator["hazards"]["total"] == 1

    # B's grant was revoked: B has no network at all.
    lonely = run_report(django_capture_on_commit_callbacks, net.b_actor).result["network"]
    assert lonely["outlets"]["total"] == 0
    assert lonely["coverage"]["covered"] == 0


def test_obligation_gaps_per_automaker(small_network, django_capture_on_commit_callbacks):
    net = small_network
    year = timezone.localdate().year
    call(
        DATACENTER,
        sales_footprint_set,
        partner=net.auto_a,
        rows=[
            {"prefecture": "110100", "year": year, "vehicles_sold": 100, "fleet": 9000},
            {"prefecture": "310100", "year": year, "vehicles_sold": 50, "fleet": 8000},
            {"prefecture": "440300", "year": year, "vehicles_sold": 10, "fleet": 100},
            {"prefecture": "420100", "year": year, "vehicles_sold": 0, "fleet": 500},
            {"prefecture": "420100", "year": year - 1, "vehicles_sold": 999, "fleet": 20000},
        ],
    )
    call(
        DATACENTER,
        sales_footprint_set,
        partner=net.auto_b,
        rows=[
            {"prefecture": "110100", "year": year - 1, "vehicles_sold": 20, "fleet": 10},
            {"prefecture": "440300", "year": year - 1, "vehicles_sold": 5, "fleet": 8000},
        ],
    )
    section = run_report(django_capture_on_commit_callbacks, DATACENTER).result["obligations"]
    automakers = {a["partner"]["id"]: a for a in section["automakers"]}
    a, b = automakers[net.auto_a.pk], automakers[net.auto_b.pk]

    # A sells in Beijing (o1 shared), Shenzhen (o3 its own) and Shanghai (only centralised
    # storage there): one gap. Its fleet reaches 8,000 in Beijing (no storage there) and
    # Shanghai (o2 shared). The older year of the footprint is ignored.
    assert a["footprint_year"] == year
    assert (a["selling_prefectures"], a["covered_prefectures"]) == (3, 2)
    assert [g["adcode"] for g in a["gaps"]] == ["310100"]
    assert a["gaps"][0]["vehicles_sold"] == 50
    assert (a["storage_required"], a["storage_covered"]) == (2, 1)
    assert [(g["adcode"], g["fleet"]) for g in a["storage_gaps"]] == [("110100", 9000)]

    # B's grant on o2 was revoked: every prefecture is a gap; its latest year is last year.
    assert b["footprint_year"] == year - 1
    assert [g["adcode"] for g in b["gaps"]] == ["110100", "440300"]
    assert [g["adcode"] for g in b["storage_gaps"]] == ["440300"]

    assert section["totals"] == {"automakers": 2, "automakers_with_gaps": 2, "gaps": 3, "storage_gaps": 2}
    regions = {r["region"]: (r["gaps"], r["storage_gaps"]) for r in section["by_region"]}
    assert regions == {"JJJ": (1, 1), "YRD": (1, 0), "PRD": (1, 1)}

    # A's own report lists A alone.
    own = run_report(django_capture_on_commit_callbacks, net.a_actor).result["obligations"]
    assert [entry["partner"]["id"] for entry in own["automakers"]] == [net.auto_a.pk]
    assert own["totals"]["gaps"] == 1


@pytest.fixture
def tiny_fleet(db):
    """A synthetic NEV weighting: five prefectures (summed over years; future years ignored)."""
    year = timezone.localdate().year
    NevFleet.objects.all().delete()
    NevFleet.objects.bulk_create(
        [
            NevFleet(prefecture_id="110100", year=2023, passenger_new=1000),
            NevFleet(prefecture_id="120100", year=2023, passenger_new=400, commercial_new=100),
            NevFleet(prefecture_id="310100", year=2022, passenger_new=500),
            NevFleet(prefecture_id="310100", year=2023, commercial_new=300),
            NevFleet(prefecture_id="320500", year=2023, passenger_new=300),
            NevFleet(prefecture_id="320500", year=year + 1, passenger_new=100000),
            NevFleet(prefecture_id="420100", year=2023, passenger_new=200),
        ]
    )


def test_greedy_allocation_picks_and_what_each_adds(small_network, tiny_fleet, django_capture_on_commit_callbacks):
    # Distances (km): Beijing-Tianjin 113.8, Shanghai-Suzhou 84.7, Langfang-Beijing 47.1,
    # Langfang-Tianjin 67.3; Wuhan is far from all. Beijing is covered by o1 (a collection
    # outlet there); o2 in Shanghai is centralised storage, o3 in Shenzhen is far away.
    section = run_report(django_capture_on_commit_callbacks, DATACENTER, k=5, radius_km=100).result["allocation"]
    assert (section["demand_points"], section["total_demand"], section["covered_before"]) == (5, 2800, 1000)
    picks = [(p["adcode"], p["added_demand"], p["newly_covered_prefectures"]) for p in section["picks"]]
    # Shanghai covers Suzhou too (ties with Suzhou, Nantong, Jiaxing: lowest adcode); then
    # Tianjin; then Wuhan; nothing is left for picks 4 and 5.
    assert picks == [
        ("310100", 1100, ["310100", "320500"]),
        ("120100", 500, ["120100"]),
        ("420100", 200, ["420100"]),
    ]
    assert [p["cumulative_demand"] for p in section["picks"]] == [2100, 2600, 2800]
    assert [p["cumulative_share"] for p in section["picks"]] == [0.75, round(2600 / 2800, 4), 1.0]
    assert (section["covered_before_share"], section["covered_after_share"]) == (round(1000 / 2800, 4), 1.0)

    # B has no outlet: Langfang, between Beijing and Tianjin, covers both (1,500) first.
    lonely = run_report(django_capture_on_commit_callbacks, small_network.b_actor, k=2).result["allocation"]
    assert lonely["covered_before"] == 0
    assert [(p["adcode"], p["added_demand"]) for p in lonely["picks"]] == [("131000", 1500), ("310100", 1100)]

    # Within 50 km nothing covers two points: the heaviest go first and K stops the list.
    narrow = run_report(django_capture_on_commit_callbacks, DATACENTER, k=2, radius_km=50).result["allocation"]
    assert [(p["adcode"], p["added_demand"]) for p in narrow["picks"]] == [("310100", 800), ("120100", 500)]
    assert narrow["covered_after"] == 2300


def test_deadlines_per_obligated_partner(small_network, django_capture_on_commit_callbacks):
    net = small_network
    today = timezone.localdate()
    with run_as(SYSTEM):
        b2 = Obligation.objects.get(battery_code=net.codes["b2"])
    call(net.a_actor, obligations_acknowledge, items=[{"id": b2.pk, "receipt_number": "NP-0001"}])

    section = run_report(django_capture_on_commit_callbacks, DATACENTER).result["deadlines"]
    rows = {p["partner"]["id"]: p for p in section["partners"]}
    # A owes the outlet receipts and handovers of its VINs: b1 (receipt and dispatch), b2
    # (reported), b4, b6 (receipt and dispatch), b7, b8, b9. b7's (100 days ago) is overdue.
    a_events = ["b1", "b1_dispatch", "b4", "b6", "b6_dispatch", "b7", "b8", "b9"]
    due_on = [deadlines.add_working_days(deadlines.local_date(net.occurred[e]), 30) for e in a_events]
    soon = sum(1 for d in due_on if today <= d <= today + datetime.timedelta(days=30))
    assert rows[net.auto_a.pk] | {"partner": None} == {
        "partner": None,
        "open": 8,
        "due": 7,
        "overdue": 1,
        "due_next_30_days": soon,
    }
    assert soon >= 1  # b9's, received 30 days ago
    assert (rows[net.auto_b.pk]["open"], rows[net.auto_b.pk]["due"]) == (1, 1)  # b5
    assert rows[net.recycler.pk]["open"] == 2  # b1 and b3 received at its facility
    assert rows[net.recycler.pk]["partner"]["kinds"] == ["recycler"]
    assert section["unassigned"] == 2  # b3 has no VIN: its receipt and its dispatch
    assert section["totals"]["open"] == 11

    # As of yesterday: today's intakes (b4, b8) had not happened, and b2's upload, reported
    # today, was still open.
    yesterday = today - datetime.timedelta(days=1)
    before = run_report(django_capture_on_commit_callbacks, DATACENTER, as_of=yesterday).result["deadlines"]
    a_before = next(p for p in before["partners"] if p["partner"]["id"] == net.auto_a.pk)
    assert (a_before["open"], a_before["overdue"]) == (7, 1)

    own = run_report(django_capture_on_commit_callbacks, net.op_actor).result["deadlines"]
    assert own["partners"] == []  # the operator owes nothing itself...
    assert own["unassigned"] == 2  # ...but its own events created the unassigned ones
