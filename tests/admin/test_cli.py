"""``empower admin create-user`` and ``serve``'s wiring."""

from __future__ import annotations

from empower.admin.cli import app
from typer.testing import CliRunner

from empower.models import User, UserRegion


def test_create_user_reads_password_from_stdin(db, db_url, monkeypatch):
    monkeypatch.setenv("EMPOWER_DATABASE_URL", db_url)
    result = CliRunner().invoke(app, ["create-user", "salma", "--role", "officer",
                                      "--region", "04", "--region", "1"],
                                input="une phrase de passe assez longue\n")
    assert result.exit_code == 0, result.output
    with db.unit_of_work() as uow:
        user = uow.session.query(User).filter_by(username="salma").one()
        assert user.role == "officer"
        assert user.password_hash.startswith("$argon2id$")
        assert sorted(r.region_code for r in uow.session.query(UserRegion)
                      .filter_by(user_id=user.id)) == ["01", "04"]


def test_create_user_refuses_weak_or_empty_passwords(db, db_url, monkeypatch):
    monkeypatch.setenv("EMPOWER_DATABASE_URL", db_url)
    runner = CliRunner()
    for weak in ["", "short", "password1234", "aaaaaaaaaaaaaaaa"]:
        result = runner.invoke(app, ["create-user", "xavier", "--role", "admin"], input=weak + "\n")
        assert result.exit_code == 1, (weak, result.output)
    result = runner.invoke(app, ["create-user", "xavier", "--role", "officer"],
                           input="une phrase de passe assez longue\n")
    assert result.exit_code == 1 and "region" in result.output
    result = runner.invoke(app, ["create-user", "xavier", "--role", "boss"],
                           input="une phrase de passe assez longue\n")
    assert result.exit_code == 1 and "role" in result.output


def test_long_passphrase_accepted(db, db_url, monkeypatch):
    monkeypatch.setenv("EMPOWER_DATABASE_URL", db_url)
    phrase = "le chameau traverse le désert au lever du soleil " * 4
    result = CliRunner().invoke(app, ["create-user", "long", "--role", "admin"],
                                input=phrase + "\n")
    assert result.exit_code == 0, result.output


def test_core_cli_mounts_admin_commands(capsys):
    from empower.cli import main

    assert main(["admin", "--help"]) == 0
    out = capsys.readouterr().out
    assert "serve" in out and "create-user" in out


def test_serve_starts_the_panel_on_the_embedded_default(tmp_path, sqlite_template):
    """``empower admin serve`` on an SQLite file, no other service: the login page answers."""
    import os
    import shutil
    import socket
    import subprocess
    import sys
    import time

    import httpx

    path = tmp_path / "empower.db"
    shutil.copy(sqlite_template, path)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMPOWER_")}
    env["EMPOWER_DATABASE_URL"] = f"sqlite:///{path}"
    proc = subprocess.Popen([sys.executable, "-c", "from empower.cli import main; main()",
                             "admin", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.time() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.time() < deadline, "the panel did not start"
                time.sleep(0.2)
        assert r.status_code == 200 and "empower" in r.text
        assert httpx.get(f"http://127.0.0.1:{port}/beneficiaries").status_code == 303
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_bad_setting_is_named_not_a_traceback(monkeypatch):
    monkeypatch.setenv("EMPOWER_SESSION_IDLE_MINUTES", "0")
    result = CliRunner().invoke(app, ["create-user", "xavier", "--role", "admin"],
                                input="une phrase de passe assez longue\n")
    assert result.exit_code == 2
    assert "EMPOWER_SESSION_IDLE_MINUTES: Input should be greater than 0 (value '0')" in \
        result.output
    assert "Traceback" not in result.output
