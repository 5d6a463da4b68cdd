"""The translation catalogue is complete and current (DESIGN §12): running makemessages
changes nothing, no msgstr is empty, and the committed .mo matches the .po."""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PO = REPO / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
MAKEMESSAGES = [
    sys.executable,
    "manage.py",
    "makemessages",
    "-l",
    "zh_Hans",
    "--no-location",
    "--no-obsolete",
    "--ignore=.venv",
    "--ignore=tests",
    "--ignore=bench",
    "--ignore=staticfiles",
    "--ignore=node_modules",
]


def _without_dates(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith('"POT-Creation-Date')]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed here")
def test_makemessages_changes_nothing():
    committed = PO.read_text(encoding="utf-8")
    try:
        subprocess.run(MAKEMESSAGES, cwd=REPO, check=True, capture_output=True, timeout=300)
        regenerated = PO.read_text(encoding="utf-8")
    finally:
        PO.write_text(committed, encoding="utf-8")
    assert _without_dates(regenerated) == _without_dates(committed), "run `make messages` and commit the result"


def _entries(text: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of a .po file, enough for this check (no plural forms needed)."""
    entries, current, field = [], {"msgid": "", "msgstr": ""}, None
    for line in [*text.splitlines(), ""]:
        if line.startswith("msgid "):
            if field is not None:
                entries.append((current["msgid"], current["msgstr"]))
            current, field = {"msgid": "", "msgstr": ""}, "msgid"
            current["msgid"] = _unquote(line[6:])
        elif line.startswith("msgstr "):
            field = "msgstr"
            current["msgstr"] = _unquote(line[7:])
        elif line.startswith('"') and field:
            current[field] += _unquote(line)
    if field is not None:
        entries.append((current["msgid"], current["msgstr"]))
    return entries


def _unquote(token: str) -> str:
    return token.strip()[1:-1].encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def test_every_message_is_translated_and_compiled():
    entries = [(msgid, msgstr) for msgid, msgstr in _entries(PO.read_text(encoding="utf-8")) if msgid]
    assert len(entries) > 100
    assert [msgid for msgid, msgstr in entries if not msgstr] == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")
    compiled = gettext.GNUTranslations(MO.open("rb"))
    stale = [msgid for msgid, msgstr in entries if compiled.gettext(msgid) != msgstr]
    assert stale == [], "run `make messages` to recompile the .mo"
