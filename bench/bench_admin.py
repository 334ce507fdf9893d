"""Benchmark: the panel under load, per request kind, against the raw SQL of the same pages.

    python bench/bench_admin.py [--sizes 10000,100000] [--sqlite SIZE=FILE ...]
                                [--pg SIZE=URL ...] [--pg-from-sqlite] [--backends sqlite,pg]
                                [--workers 1,2] [--requests 480] [--concurrency 20]

For each database (SQLite files made with ``empower.demo.generate`` under ``--data-dir``, or given
with ``--sqlite``; PostgreSQL databases given with ``--pg``, or with ``--pg-from-sqlite`` made
by copying the SQLite file's rows into a new database) and each ``--workers`` count, starts
``empower admin serve --workers N`` in its own process (sessions in Redis, ``--redis``, when N
> 1), logs in as an admin and sends the mix of request kinds below from C concurrent clients,
each client cycling through the kinds. Prints per kind:

- ``p50`` / ``p95``: the panel's latency in the mix (wall time seen by the client);
- ``cpu``: the server's CPU per request of that kind (panel processes, plus the PostgreSQL
  backends serving them), measured apart from the mix, one request at a time: a loaded machine
  shows long latencies with an unchanged CPU figure;
- ``sql``: the floor, the page's own SQL statements (captured from an in-process panel serving
  the same URL, every statement of the request: session user, rows, capped count, record page,
  related tables) replayed with the bare driver (``sqlite3`` / ``psycopg``), no ORM, no HTTP:
  its median alone, and its p95 when C threads replay the same mix at once (the same load);
- ``ratio``: the panel's p95 over the floor's p95 under the same concurrency.

The request kinds: the default list, a common first name, a rare name (two women the bench
registers), a CIN, an Arabic name, two filters (region + milieu; age band + enrolment status),
a woman's page. Goal (issue 16): p95 within 100 ms and within 3x the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx

import empower
from empower.errors import Conflict

USER, PASSWORD = "bench-admin", "a long benchmark passphrase"
RARE = ("Tinhinane", "Aznag", "تينهينان", "أزناگ")


# -- databases ---------------------------------------------------------------------------------
def _prepare(url: str, n: int) -> int:
    """Schema at head, demo data (when empty), the bench's account and its two rare women."""
    from sqlalchemy import func, select, text

    from empower.models import Beneficiary

    db = empower.connect(url)
    db.upgrade()
    with db.unit_of_work(readonly=True) as uow:
        have = uow.session.scalar(select(func.count()).select_from(Beneficiary)) or 0
    if not have:
        from empower.demo import generate

        t0 = time.perf_counter()
        generate(db, beneficiaries=n, seed=7)
        have = n
        print(f"  demo data: {n:,} beneficiaries in {time.perf_counter() - t0:.0f} s")
    from empower.admin import accounts

    with contextlib.suppress(Conflict):
        accounts.create_user(db, USER, PASSWORD, role="admin", actor="bench")
    with db.unit_of_work() as uow:
        rare = uow.session.scalar(
            select(func.count()).select_from(Beneficiary).where(Beneficiary.last_name == RARE[1])
        )
        if not rare:
            from empower.schemas import BeneficiaryCreate

            province = uow.session.scalar(text("SELECT code FROM provinces ORDER BY code"))
            for i, cin in enumerate(("ZZ900001", "ZZ900002")):
                empower.register_beneficiary(
                    uow,
                    BeneficiaryCreate(
                        cin=cin,
                        first_name=RARE[0],
                        last_name=RARE[1],
                        first_name_ar=RARE[2],
                        last_name_ar=RARE[3],
                        birth_date=date(1980 + i, 3, 4),
                        province_code=province,
                        consent_date=date(2025, 1, 2),
                    ),
                    actor="bench",
                )
            uow.commit()
        if db.is_sqlite:
            uow.session.execute(text("ANALYZE"))
        uow.commit()
    if not db.is_sqlite:
        with db.engine.connect() as conn:
            # As autovacuum leaves a table that has settled: statistics, and the visibility map
            # index-only scans need (a table just filled by COPY has none).
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    db.dispose()
    return int(have)


