"""Benchmark: the panel's beneficiary list with a search and a filter, under concurrency.

    python bench/bench_admin.py [--beneficiaries 100000] [--db PATH] [--requests 200]
                                [--concurrency 10] [--query "q=fatima&milieu=rural"]

Fills a fresh SQLite database with ``empower.demo.generate`` (or reuses ``--db`` when it already
holds data), starts ``empower admin serve`` on a loopback port in a separate process, logs in as
an admin, and requests ``/beneficiaries?<query>`` N times from C concurrent clients. Prints p50,
p95 and max latency and the throughput; in the same run, the time of the equivalent raw SQL page
query (the page's rows plus its capped count, with sqlite3 and no ORM) as the floor.
Goal: p95 under 150 ms on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

import empower
from empower.errors import Conflict

USER, PASSWORD = "bench-admin", "a long benchmark passphrase"


def _fill(path: Path, n: int) -> None:
    db = empower.connect(f"sqlite:///{path}")
    db.upgrade()
    with db.unit_of_work(readonly=True) as uow:
        from sqlalchemy import func, select

        from empower.models import Beneficiary

        have = uow.session.scalar(select(func.count()).select_from(Beneficiary))
    if not have:
        from empower.demo import generate

        t0 = time.perf_counter()
        generate(db, beneficiaries=n, seed=7)
        print(f"demo data: {n:,} beneficiaries in {time.perf_counter() - t0:.0f} s")
    else:
        print(f"reusing {path} ({have:,} beneficiaries)")
    from empower.admin import accounts

    with contextlib.suppress(Conflict):
        accounts.create_user(db, USER, PASSWORD, role="admin", actor="bench")
    db.dispose()


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _start(path: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "EMPOWER_DATABASE_URL": f"sqlite:///{path}"}
    env.pop("EMPOWER_REDIS_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from empower.cli import main; main()", "admin", "serve",
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the panel did not start: " + (proc.stderr.read() or b"").decode()[-2000:])


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _login(base: str) -> dict[str, str]:
    import re

    with httpx.Client(base_url=base, follow_redirects=False) as c:
        page = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = c.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 303, r.text[:300]
        return {"empower_session": c.cookies["empower_session"]}


async def _load(base: str, cookies: dict[str, str], url: str, n: int,
                concurrency: int) -> list[float]:
    times: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits,
                                 timeout=30) as client:
        async def worker() -> None:
            while True:
                try:
                    queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                r = await client.get(url)
                times.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {r.status_code}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return times


_PAGE = ("SELECT id, cin, first_name, last_name, first_name_ar, last_name_ar, birth_date, "
         "phone, province_code, milieu, registered_on, archived_on FROM beneficiaries "
         "WHERE {search} AND milieu = ? AND archived_on IS NULL ORDER BY id DESC LIMIT 26")


def _raw_sql(path: Path, word: str, milieu: str, runs: int = 50) -> tuple[float, float]:
    """Median seconds of the page's SQL, hand-written, run with sqlite3 (no ORM, no HTTP):
    with the full-text index the panel uses (the floor), and with the ``LIKE '%word%'`` scan
    it used before migration 0008 (for comparison).

    The same statement the panel sends: the search, the filter, the default "not archived",
    newest first, one row more than a page (which tells whether there is a next page; a
    free-text search is not counted).
    """
    conn = sqlite3.connect(path)
    fts = ("id IN (SELECT rowid FROM beneficiaries_fts WHERE beneficiaries_fts MATCH ?)",
           (f'"{word.lower()}"*', milieu))
    scan = ("match_key LIKE ?", (f"%{word.lower()}%", milieu))
    out = []
    for search, args in (fts, scan):
        sql = _PAGE.format(search=search)
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            conn.execute(sql, args).fetchall()
            samples.append(time.perf_counter() - t0)
        out.append(statistics.median(samples))
    conn.close()
    return out[0], out[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--beneficiaries", type=int, default=100_000)
    ap.add_argument("--db", type=Path, help="SQLite file to create or reuse")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=10)
    ap.add_argument("--word", default="fatima", help="the name searched")
    ap.add_argument("--milieu", default="rural", help="the filter applied")
    args = ap.parse_args()

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory()
        args.db = Path(tmp.name) / "bench_admin.db"
    _fill(args.db, args.beneficiaries)
    port = _free_port()
    proc = _start(args.db, port)
    base = f"http://127.0.0.1:{port}"
    url = f"/beneficiaries?q={args.word}&milieu={args.milieu}"
    try:
        cookies = _login(base)
        asyncio.run(_load(base, cookies, url, 10, 2))  # warm-up
        cpu0 = _cpu_seconds(proc.pid)
        t0 = time.perf_counter()
        times = asyncio.run(_load(base, cookies, url, args.requests, args.concurrency))
        wall = time.perf_counter() - t0
        cpu1 = _cpu_seconds(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)
    raw = _raw_sql(args.db, args.word, args.milieu)
    ms = sorted(t * 1000 for t in times)
    p50 = statistics.median(ms)
    p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)]
    print(f"GET {url}: {len(ms)} requests, {args.concurrency} concurrent clients, SQLite")
    print(f"  panel    p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {ms[-1]:7.1f} ms   "
          f"{len(ms) / wall:6.1f} req/s")
    if cpu0 is not None and cpu1 is not None:
        per = (cpu1 - cpu0) / len(ms) * 1000
        print(f"  server   CPU per request {per:5.1f} ms (one free core: about "
              f"{1000 / per:.0f} req/s; latency grows when other processes take the cores)")
    print(f"  raw SQL  the same page query with sqlite3 and the full-text index, median "
          f"{raw[0] * 1000:7.2f} ms (ratio p50/raw {p50 / (raw[0] * 1000):.1f}x)")
    print(f"  raw SQL  the LIKE '%word%' scan used before migration 0008, median "
          f"{raw[1] * 1000:7.2f} ms")
    load1 = os.getloadavg()[0]
    print(f"  machine  {os.cpu_count()} cores, load average {load1:.1f} during the run")
    print(f"  goal p95 < 150 ms: {'met' if p95 < 150 else 'NOT met'}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
