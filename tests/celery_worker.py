"""A real Celery worker process for tests (DESIGN §12: no eager mode where the worker is
the subject): ``celery_worker_process`` starts one against the test database and Redis on
a queue of this test alone. Registered as a plugin by the root conftest, so report, API and
browser tests share it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections

# --- a real worker ------------------------------------------------------------------

# Celery caches the default queue and the message sender built from it; they are dropped
# when a test moves every task it sends onto the worker's own queue, and again after.
_AMQP_CACHES = ("queues", "default_queue", "default_exchange", "router", "send_task_message")


def _route_tasks_to(queue: str) -> None:
    from recycling_network.celery import app

    app.conf.task_default_queue = queue
    for name in _AMQP_CACHES:
        app.amqp.__dict__.pop(name, None)


def worker_database_url() -> str:
    """DATABASE_URL naming the same server as the settings, and the test database: the
    worker's settings derive both roles' connections from it."""
    name = connections["default"].settings_dict["NAME"]
    return urlsplit(settings.DATABASE_URL)._replace(path=f"/{name}").geturl()


class CeleryWorker:
    """``celery worker --pool=prefork --concurrency=1`` on a queue of its own, as a
    subprocess in its own process group (so the whole worker can be killed at once)."""

    def __init__(self, queue: str, env: dict[str, str], log_dir: Path) -> None:
        self.queue = queue
        self.env = env
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self.starts = 0

    def start(self, timeout: float = 90) -> None:
        self.starts += 1
        self.log_path = self.log_dir / f"worker-{self.starts}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "recycling_network",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "-Q",
            self.queue,
            "-n",
            f"{self.queue}-{self.starts}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited with {self.process.returncode}:\n{self.log_tail()}")
            if " ready." in self.log_path.read_text(errors="replace"):
                return
            time.sleep(0.1)  # polling the worker's log until it says it is ready
        raise TimeoutError(f"the worker was not ready within {timeout} s:\n{self.log_tail()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def pool_child_pids(self) -> list[int]:
        """The prefork pool's processes (children of the main process)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill(self) -> None:
        """SIGKILL the whole worker: main process and pool, no chance to clean up."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 60) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    """Extra environment for the worker; override it in a test module (report knobs of
    ``reports/conf.py`` such as ``RN_REPORT_SECTION_DELAY``)."""
    return {}


@pytest.fixture
def celery_worker_process(transactional_db, celery_worker_env, tmp_path) -> Iterator[CeleryWorker]:
    """A real Celery worker process against the test database and Redis.

    Tasks the test sends go to a queue named for this test run alone, so a developer's
    worker never takes them; eager mode (forced by the root conftest) is off meanwhile.
    Use with ``@pytest.mark.django_db(transaction=True)`` and ``@pytest.mark.worker``:
    the worker sees only committed rows."""
    from recycling_network.celery import app

    queue = f"rn-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "RN_CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "RN_REDIS_DISABLED": "0",
        "DJANGO_SETTINGS_MODULE": "recycling_network.settings",
        "PYTHONUNBUFFERED": "1",
        **celery_worker_env,
    }
    worker = CeleryWorker(queue, env, tmp_path)
    previous_queue = app.conf.task_default_queue
    app.conf.task_always_eager = False
    _route_tasks_to(queue)
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        app.conf.task_always_eager = True
        _route_tasks_to(previous_queue)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
