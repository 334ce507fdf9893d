"""Resolving duplicate candidates, and the audit log of every service."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

import empower
from empower.audit import audit_trail
from empower.errors import InvalidInput, RuleViolation
from empower.models import (
    Attendance,
    AuditEvent,
    CoachingVisit,
    Enrollment,
    Grant,
    Membership,
    SurveyRecord,
)
from empower.schemas import (
    AgreementCreate,
    BeneficiaryCreate,
    BeneficiaryUpdate,
    CooperativeCreate,
    CooperativeUpdate,
    DisbursementCreate,
    EnrollmentCreate,
    GrantCreate,
    MembershipCreate,
    PartnerCreate,
    ProgramCreate,
    SurveyCreate,
    VisitCreate,
)
from tests.factories import (
    ACTOR,
    beneficiary_data,
    make_activity,
    make_beneficiary,
    make_grant,
    make_program,
    make_session,
)

D = date


def enroll(uow, program, woman, on=D(2024, 2, 1)) -> Enrollment:
    return empower.apply(uow, EnrollmentCreate(beneficiary_id=woman.id, program_id=program.id,
                                               applied_on=on, enrolled_on=on), actor=ACTOR)


def survey(uow, program, woman, round_="baseline", on=D(2024, 2, 2)) -> SurveyRecord:
    return empower.record_survey(uow, SurveyCreate(beneficiary_id=woman.id,
                                                   program_id=program.id, round=round_,
                                                   surveyed_on=on), actor=ACTOR)


def test_merge_moves_history_to_the_earlier_record(uow: empower.UnitOfWork) -> None:
    awal = make_program(uow)
    tany = make_program(uow, code="TANY", name="Tany")
    kept = make_beneficiary(uow)
    later = make_beneficiary(uow, cin="ZZ1")  # same name and birth date: a candidate
    third = make_beneficiary(uow, cin="ZZ2", phone=None)
    enroll(uow, awal, kept)
    survey(uow, awal, kept)
    enroll(uow, awal, later)          # same program: cannot move, is ended as a duplicate
    survey(uow, awal, later)         # same round: stays
    survey(uow, awal, later, "m6", D(2024, 8, 1))  # moves
    enroll(uow, tany, later)          # moves
    grant = make_grant(uow, tany, beneficiary_id=later.id)
    coop = empower.found_cooperative(uow, CooperativeCreate(
        reference="C1", name="Amal", sector="argan", province_code="04.441",
        founded_on=D(2023, 1, 1)), actor=ACTOR)
    empower.admit_member(uow, MembershipCreate(cooperative_id=coop.id, beneficiary_id=later.id,
                                               joined_on=D(2024, 3, 1)), actor=ACTOR)
    cands = {(c.beneficiary_id, c.other_beneficiary_id): c
             for c in empower.list_duplicate_candidates(uow)}
    assert set(cands) == {(kept.id, later.id), (kept.id, third.id), (later.id, third.id)}
    cand = cands[(kept.id, later.id)]
    empower.resolve_duplicate(uow, cand.id, resolution="merge", actor="user:amina", note="same")
    assert (cand.status, cand.resolved_by, cand.note) == ("merged", "user:amina", "same")
    assert later.archived_on is not None
    assert uow.session.get(Grant, grant.id).beneficiary_id == kept.id
    assert uow.session.scalar(select(Membership.beneficiary_id)) == kept.id
    programs = dict(uow.session.execute(select(Enrollment.program_id, Enrollment.beneficiary_id)
                                        .where(Enrollment.program_id == tany.id)).all())
    assert programs == {tany.id: kept.id}
    left = uow.session.scalar(select(Enrollment).where(Enrollment.beneficiary_id == later.id))
    assert (left.status, left.exit_reason) == ("exited", "duplicate")
    rounds = set(uow.session.execute(select(SurveyRecord.beneficiary_id, SurveyRecord.round)
                                     ).all())
    assert rounds == {(kept.id, "baseline"), (later.id, "baseline"), (kept.id, "m6")}
    # The other open candidate about the archived record needs no decision any more.
    assert cands[(later.id, third.id)].status == "dismissed"
    assert cands[(kept.id, third.id)].status == "open"
    [merge] = [e for e in audit_trail(uow, "beneficiary", later.id) if e.action == "merge"]
    assert merge.actor == "user:amina"
    assert merge.changes["merged_into"] == kept.id
    assert (merge.changes["grants"], merge.changes["enrollments"], merge.changes["surveys"],
            merge.changes["memberships"]) == (1, 1, 1, 1)
    with pytest.raises(RuleViolation):
        empower.resolve_duplicate(uow, cand.id, resolution="dismiss", actor=ACTOR)


def test_a_record_merged_away_cannot_be_restored(uow: empower.UnitOfWork) -> None:
    kept = make_beneficiary(uow)
    later = make_beneficiary(uow, cin="ZZ1")  # same name and birth date: a candidate
    [cand] = empower.list_duplicate_candidates(uow)
    empower.resolve_duplicate(uow, cand.id, resolution="merge", actor="user:amina")
    archived_on = later.archived_on
    events = len(audit_trail(uow, "beneficiary", later.id))
    with pytest.raises(RuleViolation) as caught:
        empower.restore_beneficiary(uow, later.id, actor="user:amina")
    assert caught.value.code == "beneficiary.merged_not_restorable"
    assert caught.value.params == {"id": later.id, "kept": kept.id}
    assert f"merged into beneficiary #{kept.id}" in str(caught.value)
    # Nothing changed: still archived, the pair still merged, no restore event.
    assert later.archived_on == archived_on
    assert cand.status == "merged"
    assert len(audit_trail(uow, "beneficiary", later.id)) == events
    # An archive that was not a merge is still undone as before.
    other = make_beneficiary(uow, cin="QQ7", first_name="Najat", last_name="Bennani",
                             birth_date=D(1985, 3, 3), phone=None)
    empower.archive_beneficiary(uow, other.id, actor=ACTOR)
    assert empower.restore_beneficiary(uow, other.id, actor=ACTOR).archived_on is None


def test_dismiss_keeps_both_records(uow: empower.UnitOfWork) -> None:
    a = make_beneficiary(uow)
    b = make_beneficiary(uow)
    [cand] = empower.list_duplicate_candidates(uow)
    with pytest.raises(InvalidInput):
        empower.resolve_duplicate(uow, cand.id, resolution="delete", actor=ACTOR)
    empower.resolve_duplicate(uow, cand.id, resolution="dismiss", actor="user:x", note="twins")
    assert cand.status == "dismissed"
    assert a.archived_on is None and b.archived_on is None
    assert empower.list_duplicate_candidates(uow) == []
    assert len(empower.list_duplicate_candidates(uow, status=None)) == 1
    [event] = audit_trail(uow, "duplicate_candidate", cand.id)
    assert (event.action, event.actor) == ("dismiss", "user:x")
    # Registering a third look-alike does not reopen the dismissed pair.
    make_beneficiary(uow)
    assert len(empower.list_duplicate_candidates(uow)) == 2


# --- the audit log of every service ------------------------------------------------------------


def test_every_service_writes_an_audit_event_with_its_actor(db: empower.Database) -> None:
    personal = beneficiary_data(cin="QX445566", first_name="Itto", last_name="Amzil",
                                first_name_ar="إيطو", last_name_ar="أمزيل", phone="0677889900",
                                commune="Imouzzer")
    seen: list[tuple[str, str, str]] = []
    with db.unit_of_work() as uow:
        def check(action: str, entity: str, call) -> object:
            actor = f"test:{action}-{entity}-{len(seen)}"
            before = uow.session.scalar(select(func.max(AuditEvent.id))) or 0
            result = call(actor)
            uow.flush()
            events = list(uow.session.scalars(select(AuditEvent).where(AuditEvent.id > before)))
            assert events, f"{action} wrote no audit event"
            assert all(e.actor == actor for e in events)
            assert (action, entity) in {(e.action, e.entity) for e in events}
            seen.append((action, entity, actor))
            return result

        program = check("create", "program", lambda a: empower.create_program(
            uow, ProgramCreate(code="AWAL", name="Awal", start_date=D(2024, 1, 1),
                               budget="1000000", grant_cap="50000"), actor=a))
        partner = check("create", "partner", lambda a: empower.create_partner(
            uow, PartnerCreate(name="Association Anir", kind="association"), actor=a))
        check("sign", "agreement", lambda a: empower.sign_agreement(uow, AgreementCreate(
            program_id=program.id, partner_id=partner.id, signed_on=D(2024, 1, 5),
            committed="100000"), actor=a))
        woman = check("register", "beneficiary", lambda a: empower.register_beneficiary(
            uow, BeneficiaryCreate.model_validate(personal), actor=a))
        check("register", "beneficiary", lambda a: empower.register_beneficiaries(
            uow, [BeneficiaryCreate.model_validate(beneficiary_data(cin="QX1"))], actor=a))
        check("update", "beneficiary", lambda a: empower.update_beneficiary(
            uow, woman.id, BeneficiaryUpdate(phone="0677889901", last_name="Amzile"), actor=a))
        enr = check("apply", "enrollment", lambda a: empower.apply(uow, EnrollmentCreate(
            beneficiary_id=woman.id, program_id=program.id, applied_on=D(2024, 2, 1)), actor=a))
        check("enroll", "enrollment", lambda a: empower.enroll(uow, enr.id, on=D(2024, 2, 1),
                                                               actor=a))
        other = make_beneficiary(uow, cin="QX2", first_name="Hadda", birth_date=D(1970, 1, 1))
        rej = empower.apply(uow, EnrollmentCreate(beneficiary_id=other.id, program_id=program.id,
                                                  applied_on=D(2024, 2, 1)), actor=ACTOR)
        check("reject", "enrollment", lambda a: empower.reject_enrollment(
            uow, rej.id, on=D(2024, 2, 2), actor=a))
        coop = check("found", "cooperative", lambda a: empower.found_cooperative(
            uow, CooperativeCreate(reference="C1", name="Amal", sector="argan",
                                   province_code="04.441", founded_on=D(2023, 1, 1)), actor=a))
        check("update", "cooperative", lambda a: empower.update_cooperative(
            uow, coop.id, CooperativeUpdate(commune="Imouzzer"), actor=a))
        member = check("admit", "membership", lambda a: empower.admit_member(
            uow, MembershipCreate(cooperative_id=coop.id, beneficiary_id=woman.id,
                                  joined_on=D(2024, 3, 1)), actor=a))
        check("remove", "membership", lambda a: empower.remove_member(
            uow, member.id, on=D(2024, 4, 1), actor=a))
        grant = check("submit", "grant", lambda a: empower.submit_grant(uow, GrantCreate(
            reference="G-1", program_id=program.id, beneficiary_id=woman.id,
            amount_requested="20000", submitted_on=D(2024, 3, 1)), actor=a))
        check("approve", "grant", lambda a: empower.approve_grant(uow, grant.id,
                                                                  on=D(2024, 3, 5), actor=a))

        def pay(a: str, amount: str) -> object:
            return empower.disburse(uow, DisbursementCreate(
                grant_id=grant.id, amount=Decimal(amount), paid_on=D(2024, 3, 6),
                channel="cash"), actor=a)

        check("pay", "grant", lambda a: pay(a, "5000"))
        check("close", "grant", lambda a: pay(a, "15000"))  # the last tranche closes it
        g2 = make_grant(uow, program, beneficiary_id=woman.id)
        check("reject", "grant", lambda a: empower.reject_grant(uow, g2.id, on=D(2024, 3, 5),
                                                                actor=a))
        g3 = make_grant(uow, program, beneficiary_id=woman.id)
        empower.approve_grant(uow, g3.id, on=D(2024, 3, 5), actor="test:approver")
        check("cancel", "grant", lambda a: empower.cancel_grant(uow, g3.id, on=D(2024, 3, 7),
                                                                actor=a))
        g4 = make_grant(uow, program, beneficiary_id=woman.id)
        empower.approve_grant(uow, g4.id, on=D(2024, 3, 5), actor="test:approver")
        check("close", "grant", lambda a: empower.close_grant(uow, g4.id, on=D(2024, 3, 7),
                                                              actor=a))
        check("record", "survey", lambda a: empower.record_survey(uow, SurveyCreate(
            beneficiary_id=woman.id, program_id=program.id, round="baseline",
            surveyed_on=D(2024, 2, 3)), actor=a))
        check("exit", "enrollment", lambda a: empower.exit_enrollment(
            uow, enr.id, on=D(2024, 12, 1), reason="completed", actor=a))
        check("dissolve", "cooperative", lambda a: empower.dissolve_cooperative(
            uow, coop.id, on=D(2025, 1, 1), actor=a))
        twin = make_beneficiary(uow, cin="QX3", first_name="Itto", last_name="Amzile",
                                first_name_ar=None, last_name_ar=None,
                                birth_date=personal["birth_date"])
        [cand] = [c for c in empower.list_duplicate_candidates(uow)
                  if twin.id in (c.beneficiary_id, c.other_beneficiary_id)]
        check("dismiss", "duplicate_candidate", lambda a: empower.resolve_duplicate(
            uow, cand.id, resolution="dismiss", actor=a))
        twin2 = make_beneficiary(uow, cin="QX4", first_name="Hadda", birth_date=D(1970, 1, 1))
        [cand] = [c for c in empower.list_duplicate_candidates(uow)
                  if twin2.id in (c.beneficiary_id, c.other_beneficiary_id)]
        check("merge", "beneficiary", lambda a: empower.resolve_duplicate(
            uow, cand.id, resolution="merge", actor=a))
        check("archive", "beneficiary", lambda a: empower.archive_beneficiary(
            uow, other.id, actor=a, on=D(2025, 2, 1)))
        check("restore", "beneficiary", lambda a: empower.restore_beneficiary(uow, other.id,
                                                                              actor=a))
        check("erase", "beneficiary", lambda a: empower.erase_beneficiary(
            uow, woman.id, actor=a, on=D(2025, 3, 1)))
        with pytest.raises(InvalidInput):
            empower.archive_beneficiary(uow, other.id, actor=" ")
        uow.commit()
    assert len(seen) == 28
    with db.unit_of_work(readonly=True) as uow:
        log = json.dumps([e.changes for e in uow.session.scalars(select(AuditEvent))],
                         ensure_ascii=False)
    for value in ("QX445566", "Itto", "Amzil", "إيطو", "أمزيل", "+212677889900",
                  "+212677889901", "0677889900", "Fatima", "Benali", "QX1", "QX2", "Hadda"):
        assert value not in log, value


def test_merge_moves_roster_lines_and_visits(uow: empower.UnitOfWork) -> None:
    awal = make_program(uow)
    kept = make_beneficiary(uow)
    later = make_beneficiary(uow, cin="ZZ1")
    enroll(uow, awal, kept)
    enroll(uow, awal, later)
    activity = make_activity(uow, awal)
    both = make_session(uow, activity, D(2024, 2, 5))
    only_later = make_session(uow, activity, D(2024, 2, 12))
    empower.record_roster(uow, both.id, [{"beneficiary_id": kept.id, "status": "present"},
                                         {"beneficiary_id": later.id, "status": "absent"}],
                          actor=ACTOR)
    empower.record_roster(uow, only_later.id, [{"beneficiary_id": later.id,
                                                "status": "present"}], actor=ACTOR)
    visit = empower.record_visit(uow, VisitCreate(reference="V-1", program_id=awal.id,
                                                  beneficiary_id=later.id,
                                                  visited_on=D(2024, 3, 1), kind="phone"),
                                 actor=ACTOR)
    [cand] = [c for c in empower.list_duplicate_candidates(uow)
              if {c.beneficiary_id, c.other_beneficiary_id} == {kept.id, later.id}]
    empower.resolve_duplicate(uow, cand.id, resolution="merge", actor=ACTOR)
    lines = set(uow.session.execute(select(Attendance.session_id, Attendance.beneficiary_id,
                                           Attendance.status)).all())
    # Her line where the kept record had none moves; the kept record's own line stays hers.
    assert lines == {(both.id, kept.id, "present"), (both.id, later.id, "absent"),
                     (only_later.id, kept.id, "present")}
    assert uow.session.get(CoachingVisit, visit.id).beneficiary_id == kept.id
    [merge] = [e for e in audit_trail(uow, "beneficiary", later.id) if e.action == "merge"]
    assert (merge.changes["attendances"], merge.changes["visits"]) == (1, 1)
