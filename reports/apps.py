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
        register_navigation()


def register_navigation() -> None:
    """Reports for partner admins (their network) and data-center admins (any network).
    Outlet staff have none: a report covers the whole network."""
    from recycling_network.tenancy import ActorRole
    from recycling_network.web.navigation import register_nav_item

    for key, role, order in (
        ("reports.partner", ActorRole.PARTNER_ADMIN, 380),
        ("reports.datacenter", ActorRole.DATACENTER_ADMIN, 700),
    ):
        register_nav_item(
            key=key, label=_("Reports"), url_name="reports:list", roles={role}, order=order, match_children=True
        )
