"""Registering, correcting, archiving and erasing beneficiaries against a real database."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

import empower
from empower.audit import audit_trail
from empower.errors import Conflict, InvalidInput, NotEligible, RuleViolation
from empower.models import (
    AuditEvent,
    Beneficiary,
    DuplicateCandidate,
    Enrollment,
    Grant,
    SurveyRecord,
)
from empower.schemas import BeneficiaryCreate, BeneficiaryUpdate, SurveyCreate
from empower.vocab import DuplicateRule
from tests.factories import (
    ACTOR,
    beneficiary_data,
    make_beneficiary,
    make_enrolled,
    make_grant,
    make_program,
)


def test_registration_normalises_and_audits(uow: empower.UnitOfWork) -> None:
    woman = make_beneficiary(uow, cin=" ab 123456 ", phone="06 12 34 56 78",
                             first_name="  Fatima ", commune="Tiznit")
    assert (woman.cin, woman.phone, woman.first_name) == ("AB123456", "+212612345678", "Fatima")
    [event] = audit_trail(uow, "beneficiary", woman.id)
    assert (event.actor, event.action) == (ACTOR, "register")
    assert event.changes["cin"] == "[redacted]"


def test_a_cin_registered_twice_is_a_conflict_naming_the_existing_record(
        uow: empower.UnitOfWork) -> None:
    first = make_beneficiary(uow, cin="AB123456")
    with pytest.raises(Conflict) as err:
        # Same CIN in another spelling: normalised before the comparison.
        make_beneficiary(uow, cin="ab-123456", first_name="Khadija")
    assert err.value.existing_id == first.id
    assert f"#{first.id}" in err.value.message
    assert err.value.field == "cin"
    assert uow.session.scalar(select(func.count()).select_from(Beneficiary)) == 1


def test_a_cin_repeated_within_one_batch_is_refused_on_the_later_row(
        uow: empower.UnitOfWork) -> None:
    rows = [BeneficiaryCreate.model_validate(beneficiary_data(cin=c)) for c in
            ("AB1", "AB2", "ab1")]
    result = empower.register_beneficiaries(uow, rows, actor=ACTOR)
    assert len(result.created) == 2
    [error] = result.errors
    assert error.index == 2
    assert isinstance(error.error, Conflict)
    assert "item 0" in error.message


def test_bulk_registration_reports_each_bad_row_and_keeps_the_good(
        uow: empower.UnitOfWork) -> None:
    rows = [
        beneficiary_data(),
        beneficiary_data(birth_date=date(2010, 1, 1)),
        beneficiary_data(phone="12"),
        beneficiary_data(first_name="F4tima"),
        beneficiary_data(consent_date=date(2024, 2, 1)),
        beneficiary_data(cin="123"),
        beneficiary_data(province_code="99.999"),
    ]
    result = empower.register_beneficiaries(
        uow, [BeneficiaryCreate.model_validate(r) for r in rows], actor=ACTOR)
    assert len(result.created) == 1
    assert [(e.index, e.field) for e in result.errors] == [
        (1, "birth_date"), (2, "phone"), (3, "first_name"), (4, "consent_date"), (5, "cin"),
        (6, "province_code")]
    assert uow.session.scalar(select(func.count()).select_from(Beneficiary)) == 1


@pytest.mark.parametrize(("first", "second"), [
    ({"first_name": "Fatima", "last_name": "Benali"},
     {"first_name": "fatima", "last_name": "BENALI"}),
    ({"first_name": "Zoé", "last_name": "Aït Baha"},
     {"first_name": "Zoe", "last_name": "Ait Baha"}),
    ({"first_name": None, "last_name": None, "first_name_ar": "فاطمة", "last_name_ar": "بنعلي"},
     {"first_name": None, "last_name": None, "first_name_ar": "فَاطِمَة", "last_name_ar": "بنعلي"}),
    # Latin spellings differ, the Arabic ones agree.
    ({"first_name": "Fatima", "last_name": "Benali", "first_name_ar": "فاطمة",
      "last_name_ar": "بنعلي"},
     {"first_name": "Fatiha", "last_name": "Ben Aly", "first_name_ar": "فاطمة",
      "last_name_ar": "بنعلي"}),
])
def test_same_name_and_birth_date_becomes_a_candidate_not_a_refusal(
        uow: empower.UnitOfWork, first: dict[str, object], second: dict[str, object]) -> None:
    a = make_beneficiary(uow, **first)
    b = make_beneficiary(uow, **second)
    [cand] = empower.list_duplicate_candidates(uow)
    assert (cand.beneficiary_id, cand.other_beneficiary_id) == (a.id, b.id)
    assert cand.rule == DuplicateRule.SAME_NAME_BIRTH_DATE
    assert cand.status == "open"


def test_same_name_other_birth_date_is_no_candidate(uow: empower.UnitOfWork) -> None:
    make_beneficiary(uow)
    make_beneficiary(uow, birth_date=date(1990, 3, 5))
    assert empower.list_duplicate_candidates(uow) == []


def test_same_phone_becomes_a_candidate_not_a_refusal(uow: empower.UnitOfWork) -> None:
    a = make_beneficiary(uow, phone="0612345678", first_name="Amina", last_name="Alaoui",
                         first_name_ar=None, last_name_ar=None)
    b = make_beneficiary(uow, phone="+212 6 12 34 56 78", first_name="Khadija",
                         last_name="Idrissi", first_name_ar=None, last_name_ar=None,
                         birth_date=date(1980, 1, 1))
    [cand] = empower.list_duplicate_candidates(uow)
    assert (cand.beneficiary_id, cand.other_beneficiary_id, cand.rule) == (
        a.id, b.id, DuplicateRule.SAME_PHONE)


def test_candidates_within_one_batch_are_found_once(uow: empower.UnitOfWork) -> None:
    rows = [BeneficiaryCreate.model_validate(beneficiary_data()) for _ in range(3)]
    result = empower.register_beneficiaries(uow, rows, actor=ACTOR)
    assert result.duplicate_candidates == 3
    pairs = {(c.beneficiary_id, c.other_beneficiary_id) for c in
             empower.list_duplicate_candidates(uow)}
    a, b, c = result.created
    assert pairs == {(a, b), (a, c), (b, c)}


# --- update ------------------------------------------------------------------------------------


def test_update_reapplies_the_rules(uow: empower.UnitOfWork) -> None:
    woman = make_beneficiary(uow)
    for change, field in [({"phone": "123"}, "phone"), ({"cin": "1234"}, "cin"),
                          ({"first_name": "F4tima"}, "first_name"),
                          ({"birth_date": date(2010, 1, 1)}, "birth_date"),
                          ({"consent_date": date(2024, 5, 1)}, "consent_date"),
                          ({"province_code": "99.999"}, "province_code")]:
        with pytest.raises((InvalidInput, NotEligible)) as err:
            empower.update_beneficiary(uow, woman.id, BeneficiaryUpdate(**change), actor=ACTOR)
        assert err.value.field == field
    with pytest.raises(InvalidInput):
        # Clearing every name leaves her nameless.
        empower.update_beneficiary(uow, woman.id, BeneficiaryUpdate(
            first_name=None, last_name=None, first_name_ar=None, last_name_ar=None), actor=ACTOR)


def test_update_normalises_and_audits_only_on_change(uow: empower.UnitOfWork) -> None:
    woman = make_beneficiary(uow, phone="0612345678")
    events = len(audit_trail(uow, "beneficiary", woman.id))
    # The same values in other spellings: nothing changes, nothing is logged.
    empower.update_beneficiary(uow, woman.id, BeneficiaryUpdate(
        phone="+212 6-12-34-56-78", cin=woman.cin.lower(), milieu="Rurale"), actor=ACTOR)
    assert len(audit_trail(uow, "beneficiary", woman.id)) == events
    empower.update_beneficiary(uow, woman.id, BeneficiaryUpdate(
        phone="07 12 34 56 78", household_size=4), actor="user:amina")
    trail = audit_trail(uow, "beneficiary", woman.id)
    assert len(trail) == events + 1
    last = trail[-1]
    assert (last.actor, last.action) == ("user:amina", "update")
    assert last.changes == {"phone": ["[redacted]", "[redacted]"], "household_size": [None, 4]}
    assert woman.phone == "+212712345678"


def test_update_to_a_registered_cin_is_a_conflict(uow: empower.UnitOfWork) -> None:
    a = make_beneficiary(uow, cin="AB1")
    b = make_beneficiary(uow, cin="AB2", birth_date=date(1985, 1, 1))
    with pytest.raises(Conflict) as err:
        empower.update_beneficiary(uow, b.id, BeneficiaryUpdate(cin="ab1"), actor=ACTOR)
    assert err.value.existing_id == a.id


def test_update_that_makes_a_match_records_a_candidate(uow: empower.UnitOfWork) -> None:
    make_beneficiary(uow)
    b = make_beneficiary(uow, birth_date=date(1985, 1, 1))
    assert empower.list_duplicate_candidates(uow) == []
    empower.update_beneficiary(uow, b.id, BeneficiaryUpdate(birth_date=date(1990, 3, 4)),
                               actor=ACTOR)
    assert len(empower.list_duplicate_candidates(uow)) == 1


# --- archive, restore, erase -------------------------------------------------------------------


def test_archive_and_restore(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_beneficiary(uow)
    empower.archive_beneficiary(uow, woman.id, actor=ACTOR, on=date(2024, 6, 1), reason="moved")
    assert woman.archived_on == date(2024, 6, 1)
    with pytest.raises(RuleViolation):
        empower.archive_beneficiary(uow, woman.id, actor=ACTOR, on=date(2024, 7, 1))
    # Acts dated after the archive are refused; earlier ones are history and still allowed.
    from empower.schemas import EnrollmentCreate
    with pytest.raises(NotEligible):
        empower.apply(uow, EnrollmentCreate(beneficiary_id=woman.id, program_id=program.id,
                                            applied_on=date(2024, 6, 2)), actor=ACTOR)
    empower.apply(uow, EnrollmentCreate(beneficiary_id=woman.id, program_id=program.id,
                                        applied_on=date(2024, 5, 1)), actor=ACTOR)
    empower.restore_beneficiary(uow, woman.id, actor="user:restorer")
    assert woman.archived_on is None
    with pytest.raises(RuleViolation):
        empower.restore_beneficiary(uow, woman.id, actor=ACTOR)
    actions = [(e.action, e.actor) for e in audit_trail(uow, "beneficiary", woman.id)]
    assert actions == [("register", ACTOR), ("archive", ACTOR), ("restore", "user:restorer")]
    with pytest.raises(InvalidInput):
        empower.archive_beneficiary(uow, woman.id, actor=ACTOR, on=date(2020, 1, 1))


def test_erasure_clears_identity_keeps_facts_and_the_log_holds_no_personal_value(
        db: empower.Database) -> None:
    personal = {"cin": "ZT998877", "first_name": "Rkia", "last_name": "Oubella",
                "first_name_ar": "رقية", "last_name_ar": "أوبلا", "phone": "0661122334",
                "commune": "Tafraout"}
    with db.unit_of_work() as uow:
        program = make_program(uow)
        woman = make_enrolled(uow, program, **personal, birth_date=date(1988, 7, 19))
        twin = make_beneficiary(uow, first_name="Rkia", last_name="Oubella",
                                birth_date=date(1988, 7, 19), first_name_ar=None,
                                last_name_ar=None)
        empower.update_beneficiary(uow, woman.id, BeneficiaryUpdate(
            phone="0661122335", commune="Tiznit", last_name="Oubela"), actor=ACTOR)
        grant = make_grant(uow, program, beneficiary_id=woman.id)
        empower.record_survey(uow, SurveyCreate(beneficiary_id=woman.id, program_id=program.id,
                                                round="baseline", surveyed_on=date(2024, 2, 2),
                                                monthly_income="800"), actor=ACTOR)
        # The twin and she: same birth date, names one letter apart.
        assert len(empower.list_duplicate_candidates(uow)) == 1
        empower.erase_beneficiary(uow, woman.id, actor="user:dpo", on=date(2025, 1, 1))
        uow.commit()
    with db.unit_of_work(readonly=True) as uow:
        erased = uow.session.get(Beneficiary, woman.id)
        for name in ("cin", "first_name", "last_name", "first_name_ar", "last_name_ar",
                     "phone", "commune", "match_key"):
            assert getattr(erased, name) is None, name
        assert erased.province_code == "04.441"
        assert erased.birth_date == date(1988, 7, 1)
        assert erased.erased_on == erased.archived_on == date(2025, 1, 1)
        assert uow.session.scalar(select(func.count()).select_from(Enrollment)
                                  .where(Enrollment.beneficiary_id == woman.id)) == 1
        assert uow.session.get(Grant, grant.id).beneficiary_id == woman.id
        assert uow.session.scalar(select(func.count()).select_from(SurveyRecord)
                                  .where(SurveyRecord.beneficiary_id == woman.id)) == 1
        # Open candidates about her were dismissed.
        assert all(c.status == "dismissed" for c in uow.session.scalars(
            select(DuplicateCandidate)))
        # The twin is another woman: her record stays whole.
        assert uow.session.get(Beneficiary, twin.id).erased_on is None
        log = json.dumps([e.changes for e in uow.session.scalars(select(AuditEvent))],
                         ensure_ascii=False)
        for value in [*personal.values(), "+212661122334", "+212661122335", "Oubela",
                      "Tiznit", "ZT998877"]:
            assert value not in log, value
        last = audit_trail(uow, "beneficiary", woman.id)[-1]
        assert (last.action, last.actor) == ("erase", "user:dpo")
    with db.unit_of_work() as uow:
        with pytest.raises(RuleViolation):
            empower.erase_beneficiary(uow, woman.id, actor=ACTOR)
        with pytest.raises(RuleViolation):
            empower.restore_beneficiary(uow, woman.id, actor=ACTOR)
        with pytest.raises(RuleViolation):
            empower.update_beneficiary(uow, woman.id, BeneficiaryUpdate(commune="X"), actor=ACTOR)
        # Her CIN is free again: the same woman can register anew if she comes back.
        make_beneficiary(uow, cin="ZT998877")


def test_lookups_and_unknown_records_are_not_found(uow: empower.UnitOfWork) -> None:
    from empower.errors import NotFound

    woman = make_beneficiary(uow, cin="AB123456")
    assert empower.beneficiary_by_cin(uow, " ab-123456 ").id == woman.id
    program = make_program(uow)
    assert empower.program_by_code(uow, "AWAL").id == program.id
    with pytest.raises(NotFound) as err:
        empower.beneficiary_by_cin(uow, "ZZ1")
    assert err.value.field == "cin"
    with pytest.raises(NotFound):
        empower.program_by_code(uow, "NOPE")
    with pytest.raises(NotFound) as err:
        empower.archive_beneficiary(uow, 9999, actor=ACTOR)
    assert "#9999" in err.value.message
    with pytest.raises(NotFound):
        empower.approve_grant(uow, 9999, on=date(2024, 1, 1), actor=ACTOR)


def test_copies_of_one_woman_give_a_bounded_number_of_candidates(uow: empower.UnitOfWork) -> None:
    """Forty copies of one person (same name and birth date, new CINs) in one bulk batch: each is
    flagged, but with at most five candidates, not the 780 pairs a full comparison would give."""
    from empower.models import DuplicateCandidate

    rows = [BeneficiaryCreate.model_validate(beneficiary_data(cin=f"ZZ{i:04d}")) for i in range(40)]
    result = empower.register_beneficiaries(uow, rows, actor="test:import")
    assert result.errors == []
    pairs = uow.session.execute(select(DuplicateCandidate.beneficiary_id,
                                       DuplicateCandidate.other_beneficiary_id)).all()
    flagged = {b for pair in pairs for b in pair}
    assert flagged == set(result.created)
    per_woman = [sum(1 for a, b in pairs if a == bid or b == bid) for bid in result.created]
    assert 0 < len(pairs) <= 5 * 40
    assert max(per_woman) <= 5 + 5  # her own five, plus later copies that pointed at her
