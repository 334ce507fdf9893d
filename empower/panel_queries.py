"""Read queries for the admin panel's home page, scoped to a set of regions.

Core code (SQLAlchemy only): the panel calls these instead of the reports module, so the figures
on an officer's dashboard mean the same thing as anywhere else in the library.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, true

from empower.db import UnitOfWork
from empower.models import (
    Beneficiary,
    Cooperative,
    Disbursement,
    DuplicateCandidate,
    Enrollment,
    Grant,
    Province,
)
from empower.vocab import DuplicateStatus, EnrollmentStatus

__all__ = ["dashboard_counts"]


def _provinces(regions: Collection[str]) -> Select[Any]:
    return select(Province.code).where(Province.region_code.in_(list(regions)))


def dashboard_counts(uow: UnitOfWork, *, regions: Collection[str] | None,
                     today: date) -> dict[str, int]:
    """Counts for one user's scope (``regions=None`` means the whole country).

    ``beneficiaries`` (not archived or erased), ``active_enrollments``, ``cooperatives``
    (not dissolved), ``grants_approved_month`` (approved this calendar month),
    ``tranches_paid_month`` and ``paid_month_centimes`` (tranches paid this month), and
    ``open_duplicates``.
    """
    month_start = today.replace(day=1)
    s = uow.session

    def count(stmt: Select) -> int:
        return int(s.scalar(select(func.count()).select_from(stmt.subquery())) or 0)

    people = select(Beneficiary.id)
    coops = select(Cooperative.id)
    if regions is None:
        # The whole country: no scope clauses at all (an IN over every id costs a full scan).
        def in_people(column: Any) -> Any:
            return true()

        grant_scope: Any = true()
    else:
        people = people.where(Beneficiary.province_code.in_(_provinces(regions)))
        coops = coops.where(Cooperative.province_code.in_(_provinces(regions)))

        def in_people(column: Any) -> Any:
            return column.in_(people)

        grant_scope = or_(Grant.beneficiary_id.in_(people), Grant.cooperative_id.in_(coops))
    out = {
        "beneficiaries": count(people.where(Beneficiary.archived_on.is_(None),
                                            Beneficiary.erased_on.is_(None))),
        "active_enrollments": count(select(Enrollment.id).where(
            Enrollment.status == EnrollmentStatus.ENROLLED,
            in_people(Enrollment.beneficiary_id))),
        "cooperatives": count(coops.where(Cooperative.dissolved_on.is_(None))),
        "grants_approved_month": count(select(Grant.id).where(
            Grant.approved_on >= month_start, Grant.approved_on <= today, grant_scope)),
        "open_duplicates": count(select(DuplicateCandidate.id).where(
            DuplicateCandidate.status == DuplicateStatus.OPEN,
            or_(in_people(DuplicateCandidate.beneficiary_id),
                in_people(DuplicateCandidate.other_beneficiary_id)))),
    }
    paid = s.execute(
        select(func.count(Disbursement.id), func.coalesce(func.sum(Disbursement.amount_centimes), 0))
        .join(Grant, Grant.id == Disbursement.grant_id)
        .where(and_(Disbursement.paid_on >= month_start, Disbursement.paid_on <= today),
               grant_scope)).one()
    out["tranches_paid_month"] = int(paid[0])
    out["paid_month_centimes"] = int(paid[1])
    return out
