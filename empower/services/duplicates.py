"""Duplicate candidates: pairs of registrations that may be the same woman."""

from __future__ import annotations

from sqlalchemy import select, update

from empower import audit
from empower.db import UnitOfWork
from empower.errors import InvalidInput, RuleViolation
from empower.models import (
    Attendance,
    Beneficiary,
    CoachingVisit,
    DuplicateCandidate,
    Enrollment,
    Grant,
    Membership,
    SurveyRecord,
    utcnow,
)
from empower.rules import free_text
from empower.services._common import get, open_archive_period
from empower.vocab import DuplicateStatus, EnrollmentStatus, ExitReason

__all__ = ["list_duplicate_candidates", "resolve_duplicate"]


def list_duplicate_candidates(uow: UnitOfWork, *, status: DuplicateStatus | None = DuplicateStatus.OPEN,
                              limit: int = 100, offset: int = 0) -> list[DuplicateCandidate]:
    """Candidates, best score first (open ones by default)."""
    stmt = select(DuplicateCandidate).order_by(DuplicateCandidate.score.desc(),
                                               DuplicateCandidate.id)
    if status is not None:
        stmt = stmt.where(DuplicateCandidate.status == status)
    return list(uow.session.scalars(stmt.limit(limit).offset(offset)))


def resolve_duplicate(uow: UnitOfWork, candidate_id: int, *, resolution: str, actor: str,
                      note: str | None = None) -> DuplicateCandidate:
    """Resolve a candidate: ``merge`` (same woman) or ``dismiss`` (different women).

    On merge the earlier registration is kept. The later one's memberships, grants, surveys,
    enrolments, roster lines and coaching visits move to the kept record where the kept record
    has none of its own for the same cooperative, program, round or session; what cannot move
    stays on the later record, whose open enrolments end with reason ``duplicate``. The later
    record is archived, never deleted.
    """
    who = audit.check_actor(actor)
    note = free_text(note, field="note")
    if resolution not in ("merge", "dismiss"):
        raise InvalidInput(f"resolution: '{resolution}' is not merge or dismiss",
                           code="duplicate.bad_resolution", params={"value": str(resolution)},
                           field="resolution", value=resolution)
    cand = get(uow, DuplicateCandidate, candidate_id, what="duplicate candidate", lock=True)
    if cand.status != DuplicateStatus.OPEN:
        raise RuleViolation(f"duplicate candidate #{cand.id} is already {cand.status.value}",
                            code="duplicate.already_resolved",
                            params={"id": cand.id, "status": cand.status.value}, field="status",
                            value=cand.status.value)
    moved: dict[str, int] = {}
    if resolution == "merge":
        kept = get(uow, Beneficiary, cand.beneficiary_id, what="beneficiary")
        later = get(uow, Beneficiary, cand.other_beneficiary_id, what="beneficiary")
        if later.archived_on is not None or kept.archived_on is not None:
            raise RuleViolation("merge: one of the two records is already archived",
                                code="duplicate.archived", field="status")
        moved = _move_history(uow, kept.id, later.id, actor=actor, candidate_id=cand.id)
        today = utcnow().date()
        for enr in uow.session.scalars(select(Enrollment).where(
                Enrollment.beneficiary_id == later.id,
                Enrollment.status == EnrollmentStatus.ENROLLED)):
            enr.status = EnrollmentStatus.EXITED
            enr.exited_on = max(today, enr.enrolled_on or today)
            enr.exit_reason = ExitReason.DUPLICATE
            audit.record(uow, actor=actor, action="exit", entity="enrollment", entity_id=enr.id,
                         changes={"status": [EnrollmentStatus.ENROLLED, EnrollmentStatus.EXITED],
                                  "exited_on": enr.exited_on, "exit_reason": ExitReason.DUPLICATE,
                                  "merge_candidate": cand.id})
        open_archive_period(uow, later, max(today, later.registered_on))
        cand.status = DuplicateStatus.MERGED
        # Other open candidates about the archived record no longer need a decision; each
        # dismissal is an event of its own, like any other change to a candidate.
        others = list(uow.session.scalars(
            select(DuplicateCandidate.id)
            .where(DuplicateCandidate.id != cand.id, DuplicateCandidate.status == DuplicateStatus.OPEN,
                   (DuplicateCandidate.beneficiary_id == later.id)
                   | (DuplicateCandidate.other_beneficiary_id == later.id))))
        if others:
            merged_note = f"record merged into #{kept.id}"
            uow.session.execute(
                update(DuplicateCandidate).where(DuplicateCandidate.id.in_(others))
                .values(status=DuplicateStatus.DISMISSED, resolved_at=utcnow(), resolved_by=who,
                        note=merged_note))
            for other_id in others:
                audit.record(uow, actor=actor, action="dismiss", entity="duplicate_candidate",
                             entity_id=other_id,
                             changes={"status": [DuplicateStatus.OPEN, DuplicateStatus.DISMISSED],
                                      "note": merged_note, "merge_candidate": cand.id})
        audit.record(uow, actor=actor, action="merge", entity="beneficiary", entity_id=later.id,
                     changes={"merged_into": kept.id, "archived_on": later.archived_on, **moved})
    else:
        cand.status = DuplicateStatus.DISMISSED
    cand.resolved_at = utcnow()
    cand.resolved_by = who
    cand.note = note
    uow.session.flush()
    audit.record(uow, actor=actor, action=resolution, entity="duplicate_candidate",
                 entity_id=cand.id, changes={"status": cand.status, "note": note, **moved})
    return cand


