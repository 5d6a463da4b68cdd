"""Reporting obligations (DESIGN §7 "Deadlines"): the list for a partner's members and,
for admins of the obligated partner, acknowledging uploads with receipt numbers."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from batteries.filtersets import ObligationFilterSet
from batteries.forms import AcknowledgeForm
from batteries.models import Obligation, ObligationStatus
from batteries.selectors import visible_obligations
from batteries.services import obligations_acknowledge
from batteries.services.obligations import MAX_ITEMS
from batteries.tables import PER_PAGE, ObligationTable
from batteries.views.common import configure, signed_in
from recycling_network.i18n import lazy_format
from recycling_network.tenancy import Actor
from recycling_network.web.forms import call_service

_RECEIPT_FIELD = re.compile(r"^receipt_(\d{1,18})$")


def obligation_queryset(actor: Actor) -> QuerySet[Obligation]:
    """What the partner created or owes; outlet staff see those of their outlets' events."""
    obligations = visible_obligations(actor)
    if actor.assigned_outlet_ids is not None:
        obligations = obligations.filter(event__outlet_id__in=actor.assigned_outlet_ids)
    return obligations.select_related("obligated", "creator")


def acknowledging_partner(actor: Actor) -> int | None:
    """Admins (and the keys) of a partner acknowledge the uploads it owes."""
    return actor.partner_id if actor.is_partner_admin and actor.can_write() else None


def _page(request: HttpRequest, form: AcknowledgeForm | None = None) -> HttpResponse:
    actor = request.actor
    filterset = ObligationFilterSet(request.GET, queryset=obligation_queryset(actor), request=request)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    values = {k: v for k, v in request.POST.items() if k.startswith("receipt_")} if form is not None else {}
    table = ObligationTable(rows, acknowledging_partner=acknowledging_partner(actor), values=values)
    context = {"filterset": filterset, "table": configure(request, table, PER_PAGE), "form": form}
    return render(request, "batteries/obligations.html", context)


@signed_in
@require_GET
def obligation_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


@signed_in
@require_POST
def obligation_acknowledge(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    partner = acknowledging_partner(actor)
    if partner is None:
        raise PermissionDenied
    wanted = [int(m.group(1)) for key in request.POST if (m := _RECEIPT_FIELD.match(key))][:MAX_ITEMS]
    owed = visible_obligations(actor).filter(
        pk__in=wanted, obligated_id=partner, status__in=(ObligationStatus.PENDING, ObligationStatus.OVERDUE)
    )
    form = AcknowledgeForm(request.POST, obligations=list(owed.order_by("pk")))
    if form.is_valid():
        done = call_service(form, obligations_acknowledge, actor=actor, items=form.items())
        if done is not None:
            messages.success(request, lazy_format(_("Uploads acknowledged: %(n)s."), n=len(done)))
            query = request.GET.urlencode()
            return redirect(reverse("batteries:obligations") + (f"?{query}" if query else ""))
    return _page(request, form)
