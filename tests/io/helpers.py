"""Shared helpers for the importer tests: write files, run the CLI, wipe and count records."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

import empower
from empower.io.cli import register
from empower.models import AuditEvent, Base

REFERENCE_TABLES = {"regions", "provinces"}


def write_csv(path: Path, rows: list[list[Any]], *, delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def cli(db: empower.Database, *args: str, env: dict[str, str] | None = None) -> Any:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """empower (test harness)."""

    register(app)
    url = db.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(app, list(args), env={"EMPOWER_DATABASE_URL": url, **(env or {})},
                              catch_exceptions=False)


def count(db: empower.Database, model: type) -> int:
    with db.unit_of_work(readonly=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def audit_count(db: empower.Database) -> int:
    return count(db, AuditEvent)


def wipe(db: empower.Database) -> None:
    """Delete every record except the reference tables and the append-only audit log."""
    with db.unit_of_work() as uow:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES and table.name != "audit_events":
                uow.session.execute(delete(table))
        uow.commit()


def snapshot(db: empower.Database) -> dict[str, int]:
    from empower import models

    kinds = {"programs": models.Program, "beneficiaries": models.Beneficiary,
             "cooperatives": models.Cooperative, "memberships": models.Membership,
             "enrollments": models.Enrollment, "grants": models.Grant,
             "disbursements": models.Disbursement, "surveys": models.SurveyRecord,
             "activities": models.Activity, "sessions": models.ActivitySession,
             "attendance": models.Attendance, "visits": models.CoachingVisit,
             "audit": models.AuditEvent, "duplicates": models.DuplicateCandidate}
    return {k: count(db, m) for k, m in kinds.items()}
