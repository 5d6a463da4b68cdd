"""Database routing: the application reads and writes as ``rn_app`` (alias ``default``);
migrations run as ``rn_owner`` (alias ``owner``), which owns the tables."""

from typing import Any

from django.db import DEFAULT_DB_ALIAS

OWNER_ALIAS = "owner"


class OwnerMigratesRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # Both aliases are the same database under two roles.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        # Both aliases are one database, so every model lives on both: Django's flush and
        # introspection ask this question of ``default`` too. Schema changes still happen
        # only as rn_owner: ``migrate`` defaults to the owner alias, and rn_app has no
        # CREATE privilege, so a migration run through ``default`` fails at once.
        return db in (DEFAULT_DB_ALIAS, OWNER_ALIAS)
