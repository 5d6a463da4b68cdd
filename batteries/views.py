"""Browser pages of the traceability core."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from batteries.manifest import consignment_manifest


def manifest(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable handover manifest (交接单) for the sender or the consignee."""
    if request.actor.is_anonymous:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    return render(request, "batteries/manifest.html", {"manifest": consignment_manifest(request.actor, pk)})
