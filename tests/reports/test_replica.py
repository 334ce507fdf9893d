"""Reports and exports read from EMPOWER_REPORTS_DATABASE_URL; freezing writes to the primary.

Two SQLite files stand for a primary and its read replica: the replica holds the demo data, the
primary none, so a figure that is not zero can only have come from the replica.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from empower.reports import build_monthly_report
from empower.reports.cli import app as report_app
from sqlalchemy import func, select, text
from typer.testing import CliRunner

import empower
from empower.cli import main
from empower.demo import generate
from empower.models import ReportSnapshot

from ..conftest import PG_URL

AS_OF = date(2026, 11, 30)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshots(url: str) -> int:
    db = empower.connect(url)
    try:
        with db.unit_of_work(readonly=True) as uow:
            return int(uow.session.scalar(select(func.count()).select_from(ReportSnapshot)) or 0)
    finally:
        db.dispose()


@pytest.fixture
def replica_setup(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch):
    primary, replica = tmp_path / "primary.db", tmp_path / "replica.db"
    shutil.copy(sqlite_template, primary)
    shutil.copy(sqlite_template, replica)
    db = empower.connect(f"sqlite:///{replica}")
    generate(db, beneficiaries=120, seed=5, as_of=AS_OF)
    db.dispose()
    raw = sqlite3.connect(replica)  # fold the WAL in: the file alone is the replica's state
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    monkeypatch.setenv("EMPOWER_DATABASE_URL", f"sqlite:///{primary}")
    monkeypatch.setenv("EMPOWER_REPORTS_DATABASE_URL", f"sqlite:///{replica}")
    return primary, replica


def test_report_reads_the_replica_and_freezes_on_the_primary(replica_setup, tmp_path):
    primary, replica = replica_setup
    before = _digest(replica)
    out = tmp_path / "2026-10.json"
    result = CliRunner().invoke(report_app, ["monthly", "--month", "2026-10", "--format", "json",
                                             "--out", str(out), "--freeze", "--actor", "test"])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text(encoding="utf-8"))["kpis"]
    replica_db = empower.connect(f"sqlite:///{replica}")
    try:
        expected = build_monthly_report(replica_db, "2026-10").figures
    finally:
        replica_db.dispose()
    assert figures["beneficiaries_registered"]["value"] > 0  # the primary holds nobody
    assert figures == json.loads(json.dumps(expected))
    assert _snapshots(f"sqlite:///{primary}") == 1
    assert _snapshots(f"sqlite:///{replica}") == 0
    assert _digest(replica) == before  # not a byte written to the replica
    # diff finds the snapshot on the primary and recomputes from the replica: nothing changed
    result = CliRunner().invoke(report_app, ["diff", "--month", "2026-10"])
    assert result.exit_code == 0, result.output
    assert "No figure changed" in result.output
    assert _digest(replica) == before


def test_export_reads_the_replica(replica_setup, tmp_path):
    _, replica = replica_setup
    before = _digest(replica)
    out = tmp_path / "beneficiaries.csv"
    assert main(["export", "beneficiaries", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 121  # header + 120 women
    assert _digest(replica) == before


def test_without_a_replica_reports_read_the_primary(replica_setup, tmp_path, monkeypatch):
    primary, _ = replica_setup
    monkeypatch.delenv("EMPOWER_REPORTS_DATABASE_URL")
    out = tmp_path / "2026-10.json"
    result = CliRunner().invoke(report_app, ["monthly", "--month", "2026-10", "--format", "json",
                                             "--out", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text(encoding="utf-8"))["kpis"]
    assert figures["beneficiaries_registered"]["value"] == 0


def test_a_read_only_database_refuses_writes(replica_setup):
    _, replica = replica_setup
    db = empower.connect(f"sqlite:///{replica}", read_only=True)
    try:
        with db.unit_of_work() as uow, pytest.raises(Exception, match="readonly"):
            uow.session.execute(text("DELETE FROM report_snapshots"))
        with db.unit_of_work(readonly=True) as uow:  # reading works
            assert uow.session.execute(text("SELECT COUNT(*) FROM beneficiaries")).scalar() == 120
    finally:
        db.dispose()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (EMPOWER_TEST_DATABASE_URL)")
def test_a_read_only_postgresql_database_refuses_writes(db_url):
    db = empower.connect(db_url, read_only=True)
    try:
        with db.unit_of_work() as uow, pytest.raises(Exception, match="read-only"):
            uow.session.execute(text("DELETE FROM report_snapshots"))
    finally:
        db.dispose()
