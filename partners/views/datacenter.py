"""The data center's queues: partner applications and partners, code claims, and the audit
log (DESIGN §9). Data-center admins only: anonymous visitors sign in, everyone else gets
a 403. Every change goes through a service; every read through a selector."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from partners.forms_onboarding import (
    AuditFilter,
    ClaimQueueFilter,
    ConfirmForm,
    DemonstrationForm,
    OptionalReasonForm,
    PartnerQueueFilter,
    ReasonForm,
)
from partners.models import AuditEntry, CodeClaim, Partner, PartnerKind, PartnerStatus, UserRole
from partners.selectors import (
    get_partner,
    partner_contacts,
    visible_audit_entries,
    visible_code_claims,
    visible_partners,
    visible_users,
)
from partners.services import (
    code_claim_approve,
    code_claim_reject,
    partner_approve_and_onboard,
    partner_reactivate,
    partner_reject,
    partner_suspend,
    partner_update,
)
from recycling_network.errors import NotFound
from recycling_network.i18n import lazy_format
from recycling_network.tenancy import ActorRole
from recycling_network.web.forms import call_service

View = Callable[..., HttpResponse]

#: Rows per list page.
PAGE_SIZE = 50


def datacenter_admin_required(view: View) -> View:
    """Let only data-center admins in: anonymous visitors sign in, everyone else a 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.actor.is_anonymous:
            return redirect_to_login(request.get_full_path())
        if request.actor.role != ActorRole.DATACENTER_ADMIN:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def queue_filter(form_class: type, request: HttpRequest, default: dict[str, str], **kwargs: Any) -> Any:
    """A list's filter form, bound to the query string, or to ``default`` on a first visit
    (a queue opens on what waits for a decision)."""
    form = form_class(request.GET if request.GET else default, **kwargs)
    form.is_valid()
    return form


