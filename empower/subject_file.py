"""Her subject file (law 09-08, right of access): everything held about one woman.

:func:`subject_file` reads every table that names her (each table with a reference to
``beneficiaries``, the payment lines of her grants, the audit history of her records) into
plain sections of rows, and nothing about anyone else: a duplicate candidate says which rule
matched her, not who the other woman is; the notes of an investigation (grievance steps) are
left out, as they name the people heard. :func:`write_json` writes it; the PDF is rendered by
the reports package (``empower privacy subject-file``), which owns the WeasyPrint machinery.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, or_, select

from empower.db import UnitOfWork
from empower.models import (
    ActivitySession,
    ArchivePeriod,
    Attendance,
    AuditEvent,
    Base,
    Beneficiary,
    CoachingVisit,
    Cooperative,
    Disbursement,
    DuplicateCandidate,
    Enrollment,
    Grant,
    Grievance,
    GrievanceStep,
    Membership,
    PaymentInstruction,
    SurveyRecord,
    utcnow,
)
from empower.services._common import get

__all__ = ["SECTIONS", "subject_file", "write_json"]

# The sections, in the order the file shows them; each names the table it reads.
SECTIONS: dict[str, str] = {
    "registration": "beneficiaries",
    "archive_periods": "archive_periods",
    "enrollments": "enrollments",
    "memberships": "memberships",
    "attendances": "attendances",
    "coaching_visits": "coaching_visits",
    "grants": "grants",
    "disbursements": "disbursements",
    "payment_instructions": "payment_instructions",
    "surveys": "survey_records",
    "duplicate_candidates": "duplicate_candidates",
    "grievances": "grievances",
    "grievance_steps": "grievance_steps",
    "audit_history": "audit_events",
}

# Columns that are about someone else, or internal search keys derived from her names.
_LEFT_OUT = {
    "duplicate_candidates": {"beneficiary_id", "other_beneficiary_id", "note", "resolved_by"},
    "grievance_steps": {"note"},
    "beneficiaries": {"match_key", "search_key"},
}
# The audit entities of the records the file lists, and the section holding their ids.
_AUDITED = {
    "beneficiary": "registration",
    "enrollment": "enrollments",
    "membership": "memberships",
    "grant": "grants",
    "survey": "surveys",
    "visit": "coaching_visits",
    "grievance": "grievances",
    "payment_instruction": "payment_instructions",
    "disbursement": "disbursements",
}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows(objects: Iterable[Base], table: str) -> list[dict[str, Any]]:
    left_out = _LEFT_OUT.get(table, set())
    out = []
    for obj in objects:
        mapper = inspect(type(obj))
        out.append({c.key: _plain(getattr(obj, c.key)) for c in mapper.column_attrs if c.key not in left_out})
    return out


def subject_file(uow: UnitOfWork, beneficiary_id: int) -> dict[str, Any]:
    """Everything held about her, as ``{"beneficiary_id", "produced_at", "sections": {name:
    [row, ...]}}`` in the order of :data:`SECTIONS`. Raises :class:`NotFound`."""
    s = uow.session
    her = get(uow, Beneficiary, beneficiary_id, what="beneficiary")
    bid = her.id
    grants = list(s.scalars(select(Grant).where(Grant.beneficiary_id == bid).order_by(Grant.id)))
    grant_ids = [g.id for g in grants]
    cases = list(s.scalars(select(Grievance).where(Grievance.beneficiary_id == bid).order_by(Grievance.id)))
    memberships = list(
        s.scalars(select(Membership).where(Membership.beneficiary_id == bid).order_by(Membership.id))
    )
    sections: dict[str, list[dict[str, Any]]] = {
        "registration": _rows([her], "beneficiaries"),
        "archive_periods": _rows(
            s.scalars(
                select(ArchivePeriod).where(ArchivePeriod.beneficiary_id == bid).order_by(ArchivePeriod.id)
            ),
            "archive_periods",
        ),
        "enrollments": _rows(
            s.scalars(select(Enrollment).where(Enrollment.beneficiary_id == bid).order_by(Enrollment.id)),
            "enrollments",
        ),
        "memberships": _rows(memberships, "memberships"),
        "attendances": _rows(
            s.scalars(select(Attendance).where(Attendance.beneficiary_id == bid).order_by(Attendance.id)),
            "attendances",
        ),
        "coaching_visits": _rows(
            s.scalars(
                select(CoachingVisit).where(CoachingVisit.beneficiary_id == bid).order_by(CoachingVisit.id)
            ),
            "coaching_visits",
        ),
        "grants": _rows(grants, "grants"),
        "disbursements": _rows(
            s.scalars(
                select(Disbursement).where(Disbursement.grant_id.in_(grant_ids)).order_by(Disbursement.id)
            ),
            "disbursements",
        ),
        "payment_instructions": _rows(
            s.scalars(
                select(PaymentInstruction)
                .where(PaymentInstruction.grant_id.in_(grant_ids))
                .order_by(PaymentInstruction.id)
            ),
            "payment_instructions",
        ),
        "surveys": _rows(
            s.scalars(
                select(SurveyRecord).where(SurveyRecord.beneficiary_id == bid).order_by(SurveyRecord.id)
            ),
            "survey_records",
        ),
        "duplicate_candidates": _rows(
            s.scalars(
                select(DuplicateCandidate)
                .where(
                    or_(
                        DuplicateCandidate.beneficiary_id == bid,
                        DuplicateCandidate.other_beneficiary_id == bid,
                    )
                )
                .order_by(DuplicateCandidate.id)
            ),
            "duplicate_candidates",
        ),
        "grievances": _rows(cases, "grievances"),
        "grievance_steps": _rows(
            s.scalars(
                select(GrievanceStep)
                .where(GrievanceStep.grievance_id.in_([c.id for c in cases]))
                .order_by(GrievanceStep.id)
            ),
            "grievance_steps",
        ),
    }
    # What a membership or an attendance refers to, said by name: organisations and sessions.
    coops = {
        c.id: c
        for c in s.scalars(
            select(Cooperative).where(Cooperative.id.in_([m.cooperative_id for m in memberships]))
        )
    }
    for row in sections["memberships"]:
        coop = coops.get(row["cooperative_id"])
        row["cooperative"] = coop.name if coop else None
    sessions = {
        x.id: x
        for x in s.scalars(
            select(ActivitySession).where(
                ActivitySession.id.in_([r["session_id"] for r in sections["attendances"]])
            )
        )
    }
    for row in sections["attendances"]:
        held = sessions.get(row["session_id"])
        row["session"] = held.reference if held else None
        row["scheduled_on"] = held.scheduled_on.isoformat() if held else None
    history: list[dict[str, Any]] = []
    for entity, section in _AUDITED.items():
        ids = [r["id"] for r in sections[section]]
        if not ids:
            continue
        history.extend(
            _rows(
                s.scalars(
                    select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id.in_(ids))
                ),
                "audit_events",
            )
        )
    history.sort(key=lambda r: r["id"])
    sections["audit_history"] = history
    return {
        "beneficiary_id": bid,
        "produced_at": _plain(utcnow().replace(microsecond=0)),
        "sections": sections,
    }


def write_json(content: dict[str, Any], path: Path) -> None:
    """Write a subject file as indented UTF-8 JSON (Arabic kept as written)."""
    path.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
