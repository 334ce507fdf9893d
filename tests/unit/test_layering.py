"""Layering, as import-linter contracts (``[tool.importlinter]`` in pyproject.toml): the core never
imports the panel or the reports, those two never import each other, and the panel writes through
the core's services, not with SQLAlchemy of its own. CI runs the same check next to ruff and mypy;
this test makes a plain ``bash scripts/test.sh`` run it too, and shows that the contracts bite."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("lint_imports", ROOT / "scripts" / "lint_imports.py")
assert spec is not None and spec.loader is not None
lint_imports = importlib.util.module_from_spec(spec)
sys.modules["lint_imports"] = lint_imports
spec.loader.exec_module(lint_imports)


def _check(tmp: Path) -> subprocess.CompletedProcess:
    return lint_imports.check(tmp, capture_output=True, text=True)


@pytest.fixture
def staged(tmp_path: Path) -> Path:
    empower_dir = lint_imports.stage(tmp_path)
    for folder in ("admin", "reports"):
        assert (empower_dir / folder / "__init__.py").is_file(), f"{folder}/ was not staged"
    return tmp_path


def test_the_repository_keeps_every_contract(staged: Path) -> None:
    result = _check(staged)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    # Every contract ran on the real tree (a missing package would be an error, not a pass).
    assert result.stdout.count(" KEPT") == 6


@pytest.mark.parametrize(("path", "line", "contract"), [
    # a lazy import inside a function counts as much as one at the top
    ("empower/queries.py", "def _late():\n    import empower.admin.app\n", "never imports the panel"),
    ("empower/services/grants.py", "from empower.reports import kpis\n", "never imports the reports"),
    ("empower/admin/export.py", "from empower.reports import figures\n", "never import each other"),
    ("empower/reports/kpis.py", "from ..admin import formatting\n", "never import each other"),
    ("empower/admin/export.py", "from sqlalchemy import insert\n", "writes through the core"),
    ("empower/db.py", "import tortoise\n", "web stack and Tortoise"),
])
def test_each_contract_catches_its_violation(staged: Path, path: str, line: str,
                                             contract: str) -> None:
    target = staged / path
    target.write_text(target.read_text(encoding="utf-8") + "\n" + line, encoding="utf-8")
    result = _check(staged)
    assert result.returncode != 0
    broken = [ln for ln in result.stdout.splitlines() if ln.endswith("BROKEN") or " BROKEN (" in ln]
    assert len(broken) >= 1 and any(contract in ln for ln in broken), result.stdout
