"""``migrate`` defaults to the ``owner`` alias: ``rn_app`` may not create tables."""

from django.core.management.commands.migrate import Command as DjangoMigrate

from recycling_network.db import OWNER_ALIAS


class Command(DjangoMigrate):
    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(database=OWNER_ALIAS)
