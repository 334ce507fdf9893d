"""Erasure erases (law 09-08): after it, no table holds any of her identifiers, anywhere."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

import empower
from empower.models import (
    Attendance,
    Base,
    Beneficiary,
    CoachingVisit,
    DuplicateCandidate,
    Grant,
    utcnow,
)
from empower.schemas import (
    BeneficiaryUpdate,
    CooperativeCreate,
    EnrollmentCreate,
    MembershipCreate,
    SurveyCreate,
    VisitCreate,
)
from empower.services.corrections import correct_grant
from tests.factories import (
    ACTOR,
    make_activity,
    make_beneficiary,
    make_grant,
    make_program,
    make_session,
)

D = date
HER = {"cin": "QZ765432", "first_name": "Zineb", "last_name": "Ouhmidou",
       "first_name_ar": "زينب", "last_name_ar": "أوحميدو", "phone": "0661234567",
       "commune": "Tamesloht"}
BORN = D(1988, 7, 23)
# Every form of each identifier a search should not find after the erasure.
NEEDLES = ["QZ765432", "Zineb", "Ouhmidou", "زينب", "أوحميدو", "+212661234567", "0661234567",
           "06 61 23 45 67", "661234567", "Tamesloht", "Tameslouht", "1988-07-23", "23/07/1988",
           "1988-07-22", "22/07/1988"]


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict | list):
        return [json.dumps(value, ensure_ascii=False)]
    if isinstance(value, datetime):
        return [value.isoformat()]
    if isinstance(value, date):
        return [value.isoformat(), value.strftime("%d/%m/%Y")]
    return [str(value)]


def _everything(db: empower.Database) -> list[tuple[str, str, str]]:
    """(table, column, text) for every value of every column of every table."""
    found = []
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                for column, value in row.items():
                    found.extend((table.name, column, t) for t in _texts(value))
    return found


def _her_history(uow: empower.UnitOfWork) -> tuple[int, int]:
    """Every act an officer can do about her, with her identifiers typed into the free text."""
    awal = make_program(uow)
    tany = make_program(uow, code="TANY", name="Tany")
    her = make_beneficiary(uow, **{**HER, "commune": "Tameslouht"}, birth_date=D(1988, 7, 22))
    other = make_beneficiary(uow, cin="AA1", first_name="Amina", last_name="Alaoui",
                             first_name_ar="أمينة", last_name_ar="العلوي",
                             birth_date=D(1975, 1, 2))
    third = make_beneficiary(uow, cin="AA2", first_name="Hafsa", last_name="Naciri",
                             first_name_ar=None, last_name_ar=None, birth_date=D(1970, 1, 2))
    # Corrections: the old birth date and commune are hers too.
    empower.update_beneficiary(uow, her.id, BeneficiaryUpdate(
        birth_date=BORN, commune="Tamesloht"), actor=ACTOR)
    empower.apply(uow, EnrollmentCreate(beneficiary_id=her.id, program_id=awal.id,
                                        applied_on=D(2024, 2, 1), enrolled_on=D(2024, 2, 1)),
                  actor=ACTOR)
    refused = empower.apply(uow, EnrollmentCreate(beneficiary_id=her.id, program_id=tany.id,
                                                  applied_on=D(2024, 2, 1)), actor=ACTOR)
    empower.reject_enrollment(uow, refused.id, on=D(2024, 2, 5), actor=ACTOR,
                              reason="Zineb Ouhmidou (QZ765432) n'habite plus à Tamesloht")
    grant = make_grant(uow, awal, beneficiary_id=her.id, amount="12000")
    grant.purpose = "Machine à coudre pour Zineb Ouhmidou, tél. 06 61 23 45 67"
    correct_grant(uow, grant.id, actor=ACTOR,
                  purpose="Machine à coudre (Zineb, +212661234567)")
    second = make_grant(uow, awal, beneficiary_id=her.id, amount="3000")
    empower.reject_grant(uow, second.id, on=D(2024, 3, 5), actor=ACTOR,
                         reason="Doublon de la demande de زينب أوحميدو née le 23/07/1988")
    empower.record_survey(uow, SurveyCreate(beneficiary_id=her.id, program_id=awal.id,
                                            round="baseline", surveyed_on=D(2024, 2, 2),
                                            monthly_income="800"), actor=ACTOR)
    coop = empower.found_cooperative(uow, CooperativeCreate(
        reference="C1", name="Amal", sector="argan", province_code="04.441",
        founded_on=D(2023, 1, 1)), actor=ACTOR)
    empower.admit_member(uow, MembershipCreate(cooperative_id=coop.id, beneficiary_id=her.id,
                                               joined_on=D(2024, 3, 1)), actor=ACTOR)
    # A pair an officer looked at and told apart, in her words, and one still open.
    told_apart = DuplicateCandidate(beneficiary_id=her.id, other_beneficiary_id=other.id,
                                    rule="same_phone", score=1.0, detected_at=utcnow())
    still_open = DuplicateCandidate(beneficiary_id=her.id, other_beneficiary_id=third.id,
                                    rule="same_phone", score=1.0, detected_at=utcnow())
    uow.session.add_all([told_apart, still_open])
    uow.flush()
    empower.resolve_duplicate(uow, told_apart.id, resolution="dismiss", actor=ACTOR,
                              note="Pas la même: Zineb Ouhmidou est née le 1988-07-23, "
                                   "CIN QZ765432, tél 0661234567")
    # Her training and a coach's visit, the note in the coach's words.
    activity = make_activity(uow, awal)
    session = make_session(uow, activity, D(2024, 2, 20), facilitator="Mme Alaoui")
    empower.record_roster(uow, session.id, [{"beneficiary_id": her.id, "status": "present"}],
                          actor=ACTOR)
    empower.record_visit(uow, VisitCreate(
        reference="V-ZO", program_id=awal.id, beneficiary_id=her.id, visited_on=D(2024, 4, 2),
        kind="on_site", note="Zineb Ouhmidou (0661234567) vend bien; son mari est malade"),
        actor=ACTOR)
    empower.archive_beneficiary(uow, her.id, actor=ACTOR, on=D(2024, 6, 1),
                                reason="Partie à Tamesloht, joindre Zineb au 0661234567")
    empower.restore_beneficiary(uow, her.id, actor=ACTOR)
    return her.id, grant.id


def test_after_an_erasure_no_table_holds_her_identifiers(db: empower.Database) -> None:
    with db.unit_of_work() as uow:
        her_id, grant_id = _her_history(uow)
        uow.commit()
    before = _everything(db)
    for needle in ("QZ765432", "Zineb", "0661234567", "23/07/1988", "Tamesloht"):
        assert any(needle.lower() in t.lower() for _, _, t in before), needle  # the test sees
    with db.unit_of_work() as uow:
        empower.erase_beneficiary(uow, her_id, actor="user:dpo", on=D(2025, 1, 1))
        uow.commit()
    left = [(table, column, needle) for table, column, t in _everything(db)
            for needle in NEEDLES if needle.lower() in t.lower()]
    assert left == [], left
    if db.is_sqlite:
        # Nor do the pages of the search box's full-text index (FTS5 keeps a deleted row's
        # words until it merges its segments; the erasure merges them).
        with db.engine.connect() as conn:
            pages = b"".join(bytes(r[0] or b"") for r in conn.exec_driver_sql(
                "SELECT block FROM beneficiaries_fts_data"))
        assert b"zineb" not in pages and "زينب".encode() not in pages
    # What the reports need stays: province, milieu, the month of birth, acts, amounts.
    with db.unit_of_work(readonly=True) as uow:
        erased = uow.session.get(Beneficiary, her_id)
        assert (erased.province_code, erased.milieu) == ("04.441", "rural")
        assert erased.birth_date == D(1988, 7, 1)
        grant = uow.session.get(Grant, grant_id)
        assert grant.amount_requested_centimes == 1_200_000
        assert grant.submitted_on == D(2024, 3, 1)
        assert grant.purpose == "Machine à coudre ([redacted], [redacted])"
        # Notes keep their meaning without her.
        notes = set(uow.session.scalars(select(DuplicateCandidate.note)))
        assert "Pas la même: [redacted] [redacted] est née le [redacted], CIN [redacted], tél " \
               "[redacted]" in notes
        assert Decimal(grant.amount_requested_centimes) / 100 == Decimal("12000")
        # Her attendance still counts; the coach's note about her life is gone whole.
        assert uow.session.scalar(select(func.count(Attendance.id))) == 1
        visit = uow.session.scalar(select(CoachingVisit))
        assert (visit.note, visit.visited_on) == (None, D(2024, 4, 2))


def test_bulk_events_are_scrubbed_like_single_ones(uow: empower.UnitOfWork) -> None:
    from empower import audit
    from empower.models import AuditEvent

    her = make_beneficiary(uow, **HER, birth_date=BORN)
    audit.record_many(uow, actor=ACTOR, action="archive", entity="beneficiary", items=[
        (her.id, {"archived_on": [None, D(2024, 6, 1)], "reason": "Zineb part à Tamesloht"})])
    uow.flush()
    last = uow.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None and last.changes["reason"] == "[redacted] part à [redacted]"


def test_bulk_events_scrub_each_woman_from_her_own_event_only(uow: empower.UnitOfWork) -> None:
    from empower import audit
    from empower.models import AuditEvent

    her = make_beneficiary(uow, **HER, birth_date=BORN)
    other = make_beneficiary(uow, first_name="Salma", last_name="Tazi")
    audit.record_many(uow, actor=ACTOR, action="fail", entity="beneficiary", items=[
        (her.id, {"reason": "Zineb absente, Salma venue"}),
        (other.id, {"reason": "Zineb absente, Salma venue"}),
        (her.id, {"reason": "Compte clôturé", "amount": "100.00"}),
        (other.id, {"amount": "100.00"}),
        (other.id, None),
    ])
    uow.flush()
    events = list(uow.session.scalars(select(AuditEvent).where(AuditEvent.action == "fail")
                                      .order_by(AuditEvent.id)))
    assert [e.changes for e in events] == [
        {"reason": "[redacted] absente, Salma venue"},
        {"reason": "Zineb absente, [redacted] venue"},
        {"reason": "Compte clôturé", "amount": "100.00"},
        {"amount": "100.00"},
        None,
    ]
