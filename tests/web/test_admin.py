"""The Django admin: data-center admins read everything; nobody changes anything there;
other roles are turned away."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from batteries import services as battery_services
from batteries.errors import BatteryInCustody
from outlets import services as outlet_services
from partners import services as partner_services
from partners.models import ApiKey, OutboxEmail, Partner
from recycling_network.tenancy import SYSTEM, actor_for_user, run_as
from tests.builders import admin_of, battery_code, call, claim_code, make_outlet, make_partner, receive

EXPECTED_MODELS = {
    "partners.partner",
    "partners.codeclaim",
    "partners.user",
    "partners.apikey",
    "partners.auditentry",
    "partners.outboxemail",
    "outlets.outlet",
    "outlets.division",
    "outlets.region",
    "outlets.sharinggrant",
    "outlets.outlettransition",
    "batteries.battery",
    "batteries.custodyevent",
    "batteries.consignment",
    "batteries.reviewcase",
    "batteries.obligation",
}


@pytest.fixture
def dc_client(people) -> Client:
    client = Client()
    client.force_login(people.datacenter_admin)
    return client


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_the_main_models_are_registered():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered >= EXPECTED_MODELS
    assert "auth.group" not in registered


def test_a_datacenter_admin_reads_every_list_without_being_a_superuser(people, dc_client):
    assert not people.datacenter_admin.is_superuser
    index = dc_client.get("/admin/")
    assert index.status_code == 200
    assert index.context["site_header"] == admin.site.site_header
    listed = {m["object_name"].lower() for app in index.context["app_list"] for m in app["models"]}
    assert {label.split(".")[1] for label in EXPECTED_MODELS} <= listed
    for model in admin.site._registry:
        response = dc_client.get(_changelist(model))
        assert response.status_code == 200, model
    # Rows of every partner, under row-level security, in the data-center context.
    partners = dc_client.get(_changelist(Partner)).context["cl"].result_list
    assert people.partner in partners


def test_nothing_can_be_added_changed_or_deleted(people, dc_client):
    partner = people.partner
    assert dc_client.get(reverse("admin:partners_partner_add")).status_code == 403
    change_url = reverse("admin:partners_partner_change", args=[partner.pk])
    page = dc_client.get(change_url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    response = dc_client.post(change_url, {"name": "改名", "status": "suspended"})
    assert response.status_code == 403
    assert (
        dc_client.post(reverse("admin:partners_partner_delete", args=[partner.pk]), {"post": "yes"}).status_code == 403
    )
    partner.refresh_from_db()
    assert (partner.name, partner.status) == ("绿源回收", "active")


def test_secrets_never_show(people, dc_client):
    partner_admin = actor_for_user(people.partner_admin)
    key, raw = call(partner_admin, partner_services.api_key_create, partner=people.partner, name="ERP")
    with run_as(SYSTEM):
        secret_hash = ApiKey.objects.get(pk=key.pk).secret_hash
        reset_mail = OutboxEmail.objects.create(
            to=["x@example.com"],
            subject="s",
            body="https://rn/accounts/reset/MQ/secret-token/",
            kind="user.password_reset",
        )
    for url in (_changelist(ApiKey), reverse("admin:partners_apikey_change", args=[key.pk])):
        page = dc_client.get(url).content.decode()
        assert key.prefix in page
        assert secret_hash not in page
        assert raw not in page
    page = dc_client.get(reverse("admin:partners_outboxemail_change", args=[reset_mail.pk])).content.decode()
    assert "secret-token" not in page


@pytest.mark.parametrize("role", ["partner_admin", "staff"])
def test_partner_users_are_turned_away(people, role):
    client = Client()
    client.force_login(getattr(people, role))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
    assert client.get(response["Location"]).status_code == 403
    assert client.get(_changelist(Partner)).status_code == 302


def test_anonymous_visitors_sign_in_on_the_platforms_page(db):
    client = Client()
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1] == ("/accounts/login/?next=/admin/", 302)


def test_the_admin_password_change_is_the_platforms(dc_client):
    response = dc_client.get(reverse("admin:password_change"))
    assert response["Location"] == reverse("password_change")


def test_every_models_detail_page_opens(people, dc_client):
    automaker = make_partner(kinds=["automaker"])
    claim_code(automaker, "wmi", "LSV")
    other = make_partner()
    other_outlet = make_outlet(other, prefecture="310100")
    ours = actor_for_user(people.partner_admin)
    call(ours, outlet_services.sharing_grant, outlet=people.outlet, grantee=automaker)
    call(ours, partner_services.api_key_create, partner=people.partner, name="ERP")
    battery = receive(ours, people.outlet, battery_code(), vin="LSVAB2BC4NA000001")
    with pytest.raises(BatteryInCustody):
        receive(admin_of(other), other_outlet, battery.code)  # opens a review case
    call(
        ours,
        battery_services.consignment_dispatch,
        from_outlet=people.outlet,
        to_partner=other.pk,
        to_outlet=other_outlet,
        batteries=[battery.code],
    )
    for model in admin.site._registry:
        with run_as(SYSTEM):
            row = model.objects.order_by("pk").first()
        assert row is not None, model
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
        assert dc_client.get(url).status_code == 200, model
