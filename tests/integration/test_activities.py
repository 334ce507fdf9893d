"""Trainings: activities and sessions within their dates, rosters, completion, the grant gate,
coaching visits (SQLite, and PostgreSQL when the suite runs against it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

import empower
from empower.audit import audit_trail
from empower.errors import Conflict, InvalidInput, InvalidTransition, NotEligible
from empower.messages import describe
from empower.models import Attendance, Program
from empower.schemas import (
    ActivityCreate,
    CooperativeCreate,
    DisbursementCreate,
    SessionCreate,
    VisitCreate,
)
from empower.services.activities import RosterResult, record_rosters_accepted
from empower.vocab import AttendanceStatus
from tests.factories import (
    ACTOR,
    make_activity,
    make_beneficiary,
    make_enrolled,
    make_grant,
    make_program,
    make_session,
)

D = date


def roster(uow: empower.UnitOfWork, session_id: int, **marks: str) -> RosterResult:
    lines = [{"beneficiary_id": int(k[1:]), "status": v} for k, v in marks.items()]
    return empower.record_roster(uow, session_id, lines, actor=ACTOR)


def test_an_activity_lies_within_its_program(uow: empower.UnitOfWork) -> None:
    program = make_program(uow, end_date=D(2025, 12, 31))
    with pytest.raises(NotEligible) as err:
        make_activity(uow, program, starts_on=D(2023, 12, 1))
    assert err.value.code == "program.outside_dates"
    with pytest.raises(NotEligible):
        make_activity(uow, program, ends_on=D(2026, 1, 1))
    with pytest.raises(InvalidInput) as bad:
        make_activity(uow, program, starts_on=D(2024, 5, 1), ends_on=D(2024, 4, 1))
    assert bad.value.code == "activity.ends_before_start"
    make_activity(uow, program, code="FORM-1")
    with pytest.raises(Conflict):
        make_activity(uow, program, code="FORM-1")


def test_a_session_lies_within_the_activity(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    activity = make_activity(uow, program)
    with pytest.raises(NotEligible) as err:
        make_session(uow, activity, D(2024, 7, 1))
    assert err.value.code == "session.outside_activity"
    assert err.value.params["activity"] == activity.code


def test_sessions_are_planned_then_held_or_cancelled(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    activity = make_activity(uow, program)
    planned = make_session(uow, activity, D(2024, 2, 5), held=False)
    empower.cancel_session(uow, planned.id, actor=ACTOR, reason="pluie")
    with pytest.raises(InvalidTransition):
        empower.hold_session(uow, planned.id, actor=ACTOR)
    held = make_session(uow, activity, D(2024, 2, 12))
    with pytest.raises(InvalidTransition):
        empower.cancel_session(uow, held.id, actor=ACTOR)
    assert [e.action for e in audit_trail(uow, "session", held.id)] == ["plan", "hold"]


def test_a_session_cannot_be_held_before_its_day(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    activity = make_activity(uow, program)
    session = make_session(uow, activity, D(2024, 3, 4), held=False)
    with pytest.raises(InvalidInput) as err:
        empower.hold_session(uow, session.id, actor=ACTOR, today=D(2024, 3, 2))
    assert err.value.code == "date.in_future"
    # Today plus the margin (one day by default, for clocks a time zone apart).
    empower.hold_session(uow, session.id, actor=ACTOR, today=D(2024, 3, 3))


def test_attendance_only_on_held_sessions(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    activity = make_activity(uow, program)
    woman = make_enrolled(uow, program)
    planned = make_session(uow, activity, D(2024, 2, 5), held=False)
    with pytest.raises(NotEligible) as err:
        roster(uow, planned.id, **{f"b{woman.id}": "present"})
    assert err.value.code == "session.not_held"
    empower.cancel_session(uow, planned.id, actor=ACTOR)
    with pytest.raises(NotEligible) as err:
        roster(uow, planned.id, **{f"b{woman.id}": "present"})
    assert err.value.code == "session.cancelled"


def test_attendance_needs_an_enrolment_active_on_the_session_day(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    activity = make_activity(uow, program)
    early = make_enrolled(uow, program, on=D(2024, 2, 1))
    late = make_enrolled(uow, program, on=D(2024, 3, 1))
    stranger = make_beneficiary(uow)
    session = make_session(uow, activity, D(2024, 2, 15))
    with pytest.raises(NotEligible) as err:
        roster(uow, session.id, **{f"b{early.id}": "present", f"b{late.id}": "present"})
    assert err.value.code == "attendance.not_enrolled"
    assert err.value.params["id"] == late.id
    # Nothing half-written: the refused roster left no line behind.
    assert uow.session.scalar(select(func.count(Attendance.id))) == 0
    with pytest.raises(NotEligible):
        roster(uow, session.id, **{f"b{stranger.id}": "absent"})
    result = roster(uow, session.id, **{f"b{early.id}": "présente"})
    assert (result.added, result.changed) == (1, 0)


def test_a_roster_is_one_row_per_woman_and_idempotent(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    activity = make_activity(uow, program)
    a, b = make_enrolled(uow, program), make_enrolled(uow, program)
    session = make_session(uow, activity, D(2024, 2, 15))
    first = roster(uow, session.id, **{f"b{a.id}": "present", f"b{b.id}": "absent"})
    again = roster(uow, session.id, **{f"b{a.id}": "present", f"b{b.id}": "absent"})
    fixed = roster(uow, session.id, **{f"b{b.id}": "excused"})
    assert (first.added, again.unchanged, fixed.changed) == (2, 2, 1)
    assert uow.session.scalar(select(func.count(Attendance.id))) == 2
    events = [e for e in audit_trail(uow, "session", session.id) if e.action == "record_roster"]
    assert len(events) == 2     # the unchanged re-recording wrote nothing
    with pytest.raises(InvalidInput) as err:
        empower.record_roster(uow, session.id, [{"beneficiary_id": a.id, "status": "present"},
                                                {"beneficiary_id": a.id, "status": "absent"}],
                              actor=ACTOR)
    assert err.value.code == "attendance.twice"


def test_many_rosters_at_once_record_what_holds_and_say_why_not(
        uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    activity = make_activity(uow, program)
    early = make_enrolled(uow, program, on=D(2024, 2, 1))
    late = make_enrolled(uow, program, on=D(2024, 3, 1))
    first = make_session(uow, activity, D(2024, 2, 15))
    second = make_session(uow, activity, D(2024, 3, 15))
    P, A = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT
    results, refusals = record_rosters_accepted(
        uow, [(first, {early.id: P, late.id: P, 999_999: A}), (second, {early.id: A, late.id: P})],
        actor=ACTOR)
    # The same rule as record_roster: she was not enrolled yet on the first session's day.
    assert {s: {b: e.code for b, e in r.items()} for s, r in refusals.items()} == {
        first.id: {late.id: "attendance.not_enrolled", 999_999: "record.not_found"}}
    assert [(r.session_id, r.added) for r in results] == [(first.id, 1), (second.id, 2)]
    assert uow.session.scalar(select(func.count(Attendance.id))) == 3
    # One event per roster that changed; again, nothing changes and nothing is logged.
    assert [len([e for e in audit_trail(uow, "session", s.id) if e.action == "record_roster"])
            for s in (first, second)] == [1, 1]
    results, _ = record_rosters_accepted(uow, [(second, {early.id: A, late.id: A})], actor=ACTOR)
    assert (results[0].changed, results[0].unchanged) == (1, 1)
    event = [e for e in audit_trail(uow, "session", second.id) if e.action == "record_roster"][-1]
    assert event.changes["changed"] == [[late.id, "present", "absent"]]


def test_completion_counts_present_at_held_sessions_by_the_day(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    activity = make_activity(uow, program, planned_sessions=5, completion_share=0.8)
    woman = make_enrolled(uow, program)
    days = [D(2024, 2, 5), D(2024, 2, 12), D(2024, 2, 19), D(2024, 2, 26), D(2024, 3, 4)]
    marks = ["present", "present", "excused", "present", "present"]
    for day, mark in zip(days, marks, strict=True):
        session = make_session(uow, activity, day)
        roster(uow, session.id, **{f"b{woman.id}": mark})
    [mid] = empower.completions(uow, woman.id, D(2024, 2, 26))
    assert (mid.present, mid.planned, mid.completed) == (3, 5, False)
    [end] = empower.completions(uow, woman.id, D(2024, 3, 31))
    assert (end.present, end.share, end.completed) == (4, 0.8, True)
    assert empower.completions(uow, woman.id, D(2024, 2, 1)) == []


def _gated_program(uow: empower.UnitOfWork) -> Program:
    return make_program(uow, min_completion_share=0.8)


def test_a_program_minimum_gates_the_approval(uow: empower.UnitOfWork) -> None:
    program = _gated_program(uow)
    activity = make_activity(uow, program, planned_sessions=12)
    woman = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=woman.id)
    with pytest.raises(NotEligible) as none:
        empower.approve_grant(uow, grant.id, on=D(2024, 3, 10), actor=ACTOR)
    assert none.value.code == "training.no_roster"
    for i in range(12):
        session = make_session(uow, activity, D(2024, 2, 1 + i))
        roster(uow, session.id, **{f"b{woman.id}": "present" if i < 5 else "absent"})
    with pytest.raises(NotEligible) as err:
        empower.approve_grant(uow, grant.id, on=D(2024, 3, 10), actor=ACTOR)
    assert err.value.code == "training.not_completed"
    assert "attended 5 of 12 sessions" in err.value.message
    assert "0.42 < 0.80" in err.value.message
    assert "5 séances sur 12" in describe(err.value, "fr")
    assert "0.42 < 0.80" in describe(err.value, "ar")


def test_the_gate_lets_a_woman_who_completed_through(uow: empower.UnitOfWork) -> None:
    program = _gated_program(uow)
    activity = make_activity(uow, program, planned_sessions=5)
    woman = make_enrolled(uow, program)
    for i in range(5):
        session = make_session(uow, activity, D(2024, 2, 1 + i))
        roster(uow, session.id, **{f"b{woman.id}": "present" if i else "absent"})
    grant = make_grant(uow, program, beneficiary_id=woman.id)
    empower.approve_grant(uow, grant.id, on=D(2024, 3, 10), actor=ACTOR)


def test_a_second_tranche_waits_for_the_training(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    activity = make_activity(uow, program, planned_sessions=10)
    woman = make_enrolled(uow, program)
    session = make_session(uow, activity, D(2024, 2, 5))
    roster(uow, session.id, **{f"b{woman.id}": "present"})
    grant = make_grant(uow, program, beneficiary_id=woman.id)
    empower.approve_grant(uow, grant.id, on=D(2024, 3, 10), actor=ACTOR)
    uow.session.get(Program, program.id).min_completion_share = 0.8   # set after approval
    uow.flush()

    def pay(amount: str, on: date) -> None:
        empower.disburse(uow, DisbursementCreate(grant_id=grant.id, amount=Decimal(amount),
                                                 paid_on=on, channel="cash"), actor=ACTOR)

    pay("8000", D(2024, 3, 15))   # the first tranche starts the business
    with pytest.raises(NotEligible) as err:
        pay("8000", D(2024, 4, 15))
    assert err.value.code == "training.not_completed"
    assert err.value.params["present"] == 1
    for i in range(7):
        extra = make_session(uow, activity, D(2024, 3, 20 + i))
        roster(uow, extra.id, **{f"b{woman.id}": "present"})
    pay("8000", D(2024, 4, 15))


def test_cooperative_grants_are_not_gated(uow: empower.UnitOfWork) -> None:
    program = _gated_program(uow)
    coop = empower.found_cooperative(uow, CooperativeCreate(
        reference="COOP-1", name="Tifawin", sector="argan", province_code="04.441",
        founded_on=D(2020, 1, 1)), actor=ACTOR)
    grant = make_grant(uow, program, cooperative_id=coop.id)
    empower.approve_grant(uow, grant.id, on=D(2024, 3, 10), actor=ACTOR)


def test_a_visit_is_to_exactly_one_recipient(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_enrolled(uow, program)
    base = {"reference": "V-1", "program_id": program.id, "visited_on": D(2024, 5, 2),
            "kind": "sur site", "note": "Le commerce de Fatima tourne bien; mari absent."}
    with pytest.raises(InvalidInput) as err:
        empower.record_visit(uow, VisitCreate.model_validate(base), actor=ACTOR)
    assert err.value.code == "visit.one_recipient"
    visit = empower.record_visit(uow, VisitCreate.model_validate(
        {**base, "beneficiary_id": woman.id, "next_visit_due": D(2024, 8, 1)}), actor=ACTOR)
    [event] = audit_trail(uow, "visit", visit.id)
    assert "Fatima" not in str(event.changes)
    assert event.changes["note"] == "[redacted]"
    with pytest.raises(Conflict):
        empower.record_visit(uow, VisitCreate.model_validate(
            {**base, "beneficiary_id": woman.id}), actor=ACTOR)


@pytest.mark.parametrize(("change", "code"), [
    ({"visited_on": D(2023, 12, 1)}, "date.before_program_start"),
    ({"visited_on": D(2999, 1, 1)}, "date.in_future"),
    ({"next_visit_due": D(2024, 4, 1)}, "visit.next_before_visit"),
    ({"visited_on": D(2024, 1, 5)}, "date.before_registration"),
])
def test_visit_dates_are_checked(uow: empower.UnitOfWork, change: dict, code: str) -> None:
    program = make_program(uow)
    woman = make_enrolled(uow, program)
    data = {"reference": "V-2", "program_id": program.id, "beneficiary_id": woman.id,
            "visited_on": D(2024, 5, 2), "kind": "phone", **change}
    with pytest.raises(empower.EmpowerError) as err:
        empower.record_visit(uow, VisitCreate.model_validate(data), actor=ACTOR)
    assert err.value.code == code


def test_activity_and_session_inputs_refuse_nonsense() -> None:
    with pytest.raises(ValueError):
        ActivityCreate.model_validate({"program_id": 1, "code": "X", "kind": "picnic",
                                       "title": "x", "starts_on": D(2024, 1, 1),
                                       "ends_on": D(2024, 2, 1), "planned_sessions": 3})
    with pytest.raises(ValueError):
        ActivityCreate.model_validate({"program_id": 1, "code": "X", "kind": "formation",
                                       "title": "x", "starts_on": D(2024, 1, 1),
                                       "ends_on": D(2024, 2, 1), "planned_sessions": 0})
    with pytest.raises(ValueError):
        SessionCreate.model_validate({"activity_id": 1, "reference": "", "scheduled_on": D(2024, 1, 1)})


def test_the_trainings_revision_goes_down_and_up_and_keeps_its_check(scratch_url: str) -> None:
    db = empower.connect(scratch_url)
    try:
        db.upgrade()
        from alembic import command

        from empower.db import alembic_config

        command.downgrade(alembic_config(db), "0004")
        db.upgrade()
        with db.unit_of_work() as uow:
            program = make_program(uow)
            uow.commit()
        with pytest.raises(empower.EmpowerError), db.unit_of_work() as uow:
            uow.session.get(Program, program.id).min_completion_share = 2.0
            uow.flush()
    finally:
        db.dispose()
