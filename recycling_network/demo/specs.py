"""What each demo battery is: a valid GB/T 34014 code, the vehicle it came from, its mass,
energy and state, drawn from a fixed seed so every machine gets the same batteries."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from batteries.codes import build_battery_code, build_recode

# Manufacturer codes and how common each is: the three demo battery makers' approved
# codes, one claimed but still pending (0D4), and two nobody has claimed (the battery
# simply has no producer of that kind yet, DESIGN §4).
MANUFACTURERS = (("0A1", 30), ("0B2", 28), ("0C3", 24), ("0D4", 8), ("3F7", 6), ("1E5", 4))
CHEMISTRY_MIX = {  # GB/T 34014 battery type: B = LFP, E = ternary, C = LMO, G = LTO, A = NiMH, Z = other
    "0A1": (("B", 85), ("E", 12), ("G", 3)),
    "0B2": (("E", 75), ("B", 22), ("C", 3)),
    "0C3": (("B", 55), ("E", 40), ("A", 3), ("Z", 2)),
    "0D4": (("B", 60), ("E", 40)),
    "3F7": (("B", 50), ("E", 30), ("C", 20)),
    "1E5": (("E", 70), ("B", 30)),
}
SPECIFICATIONS = {"0A1": ("A1", "A3", "L6"), "0B2": ("N5", "N8", "K2"), "0C3": ("C2", "C4"), "0D4": ("D1",)}
PRODUCTS = (("P", 55), ("M", 32), ("C", 13))  # packs, modules, cells
KWH_PER_KG = {"B": 0.13, "E": 0.17, "C": 0.11, "G": 0.07, "A": 0.06, "Z": 0.10}
# WMIs of the demo automakers, and two nobody has claimed.
WMIS = (("LRN", 32), ("LHX", 28), ("LDZ", 20), ("LSK", 12), ("LK9", 4), ("LW3", 4))
MODEL_YEARS = ((2015, 4), (2016, 9), (2017, 16), (2018, 22), (2019, 20), (2020, 15), (2021, 9), (2022, 5))
CONDITIONS = (("intact", 965), ("damaged", 18), ("swollen", 8), ("leaking", 5), ("insulation_fault", 4))

ALNUM = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # ISO 3779: never I, O or Q
VIN_VALUES = dict(
    zip("ABCDEFGHJKLMNPRSTUVWXYZ", (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9), strict=True)
)
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_YEARS = "ABCDEFGHJKLMNPRSTVWXY123456789"  # model year 2010 = A
MONTHS = "123456789ABC"
DAYS = "123456789ABCDEFGHJKLMNPRSTVWXY0"  # GB/T 34014 day characters for 1-31 (as batteries.codes decodes them)
CASCADE_MANUFACTURER = "C7R"


@dataclass(frozen=True)
class BatterySpec:
    code: str
    product: str  # P, M or C
    chemistry: str  # GB/T 34014 battery type character
    spec: str
    weight_kg: Decimal
    energy_kwh: Decimal
    vin: str
    condition: str
    soh_percent: Decimal | None

    @property
    def weight(self) -> float:
        return float(self.weight_kg)

    @property
    def suits_cascade_use(self) -> bool:
        """LFP packs and modules in fair health go to second-life storage, the rest to recycling."""
        return (
            self.chemistry == "B"
            and self.product in "PM"
            and (self.soh_percent is None or self.soh_percent >= 65)
            and self.condition == "intact"
        )


def _pick(rng: random.Random, weighted: tuple[tuple, ...]):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def year_char(year: int) -> str:
    """GB/T 34014 production year: 1-9 for 2011-2019, then A-Y without I, O and Q."""
    return str(year - 2010) if year < 2020 else "ABCDEFGHJKLMNPRSTUVWXY"[year - 2020]


def vin_check_digit(vin: str) -> str:
    """The ninth VIN character (GB 16735 / ISO 3779)."""
    total = sum((int(c) if c.isdigit() else VIN_VALUES[c]) * w for c, w in zip(vin, VIN_WEIGHTS, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


def make_vin(rng: random.Random, wmi: str, model_year: int) -> str:
    descriptor = "".join(rng.choice(VIN_CHARS) for _ in range(5))
    plant = rng.choice("ABCDEFGH123456789")
    serial = f"{rng.randrange(10**6):06d}"
    draft = f"{wmi}{descriptor}0{VIN_YEARS[model_year - 2010]}{plant}{serial}"
    return draft[:8] + vin_check_digit(draft) + draft[9:]


def _weight(rng: random.Random, product: str) -> Decimal:
    roll = rng.random()
    if product == "P":  # small cars, mid-size cars and SUVs, buses and trucks
        kg = rng.uniform(150, 350) if roll < 0.68 else rng.uniform(350, 560) if roll < 0.94 else rng.uniform(560, 900)
        return Decimal(f"{kg:.1f}")
    if product == "M":
        return Decimal(f"{rng.uniform(10, 35) if roll < 0.75 else rng.uniform(35, 60):.1f}")
    return Decimal(f"{rng.uniform(1, 5):.2f}")


def battery_specs(count: int, seed: int = 20260301) -> list[BatterySpec]:
    """``count`` distinct batteries; the first ``n`` are the same whatever ``count`` is."""
    rng = random.Random(seed)
    serials = {code: 100_000 + i * 1_000_000 for i, (code, _w) in enumerate(MANUFACTURERS)}
    specs = []
    for _ in range(count):
        maker = _pick(rng, MANUFACTURERS)
        chemistry = _pick(rng, CHEMISTRY_MIX[maker])
        product = _pick(rng, PRODUCTS)
        model_year = _pick(rng, MODEL_YEARS)
        made = datetime.date(model_year - (rng.random() < 0.4), rng.randint(1, 12), rng.randint(1, 28))
        serials[maker] += rng.randint(1, 40)
        spec = rng.choice(SPECIFICATIONS.get(maker, ("Z1", "Z7")))
        code = build_battery_code(
            manufacturer=maker,
            product_type_char=product,
            battery_type_char=chemistry,
            spec=spec,
            trace=rng.choice("ABCDEFGHJK") + "".join(rng.choice(ALNUM) for _ in range(6)),
            year_char=year_char(made.year),
            month_char=MONTHS[made.month - 1],
            day_char=DAYS[made.day - 1],
            serial=f"{serials[maker]:07d}",
        )
        weight = _weight(rng, product)
        density = KWH_PER_KG[chemistry] * rng.uniform(0.88, 1.08) * (1.3 if product == "C" else 1)
        with_vin = rng.random() < {"P": 0.88, "M": 0.25, "C": 0.0}[product]
        soh = Decimal(f"{rng.uniform(55, 88):.1f}") if rng.random() < 0.55 else None
        specs.append(
            BatterySpec(
                code=code,
                product=product,
                chemistry=chemistry,
                spec=spec,
                weight_kg=weight,
                energy_kwh=Decimal(f"{float(weight) * density:.2f}"),
                vin=make_vin(rng, _pick(rng, WMIS), model_year) if with_vin else "",
                condition=_pick(rng, CONDITIONS),
                soh_percent=soh,
            )
        )
    return specs


def cascade_code(original: BatterySpec, serial: int, on: datetime.date) -> str:
    """The 19-character re-code a cascade user gives a repurposed battery: its own
    manufacturer code, the original's type and chemistry, the re-coding date."""
    return build_recode(
        manufacturer=CASCADE_MANUFACTURER,
        product_type_char=original.product,
        battery_type_char=original.chemistry,
        spec=original.spec,
        year_char=year_char(on.year),
        month_char=MONTHS[on.month - 1],
        day_char=DAYS[on.day - 1],
        serial=f"{serial:07d}",
        recode_product_char="P" if original.product == "P" else "M",
    )
