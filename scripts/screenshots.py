"""``make screenshots``: PNGs of the outlet screens and a coverage report in
``docs/screenshots/`` (1280x800).

Runs ``tests/e2e/screenshots_test.py`` (not part of the test suite) with the same servers
``make test`` uses: DATABASE_URL and REDIS_URL when set, embedded ones in ``.data/``
otherwise (scripts/devenv.py). The test builds a small demo network in a fresh test
database through the services and drives Debian's Chromium over it, so the pictures
never depend on what a development database holds. Existing PNGs are overwritten.

    python scripts/screenshots.py [PYTEST_ARGS]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devenv import PYTHON, ROOT, log, manage, services


def main(args: list[str]) -> int:
    if shutil.which("fc-list") and not subprocess.run(["fc-list", ":lang=zh"], capture_output=True).stdout.strip():
        log("WARNING: no Chinese font installed; Chinese text shows as boxes: apt-get install -y fonts-noto-cjk")
    with services() as env:
        manage(env, "db_bootstrap")
        env.setdefault("SCREENSHOTS_DIR", str(ROOT / "docs" / "screenshots"))
        command = [PYTHON, "-m", "pytest", "tests/e2e/screenshots_test.py", "-q", *args]
        log(" ".join(command[2:]))
        code = subprocess.run(command, cwd=ROOT, env=env).returncode
        if code == 0:
            log(f"screenshots in {env['SCREENSHOTS_DIR']}")
        return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
