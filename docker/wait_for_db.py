"""Wait until the PostgreSQL server named by DATABASE_URL accepts connections.

``python docker/wait_for_db.py`` polls with libpq's PQping (what ``pg_isready`` uses),
so it needs no password and works before ``db_bootstrap`` has created any role.
Gives up after RN_DB_WAIT_TIMEOUT seconds (default 60) with exit status 1.
"""

from __future__ import annotations

import os
import sys
import time

import dj_database_url
from psycopg import conninfo, pq

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/recycling_network"


def server_conninfo(url: str) -> str:
    params = dj_database_url.parse(url)
    return conninfo.make_conninfo(
        host=params.get("HOST") or "127.0.0.1",
        port=str(params.get("PORT") or 5432),
        user=params.get("USER") or "postgres",
        dbname="postgres",
        connect_timeout="3",
    )


def wait(url: str, timeout: float, interval: float = 1.0) -> bool:
    target = server_conninfo(url).encode()
    deadline = time.monotonic() + timeout
    while True:
        # REJECT (starting up, shutting down, in recovery) and NO_RESPONSE both mean: not yet.
        if pq.PGconn.ping(target) == pq.Ping.OK:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def main() -> int:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    timeout = float(os.environ.get("RN_DB_WAIT_TIMEOUT") or 60)
    params = dj_database_url.parse(url)
    where = f"{params.get('HOST') or '127.0.0.1'}:{params.get('PORT') or 5432}"
    print(f"[entrypoint] waiting for PostgreSQL at {where} (up to {timeout:.0f} s)", flush=True)  # noqa: T201
    if wait(url, timeout):
        return 0
    print(f"[entrypoint] PostgreSQL at {where} did not answer within {timeout:.0f} s", file=sys.stderr)  # noqa: T201
    return 1


if __name__ == "__main__":
    sys.exit(main())
