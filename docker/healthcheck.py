"""Container health check for the web service: ``python docker/healthcheck.py [URL]``.

Slim images have no curl, so this uses urllib. Exit status 0 when URL (default
http://127.0.0.1:8000/healthz) answers 200, 1 otherwise; ``/healthz`` answers 200
only when the database and the broker answer.

Two details let it work with the production settings (DJANGO_DEBUG=0):

* ``Host`` is the first entry of DJANGO_ALLOWED_HOSTS, so a deployment that allows
  only its public name does not answer the probe with 400 (DisallowedHost).
* ``X-Forwarded-Proto: https`` (settings trust it via SECURE_PROXY_SSL_HEADER), so
  SECURE_SSL_REDIRECT does not answer the probe with a redirect to https.

Redirects are not followed: a 3xx means the probe is misconfigured, which is unhealthy.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/healthz"
TIMEOUT_SECONDS = 5


def probe_host() -> str:
    """A host name that Django's ALLOWED_HOSTS accepts (the settings default: localhost)."""
    raw = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
    for entry in (item.strip() for item in raw.split(",")):
        if not entry:
            continue
        if entry == "*":
            return "localhost"
        # ".example.org" allows example.org and its subdomains.
        return entry.lstrip(".")
    return "localhost"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def check(url: str) -> tuple[bool, str]:
    request = urllib.request.Request(  # noqa: S310 - the URL is ours (http on loopback)
        url, headers={"Host": probe_host(), "X-Forwarded-Proto": "https", "User-Agent": "rn-healthcheck"}
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (OSError, ValueError) as error:
        return False, f"{url}: {error}"
    return status == 200, f"{url}: HTTP {status}"


def main(argv: list[str]) -> int:
    url = argv[1] if len(argv) > 1 else DEFAULT_URL
    healthy, message = check(url)
    print(("healthy " if healthy else "unhealthy ") + message)  # noqa: T201
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
