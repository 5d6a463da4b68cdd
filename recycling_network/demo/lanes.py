"""Playing each phase of the history in several processes at once (one per core).

The seeder is CPU-bound: a service call costs about twice as much Python as PostgreSQL
time, and Python runs one thread at a time, so one process leaves a core idle and
threads would not help. The seeder therefore forks worker processes once the network
is built and the history planned (they inherit both), and hands each a share of every
phase: whole actors, so one actor's steps keep their order. Lanes of one phase touch
different outlets and batteries (see ``history``); steps that lock two outlets run one
call per transaction, taking the locks in id order, so lanes may wait for each other
but never deadlock.

Where forking is not possible (no ``os.fork``, or inside a caller's transaction, as in
a non-transactional test) the phases run in this process alone.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from django.db import connection, connections

from recycling_network.demo.calls import SeedError

PlayShare = Callable[[int, list[str]], Counter]


def _forget_inherited_connections() -> None:
    """A forked child must never use (or close) the parent's database sockets: closing
    one would end the parent's session. Drop them; Django opens new ones on demand."""
    for alias in connections:
        connections[alias].connection = None


def _serve(channel: Connection, play: PlayShare) -> None:
    """A worker: play the shares it is sent until told to stop."""
    _forget_inherited_connections()
    try:
        while (job := channel.recv()) is not None:
            phase, labels = job
            try:
                channel.send(("done", play(phase, labels)))
            except Exception as error:  # reported to the parent, which stops the seed
                channel.send(("failed", f"{type(error).__name__}: {error}"))
    except EOFError:  # the parent is gone
        pass
    finally:
        connections.close_all()


class Lanes:
    def __init__(self, play: PlayShare, workers: list[tuple[BaseProcess, Connection]]) -> None:
        self.play = play
        self.workers = workers

    @property
    def count(self) -> int:
        return len(self.workers) + 1

    def run(self, phase: int, shares: list[list[str]]) -> Counter:
        """Play one phase: the first share here, the others in the workers; wait for all."""
        for (_process, channel), labels in zip(self.workers, shares[1:], strict=False):
            channel.send((phase, labels))
        done: Counter = Counter()
        failures: list[str] = []
        try:
            done += self.play(phase, shares[0] if shares else [])
        except SeedError as error:
            failures.append(str(error))
        for (_process, channel), _labels in zip(self.workers, shares[1:], strict=False):
            outcome, result = channel.recv()
            if outcome == "done":
                done += result
            else:
                failures.append(result)
        if failures:
            raise SeedError("; ".join(failures))
        return done


@contextmanager
def lanes(play: PlayShare, count: int) -> Iterator[Lanes]:
    if count < 2 or not hasattr(os, "fork") or connection.in_atomic_block:
        yield Lanes(play, [])
        return
    # A forked child must open its own connection, and must not repeat buffered output.
    connections.close_all()
    sys.stdout.flush()
    sys.stderr.flush()
    context = multiprocessing.get_context("fork")
    workers = []
    for _ in range(count - 1):
        parent_end, child_end = context.Pipe()
        process = context.Process(target=_serve, args=(child_end, play), daemon=True, name="seed-lane")
        process.start()
        child_end.close()
        workers.append((process, parent_end))
    try:
        yield Lanes(play, workers)
    finally:
        for process, channel in workers:
            with suppress(OSError):  # a lane that already died
                channel.send(None)
            process.join(30)
            if process.is_alive():
                process.terminate()
            channel.close()