def page_of(request: HttpRequest, rows: QuerySet) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def with_kind_labels(partners: Any) -> list[Partner]:
    """The partners with ``kind_labels``, the names of their kinds in the user's language."""
    rows = list(partners)
    for partner in rows:
        partner.kind_labels = [PartnerKind(kind).label for kind in partner.kinds]
    return rows


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without ``names`` (to add a page parameter to)."""
    query: QueryDict = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def refused_redirect(request: HttpRequest, form: Any, to: str, **kwargs: Any) -> HttpResponse | None:
    """A decision the service refused as a whole (the partner or claim is no longer in a
    state that allows it): say why above the page as it is now, whose form for that
    decision may be gone. Field errors are shown on the form instead (None)."""
    if not form.errors or set(form.errors) != {"__all__"}:
        return None
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect(to, **kwargs)


# --- keyset pages (the audit log grows without bound: no COUNT, no OFFSET) ------------


@dataclass
class KeysetPage:
    rows: list[Any]
    newer: str | None  # query strings of the neighbouring pages, or None
    older: str | None


def _int_param(request: HttpRequest, name: str) -> int | None:
    try:
        return int(request.GET[name])
    except (KeyError, ValueError):
        return None


def keyset_page(request: HttpRequest, rows: QuerySet, size: int | None = None) -> KeysetPage:
    """Newest first, ``size`` rows after ``?before=<id>`` or before ``?after=<id>``."""
    size = size or PAGE_SIZE
    before, after = _int_param(request, "before"), _int_param(request, "after")
    base = query_without(request, "before", "after")
    if after is not None:
        found = list(rows.filter(pk__gt=after).order_by("pk")[: size + 1])
        has_newer, page = len(found) > size, found[:size][::-1]
        has_older = True
    else:
        selected = rows.filter(pk__lt=before) if before is not None else rows
        found = list(selected.order_by("-pk")[: size + 1])
        has_older, page = len(found) > size, found[:size]
        has_newer = before is not None
    if not page:
        return KeysetPage(rows=[], newer=None, older=None)

    def link(name: str, value: int) -> str:
        return f"{base}&{name}={value}" if base else f"{name}={value}"

    return KeysetPage(
        rows=page,
        newer=link("after", page[0].pk) if has_newer else None,
        older=link("before", page[-1].pk) if has_older else None,
    )


# --- partners ----------------------------------------------------------------------------


@datacenter_admin_required
def partner_queue(request: HttpRequest) -> HttpResponse:
    """Applications (by default) and every other partner, oldest waiting first."""
    filters = queue_filter(PartnerQueueFilter, request, {"status": PartnerStatus.APPLIED})
    partners = visible_partners(request.actor).order_by("created_at", "id")
    if filters.is_valid():
        partners = filters.filter(partners)
    page = page_of(request, partners)
    page.object_list = with_kind_labels(page.object_list)
    context = {"filters": filters, "page": page, "query": query_without(request, "page")}
    return render(request, "partners/datacenter/partner_queue.html", context)


def _render_partner(request: HttpRequest, partner: Partner, status: int = 200, **forms: Any) -> HttpResponse:
    actor = request.actor
    defaults = {
        "approve_form": ConfirmForm(prefix="approve"),
        "reject_form": ReasonForm(prefix="reject"),
        "suspend_form": ReasonForm(prefix="suspend"),
        "reactivate_form": OptionalReasonForm(prefix="reactivate"),
        "demonstration_form": DemonstrationForm(
            prefix="demonstration",
            initial={
                "demonstration_unit": partner.demonstration_unit,
                "demonstration_agreed_on": partner.demonstration_agreed_on,
            },
        ),
    }
    context = {
        **defaults,
        **forms,
        "partner": with_kind_labels([partner])[0],
        "contacts": partner_contacts(actor, partner).order_by("-is_primary", "id"),
        "claims": visible_code_claims(actor).filter(partner=partner).order_by("-id"),
        "admins": visible_users(actor).filter(partner=partner, role=UserRole.PARTNER_ADMIN).order_by("id"),
        "history": visible_audit_entries(actor)
        .filter(target_type="partners.partner", target_id=str(partner.pk))
        .order_by("-id")[:20],
    }
    return render(request, "partners/datacenter/partner_detail.html", context, status=status)


@datacenter_admin_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_partner(request, get_partner(request.actor, pk))


@datacenter_admin_required
@require_POST
def partner_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_partner(request.actor, pk)
    form = ConfirmForm(request.POST, prefix="approve")
    if form.is_valid():
        done = call_service(form, partner_approve_and_onboard, actor=request.actor, partner=partner)
        if done is not None:
            partner, admin = done
            messages.success(
                request,
                lazy_format(
                    _("%(name)s was approved. Its first admin, %(username)s, was invited to choose a password."),
                    name=partner.name,
                    username=admin.get_username(),
                ),
            )
            return redirect("partners:datacenter_partner", pk=partner.pk)
    if refused := refused_redirect(request, form, "partners:datacenter_partner", pk=pk):
        return refused
    return _render_partner(request, get_partner(request.actor, pk), approve_form=form)


def _decision(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type,
    prefix: str,
    service: Callable[..., Partner],
    done_message: Any,
) -> HttpResponse:
    partner = get_partner(request.actor, pk)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid() and call_service(form, service, actor=request.actor, partner=partner, **form.cleaned_data):
        messages.success(request, lazy_format(done_message, name=partner.name))
        return redirect("partners:datacenter_partner", pk=partner.pk)
    if refused := refused_redirect(request, form, "partners:datacenter_partner", pk=pk):
        return refused
    return _render_partner(request, get_partner(request.actor, pk), **{f"{prefix}_form": form})


@datacenter_admin_required
@require_POST
def partner_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        form_class=ReasonForm,
        prefix="reject",
        service=partner_reject,
        done_message=_("The application of %(name)s was rejected."),
    )


@datacenter_admin_required
@require_POST
def partner_suspend_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        form_class=ReasonForm,
        prefix="suspend",
        service=partner_suspend,
        done_message=_("%(name)s is suspended: its users cannot sign in and its API keys are refused."),
    )


@datacenter_admin_required
@require_POST
def partner_reactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        form_class=OptionalReasonForm,
        prefix="reactivate",
        service=partner_reactivate,
        done_message=_("%(name)s is active again."),
    )


@datacenter_admin_required
@require_POST
def partner_demonstration_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        form_class=DemonstrationForm,
        prefix="demonstration",
        service=partner_update,
        done_message=_("The demonstration status of %(name)s was saved."),
    )


# --- code claims -------------------------------------------------------------------------


def get_claim(request: HttpRequest, pk: int) -> CodeClaim:
    claim = visible_code_claims(request.actor).filter(pk=pk).first()
    if claim is None:
        raise NotFound()
    return claim


@datacenter_admin_required
def claim_queue(request: HttpRequest) -> HttpResponse:
    filters = queue_filter(ClaimQueueFilter, request, {"status": "pending"})
    claims = visible_code_claims(request.actor).order_by("created_at", "id")
    if filters.is_valid():
        claims = filters.filter(claims)
    context = {"filters": filters, "page": page_of(request, claims), "query": query_without(request, "page")}
    return render(request, "partners/datacenter/claim_queue.html", context)


def _render_claim(request: HttpRequest, claim: CodeClaim, **forms: Any) -> HttpResponse:
    context = {
        "approve_form": ConfirmForm(prefix="approve"),
        "reject_form": ReasonForm(prefix="reject"),
        **forms,
        "claim": claim,
        "partner_active": claim.partner.status == PartnerStatus.ACTIVE,
    }
    return render(request, "partners/datacenter/claim_detail.html", context)


@datacenter_admin_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_claim(request, get_claim(request, pk))


@datacenter_admin_required
@require_POST
def claim_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_claim(request, pk)
    form = ConfirmForm(request.POST, prefix="approve")
    if form.is_valid() and call_service(form, code_claim_approve, actor=request.actor, claim=claim):
        messages.success(
            request,
            lazy_format(
                _("Code %(code)s now belongs to %(name)s. Its past records are being shared with it."),
                code=claim.code,
                name=claim.partner.name,
            ),
        )
        return redirect("partners:datacenter_claim", pk=claim.pk)
    if refused := refused_redirect(request, form, "partners:datacenter_claim", pk=pk):
        return refused
    return _render_claim(request, get_claim(request, pk), approve_form=form)


@datacenter_admin_required
@require_POST
def claim_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_claim(request, pk)
    form = ReasonForm(request.POST, prefix="reject")
    if form.is_valid() and call_service(form, code_claim_reject, actor=request.actor, claim=claim, **form.cleaned_data):
        messages.success(request, lazy_format(_("The claim to code %(code)s was rejected."), code=claim.code))
        return redirect("partners:datacenter_claim", pk=claim.pk)
    if refused := refused_redirect(request, form, "partners:datacenter_claim", pk=pk):
        return refused
    return _render_claim(request, get_claim(request, pk), reject_form=form)


# --- the audit log -----------------------------------------------------------------------


@dataclass
class Change:
    field: str
    before: str
    after: str


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value or "—"
    return json.dumps(value, ensure_ascii=False)


_ABSENT = object()


def audit_changes(entry: AuditEntry) -> list[Change]:
    """What the entry changed: every field whose value differs between ``before`` and
    ``after`` (all of ``after`` for a creation)."""
    before, after = entry.before or {}, entry.after or {}
    changes = []
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name, _ABSENT), after.get(name, _ABSENT)
        if old == new:
            continue
        changes.append(
            Change(
                field=name,
                before="" if old is _ABSENT else _shown(old),
                after="" if new is _ABSENT else _shown(new),
            )
        )
    return changes


def render_audit_log(
    request: HttpRequest, entries: QuerySet[AuditEntry], *, partners: list[tuple[int, str]] | None
) -> HttpResponse:
    filters = AuditFilter(request.GET or None, partners=partners)
    if filters.is_bound and filters.is_valid():
        entries = filters.filter(entries)
    page = keyset_page(request, entries)
    for entry in page.rows:
        entry.changes = audit_changes(entry)
    context = {"filters": filters, "page": page, "partner_filter": partners is not None}
    return render(request, "partners/datacenter/audit_log.html", context)


@datacenter_admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    partners = list(visible_partners(request.actor).order_by("name").values_list("id", "name"))
    return render_audit_log(request, visible_audit_entries(request.actor), partners=partners)
