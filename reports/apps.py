from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_reference_data(sender, using, **kwargs) -> None:
    """Reload the NEV weighting and this year's targets when a flush emptied them (test
    databases, ``flush``); migrations load them the first time."""
    from django.utils import timezone

    from reports.models import NevFleet, YearlyTarget
    from reports.reference_data import load_nev_fleet, seed_targets

    if not NevFleet.objects.using(using).exists():
        load_nev_fleet(NevFleet, using)
    if not YearlyTarget.objects.using(using).exists():
        seed_targets(YearlyTarget, timezone.localdate().year, using)


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        post_migrate.connect(ensure_reference_data, sender=self)
