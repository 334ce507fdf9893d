"""The panel's EMPOWER_* settings take effect: assets folder, session timeouts, lockout limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from empower.admin import create_app
from empower.admin.sessions import MemoryStore
from fastapi.testclient import TestClient
from sqlalchemy import select

from empower.config import Settings
from empower.models import User, utcnow
from tests.admin.conftest import PASSWORD, UserClient, csrf_of


@pytest.fixture
def panel_with(db_url, seed, clock):
    """``panel_with(**settings)`` -> a client of a panel built from those settings."""
    clients = []

    def make(**fields):
        app = create_app(Settings(database_url=db_url, **fields), store=MemoryStore(),
                         clock=clock)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _login(client, username, password):
    user = UserClient(client)
    page = user.get("/login")
    response = user.post("/login", data={"username": username, "password": password,
                                         "csrf_token": csrf_of(page.text)})
    return user, response


def test_lockout_after_the_configured_failures_for_the_configured_time(panel_with, db):
    client = panel_with(lockout_failures=2, lockout_minutes=60)
    assert _login(client, "amina", "wrong password here")[1].status_code == 401
    assert _login(client, "amina", "wrong password here")[1].status_code == 423
    assert _login(client, "amina", PASSWORD)[1].status_code == 423
    with db.unit_of_work() as uow:
        locked_until = uow.session.scalar(select(User.locked_until).where(
            User.username == "amina"))
    assert timedelta(minutes=59) < locked_until - utcnow() <= timedelta(minutes=60)


def test_address_throttle_uses_the_configured_limit_and_window(panel_with):
    client = panel_with(login_ip_failures=3, login_ip_window_minutes=7)
    for i in range(3):
        assert _login(client, f"ghost{i}", "whatever it is 123")[1].status_code == 401
    _user, refused = _login(client, "admin", PASSWORD)
    assert refused.status_code == 429
    assert "réessayez dans 7 minutes" in refused.text


def test_sessions_end_after_the_configured_idle_and_absolute_times(panel_with, clock):
    client = panel_with(session_idle_minutes=5, session_max_hours=1)
    amina, response = _login(client, "amina", PASSWORD)
    assert response.status_code == 303
    clock.now += 4 * 60
    assert amina.get("/").status_code == 200
    clock.now += 6 * 60
    assert amina.get("/").status_code == 303

    vera, _ = _login(client, "vera", PASSWORD)
    for _ in range(14):  # active every 4 minutes for 56 minutes
        clock.now += 4 * 60
        assert vera.get("/").status_code == 200
    clock.now += 4 * 60  # 60 minutes after login
    assert vera.get("/").status_code == 200
    clock.now += 4 * 60
    assert vera.get("/").status_code == 303


def test_assets_are_served_from_the_configured_folder(panel_with, tmp_path):
    dist = tmp_path / "@tabler" / "core" / "dist" / "css"
    dist.mkdir(parents=True)
    (dist / "tabler.min.css").write_text("/* pinned copy */ body{}")
    client = panel_with(assets_dir=tmp_path)
    response = client.get("/assets/tabler/css/tabler.min.css")
    assert response.status_code == 200
    assert response.text == "/* pinned copy */ body{}"
