"""Benchmark: ``empower import attendance`` against a plain executemany of the same rows.

    python bench/bench_activities.py [--sessions 2000] [--women 100] [--pg URL]

Set-up (not timed): one program, ``--sessions / 100`` cohorts of ``--women`` women each enrolled,
one training activity per cohort with 100 held sessions, imported through ``empower import``.
Then a French-locale roster CSV (semicolons, ``séance;CIN;Présence``, French labels, one row per
woman per session: 200,000 rows by default) is loaded, in the same run, on two copies of that
database, each in its own child process:

- baseline: read the CSV with the ``csv`` module, map session references and CINs to ids with
  two queries, and one plain ``executemany`` INSERT into ``attendances`` (no rule, no audit);
- empower: the full ``empower import attendance FILE`` command (atomic): reading and sniffing,
  header mapping, cell parsing (labels), CIN normalisation, key repeats, and per session the
  roster rules (session held, women registered, not archived, enrolled on the day) and
  ``record_roster`` (one audit event per session), one transaction.

Prints both times (wall, and CPU of the client process), and the ratio (goal: within 3x). SQLite
always; PostgreSQL with ``--pg`` or ``EMPOWER_BENCH_PG_URL`` (databases created and dropped).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

# Run as `python bench/bench_activities.py`: this folder is on the path.
from bench_import import Run, _child, _PgDatabase
from sqlalchemy import create_engine, text

import empower
from empower.io.importing import import_file

IMPORT = "import sys; from empower.cli import main; sys.exit(main(sys.argv[1:]))"
SESSIONS_PER_ACTIVITY = 100
START = date(2024, 2, 1)
LABELS = ["présente"] * 8 + ["absente", "excusée"]

BASELINE = """
import csv, sys
from sqlalchemy import create_engine, text
engine = create_engine(sys.argv[2])
with engine.begin() as conn:
    sessions = dict(conn.execute(text("SELECT reference, id FROM activity_sessions")).all())
    women = dict(conn.execute(text("SELECT cin, id FROM beneficiaries")).all())
    status = {"présente": "present", "absente": "absent", "excusée": "excused"}
    with open(sys.argv[1], encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        next(reader)
        rows = [{"s": sessions[r[0]], "b": women[r[1]], "st": status[r[2]]} for r in reader]
    conn.execute(text("INSERT INTO attendances (session_id, beneficiary_id, status) "
                      "VALUES (:s, :b, :st)"), rows)
engine.dispose()
"""


def _write(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    return path


def setup(url: str, folder: Path, cohorts: int, women: int) -> None:
    """One program, the cohorts of women enrolled, an activity per cohort, its held sessions."""
    db = empower.connect(url)
    db.upgrade()
    today = date.today()
    cin = [[f"BK{c:03d}{w:03d}" for w in range(women)] for c in range(cohorts)]
    files = {
        "programs": [["code", "name", "start_date", "budget"],
                     ["BENCH", "Bench", "2024-01-01", "10000000"]],
        "beneficiaries": [["cin", "first_name", "birth_date", "province_code", "consent_date",
                           "registered_on"]] + [
            [c, "Fatima", "1990-01-01", "04.441", "2024-01-02", "2024-01-02"]
            for cohort in cin for c in cohort],
        "enrollments": [["cin", "program_code", "applied_on", "enrolled_on"]] + [
            [c, "BENCH", "2024-01-10", "2024-01-15"] for cohort in cin for c in cohort],
        "activities": [["program_code", "code", "kind", "title", "starts_on", "ends_on",
                        "planned_sessions"]] + [
            ["BENCH", f"ACT-{c:03d}", "formation", f"Cohorte {c}", "2024-02-01", "2024-12-31",
             str(SESSIONS_PER_ACTIVITY)] for c in range(cohorts)],
        "sessions": [["activity_code", "reference", "scheduled_on", "status"]] + [
            [f"ACT-{c:03d}", f"S-{c:03d}-{k:03d}", (START + timedelta(days=3 * k)).isoformat(),
             "tenue"] for c in range(cohorts) for k in range(SESSIONS_PER_ACTIVITY)],
    }
    for kind, rows in files.items():
        report = import_file(db, kind, _write(folder / f"setup-{kind}.csv", rows), today=today)
        assert not report.rejections, (kind, report.rejections[:3])
    db.dispose()


def roster(path: Path, cohorts: int, women: int) -> int:
    rng = random.Random(11)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(["séance", "CIN", "Présence"])
        for c in range(cohorts):
            for k in range(SESSIONS_PER_ACTIVITY):
                for w in range(women):
                    out.writerow([f"S-{c:03d}-{k:03d}", f"BK{c:03d}{w:03d}", rng.choice(LABELS)])
                    count += 1
    return count


def _count(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM attendances")).scalar_one()
    engine.dispose()
    return int(n)


def compare(label: str, csv_path: Path, empower_url: str, baseline_url: str, rows: int) -> None:
    base = _child(BASELINE, str(csv_path), baseline_url)
    assert base.code == 0 and _count(baseline_url) == rows, "baseline failed"
    ours: Run = _child(IMPORT, "import", "attendance", str(csv_path),
                       env={"EMPOWER_DATABASE_URL": empower_url})
    assert ours.code == 0, f"empower import exited {ours.code} (rows rejected?)"
    assert _count(empower_url) == rows
    print(f"{label:10} executemany {base.wall:6.1f} s wall {base.cpu:6.1f} s CPU   "
          f"empower import attendance {ours.wall:6.1f} s wall {ours.cpu:6.1f} s CPU   "
          f"ratio {ours.wall / base.wall:4.1f}x wall, {ours.cpu / base.cpu:4.1f}x CPU "
          f"(client process)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--women", type=int, default=100, help="women per session")
    parser.add_argument("--pg", default=os.environ.get("EMPOWER_BENCH_PG_URL"),
                        help="PostgreSQL server URL (databases are created and dropped)")
    args = parser.parse_args()
    cohorts = max(1, args.sessions // SESSIONS_PER_ACTIVITY)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path = folder / "roster.csv"
        rows = roster(csv_path, cohorts, args.women)
        size = csv_path.stat().st_size / 1e6
        print(f"{rows:,} attendance rows ({cohorts * SESSIONS_PER_ACTIVITY:,} sessions of "
              f"{args.women} women), {size:.1f} MB CSV (semicolons, French headers and labels)")
        setup(f"sqlite:///{folder / 'base.db'}", folder, cohorts, args.women)
        shutil.copy(folder / "base.db", folder / "empower.db")
        shutil.copy(folder / "base.db", folder / "baseline.db")
        compare("SQLite", csv_path, f"sqlite:///{folder / 'empower.db'}",
                f"sqlite:///{folder / 'baseline.db'}", rows)
        if args.pg:
            ours, theirs = _PgDatabase(args.pg), _PgDatabase(args.pg)
            try:
                setup(ours.url, folder, cohorts, args.women)
                setup(theirs.url, folder, cohorts, args.women)
                compare("PostgreSQL", csv_path, ours.url, theirs.url, rows)
            finally:
                ours.drop()
                theirs.drop()
        else:
            print("PostgreSQL: skipped (give --pg URL or EMPOWER_BENCH_PG_URL)")


if __name__ == "__main__":
    main()
