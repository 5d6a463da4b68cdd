"""How the seeder runs: side effects kept in-process, less overhead per service call,
waiting work in threads. The seeder is CPU-bound: each intake costs ~10 ms of Python
and ~5 ms of PostgreSQL inside the services."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.db import connection, connections

T = TypeVar("T")
U = TypeVar("U")


def in_threads(function: Callable[[U], T], items: Sequence[U], workers: int = 2) -> list[T]:
    """``function`` over ``items`` in threads, for calls that wait on something other than
    Python (creating a user spends ~0.25 s in PBKDF2, which releases the GIL). Each
    thread uses its own database connection, so the caller must hold no transaction:
    the threads could not see its rows."""
    if connection.in_atomic_block or len(items) < 2:
        return [function(item) for item in items]

    def run(item: U) -> T:
        try:
            return function(item)
        finally:
            connections.close_all()  # this thread's connections only

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, items))


@contextmanager
def quiet_side_effects() -> Iterator[None]:
    """Run what services schedule after commit in this process, and keep their mail here.

    A code claim's approval queues the audience backfill on Celery: eager tasks make the
    seeder independent of a running worker. Every notification goes through the outbox
    and is sent after commit; in development the console backend would print hundreds of
    mails into the seeder's output, so they go to the in-memory backend instead (the
    outbox rows stay, marked sent), and Celery's line per eager task is not logged."""
    from recycling_network.celery import app

    trace = logging.getLogger("celery.app.trace")
    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates, settings.EMAIL_BACKEND)
    level = trace.level
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    trace.setLevel(logging.WARNING)
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates, settings.EMAIL_BACKEND = saved
        trace.setLevel(level)


@contextmanager
def prepared_statements() -> Iterator[None]:
    """Server-side parameter binding and prepared statements on the seeder's connections
    (Django's ``server_side_binding`` and ``prepare_threshold`` options). A service runs
    the same few dozen statements on every call; prepared, PostgreSQL parses and plans
    each once, which saves about a quarter of its CPU per intake. Connections are closed
    before and after, so no other code gets one with these options; inside a caller's
    transaction (which closing would break) nothing changes."""
    if connection.in_atomic_block:
        yield
        return
    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved = dict(options)
    connections.close_all()
    options.update(server_side_binding=True, prepare_threshold=5)
    try:
        yield
    finally:
        connections.close_all()
        options.clear()
        options.update(saved)


@contextmanager
def lean_python() -> Iterator[None]:
    """Less Python overhead per service call. With ``DEBUG`` on Django keeps the text of every
    SQL statement, and the cyclic garbage collector keeps walking the long-lived plan;
    both cost about a tenth of the seeder's CPU each and buy nothing here."""
    debug, thresholds = settings.DEBUG, gc.get_threshold()
    settings.DEBUG = False
    gc.freeze()  # the plan and the network live to the end: out of the collector's way
    gc.set_threshold(50_000, 50, 50)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        settings.DEBUG = debug
