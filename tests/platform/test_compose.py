"""The container setup (Dockerfile, docker/, docker-compose.yml), checked without Docker.

No Docker engine runs where the tests run, so the compose file is parsed and its
variable interpolation is replayed here; the entry point and the health-check probe are
run for real against stand-ins (stub commands, a throwaway HTTP server), and the
environment the compose file gives the app is loaded into the real settings.
"""

from __future__ import annotations

import fnmatch
import http.server
import importlib.util
import json
import os
import re
import shlex
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from django.http.request import validate_host

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
ENTRYPOINT = REPO / "docker" / "entrypoint.sh"
HEALTHCHECK_SCRIPT = REPO / "docker" / "healthcheck.py"
SETTINGS = REPO / "recycling_network" / "settings.py"

APP_SERVICES = ("web", "worker", "beat")
ALL_SERVICES = ("postgres", "redis", *APP_SERVICES)
SECRETS = ("DJANGO_SECRET_KEY", "RN_API_KEY_PEPPER", "RN_DB_OWNER_PASSWORD", "RN_DB_APP_PASSWORD")
SECRET_VALUES = {name: f"test-{name.lower().replace('_', '-')}-value" for name in SECRETS}
HEALTHZ = "http://127.0.0.1:8000/healthz"


# --- helpers ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    data = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


class MissingVariable(Exception):
    pass


_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value, env: dict[str, str]):
    """Compose's variable interpolation (the subset of the spec this file may use)."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["named"]
        op, arg = match["op"], match["arg"]
        current = env.get(name)
        missing = current is None or (current == "" and op is not None and op.startswith(":"))
        if op in (":-", "-"):
            return arg if missing else current
        if op in (":?", "?"):
            if missing:
                raise MissingVariable(f"{name}: {arg}")
            return current
        if op is None:
            return current or ""
        raise AssertionError(f"interpolation {op!r} is not replayed by this test; extend interpolate()")

    return _VARIABLE.sub(replace, value)


def resolved(compose: dict, **env: str) -> dict:
    return interpolate(compose, {**SECRET_VALUES, **env})


def command_args(service: dict) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def healthcheck_text(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(str(part) for part in test)


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def read_env_names() -> set[str]:
    """Every environment variable that settings.py or the docker/ scripts read."""
    python_reads = re.compile(
        r"""(?:os\.environ\.get|os\.environ\.setdefault|os\.getenv|env_bool|env_int|env_list)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
        r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
    )
    names: set[str] = set()
    for path in [SETTINGS, *sorted((REPO / "docker").glob("*.py"))]:
        for match in python_reads.finditer(path.read_text()):
            names.add(match[1] or match[2])
    for path in sorted((REPO / "docker").glob("*.sh")):
        names.update(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", path.read_text()))
    return names


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, args = line.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    assert not pending, "the Dockerfile ends in a continuation line"
    return instructions


def instruction_args(keyword: str) -> list[str]:
    return [args for name, args in dockerfile_instructions() if name == keyword]


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"not exec form (a JSON array): {args}"
    return value


# --- docker-compose.yml: structure ----------------------------------------------------------


def test_compose_file_uses_the_compose_spec_without_a_version_key(compose):
    assert "version" not in compose
    assert set(ALL_SERVICES) <= set(compose["services"])


@pytest.mark.parametrize("name", ALL_SERVICES)
def test_every_service_has_a_health_check(services, name):
    healthcheck = services[name].get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    assert not healthcheck.get("disable")
    test = healthcheck.get("test")
    assert test, f"{name}'s healthcheck has no test"
    if isinstance(test, list):
        assert test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, test
    # $$ reaches the container as $; a single $ would be filled in from the host's environment.
    assert "$" not in healthcheck_text(services[name]).replace("$$", ""), healthcheck


def test_postgres_is_15_with_pg_isready_and_a_named_volume(compose, services):
    postgres = services["postgres"]
    assert str(postgres["image"]).startswith("postgres:15")
    assert "pg_isready" in healthcheck_text(postgres)
    sources = {str(v).split(":")[0]: str(v).split(":")[1] for v in postgres["volumes"]}
    named = [source for source, target in sources.items() if target == "/var/lib/postgresql/data"]
    assert named and named[0] in (compose.get("volumes") or {}), sources


def test_redis_is_7_with_redis_cli_ping_and_a_named_volume(compose, services):
    redis = services["redis"]
    assert str(redis["image"]).startswith("redis:7")
    check = healthcheck_text(redis)
    assert "redis-cli" in check and "ping" in check
    sources = {str(v).split(":")[0]: str(v).split(":")[1] for v in redis["volumes"]}
    named = [source for source, target in sources.items() if target == "/data"]
    assert named and named[0] in (compose.get("volumes") or {}), sources


def test_every_named_volume_is_declared_at_the_top_level(compose, services):
    declared = set(compose.get("volumes") or {})
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source and not source.startswith((".", "/", "~", "$")):
                assert source in declared, f"{name} mounts undeclared volume {source}"


def test_web_runs_gunicorn_on_port_8000_and_checks_healthz(services):
    web = services["web"]
    args = command_args(web)
    assert args[0] == "gunicorn"
    assert "recycling_network.wsgi:application" in args
    assert "0.0.0.0:8000" in args
    assert "8000:8000" in [str(port) for port in web["ports"]]
    assert "/healthz" in healthcheck_text(web)


def test_worker_runs_celery_worker_and_its_health_check_pings_its_own_node(services):
    worker = services["worker"]
    args = command_args(worker)
    assert args[:3] == ["celery", "-A", "recycling_network"]
    assert args[3] == "worker"
    node = args[args.index("--hostname") + 1] if "--hostname" in args else "celery@%h"
    assert node.endswith("@%h")
    check = healthcheck_text(worker)
    assert "celery -A recycling_network inspect ping" in check
    assert f"{node.removesuffix('%h')}$$HOSTNAME" in check


def test_beat_runs_celery_beat_with_its_schedule_on_a_volume_and_answers_pings(compose, services):
    beat = services["beat"]
    args = command_args(beat)
    assert args[:3] == ["celery", "-A", "recycling_network"]
    assert args[3] == "beat"
    schedule = args[args.index("--schedule") + 1]
    mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in beat["volumes"]}
    directory = str(Path(schedule).parent)
    assert directory in mounts, f"{schedule} is not on a volume: {mounts}"
    assert mounts[directory] in (compose.get("volumes") or {})
    # The health check asks beat itself: it answers pings only with remote control on.
    assert "--enable-remote-control" in args
    node = args[args.index("--hostname") + 1] if "--hostname" in args else "celerybeat@%h"
    check = healthcheck_text(beat)
    assert "celery -A recycling_network inspect ping" in check
    assert f"{node.removesuffix('%h')}$$HOSTNAME" in check


