"""Playing the planned battery history through the custody services.

Every step is one service call by the party that would make it (whoever works at the
outlet, a partner's admin, the data center). Consecutive steps of one actor within a
phase share a transaction (at most ``CHUNK`` calls). Before playing, the player reads what already exists, and a
step whose result is already there is skipped: a second run changes nothing, and a run
interrupted halfway is completed.
"""

from __future__ import annotations

import datetime
import gc
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.utils import timezone

from batteries import services
from batteries.errors import BatteryInCustody
from batteries.models import (
    Battery,
    Consignment,
    ConsignmentStatus,
    CustodyEvent,
    EventKind,
    ObligationStatus,
    ReviewCase,
    ReviewStatus,
)
from batteries.selectors import visible_consignments, visible_events, visible_obligations, visible_review_cases
from recycling_network.demo import data
from recycling_network.demo.calls import SeedError, attempt
from recycling_network.demo.history import DAYS, PHASES_PER_WEEK, WEEKS, Plan, Step
from recycling_network.demo.lanes import lanes
from recycling_network.demo.network import Network
from recycling_network.demo.specs import cascade_code
from recycling_network.errors import DomainError
from recycling_network.tenancy import SYSTEM, Actor, run_as

CHUNK = 40  # calls per transaction: ~0.5 s, so the feed is never held back for long (DESIGN §7)
# Steps that lock two outlets run one call per transaction, so that every transaction
# takes its outlet locks in id order and two lanes never deadlock.
OWN_TRANSACTION = {"receive_consignment", "resolve"}
PARALLEL_FROM = 100  # steps to play before it is worth forking lanes
ACKNOWLEDGE_BATCH = 1000
OUTLET_RULES = ("outlet_receipt", "outlet_handover")
RECYCLE_NOTES = "完成放电、拆解与材料再生处理"
CASCADE_NOTES = "检测分选后改制为储能系统电池"


@dataclass
class Existing:
    """What the database already holds of the plan, read once before playing."""

    status: dict[str, str] = field(default_factory=dict)  # battery code -> status
    events: set[tuple[str, str]] = field(default_factory=set)  # (code, kind) of one-off events
    consignments: dict[str, str] = field(default_factory=dict)  # waybill -> status
    cases: dict[tuple[str, int], str] = field(default_factory=dict)  # (code, claimant) -> status

    @classmethod
    def read(cls, plan: Plan) -> Existing:
        codes = list(plan.batteries)
        waybills = [s.args["waybill"] for s in plan.steps if s.kind == "dispatch"]
        one_off = (EventKind.INSPECTED, EventKind.HAZARD_REPORTED, EventKind.CORRECTED)
        with run_as(SYSTEM):
            return cls(
                status=dict(Battery.objects.filter(code__in=codes).values_list("code", "status")),
                events=set(
                    CustodyEvent.objects.filter(battery_code__in=codes, kind__in=one_off).values_list(
                        "battery_code", "kind"
                    )
                ),
                consignments=dict(Consignment.objects.filter(waybill__in=waybills).values_list("waybill", "status")),
                cases={
                    (code, claimant): status
                    for code, claimant, status in ReviewCase.objects.filter(battery_code__in=codes).values_list(
                        "battery_code", "claimant_id", "status"
                    )
                },
            )


def _consignment(actor: Actor, waybill: str) -> int:
    """A consignment by its waybill (it may have been dispatched in another lane)."""
    return visible_consignments(actor).values_list("pk", flat=True).get(waybill=waybill)


