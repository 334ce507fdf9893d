"""Benchmark: bulk registration through the library against a plain SQLAlchemy Core insert.

    python bench/bench_core.py [--rows 10000,100000] [--pg postgresql+psycopg://postgres@127.0.0.1/test]

For each backend, in the same run and on fresh databases:
- baseline: the same rows, already clean, inserted with ``insert(beneficiaries)`` executemany
  into an empty table (no validation, no audit, no duplicate search);
- library: raw field values (as a form or a file gives them: lower-case CINs, spaced phone
  numbers, French labels) through ``BeneficiaryCreate`` and ``register_beneficiaries`` in
  batches of 5,000, with every rule, normalisation, CIN uniqueness, duplicate detection and one
  audit event per woman, then commit.
- floor: the rows the library stored, read back untimed, sent by one plain DB-API
  ``executemany`` (sqlite3 / psycopg) into the same table of a fresh database, with all its
  indexes and triggers (the fastest honest way to store the same rows without the library).
Prints, at 10,000 and 100,000 rows (``--rows``), the library's time, both floors and the
ratios (goal: within 3x of the executemany).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

import empower
from empower import register_beneficiaries
from empower.demo import FIRST_NAMES, LAST_NAMES
from empower.models import Beneficiary
from empower.reference import provinces
from empower.rules import normalize_cin, normalize_phone
from empower.schemas import BeneficiaryCreate

BATCH = 5000


def mobile_digits(rng: random.Random) -> str:
    """Ten digits of a Moroccan mobile number that the core accepts (shared with bench_import)."""
    while True:
        digits = f"06{rng.randint(10, 99)}{rng.randint(0, 999_999):06d}"
        try:
            normalize_phone(digits)
        except empower.InvalidInput:
            continue
        return digits


def _phone(rng: random.Random) -> str:
    digits = mobile_digits(rng)
    return " ".join(digits[i:i + 2] for i in range(0, 10, 2))


def _names(rng: random.Random) -> dict[str, str]:
    # The demo's lists: 40 first names and 45 family names, each in both scripts.
    (first, first_ar), (last, last_ar) = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {"first_name": first, "last_name": last, "first_name_ar": first_ar,
            "last_name_ar": last_ar}


def raw_rows(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """Registration fields as officers type them."""
    rng = random.Random(seed)
    codes = [p["code"] for p in provinces()]
    rows = []
    for i in range(n):
        registered = date(2025, 1, 1) + timedelta(days=rng.randint(0, 600))
        rows.append({
            "cin": f"ab{100000 + i}" if i % 2 else f" JB{200000 + i} ",
            **_names(rng),
            "birth_date": registered - timedelta(days=rng.randint(19 * 365, 60 * 365)),
            "phone": _phone(rng) if rng.random() < 0.8 else None,
            "province_code": rng.choice(codes), "milieu": rng.choice(["rural", "urbain"]),
            "education_level": rng.choice(["primaire", "none", "lycee"]),
            "household_size": rng.randint(1, 9), "consent_date": registered,
            "registered_on": registered,
        })
    return rows


def clean_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same rows as the table stores them (done outside the timed baseline)."""
    from empower.rules import name_key
    from empower.vocab import EducationLevel, Milieu, parse_choice

    out = []
    now = empower.models.utcnow()
    for r in rows:
        out.append({**r, "cin": normalize_cin(r["cin"]), "phone": normalize_phone(r["phone"]),
                    "milieu": parse_choice(Milieu, r["milieu"], field="milieu"),
                    "education_level": parse_choice(EducationLevel, r["education_level"],
                                                    field="education_level"),
                    "match_key": name_key(r["first_name"], r["last_name"]),
                    "created_at": now, "updated_at": now})
    return out


# The executemany floor, run in a child process (bench_import) or in-process (here): the rows
# the library stored, read back untimed with the driver itself (so each value is already what
# the table holds: clean, normalised, converted), then one plain DB-API ``executemany`` into
# the same table of a freshly migrated database, with all its indexes, constraints and (SQLite)
# the full-text trigger, and the same connection settings as the library's engine; commit.
FLOOR = """
import sys, time
from sqlalchemy.engine import make_url

def connect(url):
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        import sqlite3
        conn = sqlite3.connect(u.database, isolation_level=None)
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
            conn.execute("PRAGMA " + pragma)
        return conn, "?"
    import psycopg
    return psycopg.connect(u.set(drivername="postgresql").render_as_string(hide_password=False)), "%s"

table = sys.argv[3] if len(sys.argv) > 3 else "beneficiaries"
src, _ = connect(sys.argv[1])
cur = src.cursor()
cur.execute(f"SELECT * FROM {table} ORDER BY id")
cols = [d[0] for d in cur.description]
rows = cur.fetchall()
src.close()
dst, mark = connect(sys.argv[2])
sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"
wall, cpu = time.perf_counter(), time.process_time()
cur = dst.cursor()
if mark == "?":
    cur.execute("BEGIN IMMEDIATE")
cur.executemany(sql, rows)
dst.commit()
print(len(rows), time.perf_counter() - wall, time.process_time() - cpu)
"""


