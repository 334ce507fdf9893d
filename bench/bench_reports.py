"""Benchmark: the monthly JSON report against a hand-written SQL floor, on SQLite and PostgreSQL.

    python bench/bench_reports.py [--beneficiaries 100000] [--seed 7] [--month 2026-10]
                                  [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

PostgreSQL runs when ``--pg`` or ``EMPOWER_BENCH_PG_URL`` is given (the benchmark creates and
drops its own database on that server). The demo generator fills a fresh SQLite database (two
years of activity up to the month after the one reported); PostgreSQL gets a copy of the same
facts, so both backends report the same numbers. (The copy clamps program budgets to 2^31-1
centimes: the demo's budgets for 100,000 women overflow PostgreSQL's INTEGER columns, and
budgets are not read by the report.) On each backend:

- floor: hand-written SQL computing the report's headline figures (every KPI's total, no
  breakdowns), the medians finished in Python from the fetched values;
- report: ``build_monthly_report`` + JSON, i.e. every KPI with its breakdowns by region,
  province, age band and milieu, suppression marks and the data checksum.

Prints the best of ``--repeat`` timings of each, their ratio (goal: within 5x) and the peak
Python memory of one run of each (tracemalloc, measured in separate, untimed runs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import date
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


def floor(db: empower.Database, month: Month) -> dict[str, Any]:
    """The headline figures by hand-written SQL (the fastest a report could possibly be)."""
    params = {"start": month.start, "end": month.end, "cutoff": survival_cutoff(month)}
    # the report's trick, given to the floor too: SQLite scans rather than walking a date index
    # for conditions nearly every row meets (a unary + keeps it off the index)
    plus = "+" if db.is_sqlite else ""
    out: dict[str, Any] = {}
    with db.engine.connect() as conn:
        for name, sql in FLOOR_SQL.items():
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


def report(db: empower.Database, month: Month, out: Path) -> dict[str, Any]:
    result = build_monthly_report(db, month)
    out.write_text(result.to_json(), encoding="utf-8")
    return result.figures


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, value = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), value


def peak_mib(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def check(figures: dict[str, Any], ref: dict[str, Any]) -> list[str]:
    """Where the report and the floor disagree (they never should)."""
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


COPIED = ["programs", "beneficiaries", "enrollments", "cooperatives", "memberships", "grants",
          "disbursements", "survey_records"]
INT32 = 2**31 - 1


def copy_facts(source: empower.Database, target: empower.Database) -> int:
    """Copy the tables the report reads from one database to another (migrated, empty) one."""
    from empower.models import Base

    copied = 0
    with source.engine.connect() as src, target.engine.begin() as dst:
        for name in COPIED:
            table = Base.metadata.tables[name]
            result = src.execute(table.select().order_by(table.c.id))
            while chunk := result.fetchmany(20_000):
                rows = [dict(r._mapping) for r in chunk]
                if name == "programs":
                    for r in rows:
                        r["budget_centimes"] = min(r["budget_centimes"], INT32)
                        r["committed_centimes"] = min(r["committed_centimes"], r["budget_centimes"])
                dst.execute(table.insert(), rows)
                copied += len(rows)
    return copied


def run(label: str, db: empower.Database, args: argparse.Namespace, month: Month) -> None:
    out = Path(tempfile.mkdtemp()) / "report.json"
    report(db, month, out)  # warm caches (both sides get a warm database)
    floor(db, month)
    t_floor, ref = best_of(lambda: floor(db, month), args.repeat)
    t_report, figures = best_of(lambda: report(db, month, out), args.repeat)
    mem_floor = peak_mib(lambda: floor(db, month))
    mem_report = peak_mib(lambda: report(db, month, out))
    problems = check(figures, ref)
    print(f"[{label}] month {month}, {args.beneficiaries:,} beneficiaries")
    print(f"[{label}]   SQL floor (headline totals): {t_floor * 1000:8.0f} ms   "
          f"peak {mem_floor:7.1f} MiB")
    print(f"[{label}]   JSON report (all KPIs, breakdowns): {t_report * 1000:8.0f} ms   "
          f"peak {mem_report:7.1f} MiB")
    print(f"[{label}]   ratio report / floor: {t_report / t_floor:.2f}x (goal: within 5x)")
    print(f"[{label}]   report agrees with floor: {problems if problems else 'yes'}",
          flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--beneficiaries", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("EMPOWER_BENCH_PG_URL"))
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    month = Month.parse(args.month)
    as_of = month.shift(1).start.replace(day=15)
    with tempfile.TemporaryDirectory() as tmp:
        lite = empower.connect(f"sqlite:///{tmp}/bench.db")
        lite.upgrade()
        t0 = time.perf_counter()
        summary = generate(lite, beneficiaries=args.beneficiaries, seed=args.seed, as_of=as_of)
        print(f"demo data up to {as_of}: {summary.counts} in {time.perf_counter() - t0:.0f}s",
              flush=True)
        if not args.skip_sqlite:
            run("sqlite", lite, args, month)
        if not args.pg:
            print("[postgresql] skipped: pass --pg URL or set EMPOWER_BENCH_PG_URL")
            return 0
        admin_url = make_url(args.pg).set(drivername="postgresql+psycopg")
        name = f"empower_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            pg = empower.connect(admin_url.set(database=name).render_as_string(hide_password=False))
            pg.upgrade()
            t0 = time.perf_counter()
            rows = copy_facts(lite, pg)
            with pg.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            print(f"[postgresql] copied {rows:,} rows in {time.perf_counter() - t0:.0f}s",
                  flush=True)
            run("postgresql", pg, args, month)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        lite.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
