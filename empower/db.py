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
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from empower.errors import BudgetExceeded, Conflict, OverDisbursement, RuleViolation
from empower.rules import RulesConfig

__all__ = ["Database", "UnitOfWork", "connect", "constraint_error"]

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_setup(engine: Engine, busy_timeout: float = 30, read_only: bool = False) -> None:
    # pysqlite's own transaction handling issues a deferred BEGIN lazily; a deferred transaction
    # that reads and then writes fails with "database is locked" when another writer got in
    # between. Writers therefore start with BEGIN IMMEDIATE (they queue on busy_timeout instead),
    # read-only units of work with a plain BEGIN so reports do not block officers.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if read_only:
            # A replica is never written, not even its journal mode: SQLite refuses any write
            # on this connection ("attempt to write a readonly database").
            cur.execute("PRAGMA query_only=ON")
        else:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        readonly = read_only or conn.get_execution_options().get("empower_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


# What each constraint means to a user, for the rare write that passes the services' checks
# at the same moment as another one and is stopped by the database itself: the error's class,
# its message code, the field at fault and the English sentence.
_CONSTRAINT_MESSAGES: dict[str, tuple[type[RuleViolation] | type[Conflict], str, str | None, str]] = {
    "uq_beneficiaries_cin": (Conflict, "race.cin_taken", "cin", "this CIN is already registered"),
    "uq_enrollments_beneficiary_id_program_id": (
        Conflict, "race.enrolment_exists", "program_id",
        "she already has an enrolment in this program"),
    "uq_memberships_cooperative_id_beneficiary_id": (
        Conflict, "race.membership_exists", "cooperative_id",
        "she is already a member of this cooperative"),
    "uq_survey_records_beneficiary_id_program_id_round": (
        Conflict, "race.survey_round_exists", "round",
        "this survey round is already recorded for her in this program"),
    "uq_programs_code": (Conflict, "race.program_code_taken", "code",
                         "a program with this code already exists"),
    "uq_partners_name": (Conflict, "race.partner_name_taken", "name",
                         "a partner with this name already exists"),
    "uq_cooperatives_reference": (
        Conflict, "race.cooperative_reference_taken", "reference",
        "a cooperative with this reference already exists"),
    "uq_grants_reference": (Conflict, "race.grant_reference_taken", "reference",
                            "a grant with this reference already exists"),
    "uq_disbursements_reference": (Conflict, "race.tranche_reference_taken", "reference",
                                   "a tranche with this reference already exists"),
    "uq_users_username": (Conflict, "race.username_taken", "username", "this user name is taken"),
    "ck_grants_disbursed_within_approved": (
        OverDisbursement, "race.over_disbursement", "amount",
        "tranches would exceed the grant's approved amount"),
    "ck_grants_in_flight_within_approved": (
        OverDisbursement, "race.over_disbursement", "amount",
        "tranches and payments in flight would exceed the grant's approved amount"),
    "ck_programs_committed_within_budget": (
        BudgetExceeded, "race.over_budget", "amount_approved",
        "approvals would exceed the program's budget"),
    # Raised by the triggers of migration 0002, on every backend.
    "audit_events_append_only": (
        RuleViolation, "audit.append_only", None,
        "the audit log is append-only: its events cannot be changed or deleted"),
}


def _constraint_name(exc: BaseException) -> str | None:
    diag = getattr(exc, "diag", None)  # psycopg names the constraint
    if diag is not None and getattr(diag, "constraint_name", None):
        return str(diag.constraint_name)
    text = str(exc)
    if "audit_events_append_only" in text:  # SQLite's RAISE() carries only a message
        return "audit_events_append_only"
    # SQLite names the columns of a unique constraint ("UNIQUE constraint failed: t.a, t.b")
    # and the name of a CHECK ("CHECK constraint failed: ck_t_x"); rebuild the conventional name.
    if "UNIQUE constraint failed:" in text:
        cols = [c.strip() for c in text.split("failed:", 1)[1].split(",")]
        table = cols[0].split(".")[0]
        return "uq_" + table + "_" + "_".join(c.split(".")[-1] for c in cols)
    if "constraint failed:" in text:
        return text.split("constraint failed:", 1)[1].strip().split()[0]
    return None


def _integrity_as_domain_error(context: Any) -> BaseException | None:
    """Turn a constraint violation the services did not foresee into a domain error.

    The services check rules before writing, but two writers can pass the same check at once
    (two officers enrolling the same woman); the database's constraint then decides, and the
    user should read which rule was hit, not a driver message.
    """
    if isinstance(context.sqlalchemy_exception, OperationalError):
        return _lock_timeout_as_domain_error(context)
    if not isinstance(context.sqlalchemy_exception, IntegrityError):
        return None
    return _violation(context.original_exception)


def constraint_error(exc: BaseException) -> BaseException | None:
    """The domain error for a driver's constraint violation raised outside SQLAlchemy (the
    bulk writer's ``COPY``, :mod:`empower.bulk`), as :func:`_integrity_as_domain_error` gives
    it for a statement; ``None`` when ``exc`` is not a constraint violation."""
    # By name: psycopg's and sqlite3's IntegrityError share no class but the DB-API's name.
    if not any(c.__name__ == "IntegrityError" for c in type(exc).__mro__):
        return None
    return _violation(exc)


def _violation(original: BaseException) -> BaseException:
    name = _constraint_name(original) or "unknown"
    unique = name.startswith(("uq_", "pk_"))
    cls, code, field, message = _CONSTRAINT_MESSAGES.get(name, (
        Conflict if unique else RuleViolation, "race.unique" if unique else "race.constraint",
        None, f"refused by the database constraint {name}"))
    if code == "audit.append_only":
        return cls(message, code=code)
    # SQLAlchemy raises it "from" the driver's error, which stays visible as __cause__.
    return cls(f"{field + ': ' if field else ''}{message} (saved by someone else meanwhile?)",
               code=code, params={"constraint": name}, field=field)


def _lock_timeout_as_domain_error(context: Any) -> BaseException | None:
    """SQLite's "database is locked" after the busy timeout: another process holds the write lock.

    Writers queue on SQLite's busy timeout; one that waited its whole turn in vain is told that
    another write (an import, a demo) is running and to try again, not shown a driver error.
    """
    if context.engine is None or context.engine.dialect.name != "sqlite":
        return None
    if "database is locked" not in str(context.original_exception):
        return None
    return Conflict("database: another write is running (an import?); try again when it "
                    "has finished", code="database.busy")


class Database:
    """One database: its engine, session factory and rule configuration."""

    def __init__(self, engine: Engine, *, rules: RulesConfig | None = None) -> None:
        self.engine = engine
        # On the Database, not in connect(), so every engine it is given reads constraint hits
        # as domain errors and the services need no IntegrityError handling of their own.
        if not event.contains(engine, "handle_error", _integrity_as_domain_error):
            event.listen(engine, "handle_error", _integrity_as_domain_error)
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
        """Create or migrate the schema with Alembic and load reference data, in one transaction.

        Both commit together: an upgrade interrupted after the schema step (a crash, a killed
        process, a failing reference load) leaves the database as it was, never a schema at
        head without its provinces; running it again completes it. Idempotent.
        """
        from alembic import command

        from empower.reference import load_reference_data

        cfg = alembic_config(self)
        with self.engine.connect() as conn, conn.begin():
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            # The session joins the connection's transaction; conn.begin() commits it all.
            with Session(bind=conn) as session:
                load_reference_data(session)
                session.flush()

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
            echo: bool = False, busy_timeout: float = 30, read_only: bool = False) -> Database:
    """Open a database by SQLAlchemy URL (SQLite file or ``postgresql+psycopg://...``).

    ``busy_timeout`` (SQLite only) is how many seconds a writer waits for another process's
    write to end; after that its write raises :class:`~empower.errors.Conflict` saying so.
    ``read_only`` opens it for reading only (a read replica for reports): the database itself
    refuses any write made through it (SQLite ``query_only``, PostgreSQL
    ``default_transaction_read_only``).
    """
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy_timeout}
    else:
        kwargs["pool_pre_ping"] = True
        if read_only:
            kwargs["connect_args"] = {"options": "-c default_transaction_read_only=on"}
    engine = create_engine(parsed, **kwargs)
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine, busy_timeout, read_only)
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
