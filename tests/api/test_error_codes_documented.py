"""Every machine code an error can carry is in the integrator's guide (docs/api.md §4):
``code`` is the contract, so a new one must be documented with its status.

The codes are read from the source: ``code="..."`` passed to a DomainError (or one of its
subclasses) where it is raised, and the ``code`` attribute of each subclass."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

from recycling_network.errors import DomainError

SKIP_DIRS = {".venv", "tests", "bench", "migrations", "node_modules", "staticfiles", ".data"}


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def _source_files() -> list[Path]:
    root = Path(settings.BASE_DIR)
    return [p for p in root.rglob("*.py") if not SKIP_DIRS & set(p.relative_to(root).parts)]


def error_codes() -> dict[str, set[int]]:
    """Each code, with the statuses it is raised with."""
    import recycling_network.urls  # noqa: F401 - imports every app's views, services and errors

    classes = {DomainError, *_subclasses(DomainError)}
    by_name = {cls.__name__: cls for cls in classes}
    codes: dict[str, set[int]] = {cls.code: {cls.status} for cls in classes}
    for path in _source_files():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name) or node.func.id not in by_name:
                continue
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                    codes.setdefault(keyword.value.value, set()).add(by_name[node.func.id].status)
    return codes


def documented_codes() -> dict[str, set[int]]:
    """Codes in the tables of docs/api.md, with the status of their row."""
    text = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()
    documented: dict[str, set[int]] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[1].isdigit():
            for code in re.findall(r"`([a-z_]+)`", cells[0]):
                documented.setdefault(code, set()).add(int(cells[1]))
    return documented


def test_the_source_raises_many_codes():
    codes = error_codes()
    # The reading works: codes of classes, of raise sites, of several apps.
    assert {"not_found", "battery_in_custody", "outlet_status_conflict", "report_not_ready"} <= set(codes)
    assert len(codes) > 80


def test_every_error_code_is_documented_with_its_status():
    documented = documented_codes()
    missing = sorted(code for code in error_codes() if code not in documented)
    assert missing == [], f"add these codes to docs/api.md §4: {missing}"
    wrong = {
        code: (sorted(statuses), sorted(documented[code]))
        for code, statuses in error_codes().items()
        if not statuses <= documented[code]
    }
    assert wrong == {}, "raised with (first) a status the guide does not give (second)"
