"""Report pages (DESIGN §9, §10) for partner admins and data-center admins: the list, the
request form, the report with its progress and, once done, its charts and tables, and the
downloads. Outlet staff are refused: a report covers the whole network."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from partners.selectors import partner_directory
from recycling_network.errors import Conflict, NotFound
from recycling_network.tenancy import Actor
from recycling_network.web.forms import call_service
from reports.exports import report_download
from reports.filtersets import ReportFilterSet
from reports.forms import ReportRequestForm
from reports.models import Report, ReportStatus
from reports.selectors import may_keep_sales_footprint, visible_reports
from reports.services import report_request
from reports.views.results import progress_stage, result_context

View = Callable[..., HttpResponse]
PER_PAGE = 25
POLL_SECONDS = 2


def report_reader(view: View) -> View:
    """Partner admins and data-center admins; anonymous visitors sign in first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = request.actor
        if actor.is_anonymous:
            return redirect_to_login(request.get_full_path())
        if not (actor.is_datacenter or (actor.is_partner and actor.is_partner_admin)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _reports(actor: Actor) -> QuerySet[Report]:
    return visible_reports(actor).select_related("partner")


def _report(actor: Actor, pk: int | str) -> Report:
    """A report the actor may read, with its partner, in one query; a foreign id and a
    missing one are the same 404, as with ``get_report`` (ids are bigints: a longer
    number is missing, not an overflow)."""
    key = str(pk)
    report = _reports(actor).filter(pk=int(key)).first() if key.isdigit() and len(key) <= 18 else None
    if report is None:
        raise NotFound()
    return report


@report_reader
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    filterset = ReportFilterSet(request.GET, queryset=_reports(request.actor).order_by("-id"))
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "page": page,
        "query": query.urlencode(),
        "keeps_footprint": may_keep_sales_footprint(request.actor),
    }
    return render(request, "reports/list.html", context)


@report_reader
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    partners = partner_directory(actor).order_by("name") if actor.is_datacenter else None
    form = ReportRequestForm(request.POST or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        report = call_service(form, report_request, actor=actor, **form.service_arguments())
        if report is not None:
            messages.success(request, _("Report requested. It is computed in the background; this page follows it."))
            return redirect("reports:detail", pk=report.pk)
    return render(request, "reports/request.html", {"form": form})


def _body_context(report: Report) -> dict[str, Any]:
    context: dict[str, Any] = {
        "report": report,
        "finished": report.is_finished,
        "poll_seconds": POLL_SECONDS,
        "stage": progress_stage(report),
    }
    if report.status == ReportStatus.DONE:
        context.update(result_context(report))
    return context


@report_reader
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request.actor, pk)
    return render(request, "reports/report.html", _body_context(report))


@report_reader
@require_GET
def report_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's body, polled by htmx while the report runs: the progress bar, then
    (once done or failed) the result or the failure, which poll no more."""
    report = _report(request.actor, pk)
    return render(request, "reports/partials/body.html", _body_context(report))


@report_reader
@require_GET
def report_file(request: HttpRequest, pk: int, format: str) -> HttpResponse:
    try:
        content, content_type, filename = report_download(actor=request.actor, report=pk, format=format)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("reports:detail", pk=pk)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
