"""The reports' inputs in the browser: automakers' sales footprints (each automaker's admins
see and upload their own; the data center all, for any automaker) and the network's yearly
targets of new outlets (the data center). Each page calls its service; the report pages
link here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from outlets.models import Region
from recycling_network.i18n import lazy_format
from recycling_network.web.forms import call_service
from reports.charts import region_name
from reports.filtersets import SalesFootprintFilterSet
from reports.forms import FootprintUploadForm, YearlyTargetForm
from reports.models import YearlyTarget
from reports.selectors import may_keep_sales_footprint, visible_sales_footprints
from reports.services import sales_footprint_import, yearly_target_set
from reports.views.pages import report_reader

FOOTPRINT_PER_PAGE = 50


@report_reader
@require_http_methods(["GET", "POST"])
def footprint(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not may_keep_sales_footprint(actor):
        raise PermissionDenied
    form = FootprintUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        count = call_service(form, sales_footprint_import, actor=actor, csv_text=form.cleaned_data["csv_text"])
        if count is not None:
            messages.success(request, lazy_format(_("%(count)s rows imported."), count=f"{count:,}"))
            return redirect("reports:footprint")
    filterset = SalesFootprintFilterSet(request.GET, queryset=visible_sales_footprints(actor))
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    rows = rows.select_related("partner", "prefecture__parent").order_by("-year", "partner__name", "prefecture_id")
    page = Paginator(rows, FOOTPRINT_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "filterset": filterset, "page": page, "query": query.urlencode()}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "reports/footprint.html", context, status=status)


@report_reader
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not actor.is_datacenter:
        raise PermissionDenied
    regions = Region.objects.order_by("sort_order")
    form = YearlyTargetForm(request.POST or None, regions=regions)
    saved = (
        request.method == "POST"
        and form.is_valid()
        and call_service(form, yearly_target_set, actor=actor, **form.service_arguments()) is not None
    )
    if saved:
        messages.success(request, _("The target was saved."))
        return redirect("reports:targets")
    rows = [
        {
            "year": t.year,
            "region": t.region_id,
            "region_name": region_name(t.region) if t.region else None,
            "new": t.new_outlets,
        }
        for t in YearlyTarget.objects.select_related("region").order_by(
            "-year",
            F("region__sort_order").asc(nulls_first=True),  # the national target first
        )
    ]
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "reports/targets.html", {"form": form, "targets": rows}, status=status)
