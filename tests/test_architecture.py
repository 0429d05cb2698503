"""The import contracts in ``.importlinter`` hold (STYLE.md 16), checked by import-linter.

Apps depend one way (config above workers -> templates_docx -> evidence -> legalcase),
no app has an import cycle between its modules, ``legalcase`` is layered inside and its
rules read no models. The second and third tests break a contract in a copy of the code
and check that the linter says so, so the first one cannot pass by checking nothing.
"""

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The ``lint-imports`` command, run by this interpreter (whatever the PATH holds).
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
PACKAGES = ["config", "workers", "templates_docx", "evidence", "legalcase"]


def contract_ids() -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    return [section.split(":", 2)[2] for section in config.sections() if section.startswith("importlinter:contract:")]


def lint_imports(cwd: Path) -> tuple[int, str, tuple[int, int]]:
    """Run ``lint-imports`` in ``cwd``: its exit code, its output and (kept, broken)."""
    run = subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, str(cwd / ".importlinter"), "--no-cache", "--no-logo"],
        cwd=cwd,
        # Wide enough that no contract's name is wrapped.
        env={**os.environ, "COLUMNS": "400"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = run.stdout + run.stderr
    counts = re.search(r"Contracts: (\d+) kept, (\d+) broken", output)
    assert counts, output
    return run.returncode, output, (int(counts[1]), int(counts[2]))


def copy_of_the_code(tmp_path: Path) -> Path:
    """The packages' Python files and the contracts, in a fresh directory."""
    keep_python = shutil.ignore_patterns("__pycache__", "static", "templates", "locale", "*.html", "*.docx", "*.?o")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=keep_python)
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_every_import_contract_is_kept():
    code, output, (kept, broken) = lint_imports(ROOT)
    assert (code, broken) == (0, 0), output
    assert kept == len(contract_ids()) >= 4, output


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # A cycle inside an app: models/matters <-> models/deadlines (as before issue 15).
        ("legalcase/models/matters.py", "from legalcase.models.deadlines import DeadlineStatus", "acyclic"),
        # The core importing an app above it.
        ("legalcase/access.py", "import evidence.models", "apps"),
        # A service importing a page.
        ("legalcase/services/matters.py", "import legalcase.views.matters", "core-layers"),
        # A rule reading the database.
        ("legalcase/periods.py", "import legalcase.models", "pure-rules"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, line, contract):
    copy = copy_of_the_code(tmp_path)
    path = copy / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")

    code, output, (kept, broken) = lint_imports(copy)

    assert code != 0 and broken >= 1, output
    config = configparser.ConfigParser()
    config.read(copy / ".importlinter", encoding="utf-8")
    name = config[f"importlinter:contract:{contract}"]["name"]
    assert re.search(rf"^{re.escape(name)} BROKEN", output, re.MULTILINE), output


def test_the_untouched_copy_keeps_every_contract(tmp_path):
    code, output, (kept, broken) = lint_imports(copy_of_the_code(tmp_path))
    assert (code, broken, kept) == (0, 0, len(contract_ids())), output