def _move_history(uow: UnitOfWork, kept_id: int, later_id: int, *, actor: str,
                  candidate_id: int) -> dict[str, int]:
    s = uow.session
    moved = {"grants": 0, "memberships": 0, "enrollments": 0, "surveys": 0, "attendances": 0,
             "visits": 0}
    moved_records: list[tuple[str, int]] = []
    for grant in s.scalars(select(Grant).where(Grant.beneficiary_id == later_id)):
        grant.beneficiary_id = kept_id
        moved["grants"] += 1
        moved_records.append(("grant", grant.id))
    kept_coops = set(s.scalars(select(Membership.cooperative_id).where(Membership.beneficiary_id == kept_id)))
    for m in s.scalars(select(Membership).where(Membership.beneficiary_id == later_id)):
        if m.cooperative_id not in kept_coops:
            m.beneficiary_id = kept_id
            moved["memberships"] += 1
            moved_records.append(("membership", m.id))
    kept_programs = set(s.scalars(select(Enrollment.program_id).where(Enrollment.beneficiary_id == kept_id)))
    for e in s.scalars(select(Enrollment).where(Enrollment.beneficiary_id == later_id)):
        if e.program_id not in kept_programs:
            e.beneficiary_id = kept_id
            moved["enrollments"] += 1
            moved_records.append(("enrollment", e.id))
    kept_rounds = {tuple(row) for row in s.execute(
        select(SurveyRecord.program_id, SurveyRecord.round)
        .where(SurveyRecord.beneficiary_id == kept_id))}
    for r in s.scalars(select(SurveyRecord).where(SurveyRecord.beneficiary_id == later_id)):
        if (r.program_id, r.round) not in kept_rounds:
            r.beneficiary_id = kept_id
            moved["surveys"] += 1
            moved_records.append(("survey", r.id))
    kept_sessions = set(s.scalars(select(Attendance.session_id)
                                  .where(Attendance.beneficiary_id == kept_id)))
    for a in s.scalars(select(Attendance).where(Attendance.beneficiary_id == later_id)):
        if a.session_id not in kept_sessions:
            a.beneficiary_id = kept_id
            moved["attendances"] += 1
            moved_records.append(("attendance", a.id))
    for v in s.scalars(select(CoachingVisit).where(CoachingVisit.beneficiary_id == later_id)):
        v.beneficiary_id = kept_id
        moved["visits"] += 1
        moved_records.append(("visit", v.id))
    s.flush()
    # Each moved record's own trail says where it went, not only the merge's totals.
    for entity, record_id in moved_records:
        audit.record(uow, actor=actor, action="move", entity=entity, entity_id=record_id,
                     changes={"beneficiary_id": [later_id, kept_id],
                              "merge_candidate": candidate_id})
    return moved
