"""The panel ships whole: a wheel built from the repository, installed in a fresh virtual
environment with no checkout beside it, serves a styled panel (Tabler came from npm when the
wheel was built).

Slow (a build and an install, about a minute on a warm pip cache): CI runs it with the suite.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 (loopback only)
            return resp.status, resp.headers.get("content-type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("content-type", ""), exc.read()


def _clean_env(**extra: str) -> dict[str, str]:
    # Nothing may lead the installed package back to the checkout: no EMPOWER_* settings (an
    # assets folder, a database), no PYTHONPATH, no virtual environment of the test run.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EMPOWER_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("npm") is None:
        pytest.fail("building the wheel needs npm (the README's setup installs Node.js and npm)")
    out = tmp_path_factory.mktemp("dist")
    # The usual release build: an sdist, then the wheel built from that sdist alone (so the sdist
    # must carry package.json, the lock file and setup.py).
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True, env=_clean_env(), timeout=600)
    wheels = list(out.glob("empower-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # pip's cache (and the machine's configured indexes) serve the dependencies this test run's
    # own environment was installed from.
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    f"{wheel}[admin]"], check=True, env=_clean_env(), timeout=900)
    return venv


def test_the_wheel_carries_the_pinned_assets(wheel: Path) -> None:
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    for rel in ("css/tabler.min.css", "css/tabler.rtl.min.css", "js/tabler.min.js"):
        assert f"empower/admin/assets/tabler/{rel}" in names
    assert "empower/admin/templates/login.html" in names
    assert "empower/admin/static/panel.css" in names


def test_an_installed_wheel_serves_a_styled_panel(installed: Path, tmp_path: Path) -> None:
    run = tmp_path / "elsewhere"  # no checkout, no node_modules here
    run.mkdir()
    python = installed / "bin" / "python"
    env = _clean_env(EMPOWER_DATABASE_URL=f"sqlite:///{run / 'panel.db'}")
    where = subprocess.run([str(python), "-c", "import empower.admin; print(empower.admin.__file__)"],
                           cwd=run, env=env, check=True, capture_output=True, text=True).stdout
    assert Path(where.strip()).is_relative_to(installed), where
    subprocess.run([str(installed / "bin" / "empower"), "db", "upgrade"], cwd=run, env=env,
                   check=True, capture_output=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen([str(installed / "bin" / "empower"), "admin", "serve", "--port",
                               str(port)], cwd=run, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, page = _get(f"{base}/login")
                break
            except (ConnectionError, urllib.error.URLError):
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read().decode() if server.stdout else ""
                    pytest.fail(f"the panel did not start: {output[-2000:]}")
                time.sleep(0.3)
        assert status == 200
        html = page.decode("utf-8")
        sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
        tabler = [href for href in sheets if "tabler" in href]
        assert tabler, f"the login page links no Tabler stylesheet: {sheets}"
        for href in sheets:
            status, ctype, body = _get(base + href)
            assert status == 200, href
            assert ctype.startswith("text/css"), (href, ctype)
        status, _, css = _get(base + tabler[0])
        # Tabler's stylesheet, not an empty file or an error page: large, with its banner and rules.
        assert len(css) > 100_000
        assert b"Tabler v" in css[:400] and b"{" in css
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_every_python_package_is_listed_for_the_wheel() -> None:
    """A package missing from pyproject's list is missing from the installed wheel (the
    importer was, until the panel imported it at start-up)."""
    import tomllib

    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    listed = set(config["setuptools"]["packages"])
    dirs = config["setuptools"]["package-dir"]
    found = set()
    for name, folder in dirs.items():
        for init in (root / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(root / folder).parts
            found.add(".".join((name, *rel)))
    assert found - listed == set()
