"""Plain factory functions for tests: valid records with sensible defaults."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import empower
from empower.models import Activity, ActivitySession, Beneficiary, Grant, Program, User
from empower.vocab import Role

ACTOR = "test:officer"


def make_program(uow: empower.UnitOfWork, **overrides: object) -> Program:
    """A program; four eyes off unless asked for, since the tests of the other rules take
    every step with one actor (four eyes, on by default, is tested in test_four_eyes.py)."""
    from empower.schemas import ProgramCreate

    data = {"code": "AWAL", "name": "Awal", "start_date": date(2024, 1, 1),
            "budget": Decimal("1000000"), "grant_cap": Decimal("50000"), "four_eyes": False}
    data.update(overrides)
    return empower.create_program(uow, ProgramCreate.model_validate(data), actor=ACTOR)


_cin_counter = iter(range(100000, 999999))


def beneficiary_data(**overrides: object) -> dict[str, object]:
    """Valid registration fields; each call gets a new CIN."""
    data: dict[str, object] = {
        "cin": f"AB{next(_cin_counter)}", "first_name": "Fatima", "last_name": "Benali",
        "first_name_ar": "فاطمة", "last_name_ar": "بنعلي", "birth_date": date(1990, 3, 4),
        "province_code": "04.441", "milieu": "rural", "consent_date": date(2024, 1, 10),
        "registered_on": date(2024, 1, 10),
    }
    data.update(overrides)
    return data


def make_beneficiary(uow: empower.UnitOfWork, **overrides: object) -> Beneficiary:
    from empower.schemas import BeneficiaryCreate

    return empower.register_beneficiary(
        uow, BeneficiaryCreate.model_validate(beneficiary_data(**overrides)), actor=ACTOR)


def make_enrolled(uow: empower.UnitOfWork, program: Program,
                  on: date = date(2024, 2, 1), **overrides: object) -> Beneficiary:
    """A registered woman enrolled in ``program`` from ``on``."""
    from empower.schemas import EnrollmentCreate

    person = make_beneficiary(uow, **overrides)
    empower.apply(uow, EnrollmentCreate(beneficiary_id=person.id, program_id=program.id,
                                        applied_on=on, enrolled_on=on), actor=ACTOR)
    return person


def make_grant(uow: empower.UnitOfWork, program: Program, *,
               beneficiary_id: int | None = None, cooperative_id: int | None = None,
               amount: str = "20000", reference: str | None = None,
               submitted_on: date = date(2024, 3, 1)) -> Grant:
    from empower.schemas import GrantCreate

    return empower.submit_grant(uow, GrantCreate(
        reference=reference or f"G-{uuid.uuid4().hex[:8]}", program_id=program.id,
        beneficiary_id=beneficiary_id, cooperative_id=cooperative_id,
        amount_requested=Decimal(amount), submitted_on=submitted_on), actor=ACTOR)


def make_activity(uow: empower.UnitOfWork, program: Program, **overrides: object) -> Activity:
    """A training activity of ``program`` (10 planned sessions, completion share 0.8)."""
    from empower.schemas import ActivityCreate

    data: dict[str, object] = {
        "program_id": program.id, "code": f"ACT-{uuid.uuid4().hex[:8]}", "kind": "training",
        "title": "Gestion d'une activité génératrice de revenus", "starts_on": date(2024, 2, 1),
        "ends_on": date(2024, 6, 30), "planned_sessions": 10}
    data.update(overrides)
    return empower.create_activity(uow, ActivityCreate.model_validate(data), actor=ACTOR)


def make_session(uow: empower.UnitOfWork, activity: Activity, on: date, *,
                 held: bool = True, **overrides: object) -> ActivitySession:
    """A session of ``activity`` on ``on``, held unless ``held=False``."""
    from empower.schemas import SessionCreate

    data: dict[str, object] = {"activity_id": activity.id,
                               "reference": f"S-{uuid.uuid4().hex[:8]}", "scheduled_on": on}
    data.update(overrides)
    session = empower.plan_session(uow, SessionCreate.model_validate(data), actor=ACTOR)
    if held:
        empower.hold_session(uow, session.id, actor=ACTOR)
    return session


def make_rib(account: int = 1) -> str:
    """A valid 24-digit Moroccan RIB (bank 007, city 780) whose key passes the mod-97 check."""
    body = f"007780{account:016d}"
    return body + f"{97 - (int(body) * 100) % 97:02d}"


def make_user(uow: empower.UnitOfWork, username: str, role: str = "admin") -> User:
    """A panel account (no usable password: the core never reads it)."""
    user = User(username=username, password_hash="!", role=Role(role))
    uow.session.add(user)
    uow.session.flush()
    return user


def make_payable(uow: empower.UnitOfWork, program: Program, *, amount: str = "20000",
                 approved_on: date = date(2024, 3, 10), approver: str = ACTOR,
                 **person: object) -> Grant:
    """An approved grant of a woman enrolled in ``program``, with a RIB and a phone
    (approved by ``approver``: under four eyes, not the submitter)."""
    person.setdefault("rib", make_rib(next(_cin_counter)))
    person.setdefault("phone", f"06{next(_cin_counter) % 100000000:08d}")
    woman = make_enrolled(uow, program, **person)
    grant = make_grant(uow, program, beneficiary_id=woman.id, amount=amount)
    return empower.approve_grant(uow, grant.id, on=approved_on, actor=approver)


def make_grievance(uow: empower.UnitOfWork, **overrides: object):  # type: ignore[no-untyped-def]
    """A complaint received by phone about a payment, in province 04.441 (no woman named)."""
    from empower.schemas import GrievanceCreate

    data: dict[str, object] = {"received_on": date(2026, 12, 4), "channel": "phone",
                               "category": "payment", "province_code": "04.441",
                               "description": "La deuxième tranche n'est pas arrivée."}
    data.update(overrides)
    return empower.receive_grievance(uow, GrievanceCreate.model_validate(data), actor=ACTOR)
