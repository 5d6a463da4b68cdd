"""The bare-machine smoke test of ``.ci/run`` (DESIGN §11): ``make run`` with
DATABASE_URL and REDIS_URL unset must answer ``/healthz``, let a demo data-center admin
and a demo outlet-staff member sign in and see their home pages, and leave nothing
running after Ctrl-C.

    python scripts/smoke_run.py [--timeout 300]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-pass-2026"  # noqa: S105 - the printed demo password, not a secret
LOGINS = {"dc_admin": "datacenter_admin", "staff_bj1": "outlet_staff"}


def log(message: str) -> None:
    print(f"[smoke] {message}", flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(base: str, process: subprocess.Popen, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise SystemExit(f"make run exited early with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(2)
    raise SystemExit(f"/healthz did not answer 200 within {timeout:.0f} s")


def sign_in(base: str, username: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise SystemExit("the sign-in page has no CSRF token")
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)})
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=form.encode(), headers={"Referer": f"{base}/accounts/login/"}, method="POST"
    )
    response = opener.open(request, timeout=30)
    home = response.read().decode()
    if response.status != 200 or "/accounts/login/" in response.geturl():
        raise SystemExit(f"{username} could not sign in (ended at {response.geturl()})")
    return home


def leftovers(started_after: set[int]) -> list[str]:
    """Processes started by the run that still live: anything mentioning this checkout."""
    output = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True, check=True).stdout
    alive = []
    for line in output.splitlines():
        pid_text, _sep, args = line.strip().partition(" ")
        pid = int(pid_text)
        if pid in started_after or pid == os.getpid():
            continue
        if str(ROOT) in args and "smoke_run.py" not in args:
            alive.append(line.strip())
    return alive


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=300)
    options = parser.parse_args()
    before = {int(p) for p in subprocess.run(["ps", "-eo", "pid="], capture_output=True, text=True).stdout.split()}
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    port = free_port()
    env["PORT"] = str(port)
    base = f"http://127.0.0.1:{port}"
    log(f"make run on port {port} with DATABASE_URL and REDIS_URL unset")
    process = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, start_new_session=True)
    try:
        seconds = wait_for_health(base, process, options.timeout)
        log(f"/healthz answered 200 after {seconds:.0f} s")
        for username, role in LOGINS.items():
            home = sign_in(base, username)
            if f'data-role="{role}"' not in home:
                raise SystemExit(f"{username} signed in but did not see the {role} home page")
            log(f"{username} signed in and sees the {role} home page")
    finally:
        log("Ctrl-C")
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise SystemExit("make run did not stop within 90 s of Ctrl-C") from None
    time.sleep(2)
    left = leftovers(before)
    if left:
        log("still running after Ctrl-C:\n  " + "\n  ".join(left))
        return 1
    log("nothing left running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
