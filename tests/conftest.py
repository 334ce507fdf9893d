"""Shared fixtures: a migrated database per test, on SQLite or on PostgreSQL.

By default every test gets its own SQLite file (copied from one migrated template). With
``EMPOWER_TEST_DATABASE_URL`` set (as CI does), the session creates its own PostgreSQL database
on that server, migrates it once, empties the data tables after each test, and drops the
database at the end, so nothing depends on what an earlier run left behind.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import empower
from empower import errors as _errors
from empower import messages as _messages
from empower.models import Base

PG_URL = os.environ.get("EMPOWER_TEST_DATABASE_URL")

# -- the registry of message codes -------------------------------------------------------------
# Every EmpowerError created while the suite runs is checked: its code has a catalog entry (or is
# a bare kind, which the importer's raise sites keep until they are coded) and its params hold
# every placeholder of the entry's templates. The scan in tests/unit/test_messages.py sees the
# codes written in the source; this sees the ones actually raised, with their actual params.
_KINDS = {cls.kind for cls in vars(_errors).values()
          if isinstance(cls, type) and issubclass(cls, _errors.EmpowerError)}
_CODE_PROBLEMS: dict[str, str] = {}
_original_error_init = _errors.EmpowerError.__init__


def _recording_error_init(self: _errors.EmpowerError, *args: object, **kwargs: object) -> None:
    _original_error_init(self, *args, **kwargs)  # type: ignore[arg-type]
    entry = _messages.CATALOG.get(self.code)
    if entry is None:
        if self.code not in _KINDS:
            _CODE_PROBLEMS.setdefault(self.code, f"no catalog entry ({self.message})")
        return
    wanted = set().union(*(_messages.placeholders(t) for t in entry.values()))
    missing = wanted - set(self.params)
    if missing:
        _CODE_PROBLEMS.setdefault(self.code, f"raised without {sorted(missing)} ({self.message})")


_errors.EmpowerError.__init__ = _recording_error_init  # type: ignore[method-assign]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _CODE_PROBLEMS:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = [f"  {code}: {why}" for code, why in sorted(_CODE_PROBLEMS.items())]
        text = "errors raised with an unknown code or missing params:\n" + "\n".join(lines)
        if reporter is not None:
            reporter.write_line(text, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
REFERENCE_TABLES = {"regions", "provinces"}


def _pg_admin_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this test session, or None without a server URL."""
    if not PG_URL:
        yield None
        return
    admin_url = _pg_admin_url(PG_URL)
    name = f"empower_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        db = empower.connect(url)
        db.upgrade()
        db.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = empower.connect(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    # Fold the WAL into the main file so that copying the one file copies everything.
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    return path


def _truncate(db: empower.Database) -> None:
    tables = [t.name for t in Base.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    tables.append("alembic_version")
    with db.engine.begin() as conn:
        data = ", ".join(f'"{t}"' for t in tables if t != "alembic_version")
        # Test-only: the audit log refuses TRUNCATE like any rewrite (migration 0002). The test
        # database's owner lifts that one trigger inside this transaction, so it is back on
        # before anyone else can write; UPDATE and DELETE stay refused throughout.
        conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_truncate"))
        conn.execute(text(f"TRUNCATE {data} RESTART IDENTITY CASCADE"))
        conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_truncate"))


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """An empty database, no schema at all, on the backend under test."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    admin_url = _pg_admin_url(PG_URL)
    name = f"empower_scratch_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """URL of an empty, migrated database for one test (SQLite, or PostgreSQL in CI)."""
    pg = request.getfixturevalue("pg_database")
    if pg:
        return pg
    path = tmp_path / "empower.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(db_url: str) -> Iterator[empower.Database]:
    """A connected :class:`empower.Database`, emptied after the test."""
    database = empower.connect(db_url)
    try:
        yield database
    finally:
        if database.engine.dialect.name == "postgresql":
            _truncate(database)
        database.dispose()


@pytest.fixture
def uow(db: empower.Database) -> Iterator[empower.UnitOfWork]:
    """An open unit of work on the test database (commit it to keep writes)."""
    with db.unit_of_work() as unit:
        yield unit
