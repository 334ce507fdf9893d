"""Benchmark: the demo generator at 10,000, 100,000 (and 1,000,000) women, against a copy floor.

    python bench/bench_demo.py [--sizes 10000,100000] [--million] [--seed 7] [--as-of 2026-10-31]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--pg-keep NAME]
        [--data-dir /work/bench-data] [--keep]

For each size, on SQLite (a fresh file in ``--data-dir``, or a temporary directory) and, with
``--pg`` or ``EMPOWER_BENCH_PG_URL``, on PostgreSQL (a scratch database the benchmark creates
and drops; ``--pg-keep NAME`` keeps the largest one under that name instead):

- demo: ``empower.demo.generate`` on a freshly migrated database, in a child process, so the
  peak resident memory printed is the whole process's (``ru_maxrss``);
- floor: the very rows the demo wrote (every table, audit events included) copied into another
  freshly migrated database with the same indexes and constraints, in one transaction, in a
  child process: read and written with the driver's executemany on SQLite, ``COPY`` out and
  ``COPY`` in on PostgreSQL. It is what storing that data costs at the least, with no
  generation, no rule and no ORM: the fastest honest floor.

Printed per backend and size: wall and CPU seconds, peak RSS, rows written, and the ratio of
the demo's wall time over the floor's; then how each figure grows from one size to the next
(x10 women: time x?, memory x?). Timings on this shared 2-core machine vary with the load of
the moment: CPU seconds beside wall seconds tell the two apart.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import empower
from empower.models import Base

# Filled by the migrations themselves (reference data), not by the demo.
REFERENCE = {"regions", "provinces", "alembic_version"}


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_demo(url: str, size: int, seed: int, as_of: date) -> dict[str, Any]:
    from empower.demo import generate

    db = empower.connect(url)
    db.upgrade()
    wall, cpu = time.perf_counter(), time.process_time()
    summary = generate(db, beneficiaries=size, seed=seed, as_of=as_of)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    with db.engine.connect() as conn:
        rows = sum(conn.execute(text(f'SELECT COUNT(*) FROM "{t.name}"')).scalar() or 0
                   for t in Base.metadata.sorted_tables if t.name not in REFERENCE)
    db.dispose()
    return {"wall": wall, "cpu": cpu, "rss": _peak_mib(), "rows": rows,
            "counts": summary.counts}


def _tables() -> list[str]:
    return [t.name for t in Base.metadata.sorted_tables if t.name not in REFERENCE]


def child_floor(source: str, target: str) -> dict[str, Any]:
    db = empower.connect(target)
    db.upgrade()
    db.dispose()
    src_url, dst_url = make_url(source), make_url(target)
    wall, cpu = time.perf_counter(), time.process_time()
    rows = 0
    if src_url.get_backend_name() == "sqlite":
        src = sqlite3.connect(src_url.database or "")
        dst = sqlite3.connect(dst_url.database or "", isolation_level=None)
        # The demo's connection settings (empower.db): WAL, foreign keys, one transaction, and
        # the page cache the demo gives itself.
        dst.execute("PRAGMA journal_mode=WAL")
        dst.execute("PRAGMA synchronous=NORMAL")
        dst.execute("PRAGMA foreign_keys=ON")
        from empower.demo import SQLITE_CACHE_KIB

        dst.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        dst.execute("BEGIN IMMEDIATE")
        for table in _tables():
            cur = src.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
            marks = ", ".join("?" * len(cur.description))
            while batch := cur.fetchmany(20_000):
                dst.executemany(f'INSERT INTO "{table}" VALUES ({marks})', batch)
                rows += len(batch)
        dst.execute("COMMIT")
        src.close()
        dst.close()
    else:
        import psycopg

        def conninfo(url: Any) -> str:
            return url.set(drivername="postgresql").render_as_string(hide_password=False)

        with psycopg.connect(conninfo(src_url)) as src, psycopg.connect(conninfo(dst_url)) as dst:
            for table in _tables():
                with src.cursor().copy(f'COPY "{table}" TO STDOUT (FORMAT BINARY)') as out, \
                        dst.cursor().copy(f'COPY "{table}" FROM STDIN (FORMAT BINARY)') as into:
                    for data in out:
                        into.write(data)
                rows += dst.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # type: ignore[index]
            dst.commit()
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
            "rss": _peak_mib(), "rows": rows}


def run_child(*args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=False,
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"child {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


class PgScratch:
    """Scratch databases on a PostgreSQL server, dropped at the end (unless kept)."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.names: list[str] = []

    def create(self, name: str | None = None) -> str:
        name = name or f"bench_demo_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, keep: str | None = None) -> None:
        with self.admin.connect() as conn:
            for name in self.names:
                if name != keep:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def _line(backend: str, size: int, what: str, r: dict[str, Any],
          floor: dict[str, Any] | None) -> str:
    # CPU over CPU tells the most on a loaded machine, but on PostgreSQL the server's work is
    # not in the client's CPU time.
    ratio = (f"{r['wall'] / floor['wall']:6.1f}x floor wall, "
             f"{r['cpu'] / max(floor['cpu'], 0.01):.1f}x floor cpu") if floor else ""
    return (f"{backend:<10} {size:>9,} {what:<6} {r['wall']:8.1f} s wall {r['cpu']:8.1f} s cpu "
            f"{r['rss']:7.0f} MiB peak {r['rows']:>11,} rows  {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--million", action="store_true", help="add 1,000,000 women")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", default="2026-10-31")
    parser.add_argument("--pg", default=os.environ.get("EMPOWER_BENCH_PG_URL"))
    parser.add_argument("--pg-keep", help="keep the largest PostgreSQL demo under this name")
    parser.add_argument("--data-dir", help="where the SQLite files go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite files")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "demo":
            result = child_demo(rest[0], int(rest[1]), int(rest[2]), date.fromisoformat(rest[3]))
        else:
            result = child_floor(rest[0], rest[1])
        print(json.dumps(result, default=str))
        return

    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.million and 1_000_000 not in sizes:
        sizes.append(1_000_000)
    work = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="bench_demo_"))
    work.mkdir(parents=True, exist_ok=True)
    backends = ["sqlite"] + (["postgresql"] if args.pg else [])
    print(f"demo generator, seed {args.seed}, as of {args.as_of}; sizes {sizes}; "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    results: dict[tuple[str, int], dict[str, Any]] = {}
    pg = PgScratch(args.pg) if args.pg else None
    try:
        for backend in backends:
            for size in sizes:
                files: list[Path] = []
                if backend == "sqlite":
                    demo_file = work / f"bench-demo-{size}.sqlite"
                    floor_file = work / f"bench-demo-{size}-floor.sqlite"
                    for f in (demo_file, floor_file):
                        for suffix in ("", "-wal", "-shm"):
                            Path(f"{f}{suffix}").unlink(missing_ok=True)
                    demo_url, floor_url = f"sqlite:///{demo_file}", f"sqlite:///{floor_file}"
                    files = [demo_file, floor_file]
                else:
                    assert pg is not None
                    keep = args.pg_keep if size == max(sizes) else None
                    demo_url, floor_url = pg.create(keep), pg.create()
                demo = run_child("demo", demo_url, str(size), str(args.seed), args.as_of)
                floor = None if args.no_floor else run_child("floor", demo_url, floor_url)
                results[(backend, size)] = demo
                if floor is not None:
                    print(_line(backend, size, "floor", floor, None), flush=True)
                print(_line(backend, size, "demo", demo, floor), flush=True)
                if backend == "sqlite" and not args.keep:
                    for f in files:
                        for suffix in ("", "-wal", "-shm"):
                            Path(f"{f}{suffix}").unlink(missing_ok=True)
    finally:
        if pg is not None:
            pg.drop(keep=args.pg_keep)
        if not args.data_dir and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("\nhow each figure grows (demo):")
    for backend in backends:
        for small, large in zip(sizes, sizes[1:], strict=False):
            a, b = results[(backend, small)], results[(backend, large)]
            print(f"{backend:<10} {small:>9,} -> {large:>9,} women (x{large / small:g}): "
                  f"wall x{b['wall'] / a['wall']:.1f}, cpu x{b['cpu'] / a['cpu']:.1f}, "
                  f"peak memory x{b['rss'] / a['rss']:.1f}, rows x{b['rows'] / a['rows']:.1f}")


if __name__ == "__main__":
    main()
