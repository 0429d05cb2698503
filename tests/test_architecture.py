"""Ratchet: apps depend one way, workers -> templates_docx -> evidence -> legalcase (STYLE.md 16)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["legalcase", "evidence", "templates_docx", "workers"]
# What each app may import among the project's apps.
ALLOWED = {
    "legalcase": set(),
    "evidence": {"legalcase"},
    "templates_docx": {"legalcase", "evidence"},
    "workers": {"legalcase", "evidence", "templates_docx"},
}


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in APPS)
    return found


@pytest.mark.parametrize("app", APPS)
def test_an_app_imports_only_the_apps_below_it(app):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) - ALLOWED[app] - {app})
        for path in (ROOT / app).rglob("*.py")
    }
    assert {path: apps for path, apps in offenders.items() if apps} == {}


def test_nothing_outside_workers_imports_workers():
    for path in [*ROOT.joinpath("config").rglob("*.py"), *(p for app in APPS[:3] for p in (ROOT / app).rglob("*.py"))]:
        assert "workers" not in imported_apps(path), path
