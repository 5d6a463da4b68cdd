"""Import automakers' sales footprints from a CSV file (see ``sales_footprint_import``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recycling_network.errors import DomainError
from recycling_network.tenancy import SYSTEM, run_as
from reports.services import sales_footprint_import


class Command(BaseCommand):
    help = (
        "Import sales footprints from CSV: partner (id or credit code), prefecture (adcode), "
        "year, vehicles_sold, fleet. All or nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        try:
            with run_as(SYSTEM):
                count = sales_footprint_import(actor=SYSTEM, csv_text=text)
        except DomainError as error:
            details = "; ".join(str(m) for messages in error.errors.values() for m in messages)
            raise CommandError(f"{error} {details}".strip()) from error
        self.stdout.write(f"imported {count} rows")
