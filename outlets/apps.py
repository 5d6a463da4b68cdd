from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_reference_data(sender, using, **kwargs) -> None:
    """Reload regions and divisions when a flush emptied them (test databases, ``flush``)."""
    from outlets.models import Division, Region
    from outlets.reference_data import load_reference_data

    if not Division.objects.using(using).exists():
        load_reference_data(Region, Division, using)


class OutletsConfig(AppConfig):
    name = "outlets"
    verbose_name = _("Outlets")

    def ready(self) -> None:
        post_migrate.connect(ensure_reference_data, sender=self)
        register_navigation()


def register_navigation() -> None:
    from recycling_network.tenancy import ActorRole
    from recycling_network.web.navigation import SIGNED_IN_ROLES, register_nav_item

    register_nav_item(
        key="outlets.mine",
        label=_("Our outlets"),
        url_name="outlets:mine",
        roles={ActorRole.PARTNER_ADMIN},
        order=320,
        match_children=True,
    )
    register_nav_item(
        key="outlets.network",
        label=_("Network"),
        url_name="outlets:network",
        roles={ActorRole.PARTNER_ADMIN, ActorRole.OUTLET_STAFF},
        order=330,
    )
    register_nav_item(
        key="outlets.queue",
        label=_("Outlet applications"),
        url_name="outlets:queue",
        roles={ActorRole.DATACENTER_ADMIN},
        order=620,
        match_children=True,
    )
    register_nav_item(
        key="outlets.directory",
        label=_("Outlet directory"),
        url_name="outlets:directory",
        roles=SIGNED_IN_ROLES,
        order=880,
        match_children=True,
    )
