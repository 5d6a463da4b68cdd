"""The demo batteries' history over ~300 days, planned in memory before anything is
written: intakes at the outlets, consignments to centralised storage and to the cascade
user and the recycler, inspections and hazards, re-codes and recycling, and at the end
one of each mistake and dispute.

The plan keeps every outlet within its capacity the way the services will check it:
week by week, phase by phase (dispatches; then intakes, the next week's receipts and
the facilities' work). Inside a phase the steps only add to or only take from outlets'
stock, so the steps of one phase may run in any order; the player groups them by actor
into transactions and plays the actors of a phase in parallel.
Times are minutes after the start of the history, so the plan itself does not depend
on the day it is played; only the timestamps do.
"""

from __future__ import annotations

import random
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from recycling_network.demo import data
from recycling_network.demo.specs import BatterySpec, battery_specs

DAYS = 301
WEEKS = 43
DAY = 24 * 60
WEEK = 7 * DAY
PHASES_PER_WEEK = 2
END = DAYS * DAY  # "now": nothing is planned after it
CASCADE_USER, RECYCLER = "chuguang", "hongyuan"
MAX_RECODES = 36
CONSIGNMENT_LIMIT = 400
# How the network turns over its stock (tuned so the outlets end 40-70 % full and the
# history stays within the seeding time budget: every move is two service calls).
DIRECT_TO_STORAGE = 0.7  # share of packs and modules that fleets, dismantlers and swap stations bring to storage
COLLECTION_DISPATCH_FILL, COLLECTION_MAX_WEEKS = 0.92, 30  # a collection outlet ships when this full or this old
VIA_STORAGE = 0.35  # share of those shipments sent to the region's centralised storage (if it has room)
STORAGE_DISPATCH_FILL, STORAGE_KEEP_FILL = 0.95, 0.85  # centralised storage ships its oldest down to this
WEEKLY_RECYCLING = 0.12  # share of the recycler's stock processed each week, after three weeks
# Automakers acknowledge this share of their upload duties (the demonstration unit most).
ACKNOWLEDGED_SHARE = {"huayue": 0.8, "jianglan": 0.55, "shengkai": 0.35}
PARTIAL_REJECTION_WEEKS = (8, 14, 20, 26, 32, 37)
PARTIAL_REJECTION_REASONS = ("damaged", "wrong_code", "missing", "damaged", "other", "wrong_code")
REJECTION_NOTES = {
    "damaged": "到货检查发现电池包外壳变形、有磕碰痕迹，拒收退回。",
    "wrong_code": "实物编码与交接单所列编码不一致，退回发货方核对。",
    "missing": "交接单列明，但随车实物中未找到该电池。",
    "other": "随附安全检测报告缺失，退回补齐后再发。",
}
COLLECTION_SOURCES = (
    ("owner", 40),
    ("dealer", 28),
    ("repair_shop", 17),
    ("swap_station", 8),
    ("dismantler", 4),
    ("fleet", 3),
)
STORAGE_SOURCES = (("fleet", 40), ("dismantler", 35), ("swap_station", 25))
SHOWCASE = frozenset(s.outlet for s in data.STAFF)  # outlets of the demo staff logins: never left empty
CARRIERS = (("AY", "安运危险品运输有限公司"), ("JT", "捷通新能源物流有限公司"), ("HX", "华鑫危化品物流有限公司"))


@dataclass(frozen=True)
class Step:
    """One service call: ``kind`` says which, ``by`` who ("@<outlet key>" for whoever works
    at the outlet, a partner's short name for its admin, "dc" for the data center)."""

    phase: int
    kind: str
    by: str
    args: dict[str, Any]


@dataclass
class Place:
    """An approved outlet as the plan sees it: what it holds and what is on its way."""

    spec: data.OutletSpec
    capacity: float
    stock: float = 0.0
    inbound: float = 0.0  # reserved for consignments on their way here
    held: list[str] = field(default_factory=list)  # in order of arrival

    @property
    def room(self) -> float:
        return self.capacity - self.stock - self.inbound


@dataclass
class Shipment:
    """A planned consignment; the waybill is its natural key in the database."""

    waybill: str
    sender: str
    origin: str
    receiver: str
    target: str | None  # outlet key, or None for the receiver's facility
    codes: list[str]
    at: int
    mass: float


