"""Core reads for the panel's targeting pages: an intake's funnel and its applications.

What an application says is what :func:`empower.services.targeting.judge_application` stored
when she applied (each rule's result, eligible, score; her rank after the selection); these reads
only count and list it, narrowed to the women her regions cover (:func:`empower.scope.condition`
on enrolments). Like :mod:`empower.panel_trainings` they run on the core's SQLAlchemy session,
off the event loop: the panel itself never reads with SQLAlchemy.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select

from empower import scope
from empower.db import UnitOfWork
from empower.models import Beneficiary, Enrollment, Intake
from empower.targeting import Outcome
from empower.vocab import EnrollmentStatus

__all__ = ["APPLICATION_LIMIT", "applications", "funnel", "rule_key"]

# An intake's page lists at most this many applications (the enrolments list has them all).
APPLICATION_LIMIT = 500


def rule_key(result: dict[str, Any]) -> str:
    """One rule's identity across applications (its field, operator and value)."""
    return json.dumps([result.get("field"), result.get("op"), result.get("value")],
                      sort_keys=True, default=str)


def funnel(uow: UnitOfWork, intake_id: int, regions: Collection[str] | None) -> dict[str, Any]:
    """How her regions' applications to the intake went: applied, eligible, refused (and by
    which rule: a woman refused by two rules counts under both), overridden, selected
    (enrolled), waitlisted, and the intake's places.

    ``refused_by`` lists ``(result, count)`` with ``result`` one of the stored rule results (its
    ``field``, ``op``, ``value``), most refusals first.
    """
    intake = uow.session.get(Intake, intake_id)
    if intake is None:
        return {}
    mine = (Enrollment.intake_id == intake_id, scope.condition(Enrollment, regions))
    by_status = {str(getattr(s, "value", s)): int(n) for s, n in uow.session.execute(
        select(Enrollment.status, func.count()).where(*mine).group_by(Enrollment.status))}
    eligible = uow.session.scalar(select(func.count()).select_from(Enrollment).where(
        *mine, Enrollment.eligible.is_(True))) or 0
    overridden = uow.session.scalar(select(func.count()).select_from(Enrollment).where(
        *mine, Enrollment.override_reason.is_not(None))) or 0
    refused: dict[str, list[Any]] = {}
    refused_total = 0
    for (results,) in uow.session.execute(select(Enrollment.rule_results).where(
            *mine, Enrollment.eligible.is_(False))):
        refused_total += 1
        for result in results or []:
            if result.get("outcome") != Outcome.PASSED:
                entry = refused.setdefault(rule_key(result), [result, 0])
                entry[1] += 1
    return {"places": intake.places, "applied": sum(by_status.values()),
            "eligible": int(eligible), "refused": refused_total,
            "refused_by": sorted(((r, n) for r, n in refused.values()), key=lambda x: -x[1]),
            "overridden": int(overridden),
            "selected": by_status.get(EnrollmentStatus.ENROLLED.value, 0)
            + by_status.get(EnrollmentStatus.EXITED.value, 0),
            "waitlisted": by_status.get(EnrollmentStatus.WAITLISTED.value, 0),
            "by_status": by_status}


def applications(uow: UnitOfWork, intake_id: int, regions: Collection[str] | None, *,
                 status: str | None = None,
                 limit: int = APPLICATION_LIMIT) -> list[dict[str, Any]]:
    """Her regions' applications to the intake in selection order (rank, then score, then
    application date), each with her name, status, score, rank and the rules she did not pass.
    """
    stmt = (select(Enrollment.id, Enrollment.beneficiary_id, Enrollment.status,
                   Enrollment.applied_on, Enrollment.eligible, Enrollment.score, Enrollment.rank,
                   Enrollment.override_reason, Enrollment.rule_results, Beneficiary.first_name,
                   Beneficiary.last_name, Beneficiary.first_name_ar, Beneficiary.last_name_ar)
            .join(Beneficiary, Beneficiary.id == Enrollment.beneficiary_id)
            .where(Enrollment.intake_id == intake_id, scope.condition(Enrollment, regions))
            .order_by(Enrollment.rank.is_(None), Enrollment.rank, Enrollment.score.desc(),
                      Enrollment.applied_on, Enrollment.id)
            .limit(limit))
    if status:
        stmt = stmt.where(Enrollment.status == status)
    rows = []
    for (eid, bid, state, applied_on, eligible, score, rank, reason, results, first, last,
         first_ar, last_ar) in uow.session.execute(stmt):
        rows.append({
            "id": eid, "beneficiary_id": bid, "status": str(getattr(state, "value", state)),
            "applied_on": applied_on, "eligible": eligible, "score": score, "rank": rank,
            "overridden": reason is not None,
            "name": f"{first or ''} {last or ''}".strip(),
            "name_ar": f"{first_ar or ''} {last_ar or ''}".strip(),
            "failed": [r for r in results or [] if r.get("outcome") != Outcome.PASSED]})
    return rows
