"""Panel fixtures: a seeded database, accounts for each role, logged-in HTTP clients.

Two regions: 04 (province 04.441) where Amina (officer) and Vera (viewer) work, and 01 (province
01.511) where Omar (officer) works. Admin sees both.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from empower.admin import accounts, create_app
from empower.admin.sessions import MemoryStore
from fastapi.testclient import TestClient

import empower
from empower.schemas import CooperativeCreate
from tests.factories import make_enrolled, make_grant, make_program

PASSWORD = "correct horse battery staple"
IN_PROVINCE = "04.441"
OUT_PROVINCE = "01.511"


@dataclass
class Seed:
    program_id: int
    inside_id: int
    outside_id: int
    grant_in_id: int
    grant_out_id: int
    coop_in_id: int
    coop_out_id: int
    enrolment_in_id: int
    enrolment_out_id: int


class Clock:
    """A settable clock for session timeouts."""

    def __init__(self) -> None:
        import time

        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its production cost takes ~50 ms a hash; tests use the minimum cost."""
    from argon2 import PasswordHasher
    from empower.admin import security

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(security, "_hasher", cheap)
    monkeypatch.setattr(security, "_DUMMY_HASH", cheap.hash("empower-timing-equaliser"))


@pytest.fixture
def seed(db: empower.Database) -> Seed:
    with db.unit_of_work() as uow:
        program = make_program(uow, code=f"P{uuid.uuid4().hex[:6]}")
        inside = make_enrolled(uow, program, first_name="Fatima", last_name="Zahra",
                               first_name_ar="فاطمة", last_name_ar="الزهراء",
                               phone="0612345678", province_code=IN_PROVINCE)
        outside = make_enrolled(uow, program, first_name="Khadija", last_name="Tanger",
                                province_code=OUT_PROVINCE)
        g_in = make_grant(uow, program, beneficiary_id=inside.id)
        g_out = make_grant(uow, program, beneficiary_id=outside.id)
        coop_in = empower.found_cooperative(uow, CooperativeCreate(
            reference=f"C-{uuid.uuid4().hex[:6]}", name="Argan Tifawin", sector="argan",
            province_code=IN_PROVINCE, founded_on=date(2023, 1, 1)), actor="test:seed")
        coop_out = empower.found_cooperative(uow, CooperativeCreate(
            reference=f"C-{uuid.uuid4().hex[:6]}", name="Nord Textile", sector="textiles",
            province_code=OUT_PROVINCE, founded_on=date(2023, 1, 1)), actor="test:seed")
        uow.flush()
        from sqlalchemy import select

        from empower.models import Enrollment

        enroll_in = uow.session.scalar(select(Enrollment.id).where(
            Enrollment.beneficiary_id == inside.id))
        enroll_out = uow.session.scalar(select(Enrollment.id).where(
            Enrollment.beneficiary_id == outside.id))
        seed = Seed(program.id, inside.id, outside.id, g_in.id, g_out.id, coop_in.id,
                    coop_out.id, enroll_in, enroll_out)
        uow.commit()
    accounts.create_user(db, "admin", PASSWORD, role="admin", actor="test:seed")
    accounts.create_user(db, "amina", PASSWORD, role="officer", regions=["04"], actor="test:seed")
    accounts.create_user(db, "vera", PASSWORD, role="viewer", regions=["04"], actor="test:seed")
    accounts.create_user(db, "omar", PASSWORD, role="officer", regions=["01"], actor="test:seed")
    accounts.create_user(db, "nadia", PASSWORD, role="officer", regions=["04"], language="ar",
                         actor="test:seed")
    return seed


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> Iterator[Any]:
    """The embedded store, or Redis under a random prefix when EMPOWER_TEST_REDIS_URL is set."""
    yield MemoryStore()


@pytest.fixture
def app(db_url: str, seed: Seed, clock: Clock, store: Any) -> Iterator[Any]:
    """The panel on the test database; sessions in Redis (random prefix) when configured."""
    redis_url = os.environ.get("EMPOWER_TEST_REDIS_URL")
    prefix = f"empower-test-{uuid.uuid4().hex[:8]}:"
    if redis_url:
        import redis.asyncio

        store = redis.asyncio.from_url(redis_url, decode_responses=True)
    yield create_app(database_url=db_url, store=store, clock=clock, idle_seconds=1800,
                     absolute_seconds=8 * 3600, redis_prefix=prefix)
    if redis_url:
        import redis

        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


class UserClient:
    """One user's browser on the shared test client: her own cookie jar."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.jar: dict[str, str] = {}

    def request(self, method: str, url: str, **kw: Any) -> Any:
        self.client.cookies.clear()
        for k, v in self.jar.items():
            self.client.cookies.set(k, v)
        kw.setdefault("follow_redirects", False)
        response = self.client.request(method, url, **kw)
        self.jar = {c.name: c.value for c in self.client.cookies.jar}
        for k in list(self.jar):
            if k in response.headers.get("set-cookie", "") and f'{k}=""' in response.headers.get(
                    "set-cookie", ""):
                self.jar.pop(k)
        return response

    def get(self, url: str, **kw: Any) -> Any:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.request("POST", url, **kw)

    def csrf(self, path: str = "/") -> str:
        return csrf_of(self.get(path).text)

    def submit(self, url: str, data: dict[str, Any], page: str = "/") -> Any:
        """POST a form with the CSRF token of her session."""
        return self.post(url, data={**data, "csrf_token": self.csrf(page)})


@pytest.fixture
def as_user(client: TestClient) -> Callable[..., UserClient]:
    """``as_user("amina")`` -> her browser, logged in."""

    def make(username: str, password: str = PASSWORD) -> UserClient:
        user = UserClient(client)
        page = user.get("/login")
        r = user.post("/login", data={"username": username, "password": password,
                                      "csrf_token": csrf_of(page.text)})
        assert r.status_code == 303, r.text[:500]
        return user

    return make


def page_csrf(client: TestClient, path: str = "/") -> str:
    return csrf_of(client.get(path).text)