@dataclass
class Plan:
    """The steps in playing order (by phase), the batteries by code, counts for the log."""

    steps: list[Step]
    batteries: dict[str, BatterySpec]
    stats: Counter


def weekly_quotas(count: int) -> list[int]:
    """Intakes per week, growing as the network grows."""
    weights = [0.6 + 0.8 * week / (WEEKS - 1) for week in range(WEEKS)]
    total, quotas, done = sum(weights), [], 0
    for week in range(WEEKS):
        target = round(count * sum(weights[: week + 1]) / total)
        quotas.append(target - done)
        done = target
    return quotas


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


class History:
    """The simulation that writes the plan; ``run()`` once."""

    def __init__(self, count: int, seed: int = 4242) -> None:
        self.rng = random.Random(seed)
        self.specs = battery_specs(count)
        self.batteries = {s.code: s for s in self.specs}
        self.places = {o.key: Place(o, float(data.outlet_size(o)[1])) for o in data.OUTLETS if o.status == "approved"}
        self.location: dict[str, str] = {}  # code -> outlet key, while at an outlet
        self.arrived: dict[str, int] = {}  # code -> week it arrived where it is
        self.touched: set[str] = set()  # codes with a role of their own: inspected, shipped at the end, disputed
        self.facility: dict[str, list[str]] = {CASCADE_USER: [], RECYCLER: []}
        self.steps: list[Step] = []
        self.phase = 0
        self.shipments: list[Shipment] = []
        self.in_transit: list[Shipment] = []
        self.stats: Counter = Counter()
        self.waiting: list[BatterySpec] = []
        self.intake_week: dict[str, int] = {}
        self.recoded: set[str] = set()

    # --- plumbing -------------------------------------------------------------------

    def add(self, kind: str, by: str, **args: Any) -> None:
        self.steps.append(Step(self.phase, kind, by, args))
        self.stats[kind] += 1

    def pool(self, kind: str) -> list[Place]:
        return [p for p in self.places.values() if p.spec.kind == kind]

    def put(self, code: str, place: Place, week: int) -> None:
        place.stock += self.batteries[code].weight
        place.held.append(code)
        self.location[code] = place.spec.key
        self.arrived[code] = week

    def take(self, code: str) -> Place:
        place = self.places[self.location.pop(code)]
        place.stock -= self.batteries[code].weight
        place.held.remove(code)
        return place

    def ship(self, origin: Place, receiver: str, target: Place | None, codes: list[str], at: int) -> Shipment:
        prefix, carrier = CARRIERS[len(self.shipments) % len(CARRIERS)]
        if origin.spec.operator == "chenghuan":
            prefix, carrier = "CH", "城环物流自有车队"
        shipment = Shipment(
            waybill=f"{prefix}{7_310_000_000 + len(self.shipments) * 7_919:010d}",
            sender=origin.spec.operator,
            origin=origin.spec.key,
            receiver=receiver,
            target=target.spec.key if target else None,
            codes=codes,
            at=at,
            mass=sum(self.batteries[c].weight for c in codes),
        )
        for code in codes:
            self.take(code)
        if target is not None:
            target.inbound += shipment.mass
        self.shipments.append(shipment)
        self.add(
            "dispatch",
            f"@{origin.spec.key}",
            waybill=shipment.waybill,
            carrier=carrier,
            from_outlet=origin.spec.key,
            to_partner=receiver,
            to_outlet=shipment.target,
            codes=codes,
            at=at,
        )
        return shipment

    def ship_to_facilities(self, origin: Place, codes: list[str], at: int) -> list[Shipment]:
        """LFP packs and modules in fair health to second life, the rest to recycling."""
        cascade = [c for c in codes if self.batteries[c].suits_cascade_use]
        recycle = [c for c in codes if not self.batteries[c].suits_cascade_use]
        made = []
        for receiver, group in ((CASCADE_USER, cascade), (RECYCLER, recycle)):
            for start in range(0, len(group), CONSIGNMENT_LIMIT):
                made.append(self.ship(origin, receiver, None, group[start : start + CONSIGNMENT_LIMIT], at))
        return made

    # --- the weeks ------------------------------------------------------------------

    def run(self) -> Plan:
        """Two phases a week: dispatches, then intakes together with the next week's
        receipts and facility work (all of which only add to outlets' stock)."""
        queue = list(self.specs)
        self.phase = 1
        for week, quota in enumerate(weekly_quotas(len(queue))):
            self.arrivals(week)
            self.facility_work(week)
            self.phase += 1
            self.in_transit = self.dispatches(week)
            self.phase += 1
            batch, queue = self.waiting + queue[:quota], queue[quota:]
            self.waiting = []
            self.intakes(week, batch)
        self.phase += 1
        self.finale()
        return Plan(self.steps, self.batteries, self.stats)

    def intakes(self, week: int, batch: list[BatterySpec]) -> None:
        collection, storage = self.pool(data.COLLECTION), self.pool(data.CENTRALIZED)
        # The outlets of the staff logins end with batteries in stock, whatever the size.
        empty = [self.places[k] for k in sorted(SHOWCASE) if not self.places[k].held] if week == WEEKS - 1 else []
        for spec in batch:
            # Fleets, dismantlers and swap stations bring packs straight to centralised storage.
            direct = spec.product != "C" and self.rng.random() < DIRECT_TO_STORAGE
            first, second = (storage, collection) if direct else (collection, storage)
            if empty and empty[0].room >= spec.weight:
                first = [empty.pop(0)]
            place = self._place_for(spec, first) or self._place_for(spec, second)
            if place is None:
                self.waiting.append(spec)  # the network is full this week; next week
                continue
            at = week * WEEK + self.rng.randrange(7) * DAY + self.rng.randrange(8 * 60, 18 * 60)
            sources = STORAGE_SOURCES if place.spec.kind == data.CENTRALIZED else COLLECTION_SOURCES
            self.add(
                "receive",
                f"@{place.spec.key}",
                code=spec.code,
                outlet=place.spec.key,
                source=_pick(self.rng, sources),
                at=at,
            )
            self.put(spec.code, place, week)
            self.intake_week[spec.code] = week
            self._safety_checks(spec, place, at)

    def _place_for(self, spec: BatterySpec, pool: list[Place]) -> Place | None:
        weights = [p.capacity for p in pool]
        choice = self.rng.choices(pool, weights=weights)[0]
        if choice.room >= spec.weight:
            return choice
        fitting = [p for p in pool if p.room >= spec.weight]
        return self.rng.choice(fitting) if fitting else None

    def _safety_checks(self, spec: BatterySpec, place: Place, at: int) -> None:
        roll = self.rng.random()
        by = f"@{place.spec.key}"
        if roll < 0.05:
            n = self.stats["inspect"]
            insulation_ok, casing_ok = n % 25 != 7, n % 40 != 13
            notes = (
                ""
                if insulation_ok and casing_ok
                else "绝缘电阻低于标准限值，已移入隔离区"
                if not insulation_ok
                else "箱体变形，已隔离存放"
            )
            soh = f"{self.rng.uniform(58, 90):.1f}"
            self.add(
                "inspect",
                by,
                code=spec.code,
                insulation_ok=insulation_ok,
                casing_ok=casing_ok,
                soh_percent=soh,
                notes=notes,
                at=at + self.rng.randrange(60, 300),
            )
            self.touched.add(spec.code)
        elif roll < 0.053:
            self.add(
                "hazard",
                by,
                code=spec.code,
                hazard="leaking",
                notes="底部发现电解液渗漏痕迹，已转移至隔离区并做防渗处理",
                at=at + self.rng.randrange(60, 300),
            )
            self.touched.add(spec.code)

    def dispatches(self, week: int) -> list[Shipment]:
        made: list[Shipment] = []
        for place in self.places.values():
            if not place.held:
                continue
            at = week * WEEK + self.rng.randrange(2) * DAY + self.rng.randrange(9 * 60, 16 * 60)
            if place.spec.kind == data.COLLECTION:
                oldest = self.arrived[place.held[0]]
                if place.stock >= COLLECTION_DISPATCH_FILL * place.capacity or oldest <= week - COLLECTION_MAX_WEEKS:
                    made += self._from_collection(place, list(place.held), at)
            elif place.stock >= STORAGE_DISPATCH_FILL * place.capacity:
                codes, mass = [], place.stock
                for code in place.held:
                    if mass <= STORAGE_KEEP_FILL * place.capacity:
                        break
                    codes.append(code)
                    mass -= self.batteries[code].weight
                made += self.ship_to_facilities(place, codes, at)
        return made

    def _from_collection(self, origin: Place, codes: list[str], at: int) -> list[Shipment]:
        """To the region's centralised storage run by another partner, if it has room; else
        straight to the cascade user and the recycler."""
        mass = sum(self.batteries[c].weight for c in codes)
        region = data.CITIES[origin.spec.adcode].region
        storage = [
            p
            for p in self.pool(data.CENTRALIZED)
            if data.CITIES[p.spec.adcode].region == region
            and p.spec.operator != origin.spec.operator
            and p.room - 0.05 * p.capacity >= mass
        ]
        if storage and self.rng.random() < VIA_STORAGE:
            target = max(storage, key=lambda p: p.room)
            return [self.ship(origin, target.spec.operator, target, codes, at)]
        return self.ship_to_facilities(origin, codes, at)

    def arrivals(self, week: int) -> None:
        for shipment in self.in_transit:
            at = shipment.at + self.rng.randrange(1, 4) * DAY + self.rng.randrange(0, 300)
            rejected = []
            due = sum(1 for w in PARTIAL_REJECTION_WEEKS if w <= week)
            if self.stats["rejected_partially"] < due and len(shipment.codes) >= 2:
                rejected = self._reject_one(shipment)
            self.receive(shipment, rejected, at, week)

    def _reject_one(self, shipment: Shipment) -> list[dict[str, str]]:
        """The receiver refuses one battery of the consignment; it goes back to the sender."""
        code = shipment.codes[-1]
        if not self._can_return(shipment, [code]):
            return []
        reason = PARTIAL_REJECTION_REASONS[self.stats["rejected_partially"] % len(PARTIAL_REJECTION_REASONS)]
        self.stats["rejected_partially"] += 1
        return [{"code": code, "reason": reason, "note": REJECTION_NOTES[reason]}]

    def _can_return(self, shipment: Shipment, codes: list[str]) -> bool:
        return self.places[shipment.origin].room >= sum(self.batteries[c].weight for c in codes)

    def receive(self, shipment: Shipment, rejected: list[dict[str, str]], at: int, week: int) -> None:
        returned = {r["code"] for r in rejected}
        target = self.places[shipment.target] if shipment.target else None
        if target is not None:
            target.inbound -= shipment.mass
        by = f"@{shipment.target}" if shipment.target else shipment.receiver
        self.add("receive_consignment", by, waybill=shipment.waybill, outlet=shipment.target, rejected=rejected, at=at)
        for code in shipment.codes:
            if code in returned:
                self.put(code, self.places[shipment.origin], week)
            elif target is not None:
                self.put(code, target, week)
            else:
                self.facility[shipment.receiver].append(code)
                self.arrived[code] = week

    def facility_work(self, week: int) -> None:
        base = week * WEEK + DAY
        ready = [c for c in self.facility[CASCADE_USER] if self.arrived[c] <= week - 2 and c not in self.recoded]
        for code in ready[: min(2, MAX_RECODES - len(self.recoded))]:
            self.recoded.add(code)
            self.add(
                "cascade",
                CASCADE_USER,
                code=code,
                serial=len(self.recoded),
                soh_percent=f"{self.rng.uniform(72, 86):.1f}",
                at=base + self.rng.randrange(0, 4 * DAY),
            )
        for code in list(self.facility[RECYCLER]):
            if self.arrived[code] <= week - 3 and self.rng.random() < WEEKLY_RECYCLING:
                self.facility[RECYCLER].remove(code)
                self.add("recycle", RECYCLER, code=code, at=base + self.rng.randrange(0, 4 * DAY))

    # --- the end: every status, one of each mistake, the disputes, the acknowledgements --

    def finale(self) -> None:
        late = END - 120  # after every intake of the last week, before "now"
        # A consignment its sender calls back.
        cancelled = self._late_shipment(late)
        if cancelled is not None:
            self.phase += 1
            self.add(
                "cancel", f"@{cancelled.origin}", waybill=cancelled.waybill, reason="承运车辆临时调度变更，本批改期发运"
            )
            for code in cancelled.codes:
                self.put(code, self.places[cancelled.origin], WEEKS)
        # One refused outright, and one partly if the weeks brought none (a small seed).
        refused = self._late_shipment(late, most=2)
        if refused is not None:
            self.phase += 1
            note = "电池包壳体严重变形并有漏液风险，不符合接收条件，整批拒收"
            self.receive(
                refused, [{"code": c, "reason": "damaged", "note": note} for c in refused.codes], late + 30, WEEKS
            )
            self.stats["rejected_fully"] += 1
        settled = [cancelled, refused]
        if not self.stats["rejected_partially"]:
            partly = self._late_shipment(late, least=2)
            if partly is not None:
                self.phase += 1
                self.receive(partly, self._reject_one(partly), late + 30, WEEKS)
                settled.append(partly)
        if not [s for s in self.in_transit if s not in settled]:
            self._late_shipment(late)  # and leave it on its way
        self.phase += 1
        self._mistakes()
        self.phase += 1
        disputed = self._disputes()
        self.phase += 1
        if disputed:
            code, claimant = disputed
            self.add(
                "resolve",
                "dc",
                code=code,
                claimant=claimant,
                resolution="confirm_holder",
                note="经核查，原入库记录与实物、车辆信息一致，维持原持有方。",
            )
        self.phase += 1
        for automaker, share in ACKNOWLEDGED_SHARE.items():
            codes = [
                code
                for code, week in self.intake_week.items()
                if 5 <= week <= WEEKS - 6 and zlib.crc32(code.encode()) % 100 < share * 100
            ]
            self.add("acknowledge", automaker, codes=codes)

    def _late_shipment(self, at: int, least: int = 1, most: int = 6) -> Shipment | None:
        """A consignment dispatched at the very end from the fullest collection outlet."""
        places = sorted(
            (p for p in self.pool(data.COLLECTION) if p.held and p.spec.key not in SHOWCASE),
            key=lambda p: (-len(p.held), p.spec.key),
        )
        for place in places:
            codes = [c for c in place.held if c not in self.touched][:most]
            if len(codes) >= least:
                self.phase += 1
                shipment = self._from_collection(place, codes, at)[0]
                self.in_transit.append(shipment)
                self.touched.update(codes)
                return shipment
        return None

    def _mistakes(self) -> None:
        """One intake voided (scanned twice), one intake's weight corrected."""
        candidates = [
            c
            for c in self.location
            if self.arrived[c] >= WEEKS - 2
            and c not in self.touched
            and self._last_is_intake(c)
            and self.location[c] not in SHOWCASE
        ]
        candidates.sort(key=self._packs_first)
        if len(candidates) < 2:
            return
        void, fix = candidates[0], candidates[1]
        place = self.location[void]
        self.add("void", f"@{place}", code=void, reason="同一电池重复扫码入库，撤销本条记录")
        self.take(void)
        self.touched.update((void, fix))
        weight = self.batteries[fix].weight_kg
        self.add(
            "correct",
            f"@{self.location[fix]}",
            code=fix,
            changes={"weight_kg": str((weight * 9 / 10).quantize(weight))},
            reason="地磅读数录入错误，按复核重量更正",
        )

    def _packs_first(self, code: str) -> tuple[bool, str]:
        return self.batteries[code].product != "P", code

    def _last_is_intake(self, code: str) -> bool:
        """Nothing happened to the battery since its intake (it never moved)."""
        return self.intake_week[code] == self.arrived[code]

    def _disputes(self) -> tuple[str, str] | None:
        """Two partners try to receive batteries another partner holds: each attempt fails
        with a review case; the data center confirms the holder in one, the other stays open."""
        held = sorted((c for c in self.location if c not in self.touched), key=self._packs_first)
        first = None
        for code in held:
            holder = self.places[self.location[code]]
            claimants = [
                p
                for p in self.pool(data.COLLECTION)
                if p.spec.adcode == holder.spec.adcode and p.spec.operator != holder.spec.operator
            ]
            if not claimants:
                continue
            claimant = claimants[0]
            self.add(
                "conflict",
                f"@{claimant.spec.key}",
                code=code,
                outlet=claimant.spec.key,
                weight_kg=str(self.batteries[code].weight_kg),
            )
            self.touched.add(code)
            if first is not None:
                return first
            first = (code, claimant.spec.operator)
        return first


def plan_history(count: int) -> Plan:
    return History(count).run()
