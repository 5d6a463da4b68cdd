"""Who is acting, and the database context that row-level security reads.

This module is the only place that calls ``set_config`` (a test greps for it).
The context lives in two transaction-local settings, ``app.role`` and
``app.partner_id``; the policies of DESIGN §4 read them through the SQL function
``rn_audience_probe()`` (see ``recycling_network/rls.py``). With no context set,
partner-visible tables return no rows.

Contexts are set
- for session views by ``TenancyMiddleware``, around the view, in a transaction;
- for the API by the base view's ``initial()``, after authentication;
- for tasks, commands, seeding and data migrations by ``run_as``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

if TYPE_CHECKING:
    from partners.models import ApiKey, User


class DbRole(enum.StrEnum):
    """The value of ``app.role``."""

    PARTNER = "partner"
    DATACENTER = "datacenter"
    SYSTEM = "system"
    ANONYMOUS = "anonymous"


class ActorRole(enum.StrEnum):
    """What the actor is, as ``GET /me/`` reports it."""

    DATACENTER_ADMIN = "datacenter_admin"
    PARTNER_ADMIN = "partner_admin"
    OUTLET_STAFF = "outlet_staff"
    PARTNER_KEY = "partner_key"
    DATACENTER_KEY = "datacenter_key"
    SYSTEM = "system"
    ANONYMOUS = "anonymous"


API_PREFIX = "/api/"

SCOPE_READ = "read"
SCOPE_WRITE = "write"
ALL_SCOPES = frozenset({SCOPE_READ, SCOPE_WRITE})


@dataclass(frozen=True)
class Actor:
    """Someone acting on the platform: a user, an API key, the system, or nobody."""

    role: ActorRole
    partner_id: int | None = None
    user: User | None = field(default=None, compare=False, repr=False)
    api_key: ApiKey | None = field(default=None, compare=False, repr=False)
    scopes: frozenset[str] = ALL_SCOPES
    label: str = ""

    @property
    def db_role(self) -> DbRole:
        if self.role in (ActorRole.DATACENTER_ADMIN, ActorRole.DATACENTER_KEY):
            return DbRole.DATACENTER
        if self.role == ActorRole.SYSTEM:
            return DbRole.SYSTEM
        if self.role == ActorRole.ANONYMOUS:
            return DbRole.ANONYMOUS
        return DbRole.PARTNER

    @property
    def is_datacenter(self) -> bool:
        """The data center or the system: sees every row."""
        return self.db_role in (DbRole.DATACENTER, DbRole.SYSTEM)

    @property
    def is_partner(self) -> bool:
        return self.db_role == DbRole.PARTNER

    @property
    def is_anonymous(self) -> bool:
        return self.role == ActorRole.ANONYMOUS

    @property
    def is_partner_admin(self) -> bool:
        """A partner admin, or a partner key acting for the whole partner."""
        return self.role in (ActorRole.PARTNER_ADMIN, ActorRole.PARTNER_KEY)

    @property
    def is_outlet_staff(self) -> bool:
        return self.role == ActorRole.OUTLET_STAFF

    def can_write(self) -> bool:
        return SCOPE_WRITE in self.scopes

    def can_read(self) -> bool:
        return SCOPE_READ in self.scopes

    @cached_property
    def assigned_outlet_ids(self) -> frozenset[int] | None:
        """Outlets an outlet-staff user may work at; None means every outlet of the partner."""
        if self.role != ActorRole.OUTLET_STAFF or self.user is None:
            return None
        from outlets.models import StaffAssignment

        return frozenset(StaffAssignment.objects.filter(user_id=self.user.pk).values_list("outlet_id", flat=True))

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def api_key_id(self) -> int | None:
        return self.api_key.pk if self.api_key is not None else None

    def __str__(self) -> str:
        return self.label or self.role.value


SYSTEM = Actor(role=ActorRole.SYSTEM, label="system")
ANONYMOUS = Actor(role=ActorRole.ANONYMOUS, scopes=frozenset({SCOPE_READ}), label="anonymous")


def actor_for_user(user: Any) -> Actor:
    """The actor behind a signed-in user (or anonymous)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    from partners.models import UserRole

    if user.role == UserRole.DATACENTER_ADMIN:
        return Actor(role=ActorRole.DATACENTER_ADMIN, user=user, label=user.get_username())
    if user.partner_id is None or not user.partner_is_active:
        # A partner user whose partner is suspended acts as nobody (DESIGN §8).
        return ANONYMOUS
    role = ActorRole.PARTNER_ADMIN if user.role == UserRole.PARTNER_ADMIN else ActorRole.OUTLET_STAFF
    return Actor(role=role, partner_id=user.partner_id, user=user, label=user.get_username())


def actor_for_api_key(key: ApiKey) -> Actor:
    """The actor behind an authenticated API key."""
    role = ActorRole.DATACENTER_KEY if key.partner_id is None else ActorRole.PARTNER_KEY
    return Actor(
        role=role,
        partner_id=key.partner_id,
        api_key=key,
        scopes=frozenset(key.scopes),
        label=f"key:{key.prefix}",
    )


def _require_transaction(using: str) -> None:
    if not connections[using].in_atomic_block:
        # A transaction-local setting outside a transaction would vanish with the
        # statement that set it, leaving the caller silently without context.
        raise RuntimeError("The tenancy context can only be set inside a transaction.")


def _partner_text(partner_id: int | None) -> str:
    return "" if partner_id is None else str(int(partner_id))


