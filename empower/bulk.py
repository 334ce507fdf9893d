"""Writing many rows of one table at once, at the speed of the driver (the bulk paths).

SQLAlchemy's executemany builds a parameter dictionary per row and runs every value through
its type's processor in generic code: on a 100,000-woman import that was a third of the time.
:func:`insert_rows` converts the values with the very same processors (so the stored values
are the ones ``insert(table)`` stores), remembering the conversion of repeated dates and
vocabulary values, and hands plain tuples to the driver: an executemany on SQLite, a
``COPY ... FROM STDIN`` on PostgreSQL (several times faster than any ``INSERT``).
Constraint violations become the same domain errors as anywhere else (:mod:`empower.db`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Date, DateTime, Enum, Table, func, insert, select, text

from empower.db import constraint_error

if TYPE_CHECKING:
    from empower.db import UnitOfWork

__all__ = ["IdBlock", "execute_rows", "insert_rows", "planned_each_time"]

# Types whose values repeat across rows (dates, vocabularies) and are hashable: each distinct
# value is converted once per call.
_MEMO_TYPES = (Date, DateTime, Enum, Boolean)


def _converter(column: Any, dialect: Any) -> Callable[[Any], Any] | None:
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None or not isinstance(column.type, _MEMO_TYPES):
        return process
    memo: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            out = memo[value] = process(value)
            return out

    return convert


def _defaults(table: Table, names: Sequence[str]) -> dict[str, Any]:
    """The Python-side defaults of the columns the rows leave out (``created_at``...), as
    ``insert()`` would fill them: computed once for the call (the same instant for every row
    of one statement)."""
    out: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in names or default is None:
            continue
        if getattr(default, "is_scalar", False):
            out[column.name] = default.arg  # type: ignore[attr-defined]
        elif getattr(default, "is_callable", False):
            out[column.name] = default.arg(None)  # type: ignore[attr-defined]
    return out


def insert_rows(uow: UnitOfWork, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert ``rows`` (dicts with the same keys, column names of ``table``) in the unit of
    work's transaction; returns how many.

    Stores what ``session.execute(insert(table), rows)`` stores (the Python-side defaults of
    the columns left out included), in a fraction of the time.
    Raises the domain error of a constraint the rows break (``Conflict`` for a unique one, see
    :func:`empower.db.constraint_error`); nothing of the call is kept then only if the caller
    runs it in a savepoint or rolls back (as with any statement).
    """
    if not rows:
        return 0
    names = list(rows[0])
    conn = uow.session.connection()
    dialect = conn.dialect
    if dialect.name not in ("sqlite", "postgresql") or dialect.driver != (
        "pysqlite" if dialect.name == "sqlite" else "psycopg"
    ):
        uow.session.execute(insert(table), list(rows))
        return len(rows)
    converters = [_converter(table.c[n], dialect) for n in names]
    plain = all(c is None for c in converters)
    # The defaults are the same for every row: converted once, appended to each.
    defaults = _defaults(table, names)
    tail = tuple(v if (f := _converter(table.c[n], dialect)) is None else f(v)
                 for n, v in defaults.items())
    names += list(defaults)

    def tuples() -> Any:
        given = names[:len(converters)]
        if plain:
            for row in rows:
                yield (*[row[n] for n in given], *tail)
            return
        pairs = list(zip(given, converters, strict=True))
        for row in rows:
            yield (*[row[n] if f is None else f(row[n]) for n, f in pairs], *tail)

    quote = dialect.identifier_preparer.quote
    column_list = ", ".join(quote(n) for n in names)
    target = dialect.identifier_preparer.format_table(table)
    if dialect.name == "sqlite":
        # exec_driver_sql: no compilation and no per-row processing, but SQLAlchemy's error
        # handling (constraint hits become domain errors) still applies.
        # The names come from the table's metadata, never from input.
        sql = f"INSERT INTO {target} ({column_list}) VALUES ({', '.join('?' * len(names))})"  # noqa: S608
        conn.exec_driver_sql(sql, list(tuples()))
        return len(rows)
    raw = conn.connection.driver_connection
    assert raw is not None
    try:
        with raw.cursor() as cursor, cursor.copy(f"COPY {target} ({column_list}) FROM STDIN") as copy:
            for values in tuples():
                copy.write_row(values)
    except Exception as exc:
        error = constraint_error(exc)
        if error is None:
            raise
        raise error from exc
    return len(rows)


