"""The whole seed: the network and the automakers' sales footprints, then the battery
history, then the completion marker."""

from __future__ import annotations

import os
from collections.abc import Callable

from recycling_network.demo.batteries import Player
from recycling_network.demo.footprints import ensure_footprints
from recycling_network.demo.history import plan_history
from recycling_network.demo.network import build_network, finish_network
from recycling_network.demo.runtime import lean_python, prepared_statements, quiet_side_effects

DEFAULT_BATTERIES = 5000
# One lane per core (at least two: a lane's Python and its PostgreSQL backend take turns).
DEFAULT_LANES = max(2, min(4, os.cpu_count() or 2))


def seed_demo(
    *, batteries: int = DEFAULT_BATTERIES, lanes: int = DEFAULT_LANES, log: Callable[[str], None] = print
) -> dict[str, int]:
    """Seed (or complete) the demo data; return how many steps of each kind were played.

    ``batteries`` must stay the same between runs on one database: the history is
    planned from it, and a run skips the steps whose results it finds."""
    with quiet_side_effects(), lean_python(), prepared_statements():
        net = build_network(log)
        log(f"sales footprints: {ensure_footprints(net)} rows set for the demo automakers")
        done: dict[str, int] = {}
        if batteries:
            plan = plan_history(batteries)
            log(f"batteries: playing the history of {batteries} batteries ({len(plan.steps)} service calls)")
            done = Player(plan, net, log).play(lanes)
            played = ", ".join(f"{kind} {count}" for kind, count in sorted(done.items())) or "nothing new"
            log(f"batteries: {played}")
        finish_network(net)
    return done
