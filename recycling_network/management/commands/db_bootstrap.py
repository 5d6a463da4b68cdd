"""Create the database and the roles ``rn_owner`` and ``rn_app`` (idempotent)."""

from django.core.management.base import BaseCommand

from recycling_network.bootstrap import bootstrap


class Command(BaseCommand):
    help = "Create the database and the rn_owner / rn_app roles as the bootstrap superuser (idempotent)."

    def handle(self, *args, **options) -> None:
        name = bootstrap()
        self.stdout.write(f"database {name} and roles ready")
