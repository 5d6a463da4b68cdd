"""Signing in and out, per role; who is refused and what they are told; password change."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from partners import services as partner_services
from recycling_network.web.auth import REFUSALS
from tests.builders import DATACENTER, call
from tests.web.conftest import PASSWORD, sign_in


def _in_english(message) -> str:
    with translation.override("en"):
        return escape(str(message))


def _signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize(
    ("role", "marker"),
    [
        ("datacenter_admin", "Network overview"),
        ("partner_admin", "Outlets we operate"),
        ("staff", "Outlet dashboard"),
    ],
)
def test_each_role_signs_in_and_lands_on_its_home_page(people, english_client, role, marker):
    user = getattr(people, role)
    response = sign_in(english_client, user)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _signed_in_user_id(english_client) == str(user.pk)

    home = english_client.get("/")
    assert home.status_code == 200
    page = home.content.decode()
    assert marker in page
    assert user.get_username() in page  # the header names who is signed in
    if role == "datacenter_admin":
        assert 'href="/admin/"' in page
        assert "Data center" in page
    else:
        assert people.partner.name in page  # and for which partner
        assert 'href="/admin/"' not in page
    if role == "staff":
        assert f'data-outlet="{people.outlet.code}"' in page
    if role == "partner_admin":
        assert people.outlet.code in page


def test_the_home_page_sends_anonymous_visitors_to_sign_in(db):
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_a_suspended_partners_user_is_refused_with_the_reason(people, english_client):
    call(DATACENTER, partner_services.partner_suspend, partner=people.partner, reason="资质到期")
    response = sign_in(english_client, people.staff)
    assert response.status_code == 200
    assert _in_english(REFUSALS["partner_suspended"]) in response.content.decode()
    assert _signed_in_user_id(english_client) is None


def test_suspending_a_partner_ends_its_users_open_sessions(people):
    client = Client()
    assert sign_in(client, people.partner_admin).status_code == 302
    assert client.get("/").status_code == 200
    call(DATACENTER, partner_services.partner_suspend, partner=people.partner, reason="资质到期")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_deactivated_user_is_refused_with_the_reason(people, english_client):
    call(DATACENTER, partner_services.user_set_active, user=people.staff, active=False, reason="离职")
    response = sign_in(english_client, people.staff)
    assert response.status_code == 200
    assert _in_english(REFUSALS["inactive"]) in response.content.decode()
    assert _signed_in_user_id(english_client) is None


def test_a_wrong_password_says_nothing_about_the_account(people, english_client):
    call(DATACENTER, partner_services.user_set_active, user=people.staff, active=False, reason="离职")
    response = sign_in(english_client, people.staff, password="not-the-password")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct username and password" in page
    assert "deactivated" not in page


def test_signing_out_takes_a_post(people):
    client = Client()
    sign_in(client, people.partner_admin)
    assert client.get("/accounts/logout/").status_code == 405
    assert _signed_in_user_id(client) == str(people.partner_admin.pk)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert _signed_in_user_id(client) is None
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_a_user_changes_their_password(people):
    client = Client()
    sign_in(client, people.staff)
    assert client.get("/accounts/password/change/").status_code == 200
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "An0ther-long-secret", "new_password2": "An0ther-long-secret"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/done/"
    client.post("/accounts/logout/")
    assert sign_in(Client(), people.staff).status_code == 200  # the old password no longer works
    assert sign_in(Client(), people.staff, password="An0ther-long-secret").status_code == 302


def test_a_password_change_with_errors_shows_the_error_summary(people, english_client):
    sign_in(english_client, people.staff)
    response = english_client.post(
        "/accounts/password/change/", {"old_password": "wrong", "new_password1": "x", "new_password2": "y"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "data-error-summary" in page
    # Each error in the summary links to its field, and the field points at its message.
    assert '<a href="#id_old_password">' in page
    assert 'id="id_old_password_error"' in page
    assert 'aria-describedby="id_old_password_error"' in page
