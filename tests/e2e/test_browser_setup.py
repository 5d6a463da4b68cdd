"""The browser-test setup itself: what happens without Chromium, what counts as local,
and the reference data that live_server's flush must not lose. No browser needed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from outlets.models import Division, Region
from outlets.reference_data import REGIONS, read_divisions
from tests.e2e.browser import CHROMIUM_ARGS, MISSING_CHROMIUM, ResourceCollector, require_chromium

ABSENT = Path("/nonexistent/chromium")


def test_without_chromium_browser_tests_are_skipped_with_the_fix():
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        require_chromium(ABSENT, environ={})


def test_without_chromium_ci_fails_instead_of_skipping():
    with pytest.raises(pytest.fail.Exception, match=MISSING_CHROMIUM):
        require_chromium(ABSENT, environ={"CI": "1"})


def test_with_chromium_nothing_happens(tmp_path):
    present = tmp_path / "chromium"
    present.touch()
    assert require_chromium(present, environ={"CI": "1"}) is None


def test_chromium_is_kept_off_the_network():
    assert "--disable-background-networking" in CHROMIUM_ARGS
    assert "--disable-component-update" in CHROMIUM_ARGS


def test_only_the_apps_origin_and_data_uris_are_local():
    collector = ResourceCollector(origin="http://localhost:40123")
    assert collector.is_local("http://localhost:40123/static/css/app.css")
    assert collector.is_local("data:image/svg+xml,%3Csvg%3E")
    assert not collector.is_local("http://localhost:40124/static/css/app.css")  # another port
    assert not collector.is_local("https://localhost:40123/")  # another scheme
    assert not collector.is_local("http://127.0.0.1:40123/")  # another host
    assert not collector.is_local("https://cdn.example.com/htmx.js")


@pytest.mark.django_db(transaction=True)
def test_reference_data_survives_the_flush_that_live_server_does_after_each_test():
    # Exactly the flush TransactionTestCase runs after each live_server test.
    call_command(
        "flush", verbosity=0, interactive=False, reset_sequences=False, allow_cascade=False, inhibit_post_migrate=False
    )
    assert Region.objects.count() == len(REGIONS)
    assert Division.objects.count() == len(read_divisions())
