"""Issue 9: the audit log nobody can rewrite, an upgrade that cannot stop half-way, SQLite
writers that wait their turn, and merges and erasures whose side effects are logged."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, func, inspect, select, text, update

import empower
from empower.audit import audit_trail
from empower.errors import Conflict, RuleViolation
from empower.messages import describe
from empower.models import AuditEvent, Base, Beneficiary, DuplicateCandidate, Province, Region, table_of
from empower.schemas import CooperativeCreate, EnrollmentCreate, MembershipCreate, SurveyCreate
from empower.search import INDEX_TABLES
from tests.factories import ACTOR, make_beneficiary, make_grant, make_program

D = date


# --- the audit log is append-only --------------------------------------------------------------


def _one_event(db: empower.Database) -> int:
    with db.unit_of_work() as uow:
        make_program(uow)
        uow.commit()
        return uow.session.scalar(select(func.min(AuditEvent.id)))


def _tamper_attempts(event_id: int):  # type: ignore[no-untyped-def]
    events = table_of(AuditEvent)

    def orm_update(uow: empower.UnitOfWork) -> None:
        uow.session.get(AuditEvent, event_id).actor = "someone:else"
        uow.flush()

    def orm_delete(uow: empower.UnitOfWork) -> None:
        uow.session.delete(uow.session.get(AuditEvent, event_id))
        uow.flush()

    return {
        "orm update": orm_update,
        "orm delete": orm_delete,
        "core update": lambda uow: uow.session.execute(
            update(events).where(events.c.id == event_id).values(action="nothing")),
        "core delete": lambda uow: uow.session.execute(delete(events)),
        "orm bulk update": lambda uow: uow.session.execute(
            update(AuditEvent).values(changes=None)),
        "sql update": lambda uow: uow.session.execute(
            text("UPDATE audit_events SET actor = 'x' WHERE id = :i"), {"i": event_id}),
        "sql delete": lambda uow: uow.session.execute(text("DELETE FROM audit_events")),
        "driver sql": lambda uow: uow.session.connection().exec_driver_sql(
            "DELETE FROM audit_events WHERE id > 0"),
    }


def test_no_write_can_change_or_delete_an_audit_event(db: empower.Database) -> None:
    event_id = _one_event(db)
    with db.unit_of_work(readonly=True) as uow:
        before = [(e.id, e.actor, e.action, e.changes) for e in uow.session.scalars(
            select(AuditEvent).order_by(AuditEvent.id))]
    attempts = _tamper_attempts(event_id)
    if db.engine.dialect.name == "postgresql":
        attempts["truncate"] = lambda uow: uow.session.execute(text("TRUNCATE audit_events"))
    for name, attempt in attempts.items():
        with db.unit_of_work() as uow:
            with pytest.raises(RuleViolation, match="append-only") as caught:
                attempt(uow)
                uow.commit()
            assert "saved by someone else" not in str(caught.value), name
            assert caught.value.code == "audit.append_only", name
    with db.unit_of_work(readonly=True) as uow:
        after = [(e.id, e.actor, e.action, e.changes) for e in uow.session.scalars(
            select(AuditEvent).order_by(AuditEvent.id))]
    assert after == before
    # Appending still works, of course.
    with db.unit_of_work() as uow:
        make_beneficiary(uow)
        uow.commit()
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditEvent)) > len(before)


def test_the_migration_cleans_old_events_before_locking_them(scratch_url: str) -> None:
    """Events written by 0.x (before 0002): birth dates and her identifiers in free text."""
    db = empower.connect(scratch_url)
    try:
        db.upgrade("0001")
        with db.unit_of_work() as uow:
            # Written as 0.x wrote them: only the columns 0001 has (today's services write
            # columns and tables of later revisions).
            people = table_of(Beneficiary)
            kept_id, gone_id = (uow.session.execute(people.insert().values(
                cin=cin, first_name=first, last_name=last, match_key=f"{first} {last}".lower(),
                birth_date=born, province_code="04.441", consent_date=D(2024, 1, 10),
                consent_version="v1", registered_on=D(2024, 1, 10), created_at=D(2024, 1, 10),
                updated_at=D(2024, 1, 10)).returning(people.c.id)).scalar_one()
                for cin, first, last, born in [("OL1", "Itto", "Amzil", D(1990, 3, 4)),
                                               ("OL2", "Yamna", "Ouchen", D(1981, 5, 6))])
            # Erased as 0.x erased.
            uow.session.execute(update(people).where(people.c.id == gone_id).values(
                cin=None, first_name=None, last_name=None, phone=None, match_key=None,
                erased_on=D(2024, 2, 1), archived_on=D(2024, 2, 1)))
            events = table_of(AuditEvent)
            uow.session.execute(events.insert(), [
                {"at": D(2024, 1, 1), "actor": "old", "action": "update", "entity": "beneficiary",
                 "entity_id": kept_id, "changes": {"birth_date": ["1990-03-04", "1990-04-03"]}},
                {"at": D(2024, 1, 1), "actor": "old", "action": "archive",
                 "entity": "beneficiary", "entity_id": kept_id,
                 "changes": {"reason": "Itto Amzil (OL1) a déménagé"}},
                {"at": D(2024, 1, 1), "actor": "old", "action": "archive",
                 "entity": "beneficiary", "entity_id": gone_id,
                 "changes": {"reason": "Yamna Ouchen, née le 06/05/1981"}},
            ])
            uow.commit()
        db.upgrade()
        with db.unit_of_work(readonly=True) as uow:
            old = [e.changes for e in uow.session.scalars(
                select(AuditEvent).where(AuditEvent.actor == "old").order_by(AuditEvent.id))]
        assert old == [{"birth_date": ["[redacted]", "[redacted]"]},
                       {"reason": "[redacted] [redacted] ([redacted]) a déménagé"},
                       {"reason": "[redacted]"}]
    finally:
        db.dispose()


# --- empower db upgrade: one transaction ---------------------------------------------------------


def _head(db: empower.Database) -> str:
    from alembic.script import ScriptDirectory

    from empower.db import alembic_config
    head = ScriptDirectory.from_config(alembic_config(db)).get_current_head()
    assert head is not None
    return head


def test_an_upgrade_interrupted_after_the_schema_step_leaves_nothing_half_done(
        scratch_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import empower.reference

    def killed(session: object) -> int:
        raise KeyboardInterrupt  # what a Ctrl-C or a crash looks like at this point

    db = empower.connect(scratch_url)
    try:
        with monkeypatch.context() as m:
            m.setattr(empower.reference, "load_reference_data", killed)
            with pytest.raises(KeyboardInterrupt):
                db.upgrade()
        # Not an up-to-date schema without provinces: no schema at all, as before.
        assert set(inspect(db.engine).get_table_names()) == set()
        db.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        fts = INDEX_TABLES if db.is_sqlite else set()
        assert set(Base.metadata.tables) | {"alembic_version"} | fts == tables
        with db.unit_of_work(readonly=True) as uow:
            assert uow.session.scalar(select(func.count()).select_from(Region)) == 12
            assert uow.session.scalar(select(func.count()).select_from(Province)) == 75
            assert uow.session.connection().exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalar() == _head(db)
        # An import row naming a province is accepted again.
        with db.unit_of_work() as uow:
            make_beneficiary(uow, province_code="04.441")
            uow.commit()
    finally:
        db.dispose()


def test_a_database_left_without_reference_data_is_completed(scratch_url: str) -> None:
    """What an interrupted upgrade of an older version left: schema at head, no provinces."""
    db = empower.connect(scratch_url)
    try:
        db.upgrade()
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM provinces"))
            conn.execute(text("DELETE FROM regions"))
        db.upgrade()
        with db.unit_of_work(readonly=True) as uow:
            assert uow.session.scalar(select(func.count()).select_from(Province)) == 75
    finally:
        db.dispose()


# --- SQLite writers wait their turn --------------------------------------------------------------

_HOLD = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO programs (code, name, start_date, budget_centimes, committed_centimes,"
             " created_at) VALUES ('HOLD', 'Hold', '2024-01-01', 0, 0, '2024-01-01')")
print("holding", flush=True)
sys.stdin.readline()
conn.rollback()
"""


