"""Forcing interleavings (DESIGN §12): hold one transaction open until the others are
provably waiting on a lock, then let it commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection, connections

from recycling_network.errors import DomainError
from recycling_network.tenancy import Actor, run_as

T = TypeVar("T")


class Held(threading.Thread):
    """Runs ``service`` as ``actor`` in a transaction and keeps it open until released."""

    def __init__(self, actor: Actor, service: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(daemon=True)
        self.actor, self.service, self.kwargs = actor, service, kwargs
        self.ready, self.release = threading.Event(), threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with run_as(self.actor):
                self.result = self.service(actor=self.actor, **self.kwargs)
                self.ready.set()
                if not self.release.wait(60):
                    raise TimeoutError("never released")
        except BaseException as error:
            self.error = error
            self.ready.set()
        finally:
            connections.close_all()

    def commit(self) -> Any:
        self.release.set()
        self.join(60)
        if self.error is not None:
            raise self.error
        return self.result


class Attempt(threading.Thread):
    """Runs ``service`` once as a request would: kept writes are committed even on error."""

    def __init__(self, actor: Actor, service: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(daemon=True)
        self.actor, self.service, self.kwargs = actor, service, kwargs
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with run_as(self.actor):
                try:
                    self.result = self.service(actor=self.actor, **self.kwargs)
                except DomainError as error:
                    if not error.commits:
                        raise
                    self.error = error
        except BaseException as error:
            self.error = error
        finally:
            connections.close_all()


def wait_for_lock_waiters(count: int, timeout: float = 20.0) -> int:
    """Block until ``count`` sessions of this database wait on a lock; return how many."""
    deadline = time.monotonic() + timeout
    waiting = 0
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            waiting = cursor.fetchone()[0]
        if waiting >= count:
            return waiting
        time.sleep(0.05)
    raise AssertionError(f"only {waiting} of {count} sessions ended up waiting on a lock")


def eventually(probe: Callable[[], T], done: Callable[[T], bool], timeout: float = 30.0, pause: float = 0.1) -> T:
    """Call ``probe`` until ``done`` accepts its result; return the last result either way.

    The feed holds back entries while any older transaction of the database *cluster* is
    still running (``pg_snapshot_xmin`` is cluster-wide), and parallel test workers keep
    short transactions open all the time; a follower therefore retries instead of
    concluding from one read that something is missing."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if done(result) or time.monotonic() > deadline:
            return result
        time.sleep(pause)