def test_web_worker_and_beat_share_the_image_built_from_the_dockerfile(services):
    web = services["web"]
    build = web["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    assert (COMPOSE_FILE.parent / context).resolve() == REPO
    assert (REPO / context / dockerfile).resolve() == DOCKERFILE
    for name in ("worker", "beat"):
        service = services[name]
        if "build" in service:
            assert service["build"] == build
        else:
            assert service.get("image") and service["image"] == web.get("image"), name
            assert service.get("pull_policy") in ("never", "build", "missing", None)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_postgres_and_redis(services, name):
    depends_on = services[name]["depends_on"]
    assert isinstance(depends_on, dict), "the long form is needed for conditions"
    for dependency in ("postgres", "redis"):
        assert depends_on[dependency]["condition"] == "service_healthy", (name, dependency)


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_worker_and_beat_start_after_web_has_migrated(services, name):
    assert services[name]["depends_on"]["web"]["condition"] == "service_healthy"


# --- docker-compose.yml: environment -------------------------------------------------------


@pytest.mark.parametrize("name", APP_SERVICES)
def test_secrets_are_required_variables(services, name):
    env = environment(services[name])
    for secret in SECRETS:
        assert re.fullmatch(rf"\$\{{{secret}:\?[^}}]+\}}", env.get(secret, "")), (name, secret, env.get(secret))


@pytest.mark.parametrize("secret", SECRETS)
def test_compose_refuses_to_start_without_each_secret(compose, secret):
    env = {name: value for name, value in SECRET_VALUES.items() if name != secret}
    with pytest.raises(MissingVariable, match=secret):
        interpolate(compose, env)
    with pytest.raises(MissingVariable, match=secret):
        interpolate(compose, {**env, secret: ""})
    interpolate(compose, SECRET_VALUES)  # and starts with all of them


def test_the_variables_read_are_found_in_settings():
    names = read_env_names()
    # Guards the regular expressions above: these are read by settings.py or docker/entrypoint.sh.
    assert {"DJANGO_DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOWED_HOSTS", "RN_SEED_DEMO", *SECRETS} <= names


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_variable_set_for_the_app_is_one_it_reads(services, name):
    unread = set(environment(services[name])) - read_env_names()
    assert not unread, f"{name} sets variables nothing reads: {sorted(unread)}"


def test_database_url_names_the_postgres_service_and_its_superuser_password(compose):
    for env in ({}, {"POSTGRES_PASSWORD": "chosen-locally"}):
        config = resolved(compose, **env)["services"]
        password = config["postgres"]["environment"]["POSTGRES_PASSWORD"]
        assert password
        for name in APP_SERVICES:
            app_env = config[name]["environment"]
            assert app_env["DATABASE_URL"] == f"postgres://postgres:{password}@postgres:5432/recycling_network"
            assert app_env["REDIS_URL"] == "redis://redis:6379/0"


def test_the_compose_environment_loads_the_production_settings(compose, services):
    web_env = resolved(compose)["services"]["web"]["environment"]
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "RN_", "CELERY_", "PYTEST_")) and key not in ("DATABASE_URL", "REDIS_URL")
    }
    probe = (
        "import json, django\n"
        "django.setup()\n"
        "from django.conf import settings as s\n"
        "print(json.dumps({'debug': s.DEBUG, 'ssl_redirect': s.SECURE_SSL_REDIRECT, 'hosts': s.ALLOWED_HOSTS,"
        " 'default': [s.DATABASES['default'][k] for k in ('HOST', 'PORT', 'NAME', 'USER', 'PASSWORD')],"
        " 'owner': [s.DATABASES['owner'][k] for k in ('USER', 'PASSWORD')], 'broker': s.CELERY_BROKER_URL,"
        " 'pepper': s.API_KEY_PEPPER, 'schedule': s.CELERY_BEAT_SCHEDULE_FILENAME, 'static': s.STORAGES['staticfiles']}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        env={**base, **web_env, "DJANGO_SETTINGS_MODULE": "recycling_network.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["debug"] is False
    # Local use: nothing in the compose file terminates TLS.
    assert loaded["ssl_redirect"] is False
    assert "localhost" in loaded["hosts"] and "127.0.0.1" in loaded["hosts"]
    assert loaded["default"] == ["postgres", 5432, "recycling_network", "rn_app", SECRET_VALUES["RN_DB_APP_PASSWORD"]]
    assert loaded["owner"] == ["rn_owner", SECRET_VALUES["RN_DB_OWNER_PASSWORD"]]
    assert loaded["broker"] == "redis://redis:6379/0"
    assert loaded["pepper"] == SECRET_VALUES["RN_API_KEY_PEPPER"]
    assert loaded["static"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    beat_args = command_args(services["beat"])
    assert loaded["schedule"] == beat_args[beat_args.index("--schedule") + 1]


def test_the_health_probe_uses_a_host_the_compose_settings_allow(compose, monkeypatch):
    web_env = resolved(compose)["services"]["web"]["environment"]
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", web_env["DJANGO_ALLOWED_HOSTS"])
    allowed = [host.strip() for host in web_env["DJANGO_ALLOWED_HOSTS"].split(",") if host.strip()]
    assert validate_host(_healthcheck_module().probe_host(), allowed)


# --- Dockerfile and .dockerignore -----------------------------------------------------------


def test_dockerfile_builds_on_python_311_slim_and_runs_as_a_non_root_user():
    froms = instruction_args("FROM")
    assert froms and froms[0].split()[0].startswith("python:3.11-slim")
    users = instruction_args("USER")
    assert users, "no USER: the container would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    # USER comes after the last RUN, so nothing at run time is root.
    keywords = [name for name, _ in dockerfile_instructions()]
    last = {keyword: index for index, keyword in enumerate(keywords)}
    assert last["USER"] > last["RUN"]


def test_dockerfile_installs_requirements_txt_without_a_pip_cache():
    runs = instruction_args("RUN")
    install = [run for run in runs if "pip install" in run]
    assert install and any(re.search(r"pip install --no-cache-dir -r requirements\.txt\b", run) for run in install)
    assert any("requirements.txt" in copy.split() for copy in instruction_args("COPY"))
    pins = (REPO / "requirements.txt").read_text()
    for package in ("Django", "gunicorn", "celery", "whitenoise", "psycopg"):
        assert re.search(rf"^{package}(\[[a-z]+\])?==", pins, re.MULTILINE), package


def test_dockerfile_collects_static_files_with_build_only_dummy_secrets():
    runs = instruction_args("RUN")
    collect = [run for run in runs if "collectstatic" in run]
    assert collect and "--noinput" in collect[0]
    envs = " ".join(instruction_args("ENV"))
    assert re.search(r"\bDJANGO_DEBUG=0\b", envs)
    for secret in ("DJANGO_SECRET_KEY", "RN_API_KEY_PEPPER"):
        # Set for the collectstatic step only (inline, or an ARG), never baked in with ENV.
        assert secret in collect[0] or any(secret in arg for arg in instruction_args("ARG")), secret
        assert secret not in envs, f"{secret} would persist in the image"
    # Compiled translations are committed, so the image needs no gettext.
    assert "gettext" not in " ".join(runs) and "compilemessages" not in " ".join(runs)
    for catalogue in REPO.glob("locale/*/LC_MESSAGES/*.po"):
        assert catalogue.with_suffix(".mo").is_file(), catalogue


def test_dockerfile_serves_gunicorn_on_8000_with_an_entrypoint_and_a_healthz_check():
    assert any("8000" in expose.split() for expose in instruction_args("EXPOSE"))
    cmd = exec_form(instruction_args("CMD")[-1])
    assert cmd[0] == "gunicorn"
    assert "recycling_network.wsgi:application" in cmd
    assert "0.0.0.0:8000" in cmd
    assert "--workers" in cmd and int(cmd[cmd.index("--workers") + 1]) >= 2
    entrypoint = exec_form(instruction_args("ENTRYPOINT")[-1])
    assert entrypoint[-1].endswith("docker/entrypoint.sh")
    healthcheck = instruction_args("HEALTHCHECK")[-1]
    assert "/healthz" in healthcheck
    probe = exec_form(healthcheck[healthcheck.index("CMD") + 3 :].strip())
    assert probe[0] == "python" and "curl" not in healthcheck and "wget" not in healthcheck
    script = REPO / probe[1].removeprefix("/app/")
    assert script.is_file() and "urllib" in script.read_text()


def _ignored(path: str, patterns: list[str]) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes):
            ignored = not negate
    return ignored


def test_dockerignore_keeps_local_state_out_and_what_the_image_needs_in():
    patterns = [
        line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    for path in (".env", ".git/config", ".venv/bin/python", ".data/postgres/PG_VERSION", "staticfiles/admin"):
        assert _ignored(path, patterns), f"{path} would go into the build context"
    needed = [
        "requirements.txt",
        "manage.py",
        "docker/entrypoint.sh",
        "docker/healthcheck.py",
        "docker/wait_for_db.py",
        "recycling_network/settings.py",
        "static",
        "templates",
        *(str(mo.relative_to(REPO)) for mo in REPO.glob("locale/*/LC_MESSAGES/*.mo")),
    ]
    for path in needed:
        assert not _ignored(path, patterns), f"{path} is excluded from the build context"


# --- docker/entrypoint.sh ----------------------------------------------------------------------


def test_entrypoint_is_an_executable_posix_shell_script():
    assert ENTRYPOINT.is_file()
    mode = ENTRYPOINT.stat().st_mode
    assert mode & stat.S_IXUSR and mode & stat.S_IXGRP and mode & stat.S_IXOTH
    text = ENTRYPOINT.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert re.search(r"^set -e", text, re.MULTILINE)
    assert re.search(r'^exec "\$@"$', text, re.MULTILINE)
    assert subprocess.run(["sh", "-n", str(ENTRYPOINT)], capture_output=True).returncode == 0


STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> "$RN_STUB_LOG"
case " $* " in *" $RN_STUB_FAIL "*) exit 3 ;; esac
exit 0
"""


@pytest.fixture
def run_entrypoint(tmp_path):
    """Runs docker/entrypoint.sh with python, gunicorn and celery replaced by loggers."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("python", "gunicorn", "celery"):
        stub = bin_dir / name
        stub.write_text(STUB)
        stub.chmod(0o755)
    log = tmp_path / "calls.log"

    def run(args: list[str], **env: str) -> tuple[int, list[str]]:
        log.write_text("")
        result = subprocess.run(
            [str(ENTRYPOINT), *args],
            env={"PATH": f"{bin_dir}:/usr/bin:/bin", "RN_STUB_LOG": str(log), "RN_STUB_FAIL": "none", **env},
            capture_output=True,
            text=True,
            timeout=30,
        )
        return result.returncode, log.read_text().splitlines()

    return run


WAIT = "python docker/wait_for_db.py"
BOOTSTRAP = "python manage.py db_bootstrap"
MIGRATE = "python manage.py migrate --no-input"
SEED = "python manage.py seed_demo --if-needed"


def test_entrypoint_bootstraps_and_migrates_before_starting_web(services, compose, run_entrypoint):
    command = command_args(resolved(compose)["services"]["web"])
    status, calls = run_entrypoint(command)
    assert status == 0
    assert calls == [WAIT, BOOTSTRAP, MIGRATE, " ".join(command)]


def test_entrypoint_seeds_the_demo_only_when_asked(compose, run_entrypoint):
    command = command_args(resolved(compose)["services"]["web"])
    _, calls = run_entrypoint(command, RN_SEED_DEMO="1")
    assert calls == [WAIT, BOOTSTRAP, MIGRATE, SEED, " ".join(command)]
    _, calls = run_entrypoint(command, RN_SEED_DEMO="0")
    assert SEED not in calls


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_entrypoint_never_migrates_for_worker_or_beat(compose, run_entrypoint, name):
    command = command_args(resolved(compose)["services"][name])
    status, calls = run_entrypoint(command, RN_SEED_DEMO="1")
    assert status == 0
    assert calls == [WAIT, " ".join(command)]


@pytest.mark.parametrize("failing", ["docker/wait_for_db.py", "db_bootstrap", "migrate"])
def test_entrypoint_does_not_start_web_when_a_step_fails(compose, run_entrypoint, failing):
    command = command_args(resolved(compose)["services"]["web"])
    status, calls = run_entrypoint(command, RN_STUB_FAIL=failing)
    assert status != 0
    assert not any(call.startswith("gunicorn") for call in calls), calls


def test_entrypoint_runs_other_commands_as_they_are(run_entrypoint):
    status, calls = run_entrypoint(["python", "manage.py", "shell"])
    assert status == 0
    assert calls == ["python manage.py shell"]


# --- docker/healthcheck.py ---------------------------------------------------------------------


def _healthcheck_module():
    spec = importlib.util.spec_from_file_location("rn_docker_healthcheck", HEALTHCHECK_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fake_web() -> Iterator[tuple[str, dict, list]]:
    """An HTTP server answering /healthz with ``reply['status']``, recording request headers."""
    reply = {"status": 200}
    seen: list[dict[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append({"path": self.path, **dict(self.headers)})
            self.send_response(reply["status"])
            if reply["status"] in (301, 302):
                self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/elsewhere")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/healthz", reply, seen
    finally:
        server.shutdown()
        server.server_close()


def _probe(url: str, allowed_hosts: str = "rn.example.org,localhost") -> int:
    env = {**os.environ, "DJANGO_ALLOWED_HOSTS": allowed_hosts}
    return subprocess.run(
        [sys.executable, str(HEALTHCHECK_SCRIPT), url], env=env, capture_output=True, timeout=30
    ).returncode


def test_health_probe_passes_only_on_200(fake_web):
    url, reply, seen = fake_web
    assert _probe(url) == 0
    for status in (503, 500, 404, 400, 301):
        reply["status"] = status
        assert _probe(url) == 1, status
    # A redirect (SECURE_SSL_REDIRECT) is a failure, not followed.
    assert [request["path"] for request in seen] == ["/healthz"] * 6


def test_health_probe_gets_past_allowed_hosts_and_the_ssl_redirect(fake_web):
    url, _, seen = fake_web
    assert _probe(url, allowed_hosts=".example.org,localhost") == 0
    assert seen[-1]["Host"] == "example.org"
    assert seen[-1]["X-Forwarded-Proto"] == "https"


def test_health_probe_fails_when_nothing_listens():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert _probe(f"http://127.0.0.1:{port}/healthz") == 1
