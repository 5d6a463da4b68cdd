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
    staff = actor_for_user(people.staff)
    assert [link.key for link in nav_links(staff, "/")] == ["home", "test.stock"]
    assert [link.key for link in nav_links(actor_for_user(people.partner_admin), "/")] == ["home"]
    assert [link.key for link in nav_links(actor_for_user(people.datacenter_admin), "/")] == ["home", "admin"]
    current = {link.key: link.current for link in nav_links(staff, "/accounts/password/change/")}
    assert current == {"home": False, "test.stock": True}


def test_the_layout_renders_the_actors_items(people, stock_item):
    client = Client()
    client.force_login(people.staff)
    page = client.get("/").content.decode()
    assert 'href="/accounts/password/change/">Stock list</a>' in page
    assert '<a class="site-nav__link" href="/" aria-current="page">' in page


def test_a_section_item_is_current_on_its_sub_pages(people):
    links = nav_links(actor_for_user(people.datacenter_admin), "/admin/partners/partner/")
    assert {link.key: link.current for link in links} == {"home": False, "admin": True}
