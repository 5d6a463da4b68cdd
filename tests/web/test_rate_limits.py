"""The browser's public doors are rate limited (recycling_network/web/rate_limits.py):
sign-in per address and per user name, password reset and applications per address;
past the limit the form comes back with the reason and 429, and nothing is checked or
written. X-Forwarded-For counts only behind a trusted proxy."""

from __future__ import annotations

import pytest
from django.test import Client

from partners.models import OutboxEmail, Partner
from recycling_network.tenancy import SYSTEM, run_as
from tests.web.conftest import PASSWORD
from tests.web.test_onboarding_pages import application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_rates(settings):
    settings.RN_RATE_SIGN_IN_ADDRESS = "4/10m"
    settings.RN_RATE_SIGN_IN_USER = "3/10m"
    settings.RN_RATE_PASSWORD_RESET = "2/h"
    settings.RN_RATE_APPLICATION = "2/h"


def _english(address: str) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = "en"
    return client


def _sign_in(client: Client, username: str, password: str, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_guessing_a_users_password_is_stopped_even_from_many_addresses(people):
    username = people.staff.username
    for n in range(3):
        response = _sign_in(_english(f"192.0.2.{n + 1}"), username, "wrong-guess")
        assert response.status_code == 200 and "Please enter a correct" in response.content.decode()
    # The fourth attempt on this user name is refused before the password is checked,
    # even with the right password and from a fresh address.
    refused = _sign_in(_english("192.0.2.50"), username, PASSWORD)
    assert refused.status_code == 429
    assert "Too many sign-in attempts" in refused.content.decode()
    assert "_auth_user_id" not in refused.wsgi_request.session
    # Another user signs in from that address.
    assert _sign_in(_english("192.0.2.50"), people.partner_admin.username, PASSWORD).status_code == 302


def test_one_address_trying_many_user_names_is_stopped(people):
    client = _english("198.51.100.7")
    for n in range(4):
        assert _sign_in(client, f"nobody{n}", "guess").status_code == 200
    assert _sign_in(client, people.staff.username, PASSWORD).status_code == 429
    assert _sign_in(_english("198.51.100.8"), people.staff.username, PASSWORD).status_code == 302


def test_a_forged_forwarded_address_does_not_reset_the_count(people):
    client = _english("198.51.100.9")
    for n in range(4):
        _sign_in(client, f"nobody{n}", "guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert _sign_in(client, "nobody9", "guess", HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_password_reset_requests_are_limited_and_send_nothing_past_the_limit(people):
    client = _english("192.0.2.60")
    with run_as(SYSTEM):
        before = OutboxEmail.objects.count()
    for _ in range(2):
        assert client.post("/accounts/password/reset/", {"email": people.staff.email}).status_code == 302
    refused = client.post("/accounts/password/reset/", {"email": people.staff.email})
    assert refused.status_code == 429 and "Too many reset requests" in refused.content.decode()
    with run_as(SYSTEM):
        assert OutboxEmail.objects.count() == before + 2


def test_applications_from_one_address_are_limited_and_nothing_is_written():
    client = _english("192.0.2.70")
    # Each applicant claims codes of its own (a code is claimed once).
    for n, codes in enumerate(("q7x", "q8y")):
        response = client.post("/join/", application(name=f"申请企业{n}", manufacturer_codes=codes, wmi_codes=""))
        assert response.status_code == 302, response.content.decode()
    refused = client.post("/join/", application(name="申请企业9", manufacturer_codes="q9z", wmi_codes=""))
    assert refused.status_code == 429 and "Too many applications" in refused.content.decode()
    with run_as(SYSTEM):
        assert Partner.objects.count() == 2
    # Adding a contact row only redraws the form: it is not an application.
    assert client.post("/join/", {**application(), "add_contact": "1"}).status_code == 200
