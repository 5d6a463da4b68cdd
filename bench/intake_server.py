"""The intake benchmark's server (gunicorn, started and stopped by ``bench/intake_bench.py``)
and where its CPU goes."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.intake_setup import superuser_connection

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [
        *(sys.executable, "-m", "gunicorn", "recycling_network.wsgi:application"),
        *("--bind", f"{HOST}:{port}", "--workers", str(workers), "--worker-class", "sync"),
        # As the Dockerfile runs it: heartbeats in memory, not on a disk that may stall.
        *("--timeout", "60", "--worker-tmp-dir", "/dev/shm", "--chdir", str(ROOT)),  # noqa: S108
        *("--error-logfile", str(log), "--log-level", "warning"),
    ]
    # A session of its own: Ctrl-C reaches this script only, which then stops the server.
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def wait_until_ready(server: subprocess.Popen, port: int, workers: int, log: Path) -> None:
    import psutil

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:
                if response.status == 200 and len(psutil.Process(server.pid).children()) >= workers:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz within 60 s:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM to the master (it stops its workers); SIGKILL whatever is left after 20 s."""
    import psutil

    if server.poll() is not None:
        return
    try:
        workers = psutil.Process(server.pid).children(recursive=True)
    except psutil.Error:
        workers = []
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    for worker in workers:
        with contextlib.suppress(psutil.Error):  # already gone, as it should be
            worker.kill()


class CpuProbe:
    """CPU seconds, per segment, of the gunicorn workers, of the database backends serving
    them, and of every other process on the machine (other sessions share the 2 cores)."""

    def __init__(self, server: subprocess.Popen, database: str) -> None:
        from django.conf import settings

        self.server, self.database, self.role = server, database, settings.DB_APP_ROLE
        self.conn = superuser_connection("postgres")

    def sample(self) -> tuple[dict[int, float], set[int], set[int]]:
        """CPU seconds of every process by pid, and which pids are workers and backends."""
        import psutil

        seconds = {}
        for process in psutil.process_iter(["cpu_times"]):
            times = process.info["cpu_times"]
            if times is not None:
                seconds[process.pid] = times.user + times.system
        workers = {child.pid for child in psutil.Process(self.server.pid).children()}
        backends = {
            pid
            for (pid,) in self.conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND usename = %s", [self.database, self.role]
            )
        }
        return seconds, workers, backends

    @staticmethod
    def spent(before: tuple, after: tuple) -> tuple[float, float, float]:
        """(workers, backends, other processes): a process that appeared meanwhile counts
        whole, one that ended is lost (a reconnecting backend, rarely)."""
        (cpu_before, _w, _b), (cpu_after, workers, backends) = before, after
        delta = {pid: seconds - cpu_before.get(pid, 0.0) for pid, seconds in cpu_after.items()}
        app = sum(delta[pid] for pid in workers if pid in delta)
        database = sum(delta[pid] for pid in backends if pid in delta)
        return app, database, sum(delta.values()) - app - database

    def close(self) -> None:
        self.conn.close()


@dataclass
class Usage:
    app: float = 0.0
    database: float = 0.0
    client: float = 0.0
    other: float = 0.0  # every other process: other sessions, PostgreSQL's own background work
