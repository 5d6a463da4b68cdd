"""``manage.py seed_demo``: the demo network, ~5,000 batteries with their history, and the
demo logins (issue "Bare-machine quick start"). Idempotent: a second run changes nothing."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recycling_network.demo.calls import SeedError
from recycling_network.demo.logins import demo_logins, format_logins
from recycling_network.demo.network import seed_complete
from recycling_network.demo.seed import DEFAULT_BATTERIES, DEFAULT_LANES, seed_demo


class Command(BaseCommand):
    help = "Seed the demo network and battery history through the services (idempotent); print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batteries",
            type=int,
            default=DEFAULT_BATTERIES,
            help=f"How many batteries the history has (default {DEFAULT_BATTERIES}); keep it the same between runs.",
        )
        parser.add_argument(
            "--lanes",
            type=int,
            default=DEFAULT_LANES,
            help=f"Processes playing the battery history in parallel (default {DEFAULT_LANES}: one per core).",
        )
        parser.add_argument(
            "--if-needed",
            action="store_true",
            help="If a completed seed is found, only print the logins.",
        )

    def handle(self, *args: Any, batteries: int, lanes: int, if_needed: bool, **options: Any) -> None:
        if batteries < 0 or lanes < 1:
            raise CommandError("--batteries cannot be negative and --lanes must be at least 1")
        started = time.monotonic()
        if if_needed and seed_complete():
            self.stdout.write("Demo data found; not seeding again.")
        else:
            try:
                seed_demo(batteries=batteries, lanes=lanes, log=self.stdout.write)
            except SeedError as error:
                raise CommandError(f"{error}\nSeeding stopped; run it again, or reset the database first.") from error
            self.stdout.write(f"Demo data ready in {time.monotonic() - started:.1f} s.")
        self.stdout.write("\nDemo logins:\n" + format_logins(demo_logins()))
