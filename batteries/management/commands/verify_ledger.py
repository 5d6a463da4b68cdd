"""Check every battery's hash chain and name the first broken link."""

from itertools import groupby

from django.core.management.base import BaseCommand, CommandError

from batteries.ledger import GENESIS_HASH, verify_chain
from batteries.models import Battery, CustodyEvent
from recycling_network.tenancy import SYSTEM, run_as

CHUNK = 2000


class Command(BaseCommand):
    help = "Verify the hash chain of every battery's custody events."

    def handle(self, *args, **options) -> None:
        checked = events = 0
        last_id = 0
        while True:
            with run_as(SYSTEM):
                batteries = list(
                    Battery.objects.filter(pk__gt=last_id)
                    .order_by("pk")
                    .values_list("pk", "code", "last_seq", "last_hash")[:CHUNK]
                )
                if not batteries:
                    break
                last_id = batteries[-1][0]
                heads = {pk: (code, seq, head) for pk, code, seq, head in batteries}
                rows = CustodyEvent.objects.filter(battery_id__in=heads).order_by("battery_id", "seq")
                for battery_id, chain in groupby(rows.iterator(chunk_size=5000), key=lambda e: e.battery_id):
                    chain = list(chain)
                    events += len(chain)
                    broken = verify_chain(chain)
                    if broken is not None:
                        raise CommandError(f"broken chain: {broken}")
                    code, seq, head = heads.pop(battery_id)
                    if (chain[-1].seq, chain[-1].hash) != (seq, head):
                        raise CommandError(
                            f"broken chain: battery {code}: its head does not match event {chain[-1].pk}"
                        )
                for code, seq, head in heads.values():
                    if seq != 0 or head != GENESIS_HASH:
                        raise CommandError(f"broken chain: battery {code} has lost its events")
                checked += len(batteries)
        self.stdout.write(f"ledger ok: {checked} batteries, {events} events")
