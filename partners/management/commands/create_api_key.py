"""Create an API key for a partner or the data center and print it (and nothing else)."""

from django.core.management.base import BaseCommand, CommandError

from partners.models import Partner
from partners.services import api_key_create
from recycling_network.errors import DomainError
from recycling_network.tenancy import SYSTEM, run_as


class Command(BaseCommand):
    help = "Create an API key; prints the key, which is shown only once."

    def add_arguments(self, parser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--partner", type=int, help="id of the partner the key acts for")
        target.add_argument("--datacenter", action="store_true", help="a key acting for the data center")
        parser.add_argument("--scopes", default="read,write", help="read, write or read,write (default)")
        parser.add_argument("--name", default="command line", help="a name to recognise the key by")

    def handle(self, *args, **options) -> None:
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        with run_as(SYSTEM):
            partner = None
            if options["partner"] is not None:
                partner = Partner.objects.filter(pk=options["partner"]).first()
                if partner is None:
                    raise CommandError(f"no partner with id {options['partner']}")
            try:
                _key, raw = api_key_create(actor=SYSTEM, partner=partner, name=options["name"], scopes=scopes)
            except DomainError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(raw)
