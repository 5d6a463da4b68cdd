"""The audit log viewer: the data center reads and filters everything, with what each
entry changed; a partner admin reads the entries about its partner, and nothing else."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from partners import services
from partners.models import AuditEntry, UserRole
from partners.views.datacenter import PAGE_SIZE
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import DATACENTER, call, make_partner, make_user
from tests.web.conftest import PASSWORD
from tests.web.test_onboarding_pages import client_for


@pytest.fixture
def log(db):
    ours = make_partner(name="甲企业")
    theirs = make_partner(name="乙企业")
    call(DATACENTER, services.partner_suspend, partner=ours, reason="资质到期")
    call(DATACENTER, services.partner_reactivate, partner=ours)
    call(DATACENTER, services.partner_suspend, partner=theirs, reason="乙的秘密原因")
    return ours, theirs


def _entries(response) -> list[AuditEntry]:
    assert response.status_code == 200
    return response.context["page"].rows


def test_the_data_center_filters_the_log(log):
    ours, theirs = log
    dc = client_for(make_user(None, password=PASSWORD))
    everything = _entries(dc.get("/datacenter/audit/"))
    assert {"partner.create", "partner.suspend", "partner.reactivate"} <= {e.action for e in everything}
    assert [e.pk for e in everything] == sorted((e.pk for e in everything), reverse=True)  # newest first

    suspensions = _entries(dc.get("/datacenter/audit/?action=partner.suspend"))
    assert [e.target_id for e in suspensions] == [str(theirs.pk), str(ours.pk)]
    assert {e.action for e in _entries(dc.get("/datacenter/audit/?action=partner"))} == {
        "partner.create",
        "partner.suspend",
        "partner.reactivate",
    }
    assert {e.target_type for e in _entries(dc.get("/datacenter/audit/?target_type=partners.user"))} == {
        "partners.user"
    }
    assert {e.target_id for e in _entries(dc.get(f"/datacenter/audit/?partner={ours.pk}"))} == {str(ours.pk)}
    assert _entries(dc.get("/datacenter/audit/?actor=dc-test&action=partner.reactivate"))[0].target_id == str(ours.pk)
    assert _entries(dc.get("/datacenter/audit/?actor=somebody-else")) == []


def test_dates_are_whole_days_in_shanghai(log):
    shanghai_midnight = timezone.make_aware(datetime.datetime(2025, 3, 2, 0, 30))  # 2025-03-01 16:30 UTC
    with run_as(SYSTEM):
        entry = AuditEntry.objects.filter(action="partner.reactivate").get()
        AuditEntry.objects.filter(pk=entry.pk).update(at=shanghai_midnight)
    dc = client_for(make_user(None, password=PASSWORD))
    assert [e.pk for e in _entries(dc.get("/datacenter/audit/?date_from=2025-03-02&date_to=2025-03-02"))] == [entry.pk]
    assert _entries(dc.get("/datacenter/audit/?date_from=2025-03-01&date_to=2025-03-01")) == []
    wrong = dc.get("/datacenter/audit/?date_from=2025-03-02&date_to=2025-03-01")
    assert wrong.context["filters"].errors["date_to"]


def test_each_entry_shows_what_it_changed(log):
    ours, _theirs = log
    dc = client_for(make_user(None, password=PASSWORD))
    response = dc.get(f"/datacenter/audit/?action=partner.suspend&partner={ours.pk}")
    (entry,) = _entries(response)
    assert [(c.field, c.before, c.after) for c in entry.changes] == [
        ("status", "active", "suspended"),
        ("status_reason", "—", "资质到期"),
    ]
    page = response.content.decode()
    assert "<del>active</del>" in page and "<ins>suspended</ins>" in page and "资质到期" in page
    created = _entries(dc.get(f"/datacenter/audit/?action=partner.create&partner={ours.pk}"))[0]
    assert ("name", "", "甲企业") in [(c.field, c.before, c.after) for c in created.changes]


def test_pages_go_back_and_forth_without_counting(log):
    ours, _theirs = log
    for n in range(PAGE_SIZE + 5):
        call(DATACENTER, services.partner_update, partner=ours, name_en=f"Name {n}")
    dc = client_for(make_user(None, password=PASSWORD))
    first = dc.get("/datacenter/audit/?action=partner.update")
    page = first.context["page"]
    assert len(page.rows) == PAGE_SIZE and page.newer is None and page.older
    second = dc.get(f"/datacenter/audit/?{page.older}")
    assert len(second.context["page"].rows) == 5
    assert {e.action for e in second.context["page"].rows} == {"partner.update"}  # the filter travels along
    assert second.context["page"].older is None
    back = dc.get(f"/datacenter/audit/?{second.context['page'].newer}")
    assert [e.pk for e in back.context["page"].rows] == [e.pk for e in page.rows]


def test_a_partner_admin_reads_only_its_partners_entries(log):
    ours, theirs = log
    admin = make_user(ours, UserRole.PARTNER_ADMIN, password=PASSWORD)
    client = client_for(admin)
    entries = _entries(client.get("/audit/"))
    assert entries and all(ours.pk in e.audience for e in entries)
    page = client.get("/audit/").content.decode()
    assert "乙的秘密原因" not in page
    assert "资质到期" in page
    # No partner filter to probe others with; the parameter is ignored.
    assert "partner" not in client.get("/audit/").context["filters"].fields
    assert all(ours.pk in e.audience for e in _entries(client.get(f"/audit/?partner={theirs.pk}")))
    staff = make_user(ours, UserRole.OUTLET_STAFF, password=PASSWORD)
    assert client_for(staff).get("/audit/").status_code == 403