def execute_rows(uow: UnitOfWork, statement: Any, params: Sequence[dict[str, Any]]) -> int:
    """Run ``statement`` (an UPDATE or DELETE with named ``bindparam``) once per parameter
    set, as ``session.execute(statement, params)`` does; returns the rows matched in all (how
    the money rules learn whether their conditional UPDATEs held).

    On SQLite the statement is compiled once and the values, converted by the parameters' own
    type processors, go to the driver's executemany as tuples; elsewhere SQLAlchemy's
    executemany runs it. Constraint violations become domain errors either way.
    """
    if not params:
        return 0
    conn = uow.session.connection()
    dialect = conn.dialect
    if dialect.name != "sqlite" or dialect.driver != "pysqlite":
        return int(conn.execute(statement, list(params)).rowcount)
    compiled = statement.compile(dialect=dialect)
    names = list(compiled.positiontup or ())
    processors = [compiled.binds[n].type.dialect_impl(dialect).bind_processor(dialect)
                  for n in names]
    # The statement's own literals (a status it compares with) are bound parameters too.
    fixed = compiled.params
    given = set(params[0])
    constants = {n: (fixed[n] if f is None else f(fixed[n]))
                 for n, f in zip(names, processors, strict=True) if n not in given}
    pairs = list(zip(names, processors, strict=True))
    values = [tuple([constants[n] if n in constants else p[n] if f is None else f(p[n])
                     for n, f in pairs]) for p in params]
    return int(conn.exec_driver_sql(compiled.string, values).rowcount)


@contextmanager
def planned_each_time(uow: UnitOfWork) -> Iterator[None]:
    """Within the block, PostgreSQL plans every statement for its own values (no prepared
    statement); elsewhere a no-op.

    psycopg prepares a statement on the server from its fifth run, and PostgreSQL then keeps
    one generic plan made from the statistics of that moment. A bulk registration runs the
    same ``cin IN (...)`` lookups again and again on a table it is itself filling in the same
    transaction: the plan made when the table looked empty (a sequential scan comparing every
    row with each of 900 values) stayed while the table grew, and took 1.8 s a lookup at
    100,000 rows, most of the time of an import. Planned each time, the lookup uses the index.
    """
    raw: Any = uow.session.connection().connection.driver_connection
    if uow.dialect != "postgresql" or not hasattr(raw, "prepare_threshold"):
        yield
        return
    before = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = before


class IdBlock:
    """Hands out the ids of new rows of one table before they are written, so that rows
    referring to them can be built first and every table sent with :func:`insert_rows`
    (no ``RETURNING``, which SQLite answers one row at a time when the order matters).

    On PostgreSQL the ids are drawn from the table's sequence, ``block`` at a time (an unused
    remainder is a gap, as after any rollback). On SQLite they follow the largest id: a writer
    holds the database's write lock from its first statement, and SQLite gives a new row the
    next one (no ``AUTOINCREMENT``), so they are the ids SQLite would have chosen. Nothing else
    may insert into the table while the block is in use.
    """

    def __init__(self, uow: UnitOfWork, table: Table, *, block: int = 20_000) -> None:
        self._uow = uow
        self._table = table
        self._block = block
        self._free: list[int] = []
        self._next: int | None = None
        if uow.dialect == "sqlite":
            self._next = (uow.session.scalar(select(func.max(table.c.id))) or 0) + 1

    def take(self) -> int:
        """The next id."""
        if self._next is not None:
            value = self._next
            self._next += 1
            return value
        if not self._free:
            self._free = sorted(self._uow.session.scalars(
                text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
                     "FROM generate_series(1, :n)"), {"t": self._table.name, "n": self._block}),
                reverse=True)
        return self._free.pop()
