"""Database routing: the application reads and writes as ``rn_app`` (alias ``default``);
only ``rn_owner`` (alias ``owner``), which owns the tables, runs migrations."""

from typing import Any

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
        return db == OWNER_ALIAS
