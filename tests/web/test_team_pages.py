"""The partner-admin pages (users and API keys): each renders for a partner admin, and
nobody else gets in; another partner's users and keys are 404, like missing ones."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from partners import services as partner_services
from partners.models import ApiKey, User, UserRole
from recycling_network.tenancy import actor_for_user
from tests.builders import call, make_outlet, make_partner, make_user, system_rows


@dataclass
class Team:
    staff_id: int
    admin_id: int
    key_id: int
    foreign_user_id: int
    foreign_key_id: int


@pytest.fixture
def team(people) -> Team:
    admin = actor_for_user(people.partner_admin)
    key, _secret = call(admin, partner_services.api_key_create, partner=people.partner, name="ERP 接口")
    other = make_partner(name="其他回收企业")
    make_outlet(other)
    other_admin = make_user(other, UserRole.PARTNER_ADMIN)
    foreign_key, _secret = call(
        actor_for_user(other_admin), partner_services.api_key_create, partner=other, name="foreign"
    )
    return Team(
        staff_id=people.staff.pk,
        admin_id=people.partner_admin.pk,
        key_id=key.pk,
        foreign_user_id=other_admin.pk,
        foreign_key_id=foreign_key.pk,
    )


def _get_pages(team: Team) -> list[str]:
    return [
        "/team/users/",
        "/team/users/invite/",
        f"/team/users/{team.staff_id}/",
        f"/team/users/{team.admin_id}/",
        f"/team/users/{team.staff_id}/deactivate/",
        "/team/keys/",
        "/team/keys/new/",
        f"/team/keys/{team.key_id}/",
        f"/team/keys/{team.key_id}/revoke/",
    ]


def _post_pages(team: Team) -> list[str]:
    return [
        "/team/users/invite/",
        f"/team/users/{team.staff_id}/edit/",
        f"/team/users/{team.staff_id}/outlets/",
        f"/team/users/{team.staff_id}/deactivate/",
        f"/team/users/{team.staff_id}/reactivate/",
        "/team/keys/new/",
        f"/team/keys/{team.key_id}/revoke/",
    ]


def _client(user: User | None, *, language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def test_every_page_renders_for_a_partner_admin(people, team):
    client = _client(people.partner_admin)
    for path in _get_pages(team):
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        assert '<h1 class="page-header__title">' in page, path
        # The section stays highlighted in the navigation on every page below it.
        section = "/team/keys/" if path.startswith("/team/keys/") else "/team/users/"
        assert f'<a class="site-nav__link" href="{section}" aria-current="page">' in page, path


def test_the_pages_render_in_chinese_by_default(people, team):
    client = _client(people.partner_admin, language="zh-hans")
    page = client.get("/team/users/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert people.staff.username in page


def test_the_team_root_leads_to_the_users(people):
    response = _client(people.partner_admin).get("/team/")
    assert response.status_code == 302
    assert response["Location"] == "/team/users/"


def test_partner_admins_see_the_items_in_the_navigation_and_staff_do_not(people):
    admin_page = _client(people.partner_admin).get("/").content.decode()
    assert 'href="/team/users/">Users</a>' in admin_page
    assert 'href="/team/keys/">API keys</a>' in admin_page
    staff_page = _client(people.staff).get("/").content.decode()
    assert "/team/" not in staff_page


@pytest.mark.parametrize("role", ["staff", "datacenter_admin"])
def test_outlet_staff_and_datacenter_admins_are_refused(people, team, role):
    client = _client(getattr(people, role))
    for path in _get_pages(team):
        assert client.get(path).status_code == 403, path
    for path in _post_pages(team):
        assert client.post(path, {"name": "x", "scopes": ["read"], "username": "x"}).status_code == 403, path
    assert ApiKey.objects.filter(name="x").count() == 0
    assert system_rows(User, username="x") == []


def test_anonymous_visitors_are_sent_to_sign_in(people, team):
    client = _client(None)
    for path in _get_pages(team) + _post_pages(team):
        method = client.post if path in _post_pages(team) else client.get
        response = method(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path


def test_another_partners_users_and_keys_are_not_found(people, team):
    # The foreign rows exist (so the 404s below mean something).
    assert system_rows(User, pk=team.foreign_user_id)
    assert system_rows(ApiKey, pk=team.foreign_key_id)
    client = _client(people.partner_admin)
    user, key = team.foreign_user_id, team.foreign_key_id
    for path in [f"/team/users/{user}/", f"/team/users/{user}/deactivate/", f"/team/keys/{key}/"]:
        assert client.get(path).status_code == 404, path
    missing = max(user, key) + 1000
    assert client.get(f"/team/users/{missing}/").status_code == 404
    assert client.get(f"/team/keys/{missing}/").status_code == 404

    posts = {
        f"/team/users/{user}/edit/": {"profile-email": "taken@example.com", "profile-role": "outlet_staff"},
        f"/team/users/{user}/outlets/": {"staff-outlets": [people.outlet.pk]},
        f"/team/users/{user}/deactivate/": {"reason": "x"},
        f"/team/users/{user}/reactivate/": {},
        f"/team/keys/{key}/revoke/": {},
    }
    for path, data in posts.items():
        assert client.post(path, data).status_code == 404, path
    [foreign_user] = system_rows(User, pk=user)
    assert foreign_user.is_active and foreign_user.role == UserRole.PARTNER_ADMIN
    assert foreign_user.email != "taken@example.com"
    [foreign_key] = system_rows(ApiKey, pk=key)
    assert foreign_key.revoked_at is None

    users_page = client.get("/team/users/").content.decode()
    assert foreign_user.username not in users_page
    assert people.staff.username in users_page
    keys_page = client.get("/team/keys/").content.decode()
    assert foreign_key.prefix not in keys_page
    assert "ERP 接口" in keys_page


def test_forms_have_labels_and_show_errors_in_the_summary(people):
    client = _client(people.partner_admin)
    page = client.get("/team/users/invite/").content.decode()
    for field in ("username", "display_name", "email"):
        assert f'<label class="field__label" for="id_{field}">' in page
    assert "<legend" in page  # the role radios are a fieldset with a legend
    # Focus order follows the form: who, how to reach them, their role, their outlets.
    order = [page.index(f'name="{name}"') for name in ("username", "display_name", "email", "role", "outlets")]
    assert order == sorted(order)

    response = client.post("/team/users/invite/", {"username": "", "email": "not-an-address", "role": "boss"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "data-error-summary" in page
    assert '<a href="#id_username">' in page
    assert '<a href="#id_email">' in page
    assert 'aria-invalid="true"' in page

    page = client.post("/team/keys/new/", {"name": ""}).content.decode()
    assert "data-error-summary" in page
    assert '<a href="#id_name">' in page
    assert "Choose at least one permission." in page
