"""The address a request comes from, the same for API keys' allowed ranges, the API's
anonymous throttle and the browser's rate limits.

Only as many ``X-Forwarded-For`` entries are trusted as there are proxies in front of the
app (``REST_FRAMEWORK["NUM_PROXIES"]``, from ``RN_NUM_PROXIES``): with none, a client could
name any address in that header."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def trusted_proxies() -> int:
    return int(settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0)


def client_address(request: HttpRequest) -> str:
    """The connecting address, or the one the nearest trusted proxy forwarded."""
    proxies = trusted_proxies()
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "")