@pytest.fixture
def writer_elsewhere(db: empower.Database) -> Iterator[subprocess.Popen[str]]:
    """Another process in the middle of a long write on the same SQLite file."""
    if not db.is_sqlite:
        pytest.skip("SQLite's single writer lock; PostgreSQL writers do not lock the database")
    path = db.engine.url.database
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    try:
        yield proc
    finally:
        assert proc.stdin is not None
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait(timeout=30)


def test_a_writer_that_waited_in_vain_is_told_to_retry(
        db: empower.Database, writer_elsewhere: subprocess.Popen[str]) -> None:
    impatient = empower.connect(str(db.engine.url), busy_timeout=0.3)
    try:
        with pytest.raises(Conflict, match="another write is running.*try again") as caught, \
                impatient.unit_of_work() as uow:
            make_beneficiary(uow)
            uow.commit()
        assert caught.value.code == "database.busy"
        assert describe(caught.value, "fr").startswith("Une autre écriture est en cours")
        # Readers are not blocked by the writer.
        with impatient.unit_of_work(readonly=True) as uow:
            assert uow.session.scalar(select(func.count()).select_from(Province)) == 75
    finally:
        impatient.dispose()


def test_the_cli_says_so_in_one_line(db: empower.Database, tmp_path: Path,
                                     writer_elsewhere: subprocess.Popen[str]) -> None:
    csv_file = tmp_path / "b.csv"
    csv_file.write_text("cin,first_name,birth_date,province_code,consent_date\n"
                        "AB12345,Amina,1990-02-03,04.441,2024-01-01\n", encoding="utf-8")
    env = {**os.environ, "EMPOWER_DATABASE_URL": str(db.engine.url),
           "EMPOWER_SQLITE_BUSY_TIMEOUT": "0.3", "COLUMNS": "40"}
    result = subprocess.run(
        [sys.executable, "-c", "from empower.cli import main; main()", "import",
         "beneficiaries", str(csv_file)], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "another write is running" in lines[0] and "try again" in lines[0]
    assert "Traceback" not in result.stderr and "OperationalError" not in result.stderr


# --- side effects get their own events -----------------------------------------------------------


def test_a_merge_logs_every_record_it_moves_and_every_candidate_it_dismisses(
        uow: empower.UnitOfWork) -> None:
    awal = make_program(uow)
    kept = make_beneficiary(uow)
    later = make_beneficiary(uow, cin="ZZ1")
    third = make_beneficiary(uow, cin="ZZ2")
    tany = make_program(uow, code="TANY", name="Tany")
    enrolment = empower.apply(uow, EnrollmentCreate(
        beneficiary_id=later.id, program_id=tany.id, applied_on=D(2024, 2, 1),
        enrolled_on=D(2024, 2, 1)), actor=ACTOR)
    ended = empower.apply(uow, EnrollmentCreate(
        beneficiary_id=later.id, program_id=awal.id, applied_on=D(2024, 2, 1),
        enrolled_on=D(2024, 2, 1)), actor=ACTOR)
    empower.apply(uow, EnrollmentCreate(beneficiary_id=kept.id, program_id=awal.id,
                                        applied_on=D(2024, 2, 1), enrolled_on=D(2024, 2, 1)),
                  actor=ACTOR)
    grant = make_grant(uow, tany, beneficiary_id=later.id)
    survey = empower.record_survey(uow, SurveyCreate(
        beneficiary_id=later.id, program_id=tany.id, round="baseline",
        surveyed_on=D(2024, 2, 2)), actor=ACTOR)
    coop = empower.found_cooperative(uow, CooperativeCreate(
        reference="C1", name="Amal", sector="argan", province_code="04.441",
        founded_on=D(2023, 1, 1)), actor=ACTOR)
    member = empower.admit_member(uow, MembershipCreate(
        cooperative_id=coop.id, beneficiary_id=later.id, joined_on=D(2024, 3, 1)), actor=ACTOR)
    cands = {(c.beneficiary_id, c.other_beneficiary_id): c
             for c in empower.list_duplicate_candidates(uow)}
    cand = cands[(kept.id, later.id)]
    empower.resolve_duplicate(uow, cand.id, resolution="merge", actor="user:amina")
    for entity, record_id in (("grant", grant.id), ("membership", member.id),
                              ("enrollment", enrolment.id), ("survey", survey.id)):
        [move] = [e for e in audit_trail(uow, entity, record_id) if e.action == "move"]
        assert move.actor == "user:amina"
        assert move.changes == {"beneficiary_id": [later.id, kept.id], "merge_candidate": cand.id}
    [exit_event] = [e for e in audit_trail(uow, "enrollment", ended.id) if e.action == "exit"]
    assert exit_event.changes["exit_reason"] == "duplicate"
    dismissed = cands[(later.id, third.id)]
    assert dismissed.status == "dismissed"
    [event] = audit_trail(uow, "duplicate_candidate", dismissed.id)
    assert (event.action, event.actor) == ("dismiss", "user:amina")
    assert event.changes["status"] == ["open", "dismissed"]


def test_an_erasure_logs_every_record_it_touches(uow: empower.UnitOfWork) -> None:
    awal = make_program(uow)
    her = make_beneficiary(uow, cin="ER1", first_name="Rkia", last_name="Bouzid")
    other = make_beneficiary(uow, cin="ER2", first_name="Rkia", last_name="Bouzid")
    grant = make_grant(uow, awal, beneficiary_id=her.id)
    grant.purpose = "Four à pain pour Rkia Bouzid"
    [cand] = empower.list_duplicate_candidates(uow)
    empower.erase_beneficiary(uow, her.id, actor="user:dpo")
    assert grant.purpose == "Four à pain pour [redacted] [redacted]"
    [g] = [e for e in audit_trail(uow, "grant", grant.id) if e.action == "erase"]
    assert g.changes == {"fields_erased": ["purpose"], "erasure_of": her.id}
    [c] = audit_trail(uow, "duplicate_candidate", cand.id)
    assert (c.action, c.actor) == ("erase", "user:dpo")
    assert c.changes["status"] == ["open", "dismissed"] and c.changes["erasure_of"] == her.id
    assert uow.session.get(DuplicateCandidate, cand.id).status == "dismissed"
    assert other.cin == "ER2"
