from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from recycling_network.tenancy import ActorRole
        from recycling_network.web.navigation import register_nav_item

        # Partner administration (300-599): the team's users and the partner's API keys.
        admins = {ActorRole.PARTNER_ADMIN}
        register_nav_item(
            key="partners.team.users",
            label=_("Users"),
            url_name="partners:team:users",
            roles=admins,
            order=560,
            match_children=True,
        )
        register_nav_item(
            key="partners.team.keys",
            label=_("API keys"),
            url_name="partners:team:keys",
            roles=admins,
            order=570,
            match_children=True,
        )

        # Onboarding and the data center's queues (partners.views.onboarding).
        staff_and_admins = {ActorRole.PARTNER_ADMIN, ActorRole.OUTLET_STAFF}
        datacenter = {ActorRole.DATACENTER_ADMIN}
        for key, label, url_name, roles, order in (
            ("partners.reviews", _("Review cases"), "partners:reviews", staff_and_admins, 290),
            ("partners.claims", _("Code claims"), "partners:claims", admins, 540),
            ("partners.audit", _("Audit log"), "partners:audit", admins, 590),
            ("partners.datacenter.partners", _("Partners"), "partners:datacenter_partners", datacenter, 610),
            ("partners.datacenter.claims", _("Code claims"), "partners:datacenter_claims", datacenter, 620),
            ("partners.datacenter.reviews", _("Review cases"), "partners:datacenter_reviews", datacenter, 640),
            ("partners.datacenter.audit", _("Audit log"), "partners:datacenter_audit", datacenter, 880),
        ):
            register_nav_item(key=key, label=label, url_name=url_name, roles=roles, order=order, match_children=True)
