"""Benchmark: ``empower import beneficiaries`` against ``pandas.read_csv`` + ``DataFrame.to_sql``.

    python bench/bench_import.py [--rows 10000,100000] [--big 1000000] [--pg URL] [--no-big|--only-big]

In the same run and on fresh databases, for SQLite and (with ``--pg`` or
``EMPOWER_BENCH_PG_URL``) PostgreSQL, each in its own child process:
- baseline: ``pandas.read_csv`` of the generated CSV and ``DataFrame.to_sql`` into an empty
  table (no validation, no audit, no duplicate search);
- empower: the full ``empower import beneficiaries FILE`` command (atomic mode): reading and
  sniffing, header mapping, cell parsing, every registration rule, CIN uniqueness, duplicate
  detection, one audit event per woman, one transaction.
- floor 2: the rows the import stored, read back untimed, sent by one plain DB-API
  ``executemany`` (sqlite3 / psycopg) into the same table of a fresh database with all its
  indexes and triggers (``bench_core.FLOOR``).
Prints, for 10,000 and 100,000 rows (``--rows``), the times (wall, and CPU of the client
process, which the load of a shared machine disturbs less), the ratios (goal: within 3x of
both floors), and the peak resident memory (``ru_maxrss`` of the child) of a ``--big``-row
import on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

# Run as `python bench/bench_import.py`: this folder is on the path.
from bench_core import driver_floor, mobile_digits
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import empower
from empower.reference import provinces

FIRSTS = [("Fatima", "فاطمة"), ("Khadija", "خديجة"), ("Aicha", "عائشة"), ("Meryem", "مريم"),
          ("Zineb", "زينب"), ("Naima", "نعيمة"), ("Malika", "مليكة"), ("Hanane", "حنان"),
          ("Salma", "سلمى"), ("Hajar", "هاجر"), ("Loubna", "لبنى"), ("Siham", "سهام")]
LASTS = [("El Idrissi", "الإدريسي"), ("Benali", "بنعلي"), ("Alaoui", "العلوي"), ("Tazi", "التازي"),
         ("Ait Ali", "آيت علي"), ("Bennani", "بناني"), ("Ouazzani", "الوزاني"),
         ("Amrani", "العمراني"), ("Berrada", "برادة"), ("Chraibi", "الشرايبي")]
HEADER = ["CIN", "Prénom", "Nom", "Prénom arabe", "Nom arabe", "Date de naissance", "Téléphone",
          "Province", "Commune", "Milieu", "Niveau d'instruction", "Situation familiale",
          "Taille du ménage", "Handicap", "Date du consentement", "Date d'inscription"]


def _phone(rng: random.Random) -> str:
    digits = mobile_digits(rng)
    return f"{digits[:4]} {digits[4:]}"


def generate(path: Path, rows: int, seed: int = 3) -> None:
    """A French-locale export: semicolons, French headers and labels, dd/mm/yyyy dates."""
    rng = random.Random(seed)
    codes = [p["code"] for p in provinces()]
    education = ["aucun", "primaire", "collège", "lycée", "supérieur", ""]
    marital = ["célibataire", "mariée", "divorcée", "veuve", ""]
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(HEADER)
        for i in range(rows):
            first, first_ar = rng.choice(FIRSTS)
            last, last_ar = rng.choice(LASTS)
            registered = date(2023, 1, 1) + timedelta(days=rng.randint(0, 700))
            birth = date(1955, 1, 1) + timedelta(days=rng.randint(0, 17000))
            phone = "" if rng.random() < 0.3 else _phone(rng)
            out.writerow([
                f"{'ab' if i % 2 else 'JB'}{i % 1_000_000:06d}", first, last, first_ar, last_ar,
                birth.strftime("%d/%m/%Y"), phone, rng.choice(codes), "",
                rng.choice(["urbain", "rural"]), rng.choice(education), rng.choice(marital),
                rng.randint(1, 9), rng.choice(["oui", "non"]),
                (registered - timedelta(days=rng.randint(0, 30))).strftime("%d/%m/%Y"),
                registered.strftime("%d/%m/%Y")])


class Run:
    """What a child process took: wall and CPU seconds, peak resident memory, exit status."""

    def __init__(self, wall: float, cpu: float, rss_mb: float, code: int) -> None:
        self.wall, self.cpu, self.rss_mb, self.code = wall, cpu, rss_mb, code


def _child(code: str, *args: str, env: dict[str, str] | None = None) -> Run:
    """Run Python code in a child process and measure it (``ru_maxrss`` from ``wait4``)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args],
                            env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
               os.waitstatus_to_exitcode(status))


