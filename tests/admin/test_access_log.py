"""The panel's access log after a search by CIN and by phone: paths, never the query."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

CIN, PHONE = "QZ765432", "+212661234567"
PASSWORD = "une phrase de passe assez longue"


def _free_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_searches_leave_no_cin_or_phone_in_the_server_log(tmp_path: Path,
                                                          sqlite_template: Path,
                                                          monkeypatch) -> None:
    from empower.admin.cli import app

    path = tmp_path / "empower.db"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("EMPOWER_DATABASE_URL", f"sqlite:///{path}")
    created = CliRunner().invoke(app, ["create-user", "amina", "--role", "admin"],
                                 input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMPOWER_")}
    env["EMPOWER_DATABASE_URL"] = f"sqlite:///{path}"
    # The real command, so the real logging configuration.
    proc = subprocess.Popen([sys.executable, "-c", "from empower.cli import main; main()",
                             "admin", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path,
                            text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        with httpx.Client(base_url=base, timeout=5) as browser:
            while True:
                try:
                    page = browser.get("/login")
                    break
                except httpx.TransportError:
                    assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                    assert time.time() < deadline, "the panel did not start"
                    time.sleep(0.2)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            r = browser.post("/login", data={"username": "amina", "password": PASSWORD,
                                             "csrf_token": token.group(1)})
            assert r.status_code == 303, r.text[:300]
            for query in (CIN, PHONE, "0661234567"):
                r = browser.get("/beneficiaries", params={"q": query})
                assert r.status_code == 200, r.text[:300]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    access = [line for line in out.splitlines() if "GET /beneficiaries" in line]
    assert len(access) == 3, out
    for secret in (CIN, PHONE, "212661234567", "0661234567", "%2B212"):
        assert secret not in out, secret
