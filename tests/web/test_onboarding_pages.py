"""The application form, the data center's partner and claim queues, and a partner's own
claims page with the backfill progress."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from partners import services
from partners.models import AuditEntry, ClaimStatus, CodeClaim, OutboxEmail, Partner, PartnerContact, User, UserRole
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import DATACENTER, call, credit_code, make_outlet, make_partner, make_user
from tests.web.conftest import PASSWORD
from tests.web.test_onboarding_services import apply


def rows(model: type, **filters: Any) -> list:
    with run_as(SYSTEM):
        return list(model.objects.filter(**filters).order_by("pk"))


def client_for(user: User | None, language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def application(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "新能源电池有限公司",
        "name_en": "New Energy Battery Co.",
        "credit_code": credit_code(),
        "kinds": ["battery_maker", "automaker"],
        "manufacturer_codes": "q7x, 0a2",
        "wmi_codes": "LFV",
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "1",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "10",
        "contacts-0-name": "王经理",
        "contacts-0-title": "总经理",
        "contacts-0-phone": "13900000000",
        "contacts-0-email": "wang@example.com",
        "contacts-1-name": "",
        "contacts-1-title": "",
        "contacts-1-phone": "",
        "contacts-1-email": "",
    }
    data.update(overrides)
    return data


# --- /join/ ----------------------------------------------------------------------------------


def test_anyone_applies_with_contacts_and_claims(db):
    client = client_for(None)
    assert client.get("/join/").status_code == 200
    response = client.post("/join/", application(**{"contacts-1-name": "李工", "contacts-1-phone": "13900000001"}))
    assert response.status_code == 302
    assert response["Location"] == "/join/thanks/"
    assert client.get(response["Location"]).status_code == 200
    partner = rows(Partner, name="新能源电池有限公司")[0]
    assert (partner.status, partner.kinds, partner.name_en) == (
        "applied",
        ["automaker", "battery_maker"],
        "New Energy Battery Co.",
    )
    contacts = rows(PartnerContact, partner=partner)
    assert [(c.name, c.email, c.is_primary) for c in contacts] == [
        ("王经理", "wang@example.com", True),
        ("李工", "", False),
    ]
    claims = rows(CodeClaim, partner=partner)
    assert sorted((c.kind, c.code, c.status) for c in claims) == [
        ("manufacturer", "0A2", "pending"),
        ("manufacturer", "Q7X", "pending"),
        ("wmi", "LFV", "pending"),
    ]
    assert not rows(User, partner=partner)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The check character of the unified social credit code (GB 32100) does not match"),
        ("zh-hans", "统一社会信用代码"),
    ],
)
def test_a_wrong_credit_code_is_explained_in_the_users_language(db, language, expected):
    code = credit_code()
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client_for(None, language).post("/join/", application(credit_code=wrong))
    assert response.status_code == 200
    errors = response.context["form"].errors["credit_code"]
    assert expected in errors[0]
    assert expected in response.content.decode()
    assert not rows(Partner)


def test_the_form_names_every_problem_and_keeps_nothing(db):
    data = application(
        kinds=["outlet_operator"],
        manufacturer_codes="Q7X",
        wmi_codes="IOQ",
        **{"contacts-0-email": "", "contacts-1-title": "工程师"},
    )
    response = client_for(None).post("/join/", data)
    assert response.status_code == 200
    form, contacts = response.context["form"], response.context["contacts"]
    assert "Only these kinds of company claim such codes" in form.errors["manufacturer_codes"][0]
    assert form.errors["wmi_codes"][0].startswith("IOQ: ")
    assert "email" in contacts.forms[0].errors
    assert "name" in contacts.forms[1].errors  # a started contact needs a name
    page = response.content.decode()
    assert 'role="alert"' in page and 'href="#id_contacts-0-email"' in page
    assert not rows(Partner)


def test_a_code_already_claimed_refuses_the_application_with_the_code_named(db):
    holder = make_partner(kinds=["battery_maker"])
    call(DATACENTER, services.code_claim_submit, partner=holder, kind="manufacturer", code="Q7X")
    response = client_for(None).post("/join/", application())
    assert response.status_code == 200
    assert "Q7X: This code is already claimed by another partner." in response.content.decode()
    assert not rows(Partner, name="新能源电池有限公司")


def test_adding_a_contact_keeps_what_was_typed_without_judging_it(db):
    data = application(credit_code="", **{"add_contact": "1"})
    response = client_for(None).post("/join/", data)
    assert response.status_code == 200
    contacts = response.context["contacts"]
    assert contacts.total_form_count() == 3
    assert contacts.forms[0].initial["name"] == "王经理"
    assert response.context["form"].initial["kinds"] == ["battery_maker", "automaker"]
    assert not response.context["form"].is_bound  # no errors shown for the empty credit code yet
    assert 'name="contacts-2-name"' in response.content.decode()
    assert not rows(Partner)


# --- the data center's partner queue -------------------------------------------------------


@pytest.fixture
def dc(db) -> Client:
    return client_for(make_user(None, password=PASSWORD))


def test_only_data_center_admins_open_the_queues(people):
    pages = [
        "/datacenter/partners/",
        f"/datacenter/partners/{people.partner.pk}/",
        "/datacenter/claims/",
        "/datacenter/reviews/",
        "/datacenter/audit/",
    ]
    for path in pages:
        assert client_for(None).get(path)["Location"].startswith("/accounts/login/?next=")
        assert client_for(people.partner_admin).get(path).status_code == 403, path
        assert client_for(people.staff).get(path).status_code == 403, path
        assert client_for(people.datacenter_admin).get(path).status_code == 200, path
    approve = f"/datacenter/partners/{apply().pk}/approve/"
    assert client_for(people.partner_admin).post(approve, {}).status_code == 403
    assert rows(Partner, status="applied")


def test_the_queue_lists_applications_by_default_and_filters(dc):
    waiting_long = apply("早申请企业")
    with run_as(SYSTEM):
        Partner.objects.filter(pk=waiting_long.pk).update(created_at=timezone.now() - timezone.timedelta(days=10))
    recent = apply("新申请企业", kinds=("automaker",))
    active = make_partner(name="在网企业")

    def listed(query: str = "") -> list[int]:
        response = dc.get(f"/datacenter/partners/{query}")
        assert response.status_code == 200
        return [p.pk for p in response.context["page"].object_list]

    assert listed() == [waiting_long.pk, recent.pk]
    assert listed("?status=&waiting=7") == [waiting_long.pk]
    assert listed("?status=applied&kind=automaker") == [recent.pk]
    assert active.pk in listed("?status=")
    assert listed("?status=active") == [active.pk]


def test_approving_in_the_queue_invites_the_first_admin(dc):
    partner = apply(kinds=("battery_maker",), claims=[("manufacturer", "Q7X")], email="first@example.com")
    page = dc.get(f"/datacenter/partners/{partner.pk}/").content.decode()
    assert "王经理" in page and "first@example.com" in page and "Q7X" in page
    response = dc.post(f"/datacenter/partners/{partner.pk}/approve/", {}, follow=True)
    assert response.redirect_chain[-1][0] == f"/datacenter/partners/{partner.pk}/"
    assert "was approved" in response.content.decode()
    assert rows(Partner, pk=partner.pk)[0].status == "active"
    admin = rows(User, partner=partner)[0]
    assert (admin.username, admin.role) == ("first@example.com", UserRole.PARTNER_ADMIN)
    assert [m.kind for m in rows(OutboxEmail)] == ["partner.approved", "user.invitation"]
    # Approving again is refused on the page, and nothing more is sent.
    again = dc.post(f"/datacenter/partners/{partner.pk}/approve/", {}, follow=True)
    assert "the change is not possible now" in again.content.decode()
    assert len(rows(OutboxEmail)) == 2


def test_rejecting_needs_a_reason(dc):
    partner = apply()
    response = dc.post(f"/datacenter/partners/{partner.pk}/reject/", {"reject-reason": ""})
    assert response.status_code == 200
    assert response.context["reject_form"].errors["reason"]
    assert rows(Partner, pk=partner.pk)[0].status == "applied"
    response = dc.post(f"/datacenter/partners/{partner.pk}/reject/", {"reject-reason": "营业执照已过期"})
    assert response.status_code == 302
    rejected = rows(Partner, pk=partner.pk)[0]
    assert (rejected.status, rejected.status_reason) == ("rejected", "营业执照已过期")
    assert [m.kind for m in rows(OutboxEmail)] == ["partner.rejected"]


def test_suspending_and_reactivating_with_reasons_and_the_demonstration_flag(dc):
    partner = make_partner()
    url = f"/datacenter/partners/{partner.pk}"
    assert dc.post(f"{url}/suspend/", {"suspend-reason": ""}).status_code == 200
    assert rows(Partner, pk=partner.pk)[0].status == "active"
    assert dc.post(f"{url}/suspend/", {"suspend-reason": "资质到期"}).status_code == 302
    assert rows(Partner, pk=partner.pk)[0].status == "suspended"
    assert dc.post(f"{url}/reactivate/", {"reactivate-reason": ""}).status_code == 302
    assert rows(Partner, pk=partner.pk)[0].status == "active"
    assert [e.action for e in rows(AuditEntry, target_id=str(partner.pk), target_type="partners.partner")][-2:] == [
        "partner.suspend",
        "partner.reactivate",
    ]
    missing_date = dc.post(f"{url}/demonstration/", {"demonstration-demonstration_unit": "on"})
    assert missing_date.context["demonstration_form"].errors["demonstration_agreed_on"]
    saved = dc.post(
        f"{url}/demonstration/",
        {"demonstration-demonstration_unit": "on", "demonstration-demonstration_agreed_on": "2025-03-01"},
    )
    assert saved.status_code == 302
    partner = rows(Partner, pk=partner.pk)[0]
    assert (partner.demonstration_unit, str(partner.demonstration_agreed_on)) == (True, "2025-03-01")


def test_another_id_is_a_404(dc):
    assert dc.get("/datacenter/partners/999999/").status_code == 404
    assert dc.post("/datacenter/partners/999999/approve/", {}).status_code == 404
    assert dc.get("/datacenter/claims/999999/").status_code == 404


# --- code claims -------------------------------------------------------------------------------


@pytest.fixture
def maker_admin(db) -> User:
    return make_user(make_partner(kinds=["battery_maker"]), UserRole.PARTNER_ADMIN, password=PASSWORD)


def test_a_partner_admin_claims_a_code_and_sees_its_claims_only(maker_admin):
    other = make_partner(kinds=["battery_maker"])
    call(DATACENTER, services.code_claim_submit, partner=other, kind="manufacturer", code="ZZ9")
    client = client_for(maker_admin)
    page = client.get("/claims/")
    assert page.status_code == 200
    assert list(page.context["form"].fields["kind"].choices) == [("manufacturer", "Battery manufacturer code")]
    response = client.post("/claims/", {"kind": "manufacturer", "code": "ｑ７ｘ"}, follow=True)
    assert "Q7X" in response.content.decode()
    assert [(c.code, c.status) for c in response.context["claims"]] == [("Q7X", "pending")]
    assert "ZZ9" not in response.content.decode()
    taken = client.post("/claims/", {"kind": "manufacturer", "code": "ZZ9"})
    assert taken.context["form"].errors
    assert [c.code for c in rows(CodeClaim, partner=maker_admin.partner)] == ["Q7X"]


def test_only_partner_admins_claim(people):
    assert client_for(people.staff).get("/claims/").status_code == 403
    assert client_for(people.datacenter_admin).get("/claims/").status_code == 403
    # An outlet operator has no code to claim: the page says so instead of a form.
    page = client_for(people.partner_admin).get("/claims/")
    assert not page.context["form"].can_claim
    assert client_for(people.partner_admin).post("/claims/", {"kind": "manufacturer", "code": "Q7X"}).status_code == 200
    assert not rows(CodeClaim)


def test_the_data_center_decides_claims_in_its_queue(dc, maker_admin):
    partner = maker_admin.partner
    first = call(DATACENTER, services.code_claim_submit, partner=partner, kind="manufacturer", code="Q7X")
    second = call(DATACENTER, services.code_claim_submit, partner=partner, kind="manufacturer", code="Q7Y")
    queue = dc.get("/datacenter/claims/")
    assert [c.pk for c in queue.context["page"].object_list] == [first.pk, second.pk]
    assert dc.post(f"/datacenter/claims/{first.pk}/approve/", {}).status_code == 302
    no_reason = dc.post(f"/datacenter/claims/{second.pk}/reject/", {"reject-reason": ""})
    assert no_reason.context["reject_form"].errors["reason"]
    assert dc.post(f"/datacenter/claims/{second.pk}/reject/", {"reject-reason": "非本企业编码"}).status_code == 302
    assert [(c.code, c.status) for c in rows(CodeClaim, partner=partner)] == [
        ("Q7X", ClaimStatus.APPROVED),
        ("Q7Y", ClaimStatus.REJECTED),
    ]
    assert [c.pk for c in dc.get("/datacenter/claims/").context["page"].object_list] == []
    assert len(dc.get("/datacenter/claims/?status=").context["page"].object_list) == 2
    again = dc.post(f"/datacenter/claims/{first.pk}/approve/", {}, follow=True)
    assert "has already been decided" in again.content.decode()


def test_the_backfill_progress_polls_until_it_is_done(dc, maker_admin):
    claim = call(DATACENTER, services.code_claim_submit, partner=maker_admin.partner, kind="manufacturer", code="Q7X")
    claim = call(DATACENTER, services.code_claim_approve, claim=claim)
    with run_as(SYSTEM):
        # As if the background backfill were halfway through.
        CodeClaim.objects.filter(pk=claim.pk).update(backfill_progress=40, backfill_done_at=None)
    url = f"/claims/{claim.pk}/progress/"
    for client in (client_for(maker_admin), dc):
        running = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert 'hx-trigger="every 2s"' in running and 'value="40"' in running
    assert 'hx-get="/claims/' in client_for(maker_admin).get("/claims/").content.decode()
    with run_as(SYSTEM):
        CodeClaim.objects.filter(pk=claim.pk).update(backfill_progress=100, backfill_done_at=timezone.now())
    done = client_for(maker_admin).get(url).content.decode()
    assert "hx-trigger" not in done and 'data-backfill="done"' in done
    # Someone else's claim is a 404, like a missing one.
    outsider = make_user(make_partner(kinds=["battery_maker"]), UserRole.PARTNER_ADMIN)
    assert client_for(outsider).get(url).status_code == 404


def test_a_suspended_partner_is_refused_after_the_data_center_suspends_it_in_the_ui(dc, people):
    staff_client = client_for(None)
    assert (
        staff_client.post("/accounts/login/", {"username": people.staff.username, "password": PASSWORD}).status_code
        == 302
    )
    assert staff_client.get("/").status_code == 200
    make_outlet(people.partner)
    assert dc.post(f"/datacenter/partners/{people.partner.pk}/suspend/", {"suspend-reason": "违规"}).status_code == 302
    assert staff_client.get("/")["Location"].startswith("/accounts/login/")
    retry = client_for(None).post("/accounts/login/", {"username": people.staff.username, "password": PASSWORD})
    assert "suspended" in retry.content.decode()
