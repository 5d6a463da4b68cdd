"""Review cases in the browser: the data center sees the holder and settles the case; the
claimant follows its own case and never learns who holds the battery (DESIGN §4)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from batteries.errors import BatteryInCustody
from batteries.models import Battery, ReviewCase
from outlets import services as outlet_services
from outlets.models import Outlet
from partners.models import Partner, User, UserRole
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import DATACENTER, admin_of, battery_code, call, make_outlet, make_partner, make_user, receive
from tests.web.conftest import PASSWORD
from tests.web.test_onboarding_pages import client_for


@dataclass
class Conflict:
    holder: Partner
    claimant: Partner
    holder_outlet: Outlet
    claimant_outlet: Outlet
    code: str
    case: ReviewCase
    holder_admin: User
    claimant_admin: User
    datacenter: User


@pytest.fixture
def conflict(db) -> Conflict:
    holder = make_partner(name="甲回收")
    claimant = make_partner(name="乙回收")
    holder_outlet = make_outlet(holder, name="甲网点")
    claimant_outlet = make_outlet(claimant, name="乙网点", prefecture="310100")
    code = battery_code()
    receive(admin_of(holder), holder_outlet, code)
    with pytest.raises(BatteryInCustody):
        receive(admin_of(claimant), claimant_outlet, code)
    with run_as(SYSTEM):
        case = ReviewCase.objects.get(battery_code=code)
    return Conflict(
        holder,
        claimant,
        holder_outlet,
        claimant_outlet,
        code,
        case,
        holder_admin=make_user(holder, UserRole.PARTNER_ADMIN, password=PASSWORD),
        claimant_admin=make_user(claimant, UserRole.PARTNER_ADMIN, password=PASSWORD),
        datacenter=make_user(None, password=PASSWORD),
    )


def test_the_data_center_sees_open_cases_with_the_holder(conflict):
    dc = client_for(conflict.datacenter)
    listing = dc.get("/datacenter/reviews/")
    assert [c.pk for c in listing.context["page"].object_list] == [conflict.case.pk]
    page = listing.content.decode()
    assert conflict.code in page and "乙回收" in page and "甲回收" in page
    detail = dc.get(f"/datacenter/reviews/{conflict.case.pk}/").content.decode()
    assert "甲回收" in detail and "甲网点" in detail and "乙网点" in detail


def test_the_claimant_follows_its_case_without_learning_the_holder(conflict):
    client = client_for(conflict.claimant_admin)
    listing = client.get("/reviews/")
    assert [c.pk for c in listing.context["page"].object_list] == [conflict.case.pk]
    detail = client.get(f"/reviews/{conflict.case.pk}/")
    assert detail.status_code == 200
    for page in (listing.content.decode(), detail.content.decode()):
        assert conflict.code in page
        assert "甲回收" not in page and "甲网点" not in page and conflict.holder_outlet.code not in page
    assert "has not decided yet" in detail.content.decode()


def test_the_holder_does_not_see_the_case(conflict):
    client = client_for(conflict.holder_admin)
    assert list(client.get("/reviews/").context["page"].object_list) == []
    assert client.get(f"/reviews/{conflict.case.pk}/").status_code == 404


def test_outlet_staff_see_the_cases_of_their_outlets(conflict):
    other_outlet = make_outlet(conflict.claimant, name="乙二号网点")
    here = make_user(conflict.claimant, UserRole.OUTLET_STAFF)
    elsewhere = make_user(conflict.claimant, UserRole.OUTLET_STAFF)
    call(DATACENTER, outlet_services.staff_assign_outlets, user=here, outlets=[conflict.claimant_outlet])
    call(DATACENTER, outlet_services.staff_assign_outlets, user=elsewhere, outlets=[other_outlet])
    assert client_for(here).get(f"/reviews/{conflict.case.pk}/").status_code == 200
    assert client_for(elsewhere).get(f"/reviews/{conflict.case.pk}/").status_code == 404
    assert client_for(conflict.datacenter).get("/reviews/").status_code == 403
    assert client_for(None).get("/reviews/")["Location"].startswith("/accounts/login/")


def test_transferring_custody_in_the_ui(conflict):
    dc = client_for(conflict.datacenter)
    url = f"/datacenter/reviews/{conflict.case.pk}/"
    missing = dc.post(url, {"note": "x"})
    assert missing.context["form"].errors["resolution"]
    response = dc.post(url, {"resolution": "transfer", "note": "乙网点出示了车辆报废证明"}, follow=True)
    assert "Custody transferred" in response.content.decode()
    with run_as(SYSTEM):
        battery = Battery.objects.get(code=conflict.code)
        case = ReviewCase.objects.get(pk=conflict.case.pk)
    assert (battery.custodian_id, battery.outlet_id) == (conflict.claimant.pk, conflict.claimant_outlet.pk)
    assert (case.status, case.resolution, case.resolved_by_id) == ("resolved", "transfer", conflict.datacenter.pk)
    outcome = client_for(conflict.claimant_admin).get(f"/reviews/{conflict.case.pk}/").content.decode()
    assert "Custody was transferred to your organisation" in outcome
    assert conflict.claimant_outlet.code in outcome and "乙网点出示了车辆报废证明" in outcome
    # Resolving twice is refused and says why.
    again = dc.post(url, {"resolution": "confirm_holder"}, follow=True)
    assert "already resolved" in again.content.decode()
    with run_as(SYSTEM):
        assert Battery.objects.get(code=conflict.code).custodian_id == conflict.claimant.pk


def test_the_other_resolutions(conflict):
    dc = client_for(conflict.datacenter)
    assert dc.post(f"/datacenter/reviews/{conflict.case.pk}/", {"resolution": "counterfeit"}).status_code == 302
    with run_as(SYSTEM):
        battery = Battery.objects.get(code=conflict.code)
    assert battery.counterfeit and battery.custodian_id == conflict.holder.pk
    page = client_for(conflict.claimant_admin).get(f"/reviews/{conflict.case.pk}/").content.decode()
    assert "marked this battery code as counterfeit" in page


def test_partners_cannot_resolve(conflict):
    url = f"/datacenter/reviews/{conflict.case.pk}/"
    for user in (conflict.claimant_admin, conflict.holder_admin):
        assert client_for(user).post(url, {"resolution": "transfer"}).status_code == 403
    with run_as(SYSTEM):
        assert ReviewCase.objects.get(pk=conflict.case.pk).status == "open"
