"""Read-only queries shared by the command line and scripts."""

from __future__ import annotations

from sqlalchemy import func, select

from empower.db import UnitOfWork
from empower.models import (
    Agreement,
    AuditEvent,
    Beneficiary,
    Cooperative,
    Disbursement,
    DuplicateCandidate,
    Enrollment,
    Grant,
    Membership,
    Partner,
    Program,
    Province,
    Region,
    SurveyRecord,
    User,
    utcnow,
)
from empower.predicates import ARCHIVED
from empower.vocab import DuplicateStatus

__all__ = ["entity_counts"]

_ENTITIES = [
    ("regions", Region), ("provinces", Province), ("programs", Program), ("partners", Partner),
    ("agreements", Agreement), ("beneficiaries", Beneficiary), ("enrollments", Enrollment),
    ("cooperatives", Cooperative), ("memberships", Membership), ("grants", Grant),
    ("disbursements", Disbursement), ("surveys", SurveyRecord),
    ("duplicate candidates", DuplicateCandidate), ("audit events", AuditEvent),
    ("panel users", User),
]


def entity_counts(uow: UnitOfWork) -> dict[str, int]:
    """Rows per entity, plus archived beneficiaries and open duplicate candidates."""
    s = uow.session
    counts = {name: s.scalar(select(func.count()).select_from(model)) or 0
              for name, model in _ENTITIES}
    counts["archived beneficiaries"] = s.scalar(
        select(func.count()).select_from(Beneficiary)
        .where(ARCHIVED.sql(utcnow().date(), Beneficiary))) or 0
    counts["open duplicate candidates"] = s.scalar(
        select(func.count()).select_from(DuplicateCandidate)
        .where(DuplicateCandidate.status == DuplicateStatus.OPEN)) or 0
    return counts
