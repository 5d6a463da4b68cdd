"""URL map of the intake benchmark's server: the project's URLs plus the baseline, a bare
Django view doing one INSERT. It exists only under ``bench.intake_settings``.

The baseline sits under ``/api/`` so that the middleware treats both sides alike: the
request's transaction is opened by ``TenancyMiddleware`` and no context is set before
the view, exactly as for ``POST /api/v1/intakes/``."""

from __future__ import annotations

import json

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from recycling_network import urls as project_urls

BASELINE_PATH = "/api/bench/intake/"
# Created by bench/intake_bench.py as the bootstrap superuser and granted to rn_app; no migration.
BASELINE_TABLE = "bench_row"


@csrf_exempt  # as every API view: no session, no CSRF token
@require_POST
def baseline_intake(request: HttpRequest) -> JsonResponse:
    """Parse the intake's JSON body, insert one row, answer 201 with a small JSON body."""
    body = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BASELINE_TABLE} (code, outlet, weight_kg, vin) VALUES (%s, %s, %s, %s) RETURNING id",
            [body["code"], body["outlet"], body["weight_kg"], body.get("vin", "")],
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id, "code": body["code"]}, status=201)


urlpatterns = [path(BASELINE_PATH.lstrip("/"), baseline_intake), *project_urls.urlpatterns]
handler404 = project_urls.handler404
handler500 = project_urls.handler500
