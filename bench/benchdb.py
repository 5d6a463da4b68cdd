"""The database of a benchmark: its own, on the server of DATABASE_URL, never the dev or
test database.

``ensure_database`` creates it with ``recycling_network.bootstrap``, migrates it as the
owner and fills it as the bootstrap superuser; its comment (``COMMENT ON DATABASE``)
records what filled it, so later runs reuse it (migrated again: indexes added since)
unless asked to build it again.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database: str) -> None:
    # Settings derive the database name of both roles from DATABASE_URL's path.
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/recycling_network")
    os.environ["DATABASE_URL"] = urlsplit(url)._replace(path=f"/{database}").geturl()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recycling_network.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")  # nothing here may reach a broker
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def superuser_connection(database: str, *, autocommit: bool) -> psycopg.Connection:
    import dj_database_url
    from django.conf import settings

    params = dj_database_url.parse(settings.DATABASE_URL)
    return psycopg.connect(
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname=database,
        autocommit=autocommit,
    )


def generated_with(database: str) -> str | None:
    """The fingerprint recorded when ``database`` was filled (None: absent or unfinished)."""
    with superuser_connection("postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
    return row[0] if row else None


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", database="owner", verbosity=0, interactive=False)


def build(database: str, fingerprint: str, fill: Callable[[psycopg.Connection], None]) -> None:
    """Drop and create ``database``, migrate it, ``fill`` it and record ``fingerprint``.
    ``database`` is the one ``setup_django`` named: migrations run through the settings."""
    from django.conf import settings
    from django.db import connections

    if settings.DATABASES["owner"]["NAME"] != database:
        raise ValueError(f"set up Django for {database} first (setup_django)")

    from recycling_network import bootstrap

    print(f"generating {database}: {fingerprint}")
    started = time.perf_counter()
    connections.close_all()
    bootstrap.bootstrap(database, recreate=True)
    with_step = time.perf_counter()
    migrate()
    connections.close_all()
    print(f"  migrate ... {time.perf_counter() - with_step:.1f} s")
    with superuser_connection(database, autocommit=False) as conn:
        fill(conn)
    with superuser_connection("postgres", autocommit=True) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{database}\" IS '{fingerprint}'")
    print(f"generated in {time.perf_counter() - started:.0f} s")


def ensure_database(
    database: str, fingerprint: str, fill: Callable[[psycopg.Connection], None], *, regenerate: bool
) -> None:
    """Build ``database`` unless it already holds what ``fingerprint`` describes."""
    if regenerate or generated_with(database) != fingerprint:
        build(database, fingerprint, fill)
    else:
        print(f"reusing {database} ({fingerprint}); --regenerate to build it again")
        migrate()  # indexes added since


def table_sizes(tables: Iterable[str]) -> dict[str, int]:
    """Row counts, read as ``rn_app`` in the system context."""
    from django.db import connection

    from recycling_network.tenancy import SYSTEM, run_as

    counts = {}
    with run_as(SYSTEM), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts
