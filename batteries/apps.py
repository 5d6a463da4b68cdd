from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BatteriesConfig(AppConfig):
    name = "batteries"
    verbose_name = _("Batteries")

    def ready(self) -> None:
        from recycling_network.tenancy import ActorRole
        from recycling_network.web.navigation import register_nav_item

        # The outlet screens (DESIGN §9), in the order of a counter's day.
        partner_people = {ActorRole.OUTLET_STAFF, ActorRole.PARTNER_ADMIN}
        for key, label, url_name, order in (
            ("batteries.intake", _("Intake"), "batteries:intake", 110),
            ("batteries.stock", _("Stock"), "batteries:stock", 120),
            ("batteries.consignments", _("Consignments"), "batteries:consignments", 130),
            ("batteries.hazards", _("Hazards"), "batteries:hazards", 140),
            ("batteries.obligations", _("Obligations"), "batteries:obligations", 150),
        ):
            register_nav_item(
                key=key, label=label, url_name=url_name, roles=partner_people, order=order, match_children=True
            )
