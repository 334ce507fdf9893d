"""Benchmark: the monthly report in every format against a hand-written SQL floor, SQLite and PG.

    python bench/bench_reports.py [--sizes 10000,100000] [--seed 7] [--month 2026-10]
        [--formats json,xlsx,html,pdf] [--repeat 2]
        [--sqlite 1000000=/work/bench-data/demo-1m.sqlite]   # a prebuilt demo database
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

For each size the demo generator fills a fresh SQLite database (two years of activity up to the
end of the month after the one reported), unless ``--sqlite SIZE=FILE`` names one already built
(it is copied first; the original is never opened for writing). PostgreSQL runs when ``--pg``
or ``EMPOWER_BENCH_PG_URL`` is given: the benchmark creates its own database on that server,
copies every table of the SQLite one into it (COPY; program budgets clamped to 2^31-1 centimes,
which PostgreSQL's INTEGER columns need and the report does not read), ANALYZEs, and drops it
at the end. On each backend and size:

- floor (headline): the hand-written SQL of the report's headline figures (every KPI total of
  reach, cooperatives, grants and outcomes; no breakdowns), medians finished in Python;
- floor (all): the same plus the totals of the trainings and coaching and payments families
  (completion per woman and activity, sessions, attendance, visits, payment lines);
- each format: ``build_monthly_report`` + the writer, i.e. every KPI with its breakdowns by
  region, province, age band and milieu, suppression marks and the checksum; the published
  formats (xlsx, html, pdf) with the 12-month trend of the headline KPIs.

Each measurement runs in a child process (a fresh interpreter on a warm database), so the peak
resident memory printed is the whole process's (``ru_maxrss``: interpreter, libraries, frames
and the writer), not only Python allocations. Times are the best of ``--repeat`` runs, wall and
CPU; the ratio is report wall time over floor wall time, measured alternately in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from empower.reports import build_monthly_report
from empower.reports.period import Month, survival_cutoff
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import empower
from empower.demo import generate

FLOOR_SQL = {
    "registered": """
        SELECT SUM(CASE WHEN archived_on IS NULL OR archived_on > :end THEN 1 ELSE 0 END),
               SUM(CASE WHEN registered_on >= :start THEN 1 ELSE 0 END)
        FROM beneficiaries WHERE {p}registered_on <= :end""",
    "active": """
        SELECT COUNT(DISTINCT e.beneficiary_id) FROM enrollments e
        JOIN beneficiaries b ON b.id = e.beneficiary_id
        WHERE {p}e.enrolled_on <= :end AND (e.exited_on IS NULL OR e.exited_on > :end)
          AND (b.archived_on IS NULL OR b.archived_on > :end)""",
    "flows": """
        SELECT SUM(CASE WHEN enrolled_on BETWEEN :start AND :end THEN 1 ELSE 0 END),
               SUM(CASE WHEN exited_on BETWEEN :start AND :end THEN 1 ELSE 0 END)
        FROM enrollments""",
    "cooperatives": """
        SELECT COUNT(*), SUM(CASE WHEN women_led THEN 1 ELSE 0 END) FROM cooperatives
        WHERE founded_on <= :end AND (dissolved_on IS NULL OR dissolved_on > :end)""",
    "members": """
        SELECT COUNT(DISTINCT m.beneficiary_id) FROM memberships m
        JOIN cooperatives c ON c.id = m.cooperative_id
        JOIN beneficiaries b ON b.id = m.beneficiary_id
        WHERE m.joined_on <= :end AND (m.left_on IS NULL OR m.left_on > :end)
          AND c.founded_on <= :end AND (c.dissolved_on IS NULL OR c.dissolved_on > :end)
          AND (b.archived_on IS NULL OR b.archived_on > :end)""",
    "grants": """
        SELECT SUM(CASE WHEN approved_on >= :start THEN 1 ELSE 0 END),
               SUM(CASE WHEN approved_on >= :start THEN amount_approved_centimes ELSE 0 END),
               SUM(amount_approved_centimes)
        FROM grants WHERE {p}approved_on <= :end AND (cancelled_on IS NULL OR cancelled_on > :end)""",
    "disbursed": """
        SELECT SUM(CASE WHEN paid_on >= :start THEN amount_centimes ELSE 0 END),
               SUM(amount_centimes)
        FROM disbursements WHERE {p}paid_on <= :end""",
    "first_disbursements": """
        SELECT g.approved_on, f.first_paid FROM grants g
        JOIN (SELECT grant_id, MIN(paid_on) AS first_paid FROM disbursements GROUP BY grant_id) f
          ON f.grant_id = g.id
        WHERE f.first_paid BETWEEN :start AND :end""",
    "income": """
        WITH known AS (
            SELECT s.* FROM survey_records s JOIN beneficiaries b ON b.id = s.beneficiary_id
            WHERE {p}s.surveyed_on <= :end AND (b.archived_on IS NULL OR b.archived_on > :end)),
        latest AS (
            SELECT beneficiary_id, program_id, monthly_income_centimes,
                   ROW_NUMBER() OVER (PARTITION BY beneficiary_id
                                      ORDER BY surveyed_on DESC, id DESC) AS rn
            FROM known WHERE round <> 'baseline')
        SELECT l.monthly_income_centimes - k.monthly_income_centimes FROM latest l
        JOIN known k ON k.beneficiary_id = l.beneficiary_id AND k.program_id = l.program_id
                    AND k.round = 'baseline'
        WHERE l.rn = 1 AND l.monthly_income_centimes IS NOT NULL
          AND k.monthly_income_centimes IS NOT NULL""",
    "access": """
        SELECT COUNT(*), SUM(CASE WHEN has_account THEN 1 ELSE 0 END) FROM (
            SELECT s.has_account, ROW_NUMBER() OVER (PARTITION BY s.beneficiary_id
                                                     ORDER BY s.surveyed_on DESC, s.id DESC) AS rn
            FROM survey_records s JOIN beneficiaries b ON b.id = s.beneficiary_id
            WHERE {p}s.surveyed_on <= :end AND (b.archived_on IS NULL OR b.archived_on > :end)) t
        WHERE rn = 1""",
    "jobs": """
        SELECT SUM(jobs_created) FROM survey_records
        WHERE round <> 'baseline' AND surveyed_on BETWEEN :start AND :end""",
    "survival": """
        WITH cohort AS (
            SELECT g.beneficiary_id FROM disbursements d JOIN grants g ON g.id = d.grant_id
            JOIN beneficiaries b ON b.id = g.beneficiary_id
            WHERE b.archived_on IS NULL OR b.archived_on > :end
            GROUP BY g.beneficiary_id HAVING MIN(d.paid_on) <= :cutoff),
        m12 AS (
            SELECT beneficiary_id, business_operating,
                   ROW_NUMBER() OVER (PARTITION BY beneficiary_id
                                      ORDER BY surveyed_on DESC, id DESC) AS rn
            FROM survey_records WHERE round = 'm12' AND surveyed_on <= :end)
        SELECT COUNT(*), SUM(CASE WHEN m.beneficiary_id IS NOT NULL THEN 1 ELSE 0 END),
               SUM(CASE WHEN m.business_operating THEN 1 ELSE 0 END)
        FROM cohort c LEFT JOIN m12 m ON m.beneficiary_id = c.beneficiary_id AND m.rn = 1""",
}



FLOOR_EXTRA_SQL = {
    "completion": """
        WITH pairs AS (
            SELECT at.beneficiary_id, s.activity_id,
                   SUM(CASE WHEN at.status = 'present' AND s.status = 'held'
                            AND s.scheduled_on <= :end THEN 1 ELSE 0 END) AS present
            FROM attendances at JOIN activity_sessions s ON s.id = at.session_id
            JOIN activities a ON a.id = s.activity_id
            WHERE a.kind = 'training' AND {p}s.scheduled_on <= :end
            GROUP BY at.beneficiary_id, s.activity_id)
        SELECT COUNT(DISTINCT pairs.beneficiary_id) FROM pairs
        JOIN activities a ON a.id = pairs.activity_id
        JOIN beneficiaries b ON b.id = pairs.beneficiary_id
        WHERE a.planned_sessions > 0
          AND pairs.present >= a.completion_share * a.planned_sessions - 1e-9
          AND (b.archived_on IS NULL OR b.archived_on > :end)""",
    "sessions": """
        SELECT SUM(CASE WHEN status = 'held' THEN 1 ELSE 0 END) FROM activity_sessions
        WHERE scheduled_on BETWEEN :start AND :end""",
    "attendance": """
        SELECT COUNT(*), SUM(CASE WHEN at.status = 'present' THEN 1 ELSE 0 END)
        FROM attendances at JOIN activity_sessions s ON s.id = at.session_id
        WHERE s.status = 'held' AND s.scheduled_on BETWEEN :start AND :end""",
    "visits": """
        SELECT COUNT(*) FROM coaching_visits WHERE visited_on BETWEEN :start AND :end""",
    "payments": """
        SELECT SUM(CASE WHEN status <> 'cancelled' AND sent_on BETWEEN :start AND :end
                        THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = 'paid' AND paid_on BETWEEN :start AND :end
                        THEN 1 ELSE 0 END),
               SUM(CASE WHEN status IN ('failed', 'returned')
                        AND settled_on BETWEEN :start AND :end THEN 1 ELSE 0 END)
        FROM payment_instructions""",
}


def floor(db: empower.Database, month: Month, *, every_family: bool = False) -> dict[str, Any]:
    """The headline figures by hand-written SQL (the fastest a report could possibly be)."""
    params = {"start": month.start, "end": month.end, "cutoff": survival_cutoff(month)}
    # the report's trick, given to the floor too: SQLite scans rather than walking a date index
    # for conditions nearly every row meets (a unary + keeps it off the index)
    plus = "+" if db.is_sqlite else ""
    out: dict[str, Any] = {}
    queries = {**FLOOR_SQL, **(FLOOR_EXTRA_SQL if every_family else {})}
    with db.engine.connect() as conn:
        for name, sql in queries.items():
            rows = conn.execute(text(sql.replace("{p}", plus)), params).all()
            out[name] = rows if name in ("first_disbursements", "income") else rows[0]
    days = [(paid - approved).days if isinstance(paid, date)
            else (date.fromisoformat(paid) - date.fromisoformat(approved)).days
            for approved, paid in out.pop("first_disbursements")]
    deltas = [r[0] for r in out.pop("income")]
    out["median_days"] = statistics.median(days) if days else None
    out["income_increase"] = (sum(1 for d in deltas if d > 0), len(deltas))
    out["median_income_change"] = statistics.median(deltas) if deltas else None
    return out


def child(url: str, what: str, month: Month, out: Path) -> dict[str, Any]:
    """One measurement in this (child) process: a floor or a format, its wall and CPU time and
    the process's peak resident memory."""
    db = empower.connect(url, read_only=True)
    t0, c0 = time.perf_counter(), time.process_time()
    result: dict[str, Any] = {}
    if what.startswith("floor"):
        ref = floor(db, month, every_family=what == "floor_all")
        result["ref"] = {k: v if v is None or isinstance(v, int | float | str) else list(v)
                         for k, v in ref.items()}
    else:
        from empower.reports.render import write_report

        report = build_monthly_report(db, month, trend=what != "json")
        write_report(report, what, out)
    result.update(wall=time.perf_counter() - t0, cpu=time.process_time() - c0,
                  rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    db.dispose()
    return result


def _plain(value: Any) -> Any:
    """JSON for what the drivers return: PostgreSQL's SUM of integers is a Decimal."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def measure(url: str, what: str, month: Month, out: Path) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", url, what, str(month), str(out)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def check(figures: dict[str, Any], ref: dict[str, Any]) -> list[str]:
    """Where the report and the floor disagree (they never should)."""
    ref = {k: tuple(v) if isinstance(v, list) else v for k, v in ref.items()}
    pairs = {
        "beneficiaries_registered": (figures["beneficiaries_registered"]["value"],
                                     ref["registered"][0] or 0),
        "active_enrollments": (figures["active_enrollments"]["value"], ref["active"][0]),
        "exits": (figures["exits"]["value"], ref["flows"][1] or 0),
        "cooperative_members": (figures["cooperative_members"]["value"], ref["members"][0]),
        "disbursed_amount": (figures["disbursed_amount"]["value"],
                             f"{(ref['disbursed'][0] or 0) / 100:.2f}"),
        "jobs_created": (figures["jobs_created"]["value"], ref["jobs"][0] or 0),
        "income_increase_share": ((figures["income_increase_share"]["numerator"],
                                   figures["income_increase_share"]["denominator"]),
                                  ref["income_increase"]),
        "access_to_finance_share": (figures["access_to_finance_share"]["denominator"],
                                    ref["access"][0]),
    }
    return [f"{k}: report {a} != floor {b}" for k, (a, b) in pairs.items() if a != b]


SKIPPED = {"regions", "provinces", "alembic_version", "audit_events", "report_snapshots"}
INT32 = 2**31 - 1


def copy_facts(source: Path, target: empower.Database) -> int:
    """Copy every table of an SQLite demo database into a migrated, empty PostgreSQL one."""
    import sqlite3

    from empower.models import Base

    copied = 0
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    raw = target.engine.raw_connection()
    try:
        cur = raw.cursor()
        for table in Base.metadata.sorted_tables:
            if table.name in SKIPPED:
                continue
            cols = [c.name for c in table.columns]
            budget = [cols.index(c) for c in ("budget_centimes", "committed_centimes")
                      if table.name == "programs"]
            quoted = ", ".join(f'"{c}"' for c in cols)
            with cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                for row in src.execute(f'SELECT {quoted} FROM "{table.name}"'):
                    if budget:
                        row = list(row)
                        for i in budget:
                            row[i] = min(row[i], INT32)
                    copy.write_row(row)
                    copied += 1
        raw.commit()
    finally:
        raw.close()
        src.close()
    return copied


FORMATS = ("json", "xlsx", "html", "pdf")


def run(label: str, url: str, args: argparse.Namespace, month: Month, size: int) -> None:
    out_dir = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    formats = [f for f in args.formats.split(",") if f]
    best: dict[str, dict[str, Any]] = {}
    for _ in range(args.repeat):  # alternately, so the floor and the report share the noise
        for what in ("floor", "floor_all", *formats):
            result = measure(url, what, month, out_dir / f"report.{what}")
            kept = best.get(what)
            if kept is None or result["wall"] < kept["wall"]:
                best[what] = {**result, "rss_mib": max(result["rss_mib"],
                                                       (kept or result)["rss_mib"])}
    fl, fa = best["floor"], best["floor_all"]
    print(f"[{label}] {size:,} beneficiaries, month {month}", flush=True)
    print(f"[{label}]   {'':22} {'wall s':>8} {'cpu s':>8} {'/floor':>7} {'/floor all':>10} "
          f"{'peak RSS MiB':>13}")
    for what in ("floor", "floor_all", *formats):
        r = best[what]
        name = {"floor": "floor (headline SQL)", "floor_all": "floor (all families)"}.get(
            what, f"report {what}")
        print(f"[{label}]   {name:22} {r['wall']:8.2f} {r['cpu']:8.2f} "
              f"{r['wall'] / fl['wall']:6.2f}x {r['wall'] / fa['wall']:9.2f}x "
              f"{r['rss_mib']:13.0f}")
    if "json" in formats:
        figures = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))["kpis"]
        problems = check(figures, fl["ref"])
        print(f"[{label}]   report agrees with floor: {problems if problems else 'yes'}",
              flush=True)
    shutil.rmtree(out_dir, ignore_errors=True)


def sqlite_for(size: int, args: argparse.Namespace, tmp: Path, as_of: date) -> Path:
    given = dict(item.split("=", 1) for item in args.sqlite)
    path = tmp / f"bench-{size}.db"
    if str(size) in given:
        # the online backup API copies a database in WAL mode consistently, read-only
        import sqlite3

        src = sqlite3.connect(f"file:{given[str(size)]}?mode=ro", uri=True)
        dst = sqlite3.connect(path)
        src.backup(dst)
        src.close()
        dst.close()
        print(f"[sqlite] {size:,}: copied {given[str(size)]}", flush=True)
        return path
    db = empower.connect(f"sqlite:///{path}")
    db.upgrade()
    t0 = time.perf_counter()
    summary = generate(db, beneficiaries=size, seed=args.seed, as_of=as_of)
    db.dispose()
    print(f"[sqlite] {size:,}: demo data up to {as_of} in {time.perf_counter() - t0:.0f}s "
          f"({summary.counts.get('attendance', 0):,} roster lines)", flush=True)
    return path


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        url, what, month, out = sys.argv[2:6]
        print(json.dumps(child(url, what, Month.parse(month), Path(out)), default=_plain))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--sqlite", action="append", default=[],
                        help="SIZE=FILE: a demo database already built for that size")
    parser.add_argument("--pg", default=os.environ.get("EMPOWER_BENCH_PG_URL"))
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--tmp", default=None, help="where the copies go (default: a temp dir)")
    args = parser.parse_args()
    month = Month.parse(args.month)
    as_of = month.shift(1).end
    for size in [int(s) for s in args.sizes.split(",") if s]:
        with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
            path = sqlite_for(size, args, Path(tmp), as_of)
            if not args.skip_sqlite:
                run("sqlite", f"sqlite:///{path}", args, month, size)
            if not args.pg:
                print("[postgresql] skipped: pass --pg URL or set EMPOWER_BENCH_PG_URL")
                continue
            admin_url = make_url(args.pg).set(drivername="postgresql+psycopg")
            name = f"empower_bench_rep1m_{uuid.uuid4().hex[:8]}"
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url = admin_url.set(database=name).render_as_string(hide_password=False)
                pg = empower.connect(url)
                pg.upgrade()
                t0 = time.perf_counter()
                rows = copy_facts(path, pg)
                with pg.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE"))
                pg.dispose()
                print(f"[postgresql] {size:,}: copied {rows:,} rows in "
                      f"{time.perf_counter() - t0:.0f}s", flush=True)
                run("postgresql", url, args, month, size)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
