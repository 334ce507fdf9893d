"""Build hook: put the panel's pinned front-end assets into the wheel.

Everything else is declared in pyproject.toml. The panel's CSS and JavaScript (Tabler) come from
the npm registry, pinned by package-lock.json, and are never committed. When a wheel is built
(``python -m build``), ``npm ci`` installs them into a temporary folder and the files the panel
serves are copied into the package as ``empower/admin/assets/tabler/``, so an installed wheel
serves a styled panel with no checkout and no node_modules beside it. An editable install
(``pip install -e .``) skips this: the panel then finds the checkout's ``node_modules``, which
``scripts/_setup.sh`` fills.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# What the panel's templates link (admin/templates/base.html), relative to @tabler/core/dist.
TABLER_FILES = ("css/tabler.min.css", "css/tabler.rtl.min.css", "js/tabler.min.js")


def fetch_tabler(target: Path) -> None:
    """``npm ci`` the locked packages in a scratch folder and copy the served files to ``target``.

    Raises ``RuntimeError`` when npm is missing or fails, or a file is not in the package: a
    wheel without its styles would install and serve an unstyled panel, so it is not built.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("building the wheel needs npm (Node.js) for the panel's pinned assets")
    with tempfile.TemporaryDirectory(prefix="empower-assets-") as tmp:
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(HERE / name, Path(tmp) / name)
        subprocess.run([npm, "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund",  # noqa: S603
                        "--loglevel=error"], cwd=tmp, check=True)
        dist = Path(tmp) / "node_modules" / "@tabler" / "core" / "dist"
        for rel in TABLER_FILES:
            source = dist / rel
            if not source.is_file():
                raise RuntimeError(f"@tabler/core has no dist/{rel}: check package-lock.json")
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)


class BuildPyWithAssets(build_py):
    """``build_py`` that also puts Tabler's files into ``empower/admin/assets/tabler``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        fetch_tabler(Path(self.build_lib) / "empower" / "admin" / "assets" / "tabler")


setup(cmdclass={"build_py": BuildPyWithAssets})
