"""Check the layering contracts of ``[tool.importlinter]`` in pyproject.toml (``lint-imports``).

The panel (``admin/``) and the reports (``reports/``) live at the top of the repository but
install as ``empower.admin`` and ``empower.reports``. import-linter builds its graph by walking
the ``empower`` folder, where neither is, so this script lays the three folders out as they are
installed (a copy in a temporary directory) and runs ``lint-imports`` on that copy. Extra
arguments go to ``lint-imports``; the exit status is its own (0: every contract kept).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Installed package folder -> source folder, as pyproject.toml's package-dir says.
LAYOUT = {"empower": "empower", "empower/admin": "admin", "empower/reports": "reports"}


def stage(target: Path) -> Path:
    """Copy the sources into ``target`` laid out as installed; returns the ``empower`` folder."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for installed, source in LAYOUT.items():
        shutil.copytree(ROOT / source, target / installed, ignore=ignore, dirs_exist_ok=True)
    return target / "empower"


def check(staged: Path, argv: list[str] = (), **run: object) -> subprocess.CompletedProcess:
    """Run lint-imports on a tree made by :func:`stage` (``staged`` is the folder holding it)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(staged),
                                                                   os.environ.get("PYTHONPATH")])))
    # Run the console script's code with this interpreter (its shebang may name another one),
    # from the copy: the checkout's own empower/ would hide it as the working directory.
    code = ("import sys; from importlinter.cli import lint_imports_command; "
            "sys.exit(lint_imports_command())")
    cmd = [sys.executable, "-c", code, "--no-cache", str(ROOT / "pyproject.toml"),
           *argv]
    # This interpreter, a fixed program and the contracts file: no untrusted input.
    return subprocess.run(cmd, cwd=staged, env=env, check=False, **run)  # type: ignore[call-overload]  # noqa: S603


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="empower-layering-") as tmp:
        stage(Path(tmp))
        return check(Path(tmp), argv).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