def _pg_from_sqlite(path: Path, url: str) -> None:
    """A new PostgreSQL database at ``url`` with the SQLite file's rows (COPY, table by table,
    parents first), sequences moved past the copied ids."""
    import psycopg
    from sqlalchemy import make_url

    from empower.models import Base

    u = make_url(url)
    admin = _pg_dsn(url.rsplit("/", 1)[0] + "/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{u.database}"')
        conn.execute(f'CREATE DATABASE "{u.database}"')
    db = empower.connect(url)
    db.upgrade()
    db.dispose()
    src = sqlite3.connect(path)
    t0 = time.perf_counter()
    with psycopg.connect(_pg_dsn(url)) as conn:
        for table in Base.metadata.sorted_tables:
            have = conn.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
            if have:
                continue  # reference data loaded by the upgrade, identical
            cols = [c.name for c in table.columns]
            names = ", ".join(cols)
            rows = src.execute(f"SELECT {names} FROM {table.name}")  # noqa: S608
            bools = {i for i, c in enumerate(table.columns) if c.type.python_type is bool} if cols else set()
            with conn.cursor().copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    if bools:
                        row = tuple(bool(v) if i in bools and v is not None else v for i, v in enumerate(row))
                    copy.write_row(row)
            if "id" in cols:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                )
        conn.commit()
    src.close()
    print(f"  copied {path.name} into {u.database} in {time.perf_counter() - t0:.0f} s")


def _pg_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


# -- the request kinds -------------------------------------------------------------------------
@dataclass
class Kind:
    name: str
    url: str
    statements: list[tuple[str, Any]] = field(default_factory=list)


