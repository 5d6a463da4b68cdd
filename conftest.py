"""Test database setup (DESIGN §4, §12): the bootstrap superuser creates a fresh test
database and the two roles, ``rn_owner`` migrates it, and the tests run as ``rn_app``."""

from __future__ import annotations

import os
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections

# The real Celery worker process (``celery_worker_process``) for report, API and browser tests.
pytest_plugins = ["tests.celery_worker"]


def _test_database_name(run_id: str) -> str:
    # Unique per run and per xdist worker: several runs on one server (developers, CI,
    # parallel sessions) must never drop each other's databases.
    base = settings.DATABASES["default"]["NAME"]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"test_{base}_{run_id[:8]}_{worker}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker, testrun_uid):
    from recycling_network import bootstrap

    name = _test_database_name(testrun_uid)
    with django_db_blocker.unblock():
        bootstrap.bootstrap(name, recreate=True)
        for alias in ("default", "owner"):
            connections[alias].close()
            connections[alias].settings_dict["NAME"] = name
        call_command("migrate", database="owner", verbosity=0, interactive=False)
        with connections["owner"].cursor() as cursor:
            # Only in test databases: transactional tests and live_server flush every
            # table between tests, which takes TRUNCATE.
            cursor.execute(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {settings.DB_APP_ROLE}")
    yield
    with django_db_blocker.unblock():
        for alias in ("default", "owner"):
            connections[alias].close()
        bootstrap.drop_database(name)


@pytest.fixture(autouse=True)
def _cache_of_this_test(settings):
    """A cache key prefix of each test's own: rate limits and throttles count in the shared
    Redis, keyed by addresses and user names that repeat across tests, workers and runs."""
    cache = dict(settings.CACHES["default"])
    cache["KEY_PREFIX"] = f"{cache.get('KEY_PREFIX', 'rn')}-t{uuid.uuid4().hex[:12]}"
    settings.CACHES = {**settings.CACHES, "default": cache}


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Unit tests run tasks in-process; tests marked ``worker`` start a real worker."""
    from recycling_network.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
