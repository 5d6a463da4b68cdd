"""``manage.py seed_demo`` (issues "Bare-machine quick start", "Battery traceability core"):
the demo network and battery history, built through the services, idempotent, with
demo logins that work.

The seeder commits in its own transactions (``run_as`` per chunk) and plays the history
in forked processes; under the non-transactional ``db`` fixture those transactions
would be savepoints of the test's transaction, ``on_commit`` hooks (the audience
backfill, the outbox) would never fire and no other connection could see the rows. So
these tests use real commits (``transaction=True``) and a small history (300
batteries); the default size (5,000) is checked as a plan here and timed by hand.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import F

from batteries.models import (
    Battery,
    BatteryStatus,
    Consignment,
    ConsignmentStatus,
    CustodyEvent,
    FeedEntry,
    Obligation,
    ObligationStatus,
    ReviewCase,
    ReviewStatus,
)
from outlets.models import Outlet, OutletKind, OutletStatus, SharingGrant, StaffAssignment
from partners.models import AuditEntry, ClaimStatus, CodeClaim, OutboxEmail, Partner, User
from partners.validators import validate_credit_code
from recycling_network.demo import data
from recycling_network.demo.batteries import Player
from recycling_network.demo.calls import SeedError
from recycling_network.demo.history import END, plan_history
from recycling_network.demo.network import build_network
from recycling_network.demo.seed import DEFAULT_BATTERIES
from recycling_network.tenancy import SYSTEM, run_as
from reports.models import SalesFootprint

SMALL = 300


def seed(*options: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", f"--batteries={SMALL}", *options, stdout=out)
    return out.getvalue()


def snapshot() -> tuple[dict[str, int], str]:
    """Rows per table, and a digest of what the demo is made of, as the system sees them."""
    with run_as(SYSTEM):
        counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
        content = [
            sorted(Partner.objects.values_list("credit_code", "name", "kinds", "status", "demonstration_unit")),
            sorted(User.objects.values_list("username", "role", "partner__credit_code", "password")),
            sorted(CodeClaim.objects.values_list("kind", "code", "status", "partner__credit_code")),
            sorted(Outlet.objects.values_list("operator__credit_code", "name", "code", "status", "stock_kg")),
            sorted(SharingGrant.objects.values_list("outlet__name", "grantee__credit_code", "revoked_at")),
            sorted(Battery.objects.values_list("code", "status", "custodian__credit_code", "hazard", "last_hash")),
            sorted(CustodyEvent.objects.values_list("battery_code", "seq", "kind", "hash")),
            sorted(Consignment.objects.values_list("waybill", "status", "battery_count", "total_weight_kg")),
            sorted(Obligation.objects.values_list("battery_code", "rule", "status", "receipt_number")),
            sorted(ReviewCase.objects.values_list("battery_code", "kind", "status", "resolution")),
        ]
    return counts, hashlib.sha256(repr(content).encode()).hexdigest()


def printed_logins(output: str) -> list[tuple[str, str]]:
    """(username, password) of every row of the printed logins table."""
    rows = re.findall(r"^.*?\s((?:dc|admin|staff)_\w+)\s+(\S+)\s", output, flags=re.MULTILINE)
    assert rows, output
    return rows


@pytest.mark.django_db(transaction=True)
def test_seeding_again_changes_nothing_and_the_printed_logins_sign_in(client):
    first = seed()
    counts, digest = snapshot()
    assert counts["batteries.Battery"] >= SMALL
    assert counts["batteries.CustodyEvent"] > counts["batteries.Battery"]

    again = seed()
    assert snapshot() == (counts, digest)
    assert "; 0 changes (" in again
    assert "batteries: nothing new" in again

    quick = seed("--if-needed")
    assert "not seeding again" in quick
    assert snapshot() == (counts, digest)

    logins = printed_logins(quick)
    assert printed_logins(first) == logins
    roles = {username.split("_")[0] for username, _password in logins}
    assert roles == {"dc", "admin", "staff"}
    for username, password in logins:
        assert client.login(username=username, password=password), username
        client.logout()
    # The logins the README names are among them.
    readme = (settings.BASE_DIR / "README.md").read_text()
    named = set(re.findall(r"^\| [^|]+ \| `(\w+)` \| `([^`]+)` \|", readme, flags=re.M))
    assert len(named) >= 4 and named <= set(logins)

    ledger = io.StringIO()
    call_command("verify_ledger", stdout=ledger)
    assert f"ledger ok: {counts['batteries.Battery']} batteries" in ledger.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_demo_has_every_role_status_and_dispute_made_through_the_services():
    output = seed()
    with run_as(SYSTEM):
        partners = list(Partner.objects.all())
        outlets = Counter(Outlet.objects.values_list("status", flat=True))
        approved = Outlet.objects.filter(status=OutletStatus.APPROVED)
        kinds = Counter(approved.values_list("kind", flat=True))
        claims = Counter(CodeClaim.objects.values_list("status", flat=True))
        consignments = set(Consignment.objects.values_list("status", flat=True))
        facility_receipts = Consignment.objects.filter(to_outlet=None, status=ConsignmentStatus.RECEIVED).count()
        cases = Counter(ReviewCase.objects.values_list("status", flat=True))
        statuses = set(Battery.objects.values_list("status", flat=True))
        recodes = Battery.objects.filter(original__isnull=False, manufacturer_code="C7R").count()
        hazards = set(Battery.objects.exclude(hazard="").values_list("hazard", flat=True))
        obligations = Counter(Obligation.objects.values_list("status", flat=True))
        receipts = set(Obligation.objects.exclude(receipt_number="").values_list("receipt_number", flat=True))
        corrections = CustodyEvent.objects.filter(kind="corrected").count()
        overfull = Outlet.objects.filter(stock_kg__gt=F("capacity_kg")).count()
        staff_outlet = Outlet.objects.get(staff_assignments__user__username="staff_bj1")
        shared = SharingGrant.objects.filter(grantee__kinds__contains=["automaker"]).count()
        audited = set(AuditEntry.objects.values_list("action", flat=True))
        intakes = CustodyEvent.objects.filter(kind="received")
        by_staff, by_admins = (
            intakes.filter(actor_user__username__startswith=prefix).count() for prefix in ("staff_", "admin_")
        )
        outbox, feed = OutboxEmail.objects.count(), FeedEntry.objects.count()
        storage_needed = SalesFootprint.objects.filter(fleet__gte=8000).values("partner").distinct().count()
        events = defaultdict(list)
        for code, occurred_at in CustodyEvent.objects.order_by("seq").values_list("battery_code", "occurred_at"):
            events[code].append(occurred_at)

    assert 10 <= len(partners) <= 14
    for partner in partners:
        assert validate_credit_code(partner.credit_code) == partner.credit_code
    assert sum(p.demonstration_unit for p in partners) == 2
    assert {k for p in partners for k in p.kinds} == {
        "automaker",
        "battery_maker",
        "outlet_operator",
        "cascade_user",
        "recycler",
        "dismantler",
    }
    assert 55 <= outlets[OutletStatus.APPROVED] <= 65
    assert outlets[OutletStatus.SUSPENDED] == 1 and outlets[OutletStatus.DRAFT] == 1
    assert 3 <= outlets[OutletStatus.SUBMITTED] <= 4
    assert kinds[OutletKind.CENTRALIZED_STORAGE] >= 8 and kinds[OutletKind.COLLECTION] >= 40
    assert claims[ClaimStatus.APPROVED] == 8 and claims[ClaimStatus.PENDING] == 1
    assert shared >= 10

    assert consignments == set(ConsignmentStatus.values)
    assert facility_receipts > 0
    assert cases[ReviewStatus.OPEN] >= 1 and cases[ReviewStatus.RESOLVED] == 1
    assert {BatteryStatus.AT_OUTLET, BatteryStatus.IN_TRANSIT, BatteryStatus.AT_FACILITY} <= statuses
    assert {BatteryStatus.CASCADE_USE, BatteryStatus.RECYCLED, BatteryStatus.VOID} <= statuses
    assert recodes >= 1
    assert "insulation_fault" in hazards or "leaking" in hazards
    assert corrections == 1
    assert obligations[ObligationStatus.REPORTED] > 0 and obligations[ObligationStatus.OVERDUE] > 0
    assert all(re.fullmatch(r"NP\d{10}", number) for number in receipts)
    assert overfull == 0
    # The staff login works at an approved outlet that holds batteries.
    assert staff_outlet.status == OutletStatus.APPROVED and staff_outlet.stock_kg > Decimal("0")
    assert StaffAssignment.objects.filter(user__username="staff_bj1").count() == 1
    # Every battery's history runs forward in time (re-coded twins start at their re-code).
    assert all(times == sorted(times) for times in events.values())
    # Made by the services, as the party that would act: audited, notified, in the feed.
    assert {"partner.create", "code_claim.approve", "outlet.approve", "outlet.suspend", "sharing.grant"} <= audited
    assert {"user.create", "user.assign_outlets", "battery.intake_conflict", "review_case.confirm_holder"} <= audited
    assert by_staff > 0 and by_admins > 0
    # Every demo automaker has a sales footprint for last year and this year, and some
    # reach the fleet that obliges a centralised-storage outlet (the report's obligations).
    automakers = [p for p in partners if "automaker" in p.kinds]
    with run_as(SYSTEM):
        years = Counter(SalesFootprint.objects.values_list("year", flat=True).distinct())
        with_footprint = set(SalesFootprint.objects.values_list("partner", flat=True))
    assert with_footprint == {p.pk for p in automakers} and len(years) == 2
    assert storage_needed >= 2
    assert outbox > 0 and feed > 0
    assert "Demo data ready" in output


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_seed_is_completed_by_the_next_run(monkeypatch):
    play_share = Player._play_share

    def interrupted(self, phase, labels):
        if phase > 80:
            raise SeedError("interrupted")
        return play_share(self, phase, labels)

    monkeypatch.setattr(Player, "_play_share", interrupted)
    with pytest.raises(CommandError, match="interrupted"):
        seed()
    with run_as(SYSTEM):
        assert 0 < Battery.objects.count() < SMALL

    monkeypatch.undo()
    assert "not seeding again" not in seed("--if-needed")  # no completion marker yet: it seeds
    plan = plan_history(SMALL)
    player = Player(plan, build_network(lambda line: None), lambda line: None)
    missing = [step for step in plan.steps if step.kind != "acknowledge" and not player.already_done(step)]
    assert missing == []
    with run_as(SYSTEM):
        assert CustodyEvent.objects.filter(kind="received").count() == SMALL
    call_command("verify_ledger", stdout=io.StringIO())


def test_the_default_history_has_5000_batteries_within_capacity_and_time():
    plan = plan_history(DEFAULT_BATTERIES)
    kinds = Counter(step.kind for step in plan.steps)
    assert kinds["receive"] == DEFAULT_BATTERIES == len(plan.batteries)
    assert set(kinds) >= {"dispatch", "receive_consignment", "cancel", "cascade", "recycle", "void", "correct"}
    assert {spec.product for spec in plan.batteries.values()} == {"P", "M", "C"}
    assert {spec.code[:3] for spec in plan.batteries.values()} >= {"0A1", "0B2", "0C3", "3F7"}
    vins = [spec.vin for spec in plan.batteries.values()]
    assert "" in vins and {vin[:3] for vin in vins if vin} >= {"LRN", "LHX", "LDZ", "LSK", "LK9"}
    times = [step.args["at"] for step in plan.steps if "at" in step.args]
    assert min(times) >= 0 and max(times) < END
    assert max(peak_stock(plan).values()) <= 1


def peak_stock(plan) -> dict[str, float]:
    """Replay the plan's masses: each outlet's highest stock as a share of its capacity."""
    capacity = {o.key: data.outlet_size(o)[1] for o in data.OUTLETS}
    weight = {code: float(spec.weight_kg) for code, spec in plan.batteries.items()}
    stock, peak, shipments = Counter(), Counter(), {}
    for step in plan.steps:
        args = step.args
        if step.kind == "receive":
            stock[args["outlet"]] += weight[args["code"]]
        elif step.kind == "dispatch":
            shipments[args["waybill"]] = args
            stock[args["from_outlet"]] -= sum(weight[c] for c in args["codes"])
        elif step.kind == "receive_consignment":
            shipment, returned = shipments[args["waybill"]], {r["code"] for r in args["rejected"]}
            stock[shipment["from_outlet"]] += sum(weight[c] for c in returned)
            if shipment["to_outlet"]:
                stock[shipment["to_outlet"]] += sum(weight[c] for c in shipment["codes"] if c not in returned)
        elif step.kind == "cancel":
            shipment = shipments[args["waybill"]]
            stock[shipment["from_outlet"]] += sum(weight[c] for c in shipment["codes"])
        for outlet, kg in stock.items():
            peak[outlet] = max(peak[outlet], kg / capacity[outlet])
    return peak
