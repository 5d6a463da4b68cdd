"""Calling services for the seeder as a view would: in the acting party's database
context (``run_as``), with the same rules about which failed writes are kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

from recycling_network.errors import DomainError
from recycling_network.tenancy import Actor, run_as

T = TypeVar("T")


class SeedError(RuntimeError):
    """The demo data cannot be seeded as planned (a step failed, or the database holds
    something in the way); the command reports it instead of a traceback."""


def call(actor: Actor, service: Callable[..., T], /, **kwargs: Any) -> T:
    """One service call in its own transaction, as ``actor``."""
    with run_as(actor):
        return service(actor=actor, **kwargs)


def attempt(actor: Actor, service: Callable[..., T], /, **kwargs: Any) -> T:
    """A call that may fail, inside the caller's transaction: the failure leaves nothing
    behind unless the error says its writes are kept (the review case a 409 opens), just
    as a view rolls back unless ``error.commits``."""
    savepoint = transaction.savepoint()
    try:
        result = service(actor=actor, **kwargs)
    except DomainError as error:
        if error.commits:
            transaction.savepoint_commit(savepoint)
        else:
            transaction.savepoint_rollback(savepoint)
        raise
    transaction.savepoint_commit(savepoint)
    return result
