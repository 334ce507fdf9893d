"""Read queries for the admin panel's home page, scoped to a set of regions.

Core code (SQLAlchemy only): the panel calls these instead of the reports module. Each figure is
the monthly report's KPI of the same name computed for one day, with the same predicates
(:mod:`empower.predicates`) and the same region scope (:mod:`empower.scope`), so on the last
day of a month the dashboard says what the report for that month says.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Select, distinct, func, select

from empower import scope
from empower.db import UnitOfWork
from empower.models import (
    Beneficiary,
    Cooperative,
    Disbursement,
    DuplicateCandidate,
    Enrollment,
    Grant,
    PaymentBatch,
    PaymentInstruction,
)
from empower.predicates import (
    ARCHIVED,
    COOPERATIVE_ACTIVE,
    ENROLLMENT_ACTIVE,
    GRANT_STANDING,
    REGISTERED,
)
from empower.vocab import BatchStatus, DuplicateStatus, InstructionStatus

__all__ = ["dashboard_counts", "payment_counts"]

def dashboard_counts(uow: UnitOfWork, *, regions: Collection[str] | None,
                     today: date) -> dict[str, int]:
    """The home page's figures for one user's scope (``regions=None``: the whole country).

    Each is the report's KPI (in brackets) for the month so far:
    ``beneficiaries``: women registered by today and not archived (``beneficiaries_registered``);
    ``active_enrollments``: distinct women with an enrolment active today, not archived
    (``active_enrollments``); ``cooperatives``: founded by today and not dissolved
    (``cooperatives_active``); ``grants_approved_month``: approved from the first of the month
    to today and not cancelled by today (``grants_approved_count``); ``disbursements_paid_month``
    and ``paid_month_centimes``: tranches paid from the first of the month to today (the count
    and value of ``disbursed_amount``); ``open_duplicates``: open duplicate pairs whose two
    women are both in scope (the officer's duplicates list).
    """
    month_start = today.replace(day=1)
    s = uow.session

    def count(stmt: Select[Any]) -> int:
        return int(s.scalar(stmt) or 0)

    out = {
        "beneficiaries": count(select(func.count(Beneficiary.id)).where(
            REGISTERED.sql(today, Beneficiary), scope.condition(Beneficiary, regions))),
        "active_enrollments": count(
            select(func.count(distinct(Enrollment.beneficiary_id)))
            .join(Beneficiary, Beneficiary.id == Enrollment.beneficiary_id)
            .where(ENROLLMENT_ACTIVE.sql(today, Enrollment), ~ARCHIVED.sql(today, Beneficiary),
                   scope.condition(Enrollment, regions))),
        "cooperatives": count(select(func.count(Cooperative.id)).where(
            COOPERATIVE_ACTIVE.sql(today, Cooperative), scope.condition(Cooperative, regions))),
        "grants_approved_month": count(select(func.count(Grant.id)).where(
            Grant.approved_on >= month_start, GRANT_STANDING.sql(today, Grant),
            scope.condition(Grant, regions))),
        "open_duplicates": count(select(func.count(DuplicateCandidate.id)).where(
            DuplicateCandidate.status == DuplicateStatus.OPEN,
            scope.condition(DuplicateCandidate, regions))),
    }
    paid = s.execute(
        select(func.count(Disbursement.id), func.coalesce(func.sum(Disbursement.amount_centimes), 0))
        .where(Disbursement.paid_on >= month_start, Disbursement.paid_on <= today,
               scope.condition(Disbursement, regions))).one()
    out["disbursements_paid_month"] = int(paid[0])
    out["paid_month_centimes"] = int(paid[1])
    return out


def payment_counts(uow: UnitOfWork, *, regions: Collection[str] | None) -> dict[str, int]:
    """The home page's payment figures for one user's scope (``regions=None``: the country).

    ``in_flight_centimes`` and ``in_flight_lines``: payment instructions sent to the paying
    institution and not yet paid, failed or returned (each line is its grant's, as a tranche);
    ``batches_awaiting_approval``: draft batches (a batch is its region's; one without a region
    is the whole country's, counted for the country only).
    """
    s = uow.session
    sent = s.execute(
        select(func.count(PaymentInstruction.id),
               func.coalesce(func.sum(PaymentInstruction.amount_centimes), 0))
        .where(PaymentInstruction.status == InstructionStatus.SENT,
               scope.condition(PaymentInstruction, regions))).one()
    drafts = s.scalar(select(func.count(PaymentBatch.id)).where(
        PaymentBatch.status == BatchStatus.DRAFT, scope.condition(PaymentBatch, regions)))
    return {"in_flight_lines": int(sent[0]), "in_flight_centimes": int(sent[1]),
            "batches_awaiting_approval": int(drafts or 0)}
