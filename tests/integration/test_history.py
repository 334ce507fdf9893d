"""History loaded today gives the same result as entered day by day.

A two-year story of one program's life is entered twice: once day by day, in date order, each
act in its own unit of work with "today" being that day; once in one go, today, grouped by kind
the way an import loads files (exits recorded before the grants they postdate, a dissolution
before the memberships and grants that precede it, a cancellation before the tranches paid
earlier, an archive before the acts she did earlier).
Rules are checked as of each act's business date, so both give the same records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

import empower
from empower.models import (
    AuditEvent,
    Beneficiary,
    Cooperative,
    Disbursement,
    DuplicateCandidate,
    Enrollment,
    Grant,
    Membership,
    Program,
    SurveyRecord,
)
from empower.schemas import (
    BeneficiaryCreate,
    CooperativeCreate,
    DisbursementCreate,
    EnrollmentCreate,
    GrantCreate,
    MembershipCreate,
    ProgramCreate,
    SurveyCreate,
)

D = date
ACTOR = "test:history"

# The order an import loads kinds in; within a kind, the story's order.
# Cancellations come with the grants (the grants file has cancelled_on), before the tranches
# paid earlier; only a manual closing is entered after the tranches it follows.
KINDS = ["program", "beneficiary", "archive", "cooperative", "dissolve", "membership", "leave",
         "apply", "decide", "exit", "grant", "approve", "cancel", "reject_grant", "tranche",
         "close", "survey"]


@dataclass
class Act:
    on: date
    kind: str
    run: Callable[[empower.UnitOfWork, date | None], Any]


def _person(uow: empower.UnitOfWork, cin: str) -> int:
    return empower.beneficiary_by_cin(uow, cin).id


def _coop(uow: empower.UnitOfWork, ref: str) -> int:
    return uow.session.scalar(select(Cooperative.id).where(Cooperative.reference == ref))


def _grant(uow: empower.UnitOfWork, ref: str) -> int:
    return uow.session.scalar(select(Grant.id).where(Grant.reference == ref))


def _enrollment(uow: empower.UnitOfWork, cin: str, code: str) -> int:
    return uow.session.scalar(select(Enrollment.id).where(
        Enrollment.beneficiary_id == _person(uow, cin),
        Enrollment.program_id == empower.program_by_code(uow, code).id))


def story() -> list[Act]:
    acts: list[Act] = []

    def act(on: date, kind: str, run: Callable[..., Any]) -> None:
        acts.append(Act(on, kind, run))

    def program(code: str, start: date, end: date | None, budget: str, cap: str | None) -> None:
        # One actor plays every officer of the story: four eyes off (test_four_eyes.py).
        act(start, "program", lambda u, t: empower.create_program(u, ProgramCreate(
            code=code, name=code.title(), start_date=start, end_date=end, budget=Decimal(budget),
            grant_cap=None if cap is None else Decimal(cap), four_eyes=False), actor=ACTOR))

    def woman(cin: str, on: date, **fields: Any) -> None:
        data = {"cin": cin, "birth_date": D(1985, 5, 5), "province_code": "09.581",
                "consent_date": on, "registered_on": on, **fields}
        act(on, "beneficiary", lambda u, t: empower.register_beneficiary(
            u, BeneficiaryCreate.model_validate(data), actor=ACTOR, today=t))

    def coop(ref: str, founded: date) -> None:
        act(founded, "cooperative", lambda u, t: empower.found_cooperative(u, CooperativeCreate(
            reference=ref, name=f"Coopérative {ref}", sector="argan", province_code="09.581",
            founded_on=founded, women_led=True), actor=ACTOR, today=t))

    def join(ref: str, cin: str, on: date, role: str = "member") -> None:
        act(on, "membership", lambda u, t: empower.admit_member(u, MembershipCreate(
            cooperative_id=_coop(u, ref), beneficiary_id=_person(u, cin), role=role,
            joined_on=on), actor=ACTOR))

    def leave(ref: str, cin: str, on: date) -> None:
        act(on, "leave", lambda u, t: empower.remove_member(u, u.session.scalar(
            select(Membership.id).where(Membership.cooperative_id == _coop(u, ref),
                                        Membership.beneficiary_id == _person(u, cin))),
            on=on, actor=ACTOR))

    def apply(cin: str, code: str, on: date) -> None:
        act(on, "apply", lambda u, t: empower.apply(u, EnrollmentCreate(
            beneficiary_id=_person(u, cin), program_id=empower.program_by_code(u, code).id,
            applied_on=on), actor=ACTOR))

    def enroll(cin: str, code: str, on: date) -> None:
        act(on, "decide", lambda u, t: empower.enroll(u, _enrollment(u, cin, code), on=on,
                                                      actor=ACTOR))

    def reject(cin: str, code: str, on: date) -> None:
        act(on, "decide", lambda u, t: empower.reject_enrollment(
            u, _enrollment(u, cin, code), on=on, actor=ACTOR, reason="full"))

    def exit_(cin: str, code: str, on: date, reason: str) -> None:
        act(on, "exit", lambda u, t: empower.exit_enrollment(
            u, _enrollment(u, cin, code), on=on, reason=reason, actor=ACTOR))

    def grant(ref: str, code: str, on: date, amount: str, cin: str | None = None,
              coop_ref: str | None = None) -> None:
        act(on, "grant", lambda u, t: empower.submit_grant(u, GrantCreate(
            reference=ref, program_id=empower.program_by_code(u, code).id,
            beneficiary_id=_person(u, cin) if cin else None,
            cooperative_id=_coop(u, coop_ref) if coop_ref else None,
            amount_requested=Decimal(amount), submitted_on=on), actor=ACTOR))

    def approve(ref: str, on: date, amount: str | None = None) -> None:
        act(on, "approve", lambda u, t: empower.approve_grant(
            u, _grant(u, ref), on=on, actor=ACTOR,
            amount=None if amount is None else Decimal(amount)))

    def pay(ref: str, on: date, amount: str) -> None:
        act(on, "tranche", lambda u, t: empower.disburse(u, DisbursementCreate(
            grant_id=_grant(u, ref), amount=Decimal(amount), paid_on=on, channel="virement"),
            actor=ACTOR))

    def survey(cin: str, code: str, round_: str, on: date, income: str) -> None:
        act(on, "survey", lambda u, t: empower.record_survey(u, SurveyCreate(
            beneficiary_id=_person(u, cin), program_id=empower.program_by_code(u, code).id,
            round=round_, surveyed_on=on, monthly_income=Decimal(income)), actor=ACTOR))

    program("AWAL", D(2024, 1, 1), None, "500000", "50000")
    program("TANY", D(2024, 6, 1), D(2025, 6, 30), "100000", None)
    coop("C1", D(2023, 5, 1))
    woman("AA1001", D(2024, 1, 15), first_name="Aicha", last_name="Ait Ahmed",
          phone="0661000001")
    woman("BB1002", D(2024, 2, 20), first_name_ar="خديجة", last_name_ar="أوبلا",
          phone="0661000002")
    coop("C2", D(2024, 2, 1))
    apply("AA1001", "AWAL", D(2024, 1, 20))
    enroll("AA1001", "AWAL", D(2024, 2, 1))
    survey("AA1001", "AWAL", "baseline", D(2024, 2, 1), "600")
    join("C1", "AA1001", D(2024, 2, 10), "president")
    join("C2", "BB1002", D(2024, 3, 1))
    apply("BB1002", "AWAL", D(2024, 3, 1))
    grant("GA1", "AWAL", D(2024, 3, 1), "20000", cin="AA1001")
    reject("BB1002", "AWAL", D(2024, 3, 10))
    approve("GA1", D(2024, 3, 15))
    woman("CC1003", D(2024, 3, 20), first_name="Chama", last_name="Chraibi")
    woman("DD1004", D(2024, 3, 25), first_name="Dounia", last_name="Daoudi",
          phone="06 61 00 00 02")  # B's phone: a duplicate candidate, not a refusal
    pay("GA1", D(2024, 4, 1), "10000")
    apply("DD1004", "AWAL", D(2024, 4, 1))
    enroll("DD1004", "AWAL", D(2024, 4, 15))
    survey("DD1004", "AWAL", "baseline", D(2024, 4, 15), "0")
    grant("GC2", "AWAL", D(2024, 5, 1), "40000", coop_ref="C2")
    approve("GC2", D(2024, 6, 1))
    apply("CC1003", "TANY", D(2024, 6, 10))
    enroll("CC1003", "TANY", D(2024, 6, 15))
    survey("CC1003", "TANY", "baseline", D(2024, 6, 15), "350")
    pay("GC2", D(2024, 7, 1), "20000")
    grant("GT1", "TANY", D(2024, 7, 1), "30000", cin="CC1003")
    survey("AA1001", "AWAL", "m6", D(2024, 8, 1), "1100")
    pay("GA1", D(2024, 9, 1), "10000")  # completes GA1: closed that day
    join("C2", "CC1003", D(2024, 9, 1))
    approve("GT1", D(2024, 12, 1), "25000")
    survey("CC1003", "TANY", "m6", D(2024, 12, 15), "800")
    pay("GC2", D(2025, 1, 1), "20000")
    grant("GA2", "AWAL", D(2025, 1, 10), "15000", cin="AA1001")
    pay("GT1", D(2025, 1, 15), "10000")
    exit_("CC1003", "TANY", D(2025, 1, 31), "abandon")
    approve("GA2", D(2025, 2, 1))
    survey("AA1001", "AWAL", "m12", D(2025, 2, 1), "1500")
    act(D(2025, 3, 1), "dissolve", lambda u, t: empower.dissolve_cooperative(
        u, _coop(u, "C2"), on=D(2025, 3, 1), actor=ACTOR))
    pay("GA2", D(2025, 3, 1), "5000")
    act(D(2025, 4, 1), "cancel", lambda u, t: empower.cancel_grant(
        u, _grant(u, "GT1"), on=D(2025, 4, 1), actor=ACTOR, reason="exited"))
    survey("DD1004", "AWAL", "m12", D(2025, 4, 15), "900")
    leave("C1", "AA1001", D(2025, 5, 1))
    exit_("AA1001", "AWAL", D(2025, 6, 30), "completed")
    act(D(2025, 7, 1), "close", lambda u, t: empower.close_grant(
        u, _grant(u, "GA2"), on=D(2025, 7, 1), actor=ACTOR))
    grant("GD1", "AWAL", D(2025, 9, 1), "10000", cin="DD1004")
    act(D(2025, 9, 15), "reject_grant", lambda u, t: empower.reject_grant(
        u, _grant(u, "GD1"), on=D(2025, 9, 15), actor=ACTOR))
    act(D(2025, 11, 1), "archive", lambda u, t: empower.archive_beneficiary(
        u, _person(u, "DD1004"), actor=ACTOR, on=D(2025, 11, 1), reason="moved"))
    return acts


def snapshot(db: empower.Database) -> dict[str, Any]:
    """Every record by its natural key, without ids or creation timestamps."""
    with db.unit_of_work(readonly=True) as uow:
        s = uow.session
        cin = dict(s.execute(select(Beneficiary.id, Beneficiary.cin)).all())
        code = dict(s.execute(select(Program.id, Program.code)).all())
        coop = dict(s.execute(select(Cooperative.id, Cooperative.reference)).all())
        grant = dict(s.execute(select(Grant.id, Grant.reference)).all())
        return {
            "programs": sorted((p.code, p.committed_centimes) for p in s.scalars(select(Program))),
            "beneficiaries": sorted((b.cin, b.phone, b.registered_on, b.archived_on)
                                    for b in s.scalars(select(Beneficiary))),
            "cooperatives": sorted((c.reference, c.founded_on, c.dissolved_on)
                                   for c in s.scalars(select(Cooperative))),
            "memberships": sorted((coop[m.cooperative_id], cin[m.beneficiary_id], m.role.value,
                                   m.joined_on, m.left_on) for m in s.scalars(select(Membership))),
            "enrollments": sorted((cin[e.beneficiary_id], code[e.program_id], e.status.value,
                                   e.applied_on, e.enrolled_on, e.rejected_on, e.exited_on,
                                   e.exit_reason) for e in s.scalars(select(Enrollment))),
            "grants": sorted((g.reference, g.status.value, g.amount_requested_centimes,
                              g.amount_approved_centimes, g.disbursed_centimes, g.approved_on,
                              g.rejected_on, g.cancelled_on, g.closed_on)
                             for g in s.scalars(select(Grant))),
            "disbursements": sorted((grant[d.grant_id], d.reference, d.amount_centimes, d.paid_on)
                                    for d in s.scalars(select(Disbursement))),
            "surveys": sorted((cin[r.beneficiary_id], code[r.program_id], r.round.value,
                               r.surveyed_on, r.monthly_income_centimes)
                              for r in s.scalars(select(SurveyRecord))),
            "duplicates": sorted((cin[c.beneficiary_id], cin[c.other_beneficiary_id],
                                  c.rule.value, c.status.value)
                                 for c in s.scalars(select(DuplicateCandidate))),
            "audit": Counter((e.entity, e.action, e.actor) for e in s.scalars(select(AuditEvent))),
        }


def test_history_loaded_today_equals_history_entered_day_by_day(tmp_path, db_url, db) -> None:
    # ``db`` is requested for its clean-up: it empties the PostgreSQL database afterwards.
    acts = story()
    # Day by day: in date order (stable: same-day acts keep the story's order), today = that day.
    if db_url.startswith("sqlite"):
        day_db = empower.connect(f"sqlite:///{tmp_path / 'day.db'}")
        day_db.upgrade()
        one_db = empower.connect(db_url)
    else:
        # One PostgreSQL database per test session: run the two loads one after the other.
        day_db = one_db = empower.connect(db_url)
    try:
        for a in sorted(acts, key=lambda a: a.on):
            with day_db.unit_of_work() as uow:
                a.run(uow, a.on)
                uow.commit()
        by_day = snapshot(day_db)
        if day_db is one_db:
            from tests.conftest import _truncate

            _truncate(day_db)
        # In one go: one unit of work, today's date, grouped by kind like an import.
        with one_db.unit_of_work() as uow:
            for a in sorted(acts, key=lambda a: KINDS.index(a.kind)):
                a.run(uow, None)
            uow.commit()
        in_one_go = snapshot(one_db)
    finally:
        day_db.dispose()
        one_db.dispose()
    for key in by_day:
        assert in_one_go[key] == by_day[key], key
    # And the story came out as told.
    grants = {g[0]: g for g in by_day["grants"]}
    assert grants["GA1"][1] == "closed" and grants["GA1"][8] == D(2024, 9, 1)
    assert grants["GT1"][1:5] == ("cancelled", 3_000_000, 2_500_000, 1_000_000)
    assert grants["GA2"][1] == "closed" and grants["GD1"][1] == "rejected"
    # GA1 and GC2 fully paid; GA2 closed after 5,000 of its 15,000 MAD: the rest went back.
    assert by_day["programs"] == [("AWAL", 2_000_000 + 4_000_000 + 500_000), ("TANY", 1_000_000)]
    assert ("C2", "CC1003", "member", D(2024, 9, 1), D(2025, 3, 1)) in by_day["memberships"]
    assert by_day["duplicates"] == [("BB1002", "DD1004", "same_phone", "open")]
