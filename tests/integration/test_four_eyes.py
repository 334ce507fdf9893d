"""Four eyes on money: who submitted a grant does not approve it, who approved it does not pay it.

On by default for every program (``programs.four_eyes``), off where a program says so; a
program's history loaded by the importer (``history=True``) is not checked. SQLite by default,
PostgreSQL with ``EMPOWER_TEST_DATABASE_URL``.
"""

from __future__ import annotations

from datetime import date as D
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text

import empower
from empower import rules
from empower.errors import RuleViolation
from empower.io.importing import import_file
from empower.messages import describe
from empower.models import AuditEvent, Disbursement, Grant, Program, table_of
from empower.schemas import DisbursementCreate, ProgramCreate
from tests.factories import make_enrolled, make_grant
from tests.io.helpers import write_csv

AMINA, BASMA = "user:amina", "user:basma"


def _program(uow: empower.UnitOfWork, **fields: object) -> Program:
    """A program as a script or the panel creates it: four eyes is whatever the schema says."""
    return empower.create_program(uow, ProgramCreate.model_validate({
        "code": "AWAL", "name": "Awal", "start_date": D(2024, 1, 1), "budget": "1000000",
        "grant_cap": "50000", **fields}), actor="user:admin")


def _submitted(uow: empower.UnitOfWork, program: Program, actor: str = AMINA) -> Grant:
    woman = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=woman.id)
    # make_grant submits as the factories' actor; these tests say who submitted.
    grant.submitted_by = actor
    uow.flush()
    return grant


def _pay(uow: empower.UnitOfWork, grant: Grant, actor: str, amount: str = "5000",
         **kw: object) -> Disbursement:
    return empower.disburse(uow, DisbursementCreate(
        grant_id=grant.id, amount=Decimal(amount), paid_on=D(2024, 3, 10), channel="cash"),
        actor=actor, **kw)  # type: ignore[arg-type]


# -- the rule, pure -----------------------------------------------------------------------------
def test_the_rule_compares_actors_whatever_their_case() -> None:
    with pytest.raises(RuleViolation) as caught:
        rules.check_four_eyes("approve", "user:Amina", "user:amina ", applies=True,
                              reference="G-1")
    assert caught.value.code == "grant.four_eyes_approve"
    assert caught.value.params == {"reference": "G-1"}
    with pytest.raises(RuleViolation) as caught:
        rules.check_four_eyes("disburse", AMINA, AMINA, applies=True, reference="G-1")
    assert caught.value.code == "grant.four_eyes_disburse"
    rules.check_four_eyes("approve", AMINA, BASMA, applies=True, reference="G-1")
    rules.check_four_eyes("approve", AMINA, AMINA, applies=False, reference="G-1")
    rules.check_four_eyes("approve", AMINA, None, applies=True, reference="G-1")  # not known
    with pytest.raises(ValueError):
        rules.check_four_eyes("cancel", AMINA, AMINA, applies=True, reference="G-1")


def test_the_refusals_are_said_in_three_languages() -> None:
    for step in ("approve", "disburse"):
        with pytest.raises(RuleViolation) as caught:
            rules.check_four_eyes(step, AMINA, AMINA, applies=True, reference="G-7")
        exc = caught.value
        assert "G-7" in describe(exc, "fr") and "quatre yeux" in describe(exc, "fr")
        assert "G-7" in describe(exc, "ar") and "أربع أعين" in describe(exc, "ar")
        assert describe(exc, "en").startswith("Grant G-7: you ")


# -- the services -------------------------------------------------------------------------------
def test_a_new_program_applies_four_eyes(uow: empower.UnitOfWork) -> None:
    assert _program(uow).four_eyes is True
    assert _program(uow, code="LIBRE", four_eyes=False).four_eyes is False


def test_who_submitted_does_not_approve_and_nothing_changes(uow: empower.UnitOfWork) -> None:
    program = _program(uow)
    grant = _submitted(uow, program)
    with pytest.raises(RuleViolation) as caught:
        empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=AMINA)
    assert caught.value.code == "grant.four_eyes_approve"
    uow.session.refresh(grant)
    uow.session.refresh(program)
    assert grant.status == "submitted" and grant.approved_by is None
    assert program.committed_centimes == 0
    # The same person with her name typed otherwise is still the same person.
    with pytest.raises(RuleViolation):
        empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=" USER:Amina ")


