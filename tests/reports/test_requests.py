"""Requesting reports: defaults, validation, who may ask for what, and who sees what."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from partners.models import UserRole
from recycling_network.errors import Forbidden, InvalidInput, NotFound
from recycling_network.tenancy import SYSTEM, actor_for_user, run_as
from reports.models import Report, ReportScope, ReportStatus
from reports.selectors import get_report, visible_reports
from reports.services import report_request, report_request_monthly
from tests.builders import DATACENTER, admin_of, call, make_outlet, make_partner, make_user, partner_key_actor
from tests.reports.helpers import report_row, run_report

pytestmark = pytest.mark.django_db


def test_defaults_by_caller_and_the_task_queued_after_commit(django_capture_on_commit_callbacks):
    today = timezone.localdate()
    partner = make_partner(kinds=["automaker"])
    with django_capture_on_commit_callbacks() as callbacks:
        national = call(DATACENTER, report_request)
        own = call(admin_of(partner), report_request)
    assert len(callbacks) == 2  # one task per report, sent only once the request committed
    assert (national.scope, national.partner_id, national.audience) == (ReportScope.NATIONAL, None, [])
    assert (own.scope, own.partner_id, own.audience) == (ReportScope.PARTNER, partner.pk, [partner.pk])
    assert own.requester_partner_id == partner.pk
    for report in (national, own):
        assert (report.as_of, report.period_end) == (today, today)
        assert report.period_start == today - datetime.timedelta(days=364)  # 365 days, both ends included
        assert (report.k, report.radius_km, report.status, report.progress) == (10, 100, "queued", 0)


def test_a_partner_cannot_request_the_national_report_nor_another_partners():
    partner, other = make_partner(), make_partner()
    with pytest.raises(Forbidden) as error:
        call(admin_of(partner), report_request, scope="national")
    assert error.value.code == "national_report_forbidden"
    with pytest.raises(Forbidden):
        call(admin_of(partner), report_request, partner=other.pk)
    with pytest.raises(Forbidden):  # outlet staff: a report covers more than their outlets
        call(actor_for_user(make_user(partner, UserRole.OUTLET_STAFF)), report_request)
    with pytest.raises(Forbidden):  # a read-only key
        call(partner_key_actor(partner, scopes=["read"]), report_request)
    assert not Report.objects.exists()


def test_the_data_center_may_report_on_one_partners_network():
    partner = make_partner()
    report = call(DATACENTER, report_request, partner=partner)
    assert (report.scope, report.partner_id, report.audience) == ("partner", partner.pk, [])
    with pytest.raises(InvalidInput) as error:
        call(DATACENTER, report_request, scope="partner")
    assert error.value.code == "partner_required"


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"k": 0}, "k_out_of_range", "k"),
        ({"k": 51}, "k_out_of_range", "k"),
        ({"k": "abc"}, "k_out_of_range", "k"),
        ({"k": True}, "k_out_of_range", "k"),
        ({"radius_km": 9}, "radius_km_out_of_range", "radius_km"),
        ({"radius_km": 1001}, "radius_km_out_of_range", "radius_km"),
        ({"as_of": "2025-13-01"}, "invalid_date", "as_of"),
        ({"as_of": "yesterday"}, "invalid_date", "as_of"),
        ({"scope": "global"}, "scope_invalid", "scope"),
    ],
)
def test_parameters_are_validated(kwargs, code, field):
    with pytest.raises(InvalidInput) as error:
        call(DATACENTER, report_request, **kwargs)
    assert (error.value.code, list(error.value.errors)) == (code, [field])


def test_dates_are_validated():
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as error:
        call(DATACENTER, report_request, as_of=today + datetime.timedelta(days=1))
    assert error.value.code == "as_of_in_future"
    with pytest.raises(InvalidInput) as error:
        call(DATACENTER, report_request, period_start="2025-03-01", period_end="2025-02-01", as_of="2025-06-30")
    assert error.value.code == "period_invalid"
    with pytest.raises(InvalidInput) as error:
        call(DATACENTER, report_request, period_end="2025-07-01", as_of="2025-06-30")
    assert error.value.code == "period_invalid"
    report = call(DATACENTER, report_request, as_of="2025-06-30", period_start="2025-01-01", k="5", radius_km=250)
    assert (report.as_of, report.period_start, report.period_end) == (
        datetime.date(2025, 6, 30),
        datetime.date(2025, 1, 1),
        datetime.date(2025, 6, 30),
    )
    assert (report.k, report.radius_km) == (5, 250)


def test_a_partners_report_covers_only_its_network_and_is_hidden_from_others(django_capture_on_commit_callbacks):
    mine, theirs = make_partner(kinds=["outlet_operator"]), make_partner(kinds=["outlet_operator"])
    make_outlet(mine, prefecture="110100")
    make_outlet(theirs, prefecture="310100")
    make_outlet(theirs, prefecture="440300")
    me, them = admin_of(mine), admin_of(theirs)
    report = run_report(django_capture_on_commit_callbacks, me)
    national = run_report(django_capture_on_commit_callbacks, DATACENTER)
    assert report.result["network"]["coverage"]["covered_prefectures"] == ["110100"]
    assert national.result["network"]["coverage"]["covered_prefectures"] == ["110100", "310100", "440300"]

    reader = partner_key_actor(mine, scopes=["read"])
    for actor in (me, reader, DATACENTER):
        with run_as(actor):
            assert get_report(actor, report.pk).pk == report.pk
    for actor, report_id in [(them, report.pk), (me, national.pk), (them, 10**9), (me, "x1")]:
        with run_as(actor), pytest.raises(NotFound):
            get_report(actor, report_id)
    staff = actor_for_user(make_user(mine, UserRole.OUTLET_STAFF))
    for actor, expected in [(them, set()), (me, {report}), (DATACENTER, {report, national}), (staff, set())]:
        with run_as(actor):
            assert set(visible_reports(actor)) == expected


def test_selectors_hide_foreign_reports_without_row_level_security(django_capture_on_commit_callbacks):
    """The first layer alone (DESIGN §4): in the system context RLS lets every row through,
    and the selector still shows a partner its own reports only."""
    mine, theirs = make_partner(), make_partner()
    report = run_report(django_capture_on_commit_callbacks, admin_of(mine))
    run_report(django_capture_on_commit_callbacks, admin_of(theirs))
    run_report(django_capture_on_commit_callbacks, DATACENTER)
    with run_as(SYSTEM):
        assert Report.objects.count() == 3
        assert list(visible_reports(admin_of(mine))) == [report]
        with pytest.raises(NotFound):
            get_report(admin_of(theirs), report.pk)


def test_row_level_security_hides_reports_without_the_selector(django_capture_on_commit_callbacks):
    """The second layer (DESIGN §4): the table itself shows a partner its own reports only."""
    mine, theirs = make_partner(), make_partner()
    report = run_report(django_capture_on_commit_callbacks, admin_of(mine))
    national = run_report(django_capture_on_commit_callbacks, DATACENTER)
    with run_as(SYSTEM):
        assert set(Report.objects.values_list("pk", flat=True)) == {report.pk, national.pk}
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == "rn_app"
    with run_as(admin_of(theirs)):
        assert list(Report.objects.all()) == []
    with run_as(admin_of(mine)):
        assert list(Report.objects.values_list("pk", flat=True)) == [report.pk]


def test_monthly_national_report_covers_the_month_just_ended_once():
    with run_as(SYSTEM):
        report = report_request_monthly(actor=SYSTEM, today=datetime.date(2026, 3, 1))
        again = report_request_monthly(actor=SYSTEM, today=datetime.date(2026, 3, 1))
    assert (report.scope, report.period_start, report.period_end, report.as_of) == (
        "national",
        datetime.date(2026, 2, 1),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 2, 28),
    )
    assert again is None
    assert report_row(report.pk).status == ReportStatus.QUEUED
