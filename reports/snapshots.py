"""Frozen months: store the published figures, and show what changed since (late corrections)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from empower.reports.report import MonthlyReport
from sqlalchemy import func, select

from empower import audit
from empower.db import Database
from empower.errors import Conflict, NotFound
from empower.models import AuditEvent, ReportSnapshot

__all__ = ["Change", "SnapshotDiff", "diff_snapshot", "freeze", "load_snapshot"]


def freeze(db: Database, report: MonthlyReport, *, actor: str) -> ReportSnapshot:
    """Store ``report``'s figures as the published version of its month and scope (once)."""
    audit.check_actor(actor)
    month, scope = str(report.month), report.scope.key
    with db.unit_of_work() as uow:
        existing = uow.session.scalar(select(ReportSnapshot).where(
            ReportSnapshot.month == month, ReportSnapshot.scope == scope))
        if existing is not None:
            raise Conflict(f"month: {month} ({scope}) was already frozen on "
                           f"{existing.frozen_at:%Y-%m-%d %H:%M} UTC by {existing.frozen_by}; "
                           f"use 'empower report diff --month {month}' to see what changed",
                           code="report.already_frozen",
                           params={"month": month, "scope": scope, "frozen_at": existing.frozen_at,
                                   "frozen_by": existing.frozen_by},
                           field="month", value=month, existing_id=existing.id)
        snapshot = ReportSnapshot(month=month, scope=scope, frozen_by=actor,
                                  checksum=report.checksum, figures=report.to_dict())
        uow.session.add(snapshot)
        uow.session.flush()
        audit.record(uow, actor=actor, action="freeze", entity="report_snapshot",
                     entity_id=snapshot.id,
                     changes={"month": month, "scope": scope, "checksum": report.checksum})
        uow.commit()
        return snapshot


def load_snapshot(db: Database, month: str, scope: str = "all") -> ReportSnapshot:
    with db.unit_of_work(readonly=True) as uow:
        snapshot = uow.session.scalar(select(ReportSnapshot).where(
            ReportSnapshot.month == month, ReportSnapshot.scope == scope))
        if snapshot is None:
            raise NotFound(f"month: {month} ({scope}) has not been frozen "
                           f"(run 'empower report monthly --month {month} --freeze ...')",
                           code="report.not_frozen", params={"month": month, "scope": scope},
                           field="month", value=month)
        return snapshot


@dataclass(frozen=True)
class Change:
    """One figure whose value differs between the frozen month and today."""

    path: str
    frozen: Any
    now: Any


@dataclass(frozen=True)
class SnapshotDiff:
    month: str
    scope: str
    frozen_at: datetime
    frozen_by: str
    frozen_checksum: str
    checksum: str
    changes: list[Change]
    # (entity, action) -> number of audited writes since the freeze: where corrections came from
    writes_since: dict[tuple[str, str], int]
    # Figures the report has now but the snapshot does not (defined after it was frozen): new,
    # not changed.
    added: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self.changes


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, sub in value.items():
            out.update(_flatten(sub, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def diff_snapshot(db: Database, snapshot: ReportSnapshot, current: MonthlyReport) -> SnapshotDiff:
    """Compare a frozen month with the same month computed now, figure by figure."""
    frozen_kpis = snapshot.figures.get("kpis", {})
    added = [key for key in current.figures if key not in frozen_kpis]
    frozen = _flatten(frozen_kpis)
    now = _flatten({k: v for k, v in current.figures.items() if k in frozen_kpis})
    changes = [Change(path, frozen.get(path), now.get(path))
               for path in sorted(set(frozen) | set(now))
               if frozen.get(path) != now.get(path) and not path.endswith(".suppressed")
               and ".suppressed_cells." not in path]
    with db.unit_of_work(readonly=True) as uow:
        rows = uow.session.execute(
            select(AuditEvent.entity, AuditEvent.action, func.count())
            .where(AuditEvent.at > snapshot.frozen_at, AuditEvent.entity != "report_snapshot")
            .group_by(AuditEvent.entity, AuditEvent.action)
            .order_by(AuditEvent.entity, AuditEvent.action)).all()
    return SnapshotDiff(month=snapshot.month, scope=snapshot.scope, frozen_at=snapshot.frozen_at,
                        frozen_by=snapshot.frozen_by, frozen_checksum=snapshot.checksum,
                        checksum=current.checksum, changes=changes,
                        writes_since={(e, a): int(n) for e, a, n in rows}, added=added)