def _kinds(url: str) -> list[Kind]:
    """The mix, with values read from the database (a CIN, a woman, a region)."""
    from sqlalchemy import text

    db = empower.connect(url)
    with db.unit_of_work(readonly=True) as uow:
        s = uow.session
        top = s.scalar(text("SELECT max(id) FROM beneficiaries"))
        # A woman half-way through, whose CIN reads as one (a database grown by copying rows
        # may have longer ones): the first such from the middle on, else from the start.
        from empower.predicates import cin_search_prefix

        mid = None
        for start in (top // 2, 0):
            for row in s.execute(
                text(
                    "SELECT id, cin FROM beneficiaries WHERE id >= :m AND "
                    "cin IS NOT NULL ORDER BY id LIMIT 500"
                ),
                {"m": start},
            ):
                if cin_search_prefix(row[1], db.rules) is not None:
                    mid = row
                    break
            if mid is not None:
                break
        assert mid is not None, "no CIN in the database reads as one"
        region = s.scalar(
            text(
                "SELECT region_code FROM provinces p JOIN beneficiaries b ON "
                "b.province_code = p.code WHERE b.id = :i"
            ),
            {"i": mid[0]},
        )
    db.dispose()
    return [
        Kind("default list", "/beneficiaries"),
        Kind("common name", "/beneficiaries?q=fatima"),
        Kind("rare name", f"/beneficiaries?q={RARE[0].lower()}+{RARE[1].lower()}"),
        Kind("CIN", f"/beneficiaries?q={mid[1]}"),
        Kind("Arabic name", "/beneficiaries?q=خديجة"),
        Kind("region+milieu", f"/beneficiaries?region={region}&milieu=rural"),
        Kind("age+enrolment", "/beneficiaries?age=25-34&enrolment=enrolled"),
        Kind("record page", f"/beneficiaries/{mid[0]}"),
    ]


# -- the floor: the page's own statements, captured and replayed -------------------------------
class _Capture(logging.Handler):
    """Tortoise logs every statement with its values at DEBUG (``tortoise.db_client``)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[tuple[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.args, tuple) and len(record.args) == 2:
            self.seen.append((str(record.args[0]), record.args[1]))


def _capture(url: str, kinds: list[Kind]) -> None:
    """Serve each kind's URL once in-process and keep every SQL statement it sent."""
    from empower.admin import create_app
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from empower.config import Settings

    handler = _Capture()
    log = logging.getLogger("tortoise.db_client")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    app = create_app(Settings(database_url=url, redis_url=None))

    def on_execute(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        if not many:
            handler.seen.append((statement, params))

    event.listen(app.state.panel.db.engine, "before_cursor_execute", on_execute)
    try:
        with TestClient(app, base_url="http://127.0.0.1") as client:
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            r = client.post(
                "/login",
                data={"username": USER, "password": PASSWORD, "csrf_token": token},
                follow_redirects=False,
            )
            assert r.status_code == 303, r.text[:300]
            for k in kinds:
                client.get(k.url)  # reference data, caches: what a warm server has
                handler.seen.clear()
                r = client.get(k.url)
                assert r.status_code == 200, (k.url, r.status_code)
                k.statements = [
                    (sql, params)
                    for sql, params in handler.seen
                    if sql.lstrip().upper().startswith(("SELECT", "WITH"))
                ]
    finally:
        log.removeHandler(handler)
        event.remove(app.state.panel.db.engine, "before_cursor_execute", on_execute)


def _replayer(url: str) -> Callable[[], Callable[[list[tuple[str, Any]]], None]]:
    """A factory of bare-driver connections, each a function running a page's statements."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]

        def sqlite_conn() -> Callable[[list[tuple[str, Any]]], None]:
            conn = sqlite3.connect(path, check_same_thread=False)
            conn.execute("PRAGMA query_only=ON")

            def run(statements: list[tuple[str, Any]]) -> None:
                for sql, params in statements:
                    conn.execute(sql, params or ()).fetchall()

            return run

        return sqlite_conn
    import psycopg

    def pg_conn() -> Callable[[list[tuple[str, Any]]], None]:
        conn = psycopg.connect(_pg_dsn(url), autocommit=True)

        def run(statements: list[tuple[str, Any]]) -> None:
            for sql, params in statements:
                conn.execute(sql, params).fetchall()

        return run

    return pg_conn


def _floor(url: str, kinds: list[Kind], requests: int, concurrency: int) -> dict[str, tuple[float, float]]:
    """Per kind: (median alone, p95 in the mix from ``concurrency`` processes), in ms."""
    connect = _replayer(url)
    run = connect()
    alone: dict[str, float] = {}
    for k in kinds:
        run(k.statements)
        samples = []
        for _ in range(15):
            t0 = time.perf_counter()
            run(k.statements)
            samples.append(time.perf_counter() - t0)
        alone[k.name] = statistics.median(samples) * 1000
    # Processes, not threads: 20 Python threads would measure the wait for the GIL.
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    per_client = max(1, requests // concurrency)
    start = ctx.Barrier(concurrency)

    def client(c: int) -> None:
        go = connect()
        start.wait()
        out = []
        for i in range(per_client):
            k = kinds[(c + i) % len(kinds)]
            t0 = time.perf_counter()
            go(k.statements)
            out.append((k.name, (time.perf_counter() - t0) * 1000))
        results.put(out)

    procs = [ctx.Process(target=client, args=(c,)) for c in range(concurrency)]
    for pr in procs:
        pr.start()
    mixed: dict[str, list[float]] = {k.name: [] for k in kinds}
    for _ in procs:
        for name, ms in results.get():
            mixed[name].append(ms)
    for pr in procs:
        pr.join()
    return {k.name: (alone[k.name], _pct(mixed[k.name], 95)) for k in kinds}


def _sweep(url: str, kinds: list[Kind]) -> None:
    """Every filter value and every sort (both ways, alone, after a filter, after a search):
    the page's SQL replayed alone, the slowest first. What the mix leaves out."""
    from empower.admin.resources.beneficiaries import resource

    from empower.predicates import AGE_BANDS
    from empower.vocab import EnrollmentStatus, Milieu

    region = kinds[5].url.split("region=")[1].split("&")[0]
    db = empower.connect(url)
    with db.engine.connect() as conn:
        from sqlalchemy import text

        province = conn.scalar(
            text("SELECT code FROM provinces WHERE region_code = :r ORDER BY code"), {"r": region}
        )
    db.dispose()
    queries = [
        f"region={region}",
        f"province={province}",
        "archived=yes",
        "archived=all",
        *(f"milieu={v.value}" for v in Milieu),
        *(f"age={b.label}" for b in AGE_BANDS),
        *(f"enrolment={v.value}" for v in EnrollmentStatus),
        "enrolment=none",
    ]
    for c in resource.columns:
        for key in (c.key, f"-{c.key}"):
            queries += [
                f"sort={key}",
                f"province={province}&sort={key}",
                f"q=fatima&sort={key}",
                f"enrolment=exited&sort={key}",
            ]
    pages = [Kind(q, f"/beneficiaries?{q}") for q in queries]
    _capture(url, pages)
    run = _replayer(url)()
    timed = []
    for k in pages:
        run(k.statements)
        samples = []
        for _ in range(3):
            t0 = time.perf_counter()
            run(k.statements)
            samples.append(time.perf_counter() - t0)
        timed.append((min(samples) * 1000, k.name))
    timed.sort(reverse=True)
    print(
        f"  sweep: {len(timed)} list pages (each filter value, each sort both ways, alone, "
        f"after a province, a name search, a rare status), the page's SQL alone, ms:"
    )
    print("    slowest: " + ", ".join(f"{q} {t:.1f}" for t, q in timed[:8]))
    print(
        f"    median {statistics.median(t for t, _ in timed):.1f}, {sum(t > 50 for t, _ in timed)} over 50 ms"
    )


# -- the panel ---------------------------------------------------------------------------------
def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _start(url: str, port: int, workers: int, redis: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "EMPOWER_DATABASE_URL": url}
    env.pop("EMPOWER_REDIS_URL", None)
    if workers > 1:
        env["EMPOWER_REDIS_URL"] = redis
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from empower.cli import main; main()",
            "admin",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: uvicorn's workers keep it open, and reading a pipe would wait.
        stderr=tempfile.TemporaryFile(),  # noqa: SIM115 (closed with the process object)
        # Its own process group, so that the workers go with it (_stop).
        start_new_session=True,
    )
    # Workers are slow to start on a loaded machine: up to minutes.
    deadline = time.time() + 600
    while time.time() < deadline:
        if proc.poll() is not None:
            break
        try:
            r = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
            if r.status_code == 200 and len(_tree(proc.pid)) > workers - (workers == 1):
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    _stop(proc)
    assert proc.stderr is not None
    proc.stderr.seek(0)
    raise SystemExit("the panel did not start: " + proc.stderr.read().decode()[-2000:])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """The server and its workers (its process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _tree(root: int) -> list[int]:
    """The process and its descendants (uvicorn's workers)."""
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and (f := _stat(int(d.name))) is not None:
            parents[int(d.name)] = int(f[1])
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += [c for c, p in parents.items() if p == pid]
    return out


def _cpu(pids: list[int]) -> float:
    """CPU seconds the processes' threads have run so far (Linux ``schedstat``, in ns: the
    clock-tick ``stat`` fields are too coarse for a few ms per request), plus what their
    children that already exited used (a worker uvicorn replaced)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                with contextlib.suppress(OSError, ValueError):
                    total += int((task / "schedstat").read_text().split()[0]) / 1e9
        if (f := _stat(pid)) is not None:
            total += (int(f[13]) + int(f[14])) / os.sysconf("SC_CLK_TCK")
    return total


def _pg_backends(url: str) -> Callable[[], list[int]]:
    """The PostgreSQL backends connected to the database (the panel's pool)."""
    if url.startswith("sqlite"):
        return lambda: []
    import psycopg
    from sqlalchemy import make_url

    name = make_url(url).database

    def pids() -> list[int]:
        with psycopg.connect(_pg_dsn(url), autocommit=True) as conn:
            return [
                r[0]
                for r in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,)
                )
            ]

    return pids


def _login(base: str) -> dict[str, str]:
    with httpx.Client(base_url=base, follow_redirects=False) as c:
        page = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = c.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 303, r.text[:300]
        return {"empower_session": c.cookies["empower_session"]}


async def _mix(
    base: str, cookies: dict[str, str], kinds: list[Kind], requests: int, concurrency: int
) -> tuple[dict[str, list[float]], float]:
    times: dict[str, list[float]] = {k.name: [] for k in kinds}
    per_client = max(1, requests // concurrency)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits, timeout=60) as client:

        async def one(c: int) -> None:
            for i in range(per_client):
                k = kinds[(c + i) % len(kinds)]
                t0 = time.perf_counter()
                r = await client.get(k.url)
                times[k.name].append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    raise SystemExit(f"{k.url}: HTTP {r.status_code}")

        t0 = time.perf_counter()
        await asyncio.gather(*(one(c) for c in range(concurrency)))
        return times, time.perf_counter() - t0


def _cpu_per_kind(
    base: str,
    cookies: dict[str, str],
    kinds: list[Kind],
    server: list[int],
    backends: Callable[[], list[int]],
    n: int = 20,
) -> dict[str, float]:
    """Server CPU ms per request of each kind, one request at a time (panel + PG backends)."""
    out = {}
    with httpx.Client(base_url=base, cookies=cookies, timeout=60) as client:
        for k in kinds:
            client.get(k.url)
            pids = server + backends()
            c0 = _cpu(pids)
            for _ in range(n):
                client.get(k.url)
            out[k.name] = (_cpu(pids) - c0) / n * 1000
    return out


def _pct(values: list[float], p: int) -> float:
    s = sorted(values)
    return s[max(0, round(p / 100 * len(s)) - 1)] if s else float("nan")


def _bench(
    label: str, url: str, kinds: list[Kind], workers: int, args: Any, floor: dict[str, tuple[float, float]]
) -> None:
    port = _free_port()
    proc = _start(url, port, workers, args.redis)
    base = f"http://127.0.0.1:{port}"
    try:
        cookies = _login(base)
        server = _tree(proc.pid)
        asyncio.run(_mix(base, cookies, kinds, 2 * len(kinds), 4))  # warm-up, every worker
        cpu = _cpu_per_kind(base, cookies, kinds, server, _pg_backends(url))
        load0 = os.getloadavg()[0]
        times, wall = asyncio.run(_mix(base, cookies, kinds, args.requests, args.concurrency))
        load1 = os.getloadavg()[0]
    finally:
        _stop(proc)
    every = [t for ts in times.values() for t in ts]
    print(
        f"\n{label}, --workers {workers}{' (sessions in Redis)' if workers > 1 else ''}: "
        f"{len(every)} requests, {args.concurrency} clients, {len(every) / wall:.0f} req/s, "
        f"load average {load0:.1f}-{load1:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"  {'kind':<15} {'p50':>7} {'p95':>7} {'cpu/req':>8} {'sql alone':>10} {'sql p95':>8} {'ratio':>6}"
    )
    for k in kinds:
        p50, p95 = _pct(times[k.name], 50), _pct(times[k.name], 95)
        alone, fp95 = floor[k.name]
        print(
            f"  {k.name:<15} {p50:7.1f} {p95:7.1f} {cpu[k.name]:8.1f} {alone:10.2f} "
            f"{fp95:8.2f} {p95 / fp95:6.1f}"
        )
    p95 = _pct(every, 95)
    print(
        f"  {'all':<15} {_pct(every, 50):7.1f} {p95:7.1f}   goal p95 < 100 ms: "
        f"{'met' if p95 < 100 else 'NOT met'} (ms; ratio = p95 / sql p95)"
    )


def _pairs(items: list[str]) -> dict[int, str]:
    out = {}
    for item in items:
        size, _, where = item.partition("=")
        out[int(size)] = where
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000", help="beneficiaries per database, comma-separated")
    ap.add_argument(
        "--data-dir",
        type=Path,
        default=Path("bench-data"),
        help="where the SQLite databases are made and kept",
    )
    ap.add_argument(
        "--sqlite",
        action="append",
        default=[],
        metavar="SIZE=FILE",
        help="an existing SQLite database for that size (written: bench account)",
    )
    ap.add_argument(
        "--pg",
        action="append",
        default=[],
        metavar="SIZE=URL",
        help="a PostgreSQL database for that size (postgresql+psycopg://...)",
    )
    ap.add_argument(
        "--pg-from-sqlite",
        metavar="URL_PREFIX",
        help="make a PostgreSQL database per size from the SQLite one, named "
        "URL_PREFIX<size> (e.g. postgresql+psycopg://postgres@127.0.0.1/"
        "bench_panel_)",
    )
    ap.add_argument("--backends", default="sqlite,pg")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument(
        "--redis", default="redis://127.0.0.1:6379/0", help="the session store when --workers > 1"
    )
    ap.add_argument("--requests", type=int, default=480)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument(
        "--sweep", action="store_true", help="also time every filter value and every sort of the list"
    )
    args = ap.parse_args()

    sizes = [int(s) for s in args.sizes.split(",") if s]
    sqlite_dbs = _pairs(args.sqlite)
    pg_dbs = _pairs(args.pg)
    backends = args.backends.split(",")
    workers = [int(w) for w in args.workers.split(",")]
    args.data_dir.mkdir(parents=True, exist_ok=True)
    for n in sizes:
        path = Path(sqlite_dbs.get(n) or args.data_dir / f"bench_admin_{n}.sqlite")
        sqlite_url = f"sqlite:///{path.resolve()}"
        targets = []
        if "sqlite" in backends:
            targets.append(("SQLite", sqlite_url))
        if "pg" in backends:
            if n in pg_dbs:
                targets.append(("PostgreSQL", pg_dbs[n]))
            elif args.pg_from_sqlite:
                if not path.exists() or path.stat().st_size < 100_000:
                    _prepare(sqlite_url, n)
                pg = f"{args.pg_from_sqlite}{n}"
                _pg_from_sqlite(path, pg)
                targets.append(("PostgreSQL", pg))
        for backend, url in targets:
            print(f"\n== {backend}, {n:,} beneficiaries ==")
            have = _prepare(url, n)
            kinds = _kinds(url)
            _capture(url, kinds)
            floor = _floor(url, kinds, args.requests, args.concurrency)
            if args.sweep:
                _sweep(url, kinds)
            for w in workers:
                _bench(f"{backend} {have:,} women", url, kinds, w, args, floor)


if __name__ == "__main__":
    main()
