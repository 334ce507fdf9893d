"""Engines, the unit of work, and schema migration.

A :class:`Database` wraps one engine; :meth:`Database.unit_of_work` opens a session in a
transaction that is rolled back unless the caller commits::

    db = empower.connect("sqlite:///empower.db")
    with db.unit_of_work() as uow:
        empower.register_beneficiary(uow, data, actor="script:amina")
        uow.commit()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from empower.rules import RulesConfig

__all__ = ["Database", "UnitOfWork", "connect"]

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_setup(engine: Engine) -> None:
    # pysqlite's own transaction handling issues a deferred BEGIN lazily; a deferred transaction
    # that reads and then writes fails with "database is locked" when another writer got in
    # between. Writers therefore start with BEGIN IMMEDIATE (they queue on busy_timeout instead),
    # read-only units of work with a plain BEGIN so reports do not block officers.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get("empower_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


class Database:
    """One database: its engine, session factory and rule configuration."""

    def __init__(self, engine: Engine, *, rules: RulesConfig | None = None) -> None:
        self.engine = engine
        self.rules = rules or RulesConfig()
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def unit_of_work(self, *, readonly: bool = False) -> UnitOfWork:
        """A new unit of work; use it as a context manager and call ``commit()`` to keep writes."""
        return UnitOfWork(self, readonly=readonly)

    def upgrade(self, revision: str = "head") -> None:
        """Create or migrate the schema with Alembic, then load reference data (idempotent)."""
        from alembic import command

        command.upgrade(alembic_config(self), revision)
        from empower.reference import load_reference_data

        with self.unit_of_work() as uow:
            load_reference_data(uow.session)
            uow.commit()

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(db: Database) -> Any:
    """An Alembic config pointing at the packaged migrations and at this database's engine."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = db.engine
    return cfg


def connect(url: str = "sqlite:///empower.db", *, rules: RulesConfig | None = None,
            echo: bool = False) -> Database:
    """Open a database by SQLAlchemy URL (SQLite file or ``postgresql+psycopg://...``)."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(parsed, **kwargs)
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine)
    return Database(engine, rules=rules)


class UnitOfWork:
    """A session in one transaction; rolled back on exit unless :meth:`commit` was called."""

    def __init__(self, db: Database, *, readonly: bool = False) -> None:
        self.db = db
        self.rules = db.rules
        self.readonly = readonly
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside a 'with' block")
        return self._session

    @property
    def dialect(self) -> str:
        return self.db.engine.dialect.name

    def __enter__(self) -> UnitOfWork:
        self._session = self.db._sessions()
        if self.readonly:
            self._session.connection(execution_options={"empower_readonly": True})
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._session is not None
        try:
            # A read-only unit wrote nothing, so what it loaded stays readable after the block
            # (close() ends the transaction without expiring); a writing unit rolls back, which
            # expires its objects so nobody reads values that were never committed.
            if not self.readonly:
                self._session.rollback()
        finally:
            self._session.close()
            self._session = None

    def commit(self) -> None:
        """Make the unit's writes permanent."""
        if self.readonly:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.session.commit()

    def rollback(self) -> None:
        """Undo everything written since the last commit."""
        self.session.rollback()

    def flush(self) -> None:
        self.session.flush()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Run a block in a nested transaction so a failure undoes only that block."""
        with self.session.begin_nested():
            yield
