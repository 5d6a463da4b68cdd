"""Settings: production passes ``check --deploy``; missing secrets fail loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x8!Jm2@qZ7#pV4$wL9^tR6&yN3*bK5(hF1)dG0_sC-uE+oA=iW~" * 2,
    "RN_API_KEY_PEPPER": "pepper-for-the-deploy-check",
    "DJANGO_ALLOWED_HOSTS": "rn.example.org",
    "RN_TESTING": "0",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RN_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = _manage("check", "--deploy", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNINGS" not in output


def test_without_debug_a_missing_secret_key_is_an_error():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_without_debug_a_missing_pepper_is_an_error():
    env = {k: v for k, v in PRODUCTION.items() if k != "RN_API_KEY_PEPPER"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "RN_API_KEY_PEPPER must be set" in result.stderr
