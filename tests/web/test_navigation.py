"""The navigation registry: apps add items per role; the layout shows the actor's."""

from __future__ import annotations

import pytest
from django.test import Client

from recycling_network.tenancy import ActorRole, actor_for_user
from recycling_network.web.navigation import nav_links, register_nav_item, unregister_nav_item


@pytest.fixture
def stock_item():
    register_nav_item(
        key="test.stock", label="Stock list", url_name="password_change", roles={ActorRole.OUTLET_STAFF}, order=150
    )
    yield
    unregister_nav_item("test.stock")


def test_items_show_for_their_roles_in_order(people, stock_item):
    from recycling_network.web.navigation import _registry

    staff = actor_for_user(people.staff)
    staff_keys = [link.key for link in nav_links(staff, "/")]
    assert staff_keys[0] == "home"
    assert "test.stock" in staff_keys
    assert staff_keys == sorted(staff_keys, key=lambda key: _registry[key].order if key in _registry else 0)
    assert "test.stock" not in [link.key for link in nav_links(actor_for_user(people.partner_admin), "/")]
    datacenter_keys = [link.key for link in nav_links(actor_for_user(people.datacenter_admin), "/")]
    assert (datacenter_keys[0], datacenter_keys[-1]) == ("home", "admin")
    assert "test.stock" not in datacenter_keys
    current = {link.key: link.current for link in nav_links(staff, "/accounts/password/change/")}
    assert [key for key, is_current in current.items() if is_current] == ["test.stock"]


def test_the_layout_renders_the_actors_items(people, stock_item):
    client = Client()
    client.force_login(people.staff)
    page = client.get("/").content.decode()
    assert 'href="/accounts/password/change/">Stock list</a>' in page
    assert '<a class="site-nav__link" href="/" aria-current="page">' in page


def test_a_section_item_is_current_on_its_sub_pages(people):
    links = nav_links(actor_for_user(people.datacenter_admin), "/admin/partners/partner/")
    assert [link.key for link in links if link.current] == ["admin"]
