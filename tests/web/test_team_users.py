"""A partner admin invites users, changes their role and contact, assigns outlet staff to
outlets, and deactivates and reactivates them (never themselves)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from outlets import services as outlet_services
from outlets.models import StaffAssignment
from partners import services as partner_services
from partners.models import OutboxEmail, OutboxStatus, User, UserRole
from recycling_network.tenancy import SYSTEM, actor_for_user, run_as
from recycling_network.web.auth import REFUSALS
from tests.builders import DATACENTER, call, make_outlet, make_partner, make_user, system_rows
from tests.web.conftest import PASSWORD, sign_in


@pytest.fixture
def client(people) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(people.partner_admin)
    return client


def _outbox(kind: str) -> list[OutboxEmail]:
    with run_as(SYSTEM):
        return list(OutboxEmail.objects.filter(kind=kind).order_by("id"))


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _assigned(user: User) -> set[int]:
    return set(StaffAssignment.objects.filter(user=user).values_list("outlet_id", flat=True))


def test_inviting_creates_the_user_and_an_invitation_sent_after_commit(
    people, client, django_capture_on_commit_callbacks
):
    second = make_outlet(people.partner, name="海淀回收网点")
    mail.outbox.clear()
    invite = {
        "username": "li.na",
        "display_name": "李娜",
        "email": "Li.Na@Example.com",
        "role": UserRole.OUTLET_STAFF,
        "outlets": [people.outlet.pk, second.pk],
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/team/users/invite/", invite)
    user = _user("li.na")
    assert user is not None
    assert response.status_code == 302
    assert response["Location"] == f"/team/users/{user.pk}/"
    assert (user.partner_id, user.role, user.display_name) == (people.partner.pk, UserRole.OUTLET_STAFF, "李娜")
    assert user.email == "li.na@example.com"
    assert not user.has_usable_password()  # they choose it through the invitation
    assert _assigned(user) == {people.outlet.pk, second.pk}

    [invitation] = _outbox("user.invitation")
    assert invitation.to == ["li.na@example.com"]
    assert invitation.status == OutboxStatus.PENDING
    assert "li.na" in invitation.body
    assert "/accounts/reset/" in invitation.body
    assert mail.outbox == []  # nothing leaves before the request's transaction commits
    for callback in callbacks:
        callback()
    [invitation] = _outbox("user.invitation")
    assert invitation.status == OutboxStatus.SENT
    assert [m.to for m in mail.outbox] == [["li.na@example.com"]]

    page = client.get(response["Location"]).content.decode()
    assert "li.na was invited" in page
    assert "Invited" in page
    assert second.code in page


def test_an_invited_admin_gets_no_outlets_and_a_refused_invitation_leaves_nothing_behind(people, client):
    response = client.post(
        "/team/users/invite/",
        {
            "username": "boss",
            "email": "boss@example.com",
            "role": UserRole.PARTNER_ADMIN,
            "outlets": [people.outlet.pk],
        },
    )
    assert response.status_code == 200
    assert "Only outlet staff are assigned to outlets" in response.content.decode()
    assert _user("boss") is None

    # A taken user name: the service's refusal lands on the field; no user, no mail.
    response = client.post(
        "/team/users/invite/",
        {"username": people.staff.username, "email": "dup@example.com", "role": UserRole.OUTLET_STAFF},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_username">User name: Taken.</a>' in page
    assert _outbox("user.invitation") == []

    response = client.post(
        "/team/users/invite/", {"username": "admin2", "email": "a2@example.com", "role": "partner_admin"}
    )
    assert response.status_code == 302
    assert _user("admin2").role == UserRole.PARTNER_ADMIN
    assert [row.to for row in _outbox("user.invitation")] == [["a2@example.com"]]


def test_staff_can_only_be_invited_to_outlets_the_partner_may_use(people, client):
    other = make_partner()
    foreign = make_outlet(other)
    response = client.post(
        "/team/users/invite/",
        {"username": "x.staff", "email": "x@example.com", "role": "outlet_staff", "outlets": [foreign.pk]},
    )
    assert response.status_code == 200
    assert 'id="id_outlets_error"' in response.content.decode()
    assert _user("x.staff") is None
    assert _outbox("user.invitation") == []


def test_changing_role_display_name_and_email(people, client):
    staff = people.staff
    response = client.post(
        f"/team/users/{staff.pk}/edit/",
        {"profile-display_name": "王站长", "profile-email": "WANG@example.com", "profile-role": "partner_admin"},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert (staff.role, staff.display_name, staff.email) == (UserRole.PARTNER_ADMIN, "王站长", "wang@example.com")
    # The new admin manages the team now.
    promoted = Client()
    promoted.force_login(staff)
    assert promoted.get("/team/users/").status_code == 200

    response = client.post(
        f"/team/users/{staff.pk}/edit/", {"profile-email": "nope", "profile-role": "datacenter_admin"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_profile-email">' in page
    assert '<a href="#id_profile-role_0">' in page
    staff.refresh_from_db()
    assert staff.email == "wang@example.com"


def test_an_admin_cannot_change_their_own_role(people, client):
    me = people.partner_admin
    response = client.post(
        f"/team/users/{me.pk}/edit/",
        {"profile-display_name": "管理员", "profile-email": me.email, "profile-role": "outlet_staff"},
    )
    assert response.status_code == 302
    me.refresh_from_db()
    assert (me.role, me.display_name) == (UserRole.PARTNER_ADMIN, "管理员")


def test_assigning_outlets_to_staff(people, client):
    staff = people.staff
    own = make_outlet(people.partner)
    operator = make_partner()
    shared = make_outlet(operator)
    operator_admin = actor_for_user(make_user(operator, UserRole.PARTNER_ADMIN))
    call(operator_admin, outlet_services.sharing_grant, outlet=shared, grantee=people.partner)
    unshared = make_outlet(operator)

    page = client.get(f"/team/users/{staff.pk}/").content.decode()
    for outlet in (people.outlet, own, shared):
        assert f'value="{outlet.pk}"' in page
    assert unshared.code not in page

    response = client.post(f"/team/users/{staff.pk}/outlets/", {"staff-outlets": [own.pk, shared.pk]})
    assert response.status_code == 302
    assert _assigned(staff) == {own.pk, shared.pk}

    response = client.post(f"/team/users/{staff.pk}/outlets/", {"staff-outlets": [own.pk, unshared.pk]})
    assert response.status_code == 200
    assert "data-error-summary" in response.content.decode()
    assert _assigned(staff) == {own.pk, shared.pk}

    assert client.post(f"/team/users/{staff.pk}/outlets/", {}).status_code == 302
    assert _assigned(staff) == set()
    # Admins work everywhere: their page has no outlet form, and posting one is refused.
    admin_page = client.get(f"/team/users/{people.partner_admin.pk}/").content.decode()
    assert 'name="staff-outlets"' not in admin_page
    response = client.post(f"/team/users/{people.partner_admin.pk}/outlets/", {"staff-outlets": [own.pk]})
    assert response.status_code == 200
    assert _assigned(people.partner_admin) == set()


def test_a_deactivated_user_cannot_sign_in_until_reactivated(people, client):
    staff = people.staff
    staff_session = Client()
    assert sign_in(staff_session, staff).status_code == 302

    assert client.get(f"/team/users/{staff.pk}/deactivate/").status_code == 200
    staff.refresh_from_db()
    assert staff.is_active  # the page only asks
    response = client.post(f"/team/users/{staff.pk}/deactivate/", {"reason": "离职"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert not staff.is_active

    # The open session ends, and signing in again is refused with the reason.
    assert staff_session.get("/")["Location"].startswith("/accounts/login/")
    refused = Client()
    refused.cookies["django_language"] = "en"
    response = sign_in(refused, staff, PASSWORD)
    assert response.status_code == 200
    with translation.override("en"):
        assert escape(str(REFUSALS["inactive"])) in response.content.decode()

    page = client.get(f"/team/users/{staff.pk}/").content.decode()
    assert "Deactivated" in page
    assert "/reactivate/" in page
    assert client.post(f"/team/users/{staff.pk}/reactivate/").status_code == 302
    staff.refresh_from_db()
    assert staff.is_active
    assert sign_in(Client(), staff).status_code == 302


def test_an_admin_cannot_deactivate_themselves(people, client):
    me = people.partner_admin
    page = client.get(f"/team/users/{me.pk}/").content.decode()
    assert f"/team/users/{me.pk}/deactivate/" not in page
    response = client.post(f"/team/users/{me.pk}/deactivate/", {"reason": ""})
    assert response.status_code == 200
    assert "You cannot deactivate yourself." in response.content.decode()
    me.refresh_from_db()
    assert me.is_active


def test_the_list_shows_each_users_role_outlets_status_and_last_sign_in(people, client):
    sign_in(Client(), people.staff)
    retired = call(
        DATACENTER,
        partner_services.user_create,
        partner=people.partner,
        username="retired",
        email="retired@example.com",
        role=UserRole.OUTLET_STAFF,
        password=PASSWORD,
    )
    call(DATACENTER, partner_services.user_set_active, user=retired, active=False)
    page = client.get("/team/users/").content.decode()
    staff_row = page[page.index(f'data-user="{people.staff.username}"') :].split("</tr>")[0]
    assert people.outlet.code in staff_row
    assert "Outlet staff" in staff_row
    assert "Never" not in staff_row  # signed in just now
    assert "Active" in staff_row
    retired_row = page[page.index('data-user="retired"') :].split("</tr>")[0]
    assert "Deactivated" in retired_row
    assert "Never" in retired_row
    assert system_rows(User, username="retired")
