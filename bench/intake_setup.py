"""Setting up the intake benchmark (``bench/intake_bench.py``): the environment both the
script and the server run with, a fresh database, and the network an intake needs
(partners with approved code claims, outlets, an API key), built through the services."""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import psycopg

# Approved claims: battery makers' manufacturer codes and automakers' VIN WMIs (fictitious).
MANUFACTURERS = {"battery_maker_a": ["B1A", "B1B"], "battery_maker_b": ["B2A"]}
WMIS = {"automaker_a": ["L1A", "L1B"], "automaker_b": ["L2A"]}


def configure_environment(database: str) -> dict[str, str]:
    """Production-like settings for this process and the server (same secrets, so the key
    created here authenticates there); returns the server's environment."""
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/recycling_network")
    os.environ.update(
        {
            # Settings derive the database name of both roles from DATABASE_URL's path.
            "DATABASE_URL": urlsplit(url)._replace(path=f"/{database}").geturl(),
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/6"),
            "RN_CACHE_PREFIX": f"{database}-{secrets.token_hex(4)}",
            "DJANGO_SETTINGS_MODULE": "bench.intake_settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "RN_API_KEY_PEPPER": secrets.token_urlsafe(32),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",  # no TLS proxy in front of this server
            # Out of the way: one key sends every request. A window of one second keeps
            # DRF's per-key history (a list read and written on every request) as short
            # as a key at a few hundred requests a second has it.
            "RN_THROTTLE_ACTOR": "1000000/s",
            "CELERY_TASK_ALWAYS_EAGER": "1",  # nothing here may reach a broker
        }
    )
    return dict(os.environ)


def setup_django() -> None:
    import django

    django.setup()


def superuser_connection(database: str) -> psycopg.Connection:
    """An autocommit connection as the bootstrap superuser named by DATABASE_URL."""
    from bench.benchdb import superuser_connection as connect

    return connect(database, autocommit=True)


def build_database(database: str) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from bench.intake_site import BASELINE_TABLE
    from recycling_network import bootstrap

    connections.close_all()
    bootstrap.bootstrap(database, recreate=True)
    call_command("migrate", database="owner", verbosity=0, interactive=False)
    connections.close_all()
    with superuser_connection(database) as conn:
        conn.execute(
            f"CREATE TABLE {BASELINE_TABLE} (id bigserial PRIMARY KEY, code text NOT NULL, outlet text NOT NULL, "
            "weight_kg numeric(9, 2) NOT NULL, vin text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
        )
        conn.execute(f"GRANT SELECT, INSERT ON {BASELINE_TABLE} TO {settings.DB_APP_ROLE}")
        conn.execute(f"GRANT USAGE ON SEQUENCE {BASELINE_TABLE}_id_seq TO {settings.DB_APP_ROLE}")


# --- the network: partners, claims, outlets, the key ----------------------------------


@dataclass
class Network:
    outlet_codes: list[str]  # where the load goes, in turn
    api_key: str
    manufacturers: list[str]
    wmis: list[str]
    automaker_ids: set[int]
    preload_outlets: list  # Outlet rows that take the pre-loaded batteries
    preload_actors: list  # who receives at each of them


def build_network(load_outlets: int) -> Network:
    from outlets.models import OutletKind
    from partners import services as partner_services
    from recycling_network.demo.runtime import quiet_side_effects
    from tests.builders import admin_of, call, claim_code, make_outlet, make_partner, partner_key_actor

    with quiet_side_effects():
        operator = make_partner(kinds=["outlet_operator"], name="基准回收网点运营")
        other_operator = make_partner(kinds=["outlet_operator", "dismantler"], name="基准拆解企业")
        automaker_ids = set()
        for name, codes in {**MANUFACTURERS, **WMIS}.items():
            kind = "battery_maker" if name in MANUFACTURERS else "automaker"
            partner = make_partner(kinds=[kind], name=f"基准{name}")
            if kind == "automaker":
                automaker_ids.add(partner.pk)
            for code in codes:
                claim_code(partner, "manufacturer" if kind == "battery_maker" else "wmi", code)
        # Centralised storage: no upper capacity limit, so one outlet takes the whole run.
        big = {"kind": OutletKind.CENTRALIZED_STORAGE, "capacity_kg": 100_000_000, "storage_area_m2": 20_000}
        targets = [make_outlet(operator, prefecture="310100", **big) for _ in range(load_outlets)]
        second = make_outlet(operator, prefecture="110100", **big)
        foreign = make_outlet(other_operator, prefecture="440300", **big)
        _key, raw = call(
            admin_of(operator), partner_services.api_key_create, partner=operator, name="intake bench", scopes=["write"]
        )
    return Network(
        outlet_codes=[target.code for target in targets],
        api_key=raw,
        manufacturers=[code for codes in MANUFACTURERS.values() for code in codes],
        wmis=[code for codes in WMIS.values() for code in codes],
        automaker_ids=automaker_ids,
        preload_outlets=[targets[0], second, foreign],
        preload_actors=[partner_key_actor(operator), partner_key_actor(operator), partner_key_actor(other_operator)],
    )


class Codes:
    """New battery codes and VINs, each request its own; ``trace`` tells the streams apart."""

    def __init__(self, network: Network, trace: str) -> None:
        from batteries.codes import build_battery_code

        self.network, self.trace, self.serial, self.build = network, trace, 0, build_battery_code

    def next(self) -> tuple[str, str]:
        self.serial += 1
        n = self.serial
        code = self.build(
            manufacturer=self.network.manufacturers[n % len(self.network.manufacturers)],
            product_type_char="PM"[n % 2],
            battery_type_char="BE"[n % 2],  # LFP or ternary
            spec="A1",
            trace=self.trace,
            year_char="F",
            month_char="3",
            day_char="1",
            serial=f"{n:07d}",
        )
        vin = f"{self.network.wmis[n % len(self.network.wmis)]}A{n:013d}"
        return code, vin


def preload(network: Network, count: int) -> float:
    """Batteries received through the service, spread over three outlets of two partners."""
    from batteries.services import battery_receive
    from recycling_network.demo.runtime import quiet_side_effects
    from tests.builders import call

    started = time.perf_counter()
    codes = Codes(network, "PRELOAD")
    with quiet_side_effects():
        for i in range(count):
            code, vin = codes.next()
            where = i % len(network.preload_outlets)
            call(
                network.preload_actors[where],
                battery_receive,
                outlet=network.preload_outlets[where],
                code=code,
                weight_kg="320.5",
                vin=vin,
                source="dealer",
            )
    return time.perf_counter() - started


def analyze(database: str) -> None:
    with superuser_connection(database) as conn:
        conn.execute("VACUUM ANALYZE")