def test_someone_else_approves_then_the_approver_does_not_pay(uow: empower.UnitOfWork) -> None:
    program = _program(uow)
    grant = _submitted(uow, program)
    empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=BASMA)
    assert (grant.submitted_by, grant.approved_by) == (AMINA, BASMA)
    with pytest.raises(RuleViolation) as caught:
        _pay(uow, grant, BASMA)
    assert caught.value.code == "grant.four_eyes_disburse"
    uow.session.refresh(grant)
    assert grant.disbursed_centimes == 0 and grant.disbursements == []
    # Who submitted may pay (she did not approve it), and so may a third person.
    _pay(uow, grant, AMINA)
    _pay(uow, grant, "user:chama")
    uow.session.refresh(grant)
    assert grant.disbursed_centimes == 1_000_000


def test_submitting_records_who_submitted(uow: empower.UnitOfWork) -> None:
    program = _program(uow)
    woman = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=woman.id)
    assert grant.submitted_by == "test:officer"  # the factories' actor


def test_a_program_without_four_eyes_lets_one_person_take_every_step(
        uow: empower.UnitOfWork) -> None:
    program = _program(uow, four_eyes=False)
    grant = _submitted(uow, program)
    empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=AMINA)
    _pay(uow, grant, AMINA, amount="20000")
    uow.session.refresh(grant)
    assert grant.status == "closed" and grant.approved_by == AMINA


def test_turning_four_eyes_off_and_on_is_a_correction(uow: empower.UnitOfWork) -> None:
    program = _program(uow)
    grant = _submitted(uow, program)
    data = ProgramCreate(code="AWAL", name="Awal", start_date=D(2024, 1, 1),
                         budget=Decimal("1000000"), grant_cap=Decimal("50000"), four_eyes=False)
    empower.update_program(uow, program.id, data, actor="user:admin")
    empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor=AMINA)
    empower.update_program(uow, program.id, data.model_copy(update={"four_eyes": True}),
                           actor="user:admin")
    with pytest.raises(RuleViolation):
        _pay(uow, grant, AMINA)
    changes = [e.changes for e in uow.session.scalars(select(AuditEvent).where(
        AuditEvent.entity == "program", AuditEvent.action == "update"))]
    assert changes == [{"four_eyes": [True, False]}, {"four_eyes": [False, True]}]


def test_history_is_recorded_by_one_actor_when_the_caller_says_so(
        uow: empower.UnitOfWork) -> None:
    program = _program(uow)
    grant = _submitted(uow, program, actor="script:history")
    empower.approve_grant(uow, grant.id, on=D(2024, 3, 5), actor="script:history", history=True)
    _pay(uow, grant, "script:history", history=True)
    uow.session.refresh(grant)
    assert grant.approved_by == "script:history" and grant.disbursed_centimes == 500_000
    # history=True skips four eyes only: the other rules still hold.
    with pytest.raises(empower.OverDisbursement):
        _pay(uow, grant, "script:history", amount="99999", history=True)


def test_imports_of_a_programs_history_are_not_blocked(db: empower.Database,
                                                       tmp_path: Path) -> None:
    """One file submits and approves, another pays, all as one actor, on a four-eyes program."""
    files = {
        "programs": [["code", "name", "start_date", "budget", "grant_cap"],
                     ["AWAL", "Awal", "2024-01-01", "1000000", "50000"]],
        "beneficiaries": [["cin", "first_name", "birth_date", "province_code", "consent_date",
                           "registered_on"],
                          ["AB200001", "Itto", "1990-01-01", "04.441", "2024-01-10",
                           "2024-01-10"]],
        "enrollments": [["cin", "program_code", "applied_on", "enrolled_on"],
                        ["AB200001", "AWAL", "2024-01-15", "2024-02-01"]],
        "grants": [["reference", "program_code", "cin", "amount_requested", "amount_approved",
                    "submitted_on", "approved_on"],
                   ["G-H1", "AWAL", "AB200001", "20000", "15000", "2024-03-01", "2024-03-10"]],
        "disbursements": [["reference", "grant_reference", "amount", "paid_on", "channel"],
                          ["T-H1", "G-H1", "5000", "2024-03-20", "cash"]],
    }
    for kind, rows in files.items():
        report = import_file(db, kind, write_csv(tmp_path / f"{kind}.csv", rows),
                             actor="import:history", today=D(2025, 1, 15))
        assert report.rejections == [] and report.committed, (kind, report.rejections)
    with db.unit_of_work() as uow:
        grant = uow.session.scalar(select(Grant).where(Grant.reference == "G-H1"))
        assert grant.program.four_eyes is True
        assert (grant.submitted_by, grant.approved_by) == ("import:history", "import:history")
        assert grant.disbursed_centimes == 500_000
        # In the panel afterwards, the rule holds again for whoever acts as the importer did.
        with pytest.raises(RuleViolation):
            _pay(uow, grant, "import:history")
        _pay(uow, grant, AMINA)


