"""``/healthz``: 200 when the database and the broker answer, 503 naming what failed."""

from __future__ import annotations

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

TIMEOUT_SECONDS = 2


def _database() -> str | None:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        return f"database: {type(error).__name__}"
    return None


def _broker() -> str | None:
    if settings.REDIS_DISABLED:
        return None  # eager Celery, no broker to check (make run without Redis)
    import redis

    try:
        redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
        ).ping()
    except Exception as error:
        return f"broker: {type(error).__name__}"
    return None


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    failures = [problem for problem in (_database(), _broker()) if problem]
    if failures:
        return JsonResponse({"status": "unavailable", "failed": failures}, status=503)
    return JsonResponse({"status": "ok"})