# A request reads pages of at most 500 rows. Parallel workers take longer to start (5-50 ms
# on the busy 2-core machine, bench/api_lists_bench.py) than such a page takes to read, yet
# the planner picks them for a partner's list of a large table: the selector's audience
# filter and the row policy are the same condition, their selectivities are multiplied, and
# the partner's share looks far smaller than it is. Tasks (run_as: reports) keep them.
NO_PARALLEL_WORKERS = ", set_config('max_parallel_workers_per_gather', '0', true)"


def _set_context(role: str, partner_id: int | None, using: str, *, request: bool = False) -> None:
    _require_transaction(using)
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT set_config('app.role', %s, true), set_config('app.partner_id', %s, true)"
            + (NO_PARALLEL_WORKERS if request else ""),
            [role, _partner_text(partner_id)],
        )


def _swap_context(role: str, partner_id: int | None, using: str) -> tuple[str, int | None]:
    """Set the context and return the one it replaces, in one round trip (services switch
    to the system context several times per intake). The materialised CTE reads the old
    values before the outer query sets the new ones."""
    _require_transaction(using)
    with connections[using].cursor() as cursor:
        cursor.execute(
            "WITH previous AS MATERIALIZED ("
            "SELECT current_setting('app.role', true) AS role, current_setting('app.partner_id', true) AS partner) "
            "SELECT previous.role, previous.partner, set_config('app.role', %s, true), "
            "set_config('app.partner_id', %s, true) FROM previous",
            [role, _partner_text(partner_id)],
        )
        old_role, old_partner, _new_role, _new_partner = cursor.fetchone()
    return old_role or "", int(old_partner) if old_partner else None


def current_context(using: str = DEFAULT_DB_ALIAS) -> tuple[str, int | None]:
    """The (role, partner id) the database sees now; ('', None) without a context."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT current_setting('app.role', true), current_setting('app.partner_id', true)")
        role, partner = cursor.fetchone()
    return role or "", int(partner) if partner else None


def activate(actor: Actor, using: str = DEFAULT_DB_ALIAS) -> None:
    """Set the actor's context for the rest of the current transaction: a request's (the API
    base view and the middleware), so without parallel workers too, in the same statement."""
    _set_context(actor.db_role.value, actor.partner_id if actor.is_partner else None, using, request=True)


def deactivate(using: str = DEFAULT_DB_ALIAS) -> None:
    """Clear the context: partner-visible tables return no rows until the next activate."""
    _set_context("", None, using)


@contextmanager
def _context(role: str, partner_id: int | None, using: str) -> Iterator[None]:
    previous = _swap_context(role, partner_id, using)
    try:
        yield
    finally:
        if connections[using].in_atomic_block and not connections[using].needs_rollback:
            _set_context(previous[0], previous[1], using)


_SYSTEM_DEPTH = "_rn_system_depth"


@contextmanager
def run_as(actor: Actor, using: str = DEFAULT_DB_ALIAS) -> Iterator[Actor]:
    """Run a block as ``actor`` in one transaction (tasks, commands, seeding, tests).

    Nested inside another transaction it becomes a savepoint and restores the outer
    context on exit, so a block never leaks its context to the code after it.
    """
    connection = connections[using]
    outer_depth = getattr(connection, _SYSTEM_DEPTH, 0)
    with transaction.atomic(using=using):
        db_partner = actor.partner_id if actor.is_partner else None
        with _context(actor.db_role.value, db_partner, using):
            setattr(connection, _SYSTEM_DEPTH, 1 if actor.db_role == DbRole.SYSTEM else 0)
            try:
                yield actor
            finally:
                setattr(connection, _SYSTEM_DEPTH, outer_depth)


@contextmanager
def system_context(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Cross-partner access inside a service, for the few reads and writes that need it.

    Examples: checking whether another partner already holds a battery code, finding a
    code's producers, writing a feed entry for every member of an audience. Keep the
    block small and never return what it read to the caller unfiltered.

    Nested inside another system block it costs nothing: the context is already set.
    """
    connection = connections[using]
    depth = getattr(connection, _SYSTEM_DEPTH, 0)
    if depth:
        setattr(connection, _SYSTEM_DEPTH, depth + 1)
        try:
            yield
        finally:
            setattr(connection, _SYSTEM_DEPTH, depth)
        return
    # No savepoint of its own: an error inside aborts the caller's transaction anyway,
    # and a savepoint would cost two more round trips on every switch.
    with transaction.atomic(using=using, savepoint=False), _context(DbRole.SYSTEM.value, None, using):
        setattr(connection, _SYSTEM_DEPTH, 1)
        try:
            yield
        finally:
            setattr(connection, _SYSTEM_DEPTH, 0)


def activate_for_migration(schema_editor: Any) -> None:
    """Data migrations run in the system context (DESIGN §4)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.role', 'system', true), set_config('app.partner_id', '', true)")


class TenancyMiddleware:
    """Runs every request in one transaction with the signed-in user's context.

    API views re-set the context in ``initial()`` once DRF has authenticated the
    request (an API key is only known then). Errors roll the transaction back unless
    the view decided otherwise; a server error always rolls back. Streaming bodies are
    produced after this transaction ends, so views materialise tenant data first.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if request.path_info.startswith(("/static/", "/healthz")):
            return self.get_response(request)
        # The setting is transaction-local: it ends with this transaction, so there is
        # nothing to restore afterwards (one query per request, not three).
        with transaction.atomic():
            if request.path_info.startswith(API_PREFIX):
                # The API knows its actor (key or session) only after DRF authenticates,
                # in the base view's initial(); until then nothing is visible.
                request.actor = ANONYMOUS
            else:
                request.actor = actor_for_user(getattr(request, "user", None))
                activate(request.actor)
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            return response
