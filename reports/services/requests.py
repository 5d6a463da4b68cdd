"""Requesting a report; the computation is queued once the request commits."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from recycling_network.authz import require_write
from recycling_network.errors import Forbidden, InvalidInput
from recycling_network.i18n import lazy_format
from recycling_network.tenancy import Actor
from reports.models import MAX_K, MAX_RADIUS_KM, MIN_K, MIN_RADIUS_KM, Report, ReportScope
from reports.services.compute import queue_on_commit

DEFAULT_PERIOD_DAYS = 365
EARLIEST_DATE = datetime.date(2000, 1, 1)


def _clean_date(value: Any, field: str) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            day = None
    if day is None or day < EARLIEST_DATE:
        raise InvalidInput(
            _("Enter a date as YYYY-MM-DD."), code="invalid_date", errors={field: [_("Not a valid date.")]}
        )
    return day


def _clean_int(value: Any, field: str, minimum: int, maximum: int) -> int:
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not minimum <= number <= maximum:
        message = lazy_format(
            _("Enter a whole number from %(minimum)s to %(maximum)s."), minimum=minimum, maximum=maximum
        )
        raise InvalidInput(message, code=f"{field}_out_of_range", errors={field: [message]})
    return number


def _clean_period(as_of: Any, period_start: Any, period_end: Any) -> tuple[datetime.date, datetime.date, datetime.date]:
    today = timezone.localdate()
    day = _clean_date(as_of, "as_of") or today
    if day > today:
        raise InvalidInput(
            _("A report cannot be as of a future date."),
            code="as_of_in_future",
            errors={"as_of": [_("In the future.")]},
        )
    end = _clean_date(period_end, "period_end") or day
    start = _clean_date(period_start, "period_start") or end - datetime.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if not start <= end <= day:
        raise InvalidInput(
            _("The period must start before it ends and end by the report date."),
            code="period_invalid",
            errors={"period_start": [_("Check the period.")], "period_end": [_("Check the period.")]},
        )
    return day, start, end


def _scope_and_partner(actor: Actor, scope: str | None, partner: Partner | int | None) -> tuple[str, int | None]:
    partner_id = partner.pk if isinstance(partner, Partner) else partner
    if scope not in (None, *ReportScope.values):
        raise InvalidInput(
            _("Choose the national report or a partner's."),
            code="scope_invalid",
            errors={"scope": [_("Not a valid choice.")]},
        )
    if actor.is_datacenter:
        scope = scope or (ReportScope.PARTNER if partner_id else ReportScope.NATIONAL)
        if scope == ReportScope.NATIONAL:
            return scope, None
        if partner_id is None or not Partner.objects.filter(pk=partner_id).exists():
            raise InvalidInput(
                _("Choose the partner whose network the report covers."),
                code="partner_required",
                errors={"partner": [_("Required.")]},
            )
        return scope, int(partner_id)
    if not actor.is_partner or not actor.is_partner_admin:
        raise Forbidden(_("Only a partner admin may request reports."), code="partner_admin_only")
    if scope == ReportScope.NATIONAL:
        raise Forbidden(_("Only the data center may request the national report."), code="national_report_forbidden")
    if partner_id is not None and int(partner_id) != actor.partner_id:
        raise Forbidden(_("A partner may only request reports on its own network."), code="foreign_partner")
    return ReportScope.PARTNER, actor.partner_id


@transaction.atomic
def report_request(
    *,
    actor: Actor,
    scope: str | None = None,
    as_of: Any = None,
    period_start: Any = None,
    period_end: Any = None,
    k: Any = 10,
    radius_km: Any = 100,
    partner: Partner | int | None = None,
) -> Report:
    """Queue a coverage report (DESIGN §10).

    The scope defaults to national for the data center and to the partner's own network
    otherwise; a partner asking for the national report gets ``Forbidden``. ``as_of``
    defaults to today (Asia/Shanghai) and the period to the 365 days ending on it.
    The data center may pass ``partner`` to report on one partner's network (the report
    stays the data center's own). The task is queued once the transaction commits."""
    require_write(actor)
    scope, partner_id = _scope_and_partner(actor, scope, partner)
    day, start, end = _clean_period(as_of, period_start, period_end)
    report = Report.objects.create(
        scope=scope,
        partner_id=partner_id,
        as_of=day,
        period_start=start,
        period_end=end,
        k=_clean_int(k, "k", MIN_K, MAX_K),
        radius_km=_clean_int(radius_km, "radius_km", MIN_RADIUS_KM, MAX_RADIUS_KM),
        requester_id=actor.user_id,
        requester_partner_id=actor.partner_id if actor.is_partner else None,
        # The requesting partner; the data center's reports have an empty audience (DESIGN §4).
        audience=[actor.partner_id] if actor.is_partner else [],
    )
    queue_on_commit(report.pk)
    return report


def report_request_monthly(*, actor: Actor, today: datetime.date | None = None) -> Report | None:
    """Beat, on the 1st: the national report on the month just ended, once."""
    today = today or timezone.localdate()
    end = today.replace(day=1) - datetime.timedelta(days=1)
    start = end.replace(day=1)
    already = Report.objects.filter(
        scope=ReportScope.NATIONAL, requester__isnull=True, period_start=start, period_end=end
    ).exists()
    if already:
        return None
    return report_request(actor=actor, scope=ReportScope.NATIONAL, as_of=end, period_start=start, period_end=end)
