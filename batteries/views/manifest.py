"""The printable handover manifest of a consignment."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from batteries.manifest import consignment_manifest
from batteries.views.common import signed_in


@signed_in
def manifest(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable handover manifest (交接单) for the sender or the consignee."""
    return render(request, "batteries/manifest.html", {"manifest": consignment_manifest(request.actor, pk)})