def _transactions(steps: list[Step]) -> Iterator[list[Step]]:
    chunk: list[Step] = []
    for step in steps:
        if step.kind in OWN_TRANSACTION:
            if chunk:
                yield chunk
            yield [step]
            chunk = []
            continue
        chunk.append(step)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Player:
    def __init__(self, plan: Plan, net: Network, log: Callable[[str], None]) -> None:
        self.plan = plan
        self.net = net
        self.log = log
        # Minutes of the plan become times ending now; nothing is ever in the future.
        self.start = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(days=DAYS)
        self.existing = Existing.read(plan)
        self.phases = {phase: list(steps) for phase, steps in groupby(plan.steps, key=lambda s: s.phase)}
        self.sizes = {s.args["waybill"]: len(s.args["codes"]) for s in plan.steps if s.kind == "dispatch"}

    def cost(self, step: Step) -> float:
        """Rough relative cost of a step, to balance the lanes: moves cost per battery."""
        if step.kind in ("dispatch", "receive_consignment"):
            return 1 + 0.4 * self.sizes[step.args["waybill"]]
        return 1

    def when(self, minute: int) -> datetime.datetime:
        return self.start + datetime.timedelta(minutes=minute)

    def actor(self, step: Step) -> Actor:
        if step.by == "dc":
            return self.net.datacenter
        if step.by.startswith("@"):
            return self.net.actor_at(step.by[1:])
        return self.net.admins[step.by]

    def play(self, lane_count: int = 2) -> dict[str, int]:
        """Play the steps not done yet, phase by phase; return how many of each kind ran."""
        todo = {phase: [s for s in steps if not self.already_done(s)] for phase, steps in self.phases.items()}
        todo = {phase: steps for phase, steps in todo.items() if steps}
        started, reported_week, done = time.monotonic(), 0, Counter()
        gc.freeze()  # the plan and the network: out of the collector's way, and shared with the lanes
        # Forking pays off only for real work (a second run has only acknowledgements to check).
        parallel = sum(map(len, todo.values())) >= PARALLEL_FROM
        with lanes(self._play_share, lane_count if parallel else 1) as pool:
            for phase, steps in todo.items():
                done += pool.run(phase, self._share(self._by_actor(steps), pool.count))
                week = min(phase // PHASES_PER_WEEK, WEEKS)  # then the finale
                if done and week >= reported_week + 10:
                    reported_week = week
                    played = ", ".join(f"{kind} {count}" for kind, count in sorted(done.items()))
                    self.log(f"  week {week} of {WEEKS}: {played} ({time.monotonic() - started:.0f} s)")
        return dict(done)

    def _by_actor(self, steps: list[Step]) -> dict[str, tuple[Actor, list[Step]]]:
        """A phase's steps by actor, each actor's in plan order (any order across actors keeps
        every outlet within its capacity, see ``history``)."""
        groups: dict[str, tuple[Actor, list[Step]]] = {}
        for step in steps:
            actor = self.actor(step)
            groups.setdefault(actor.label, (actor, []))[1].append(step)
        return groups

    def _share(self, groups: dict[str, tuple[Actor, list[Step]]], count: int) -> list[list[str]]:
        """Split the actors over the lanes, the busiest first, each to the least loaded lane."""
        shares: list[list[str]] = [[] for _ in range(count)]
        loads = [0.0] * count
        cost = {label: sum(map(self.cost, steps)) for label, (_actor, steps) in groups.items()}
        for label in sorted(cost, key=lambda label: (-cost[label], label)):
            lane = loads.index(min(loads))
            shares[lane].append(label)
            loads[lane] += cost[label]
        return shares

    def _play_share(self, phase: int, labels: list[str]) -> Counter:
        """Play the steps of these actors in this phase (in this process or a lane's)."""
        groups = self._by_actor([s for s in self.phases[phase] if not self.already_done(s)])
        done: Counter = Counter()
        for label in labels:
            actor, steps = groups[label]
            for chunk in _transactions(steps):
                with run_as(actor):
                    for step in chunk:
                        if self._perform(actor, step):
                            done[step.kind] += 1
        return done

    def _perform(self, actor: Actor, step: Step) -> bool:
        """Play one step; False if there was nothing left to do."""
        try:
            return getattr(self, f"_{step.kind}")(actor, **step.args) is not False
        except DomainError as error:
            raise SeedError(f"{step.kind} by {actor} failed ({error.code}: {error}); arguments {step.args}") from error

    def already_done(self, step: Step) -> bool:
        """Whether the step's result was in the database before this run (``Existing``)."""
        args, existing = step.args, self.existing
        code = args.get("code", "")
        status = existing.status.get(code)
        match step.kind:
            case "receive":
                return status is not None
            case "inspect" | "hazard" | "correct":
                kind = {"inspect": EventKind.INSPECTED, "hazard": EventKind.HAZARD_REPORTED}.get(
                    step.kind, EventKind.CORRECTED
                )
                return (code, kind) in existing.events
            case "dispatch":
                return args["waybill"] in existing.consignments
            case "receive_consignment" | "cancel":
                return existing.consignments.get(args["waybill"], ConsignmentStatus.IN_TRANSIT) != (
                    ConsignmentStatus.IN_TRANSIT
                )
            case "cascade" | "recycle" | "void":
                return status == {"cascade": "cascade_use", "recycle": "recycled", "void": "void"}[step.kind]
            case "conflict":
                claimant = self.net.partners[data.OUTLETS_BY_KEY[args["outlet"]].operator].pk
                return (code, claimant) in existing.cases
            case "resolve":
                claimant = self.net.partners[args["claimant"]].pk
                return existing.cases.get((code, claimant)) == ReviewStatus.RESOLVED
        return False  # acknowledgements: the handler finds what is left to acknowledge

    # --- one handler per kind of step, each one service call ----------------------------

    def _receive(self, actor: Actor, *, code: str, outlet: str, source: str, at: int) -> None:
        spec = self.plan.batteries[code]
        services.battery_receive(
            actor=actor,
            outlet=self.net.outlets[outlet],
            code=code,
            weight_kg=spec.weight_kg,
            energy_kwh=spec.energy_kwh,
            vin=spec.vin,
            source=source,
            condition=spec.condition,
            soh_percent=spec.soh_percent,
            occurred_at=self.when(at),
        )

    def _inspect(self, actor: Actor, *, code: str, at: int, **result: Any) -> None:
        services.battery_inspect(actor=actor, code=code, occurred_at=self.when(at), **result)

    def _hazard(self, actor: Actor, *, code: str, hazard: str, notes: str, at: int) -> None:
        services.battery_report_hazard(actor=actor, code=code, hazard=hazard, notes=notes, occurred_at=self.when(at))

    def _dispatch(
        self,
        actor: Actor,
        *,
        waybill: str,
        carrier: str,
        from_outlet: str,
        to_partner: str,
        to_outlet: str | None,
        codes: list[str],
        at: int,
    ) -> None:
        services.consignment_dispatch(
            actor=actor,
            from_outlet=self.net.outlets[from_outlet],
            to_partner=self.net.partners[to_partner],
            to_outlet=self.net.outlets[to_outlet] if to_outlet else None,
            batteries=codes,
            waybill=waybill,
            carrier=carrier,
            occurred_at=self.when(at),
        )

    def _receive_consignment(
        self, actor: Actor, *, waybill: str, outlet: str | None, rejected: list[dict[str, str]], at: int
    ) -> None:
        services.consignment_receive(
            actor=actor, consignment=_consignment(actor, waybill), rejected=rejected, occurred_at=self.when(at)
        )

    def _cancel(self, actor: Actor, *, waybill: str, reason: str) -> None:
        services.consignment_cancel(actor=actor, consignment=_consignment(actor, waybill), reason=reason)

    def _cascade(self, actor: Actor, *, code: str, serial: int, soh_percent: str, at: int) -> None:
        moment = self.when(at)
        services.battery_cascade(
            actor=actor,
            code=code,
            new_code=cascade_code(self.plan.batteries[code], serial, timezone.localdate(moment)),
            soh_percent=soh_percent,
            notes=CASCADE_NOTES,
            occurred_at=moment,
        )

    def _recycle(self, actor: Actor, *, code: str, at: int) -> None:
        services.battery_recycle(actor=actor, code=code, notes=RECYCLE_NOTES, occurred_at=self.when(at))

    def _void(self, actor: Actor, *, code: str, reason: str) -> None:
        services.battery_void(actor=actor, code=code, reason=reason)

    def _correct(self, actor: Actor, *, code: str, changes: dict[str, str], reason: str) -> None:
        intake = visible_events(actor).filter(battery_code=code, kind=EventKind.RECEIVED).order_by("-seq").first()
        if intake is None:
            raise SeedError(f"no intake of {code} to correct")
        services.event_correct(actor=actor, event_id=intake.pk, changes=changes, reason=reason)

    def _conflict(self, actor: Actor, *, code: str, outlet: str, weight_kg: str) -> None:
        try:
            attempt(actor, services.battery_receive, outlet=self.net.outlets[outlet], code=code, weight_kg=weight_kg)
        except BatteryInCustody:
            return  # refused, and the review case it opened is kept
        raise SeedError(f"the intake of {code}, held by another partner, was not refused")

    def _resolve(self, actor: Actor, *, code: str, claimant: str, resolution: str, note: str) -> None:
        claimant_id = self.net.partners[claimant].pk
        case = visible_review_cases(actor).get(battery_code=code, claimant_id=claimant_id, status=ReviewStatus.OPEN)
        services.review_case_resolve(actor=actor, case=case, resolution=resolution, note=note)

    def _acknowledge(self, actor: Actor, *, codes: list[str]) -> bool:
        """The automaker records its uploads to the national platform with the receipt
        numbers it got back; what it left unreported stays pending or overdue."""
        duties = list(
            visible_obligations(actor)
            .filter(
                obligated_id=actor.partner_id,
                status__in=(ObligationStatus.PENDING, ObligationStatus.OVERDUE),
                battery_code__in=codes,
                rule__in=OUTLET_RULES,
            )
            .order_by("pk")
            .values_list("pk", "battery_code", "rule")
        )
        year = timezone.localdate().year
        items = [
            {"id": pk, "receipt_number": f"NP{year}{zlib.crc32(f'{code}:{rule}'.encode()) % 10**6:06d}"}
            for pk, code, rule in duties
        ]
        for start in range(0, len(items), ACKNOWLEDGE_BATCH):
            services.obligations_acknowledge(actor=actor, items=items[start : start + ACKNOWLEDGE_BATCH])
        return bool(items)