def driver_floor(source_url: str, target_url: str, table: str = "beneficiaries"
                 ) -> tuple[int, float, float]:
    """Rows, wall and CPU seconds of the executemany floor (see ``FLOOR``) in a child process:
    ``source_url``'s rows of ``table`` into ``target_url`` (migrated, empty)."""
    out = subprocess.run([sys.executable, "-c", FLOOR, source_url, target_url, table],
                         check=True, capture_output=True, text=True).stdout.split()
    return int(out[0]), float(out[1]), float(out[2])


def fresh_database(kind: str, pg_url: str | None) -> tuple[str, Any]:
    """A new empty database URL and a cleanup function."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="bench-core-")
        return f"sqlite:///{folder}/bench.db", lambda: None
    assert pg_url
    admin_url = make_url(pg_url).set(drivername="postgresql+psycopg")
    name = f"bench_core_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.set(database=name).render_as_string(hide_password=False), drop


def time_baseline(kind: str, pg_url: str | None, cleaned: list[dict[str, Any]]) -> float:
    url, drop = fresh_database(kind, pg_url)
    try:
        db = empower.connect(url)
        db.upgrade()
        table = Beneficiary.__table__
        start = time.perf_counter()
        with db.engine.begin() as conn:
            for i in range(0, len(cleaned), BATCH):
                conn.execute(insert(table), cleaned[i:i + BATCH])
        elapsed = time.perf_counter() - start
        db.dispose()
        return elapsed
    finally:
        drop()


def time_library(kind: str, pg_url: str | None, rows: list[dict[str, Any]]
                 ) -> tuple[float, float, str, Any]:
    """Wall and CPU seconds of the library's bulk registration; the database is kept (its URL
    and cleanup function are returned) so the executemany floor can read the stored rows."""
    url, drop = fresh_database(kind, pg_url)
    db = empower.connect(url)
    db.upgrade()
    start, cpu = time.perf_counter(), time.process_time()
    created = 0
    with db.unit_of_work() as uow:
        for i in range(0, len(rows), BATCH):
            inputs = [BeneficiaryCreate.model_validate(r) for r in rows[i:i + BATCH]]
            result = register_beneficiaries(uow, inputs, actor="bench", today=date(2026, 11, 1))
            if result.errors:
                raise SystemExit(f"row refused: {result.errors[0].message}")
            created += len(result.created)
        uow.commit()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    db.dispose()
    assert created == len(rows)
    return elapsed, cpu, url, drop


def migrated(kind: str, pg_url: str | None) -> tuple[str, Any]:
    url, drop = fresh_database(kind, pg_url)
    db = empower.connect(url)
    db.upgrade()
    db.dispose()
    return url, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000,100000",
                        help="comma-separated sizes (default 10000,100000)")
    parser.add_argument("--pg", default=os.environ.get("EMPOWER_BENCH_PG_URL"),
                        help="PostgreSQL server URL (a database is created and dropped)")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.pg else [])
    print(f"bench_core: batches of {BATCH:,}, python {sys.version.split()[0]}; "
          "wall seconds (library CPU in brackets)")
    print(f"{'rows':>9} {'backend':<11} {'library bulk':>16} {'Core insert':>12} "
          f"{'executemany':>12} {'ratio Core':>11} {'ratio exec.':>12}")
    for n in (int(x) for x in args.rows.split(",")):
        rows = raw_rows(n)
        cleaned = clean_rows(rows)
        for kind in backends:
            core = time_baseline(kind, args.pg, cleaned)
            lib, cpu, url, drop = time_library(kind, args.pg, rows)
            target, drop_target = migrated(kind, args.pg)
            try:
                count, floor, _ = driver_floor(url, target)
                assert count == n
            finally:
                drop()
                drop_target()
            print(f"{n:>9,} {kind:<11} {lib:>7.2f}s ({cpu:>5.2f}s) {core:>11.2f}s "
                  f"{floor:>11.2f}s {lib / core:>10.2f}x {lib / floor:>11.2f}x")


if __name__ == "__main__":
    main()
