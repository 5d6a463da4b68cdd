"""Create the database and its two roles as the bootstrap superuser (DESIGN §4).

``rn_owner`` owns the tables and runs migrations; ``rn_app`` reads and writes rows.
Neither is a superuser nor bypasses row-level security. Everything here is
idempotent and serialised with an advisory lock, so parallel callers (CI workers,
``make run`` next to ``make test``) do not trip over each other.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.conf import settings
from psycopg import sql

_LOCK_KEY = 7_202_608_114  # any constant shared by every caller


def _connect(dbname: str) -> psycopg.Connection:
    bootstrap = _bootstrap_params()
    return psycopg.connect(
        host=bootstrap["HOST"] or None,
        port=bootstrap["PORT"] or None,
        user=bootstrap["USER"],
        password=bootstrap["PASSWORD"] or None,
        dbname=dbname,
        autocommit=True,
    )


def _bootstrap_params() -> dict[str, Any]:
    import dj_database_url

    return dj_database_url.parse(settings.DATABASE_URL)


def _ensure_role(cur: psycopg.Cursor, name: str, password: str) -> None:
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    verb = "ALTER" if cur.fetchone() else "CREATE"
    options = sql.SQL("LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION")
    statement = sql.SQL("{} ROLE {} WITH {}").format(sql.SQL(verb), sql.Identifier(name), options)
    if password:
        statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
    cur.execute(statement)


def ensure_roles(cur: psycopg.Cursor) -> None:
    _ensure_role(cur, settings.DB_OWNER_ROLE, settings.DB_OWNER_PASSWORD)
    _ensure_role(cur, settings.DB_APP_ROLE, settings.DB_APP_PASSWORD)


def _prepare_database(dbname: str) -> None:
    owner, app = sql.Identifier(settings.DB_OWNER_ROLE), sql.Identifier(settings.DB_APP_ROLE)
    with _connect(dbname) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(dbname)))
        cur.execute(
            sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}, {}").format(sql.Identifier(dbname), owner, app)
        )
        cur.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(owner))
        cur.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        cur.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(app))
        cur.execute(
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
            ).format(owner, app)
        )
        cur.execute(
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}"
            ).format(owner, app)
        )
        cur.execute(
            sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO {}").format(
                owner, app
            )
        )


def bootstrap(dbname: str | None = None, *, recreate: bool = False, template: str | None = None) -> str:
    """Make sure the roles and ``dbname`` (default: the configured one) exist; return its name."""
    dbname = dbname or settings.DATABASES["default"]["NAME"]
    with _connect("postgres") as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", [_LOCK_KEY])
        try:
            ensure_roles(cur)
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
            exists = cur.fetchone() is not None
            if exists and recreate:
                cur.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(dbname)))
                exists = False
            if not exists:
                statement = sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8'").format(
                    sql.Identifier(dbname), sql.Identifier(settings.DB_OWNER_ROLE)
                )
                if template:
                    statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
                cur.execute(statement)
            _prepare_database(dbname)
        finally:
            cur.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
    return dbname


def drop_database(dbname: str) -> None:
    with _connect("postgres") as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