def test_the_program_import_reads_four_eyes_and_a_blank_keeps_it(db: empower.Database,
                                                                 tmp_path: Path) -> None:
    header = ["code", "name", "start_date", "budget", "four_eyes"]
    first = write_csv(tmp_path / "p1.csv", [header, ["AWAL", "Awal", "2024-01-01", "1000", "non"],
                                            ["TANY", "Tany", "2024-01-01", "1000", ""]])
    assert import_file(db, "programs", first).rejections == []
    again = write_csv(tmp_path / "p2.csv", [header, ["AWAL", "Awal", "2024-01-01", "1000", ""],
                                            ["TANY", "Tany", "2024-01-01", "1000", "no"]])
    assert import_file(db, "programs", again).rejections == []
    with db.unit_of_work(readonly=True) as uow:
        flags = dict(uow.session.execute(select(Program.code, Program.four_eyes)).all())
    assert flags == {"AWAL": False, "TANY": False}


# -- the migration ------------------------------------------------------------------------------
def test_the_migration_backfills_who_submitted_and_approved_from_the_audit_log(
        scratch_url: str) -> None:
    db = empower.connect(scratch_url)
    try:
        db.upgrade("0003")
        with db.unit_of_work() as uow:
            # Written straight into the tables as 0003 has them (the models have more columns,
            # with Python-side defaults, so plain SQL).
            run = uow.session.execute
            run(text("INSERT INTO programs (code, name, start_date, budget_centimes, "
                     "committed_centimes, created_at) VALUES ('OLD', 'Old', :d, 1000000000, "
                     "3000000, :d)"), {"d": D(2024, 1, 1)})
            run(text("INSERT INTO cooperatives (reference, name, sector, province_code, "
                     "founded_on, women_led, created_at) VALUES ('C-OLD', 'Amal', 'argan', "
                     "'04.441', :d, true, :d)"), {"d": D(2020, 1, 1)})
            program_id = uow.session.scalar(text("SELECT id FROM programs"))
            coop_id = uow.session.scalar(text("SELECT id FROM cooperatives"))
            for ref, status, approved, amount in (("G-A", "approved", D(2024, 3, 5), 1_000_000),
                                                  ("G-S", "submitted", None, None),
                                                  ("G-N", "approved", D(2024, 3, 5), 2_000_000)):
                run(text("INSERT INTO grants (reference, program_id, cooperative_id, status, "
                         "amount_requested_centimes, amount_approved_centimes, "
                         "disbursed_centimes, submitted_on, approved_on, created_at) VALUES "
                         "(:ref, :p, :c, :status, 2000000, :amount, 0, :s, :a, :s)"),
                    {"ref": ref, "p": program_id, "c": coop_id, "status": status,
                     "amount": amount, "s": D(2024, 3, 1), "a": approved})
            ids = dict(uow.session.execute(text("SELECT reference, id FROM grants")).all())
            at = D(2024, 3, 1)
            uow.session.execute(table_of(AuditEvent).insert(), [
                {"at": at, "actor": "user:amina", "action": "submit", "entity": "grant",
                 "entity_id": ids["G-A"], "changes": None},
                {"at": at, "actor": "user:basma", "action": "approve", "entity": "grant",
                 "entity_id": ids["G-A"], "changes": None},
                {"at": at, "actor": "user:chama", "action": "submit", "entity": "grant",
                 "entity_id": ids["G-S"], "changes": None},
                # Another record's events with the same id say nothing about the grants.
                {"at": at, "actor": "user:other", "action": "approve", "entity": "beneficiary",
                 "entity_id": ids["G-S"], "changes": None},
            ])
            uow.commit()
        db.upgrade()
        with db.unit_of_work(readonly=True) as uow:
            rows = {g.reference: (g.submitted_by, g.approved_by)
                    for g in uow.session.scalars(select(Grant))}
            assert rows == {"G-A": ("user:amina", "user:basma"), "G-S": ("user:chama", None),
                            "G-N": (None, None)}
            assert uow.session.scalar(select(Program.four_eyes)) is True
    finally:
        db.dispose()