IMPORT = "import sys; from empower.cli import main; sys.exit(main(sys.argv[1:]))"
PANDAS = """
import sys, pandas as pd
from sqlalchemy import create_engine
engine = create_engine(sys.argv[2])
frame = pd.read_csv(sys.argv[1], sep=";", dtype=str)
frame.to_sql("beneficiaries_raw", engine, if_exists="replace", index=False, chunksize=10000)
engine.dispose()
"""


def _fresh_sqlite(folder: Path, name: str, migrate: bool) -> str:
    url = f"sqlite:///{folder / name}"
    if migrate:
        db = empower.connect(url)
        db.upgrade()
        db.dispose()
    return url


class _PgDatabase:
    """A database of its own on the PostgreSQL server, dropped at the end."""

    def __init__(self, server_url: str) -> None:
        self.admin = create_engine(make_url(server_url).set(drivername="postgresql+psycopg"),
                                   isolation_level="AUTOCOMMIT")
        self.name = f"empower_bench_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = make_url(server_url).set(drivername="postgresql+psycopg",
                                            database=self.name).render_as_string(
            hide_password=False)

    def drop(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def compare(label: str, csv_path: Path, empower_url: str, pandas_url: str,
            floor_url: str) -> None:
    base = _child(PANDAS, str(csv_path), pandas_url)
    assert base.code == 0, "pandas baseline failed"
    ours = _child(IMPORT, "import", "beneficiaries", str(csv_path),
                  env={"EMPOWER_DATABASE_URL": empower_url})
    assert ours.code == 0, f"empower import exited {ours.code} (rows rejected?)"
    count, floor_wall, floor_cpu = driver_floor(empower_url, floor_url)
    print(f"  {label:10} empower import {ours.wall:6.1f} s wall {ours.cpu:6.1f} s CPU | "
          f"pandas read_csv+to_sql {base.wall:5.1f} s wall {base.cpu:5.1f} s CPU | "
          f"executemany {floor_wall:5.1f} s wall {floor_cpu:5.1f} s CPU | "
          f"ratio {ours.wall / base.wall:4.1f}x / {ours.cpu / base.cpu:4.1f}x pandas, "
          f"{ours.wall / floor_wall:4.1f}x executemany (wall)")


def one_size(folder: Path, rows: int, pg: str | None) -> None:
    csv_path = folder / f"beneficiaries-{rows}.csv"
    generate(csv_path, rows)
    size = csv_path.stat().st_size / 1e6
    print(f"{rows:,} beneficiaries, {size:.1f} MB CSV (semicolons, French headers)")
    compare("SQLite", csv_path, _fresh_sqlite(folder, f"empower-{rows}.db", True),
            _fresh_sqlite(folder, f"pandas-{rows}.db", False),
            _fresh_sqlite(folder, f"floor-{rows}.db", True))
    if pg:
        dbs = [_PgDatabase(pg) for _ in range(3)]
        try:
            for pgdb in (dbs[0], dbs[2]):
                db = empower.connect(pgdb.url)
                db.upgrade()
                db.dispose()
            compare("PostgreSQL", csv_path, dbs[0].url, dbs[1].url, dbs[2].url)
        finally:
            for pgdb in dbs:
                pgdb.drop()
    else:
        print("  PostgreSQL: skipped (give --pg URL or EMPOWER_BENCH_PG_URL)")
    csv_path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000,100000",
                        help="comma-separated sizes (default 10000,100000)")
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--no-big", action="store_true", help="skip the memory run")
    parser.add_argument("--only-big", action="store_true", help="only the memory run")
    parser.add_argument("--pg", default=os.environ.get("EMPOWER_BENCH_PG_URL"),
                        help="PostgreSQL server URL (a database is created and dropped)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = _child("import empower.cli")
        print(f"(starting the command, Python and its imports, is {start.wall:.1f} s wall "
              f"{start.cpu:.1f} s CPU of each empower figure; the executemany floor is timed "
              "in-process, without it)")
        if not args.only_big:
            for rows in (int(x) for x in args.rows.split(",")):
                one_size(folder, rows, args.pg)
        if not args.no_big:
            big = folder / "big.csv"
            generate(big, args.big, seed=5)
            run = _child(IMPORT, "import", "beneficiaries", str(big), env={
                "EMPOWER_DATABASE_URL": _fresh_sqlite(folder, "big.db", True)})
            print(f"{args.big:,}-row import (SQLite, atomic): {run.wall:.0f} s wall, "
                  f"{run.cpu:.0f} s CPU, exit {run.code}, peak resident memory "
                  f"{run.rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
