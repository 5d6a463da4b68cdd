"""The main navigation: a small registry each app appends to, filtered by the actor's role.

An app adds its screens from its ``AppConfig.ready()``::

    from recycling_network.tenancy import ActorRole
    from recycling_network.web.navigation import register_nav_item

    register_nav_item(
        key="outlets.stock",
        label=_("Stock"),
        url_name="outlets:stock",
        roles={ActorRole.OUTLET_STAFF, ActorRole.PARTNER_ADMIN},
        order=120,
        match_children=True,  # stay highlighted on the pages below the list
    )

Items are resolved per request by the context processor; a ``url_name`` that does not
resolve fails loudly (a broken link should not silently disappear).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from recycling_network.tenancy import Actor, ActorRole

#: Roles that sign in to the browser UI (keys act only through the API).
SIGNED_IN_ROLES = frozenset({ActorRole.DATACENTER_ADMIN, ActorRole.PARTNER_ADMIN, ActorRole.OUTLET_STAFF})


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    roles: frozenset[ActorRole]
    #: Position in the bar, smallest first; leave gaps (home 0, outlet work 100-299,
    #: partner administration 300-599, data-center work 600-899, Django admin 900).
    order: int = 500
    #: Also mark the item current on every page below its URL (a section, not a single page).
    match_children: bool = False


@dataclass(frozen=True)
class NavLink:
    """A registered item resolved for one request."""

    key: str
    label: str | Promise
    url: str
    current: bool


_registry: dict[str, NavItem] = {}


def register_nav_item(
    *,
    key: str,
    label: str | Promise,
    url_name: str,
    roles: Iterable[ActorRole | str],
    order: int = 500,
    match_children: bool = False,
) -> NavItem:
    """Add (or replace, by ``key``) a navigation item for the given roles."""
    item = NavItem(
        key=key,
        label=label,
        url_name=url_name,
        roles=frozenset(ActorRole(role) for role in roles),
        order=order,
        match_children=match_children,
    )
    _registry[key] = item
    return item


def unregister_nav_item(key: str) -> None:
    _registry.pop(key, None)


def nav_items(role: ActorRole) -> list[NavItem]:
    return sorted((item for item in _registry.values() if role in item.roles), key=lambda item: (item.order, item.key))


def nav_links(actor: Actor, path: str) -> list[NavLink]:
    """The actor's navigation, with the item for ``path`` marked current."""
    links = []
    for item in nav_items(actor.role):
        url = reverse(item.url_name)
        current = path.startswith(url) if item.match_children else path == url
        links.append(NavLink(key=item.key, label=item.label, url=url, current=current))
    return links


# The screens that exist in the foundation; apps add theirs.
register_nav_item(key="home", label=_("Home"), url_name="home", roles=SIGNED_IN_ROLES, order=0)
register_nav_item(
    key="admin",
    label=_("Administration"),
    url_name="admin:index",
    roles={ActorRole.DATACENTER_ADMIN},
    order=900,
    match_children=True,
)
