"""Text is text, through the services and into the database (SQLite here; PostgreSQL with
EMPOWER_TEST_DATABASE_URL, where a NUL used to be psycopg's DataError and a lone surrogate a
UnicodeEncodeError on both)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

import empower
from empower.audit import audit_trail
from empower.errors import Conflict, InvalidInput
from empower.models import Beneficiary, Cooperative, Grant
from empower.rules import RulesConfig
from empower.schemas import (
    BeneficiaryCreate,
    BeneficiaryUpdate,
    CooperativeCreate,
    CooperativeUpdate,
    GrantCreate,
)
from tests.factories import ACTOR, beneficiary_data, make_beneficiary, make_grant, make_program

NOT_TEXT = ["Fa\x00tima", "Fa\ud800tima", "Fa\x1btima"]


def test_registering_text_that_is_not_text_is_invalid_input(uow: empower.UnitOfWork) -> None:
    # One test over every field and kind of bad text (some were refused before by another
    # rule, such as the script of a name; the commune and the consent version were stored).
    for name in ("first_name", "last_name", "commune", "cin", "phone", "province_code",
                 "consent_version"):
        for bad in NOT_TEXT:
            with pytest.raises(InvalidInput) as err:
                empower.register_beneficiary(
                    uow, BeneficiaryCreate(**beneficiary_data(**{name: bad})), actor=ACTOR)
            assert err.value.field == name, (name, bad)
    assert uow.session.scalar(select(Beneficiary.id)) is None


@pytest.mark.parametrize("bad", NOT_TEXT)
def test_a_field_set_after_construction_is_held_to_the_rule(uow: empower.UnitOfWork,
                                                            bad: str) -> None:
    data = BeneficiaryCreate(**beneficiary_data())
    with pytest.raises(InvalidInput) as err:
        data.commune = bad
    assert err.value.field == "commune"
    empower.register_beneficiary(uow, data, actor=ACTOR)
    uow.session.flush()


def test_invisible_characters_are_not_stored(uow: empower.UnitOfWork) -> None:
    woman = empower.register_beneficiary(uow, BeneficiaryCreate(**beneficiary_data(
        cin="\u202eab\u200b123456", first_name="Fa\u200btima", last_name="\u2066Benali\u2069",
        first_name_ar="فاط\u200fمة", commune="Ouj\ufeffda", phone="\u202a0612345678\u202c")),
        actor=ACTOR)
    uow.session.flush()
    uow.session.expire_all()
    stored = uow.session.get(Beneficiary, woman.id)
    assert stored is not None
    assert (stored.cin, stored.first_name, stored.last_name, stored.first_name_ar,
            stored.commune, stored.phone) == ("AB123456", "Fatima", "Benali", "فاطمة", "Oujda",
                                              "+212612345678")


def test_two_spellings_of_one_cin_are_one_woman_whatever_the_pattern(db_url: str) -> None:
    for pattern in (r"^[A-Z]{1,2}[0-9]{1,6}$", r".+", r"\w+"):
        db = empower.connect(db_url, rules=RulesConfig(cin_pattern=pattern))
        try:
            with db.unit_of_work() as uow:
                first = make_beneficiary(uow, cin="AB123456")
                for spelling in ("ＡＢ１２３４５６", "ab١٢٣٤٥٦", "A\u200bB 123-456", "ab۱۲۳۴۵۶"):
                    with pytest.raises(Conflict) as err:
                        make_beneficiary(uow, cin=spelling)
                    assert err.value.existing_id == first.id
                with pytest.raises(InvalidInput):
                    make_beneficiary(uow, cin="АB123456")  # Cyrillic А
                assert empower.beneficiary_by_cin(uow, "ＡＢ１２３４５６").id == first.id
                uow.rollback()
        finally:
            db.dispose()


def test_a_phone_cell_with_two_numbers_or_an_extension_is_refused(
        uow: empower.UnitOfWork) -> None:
    for phone in ("0612345678 / 0698765432", "0612345678;0698765432", "0612345678 ext 12",
                  "0612345678 x12", "0612345678 poste 4"):
        with pytest.raises(InvalidInput) as err:
            make_beneficiary(uow, phone=phone)
        assert err.value.field == "phone", phone
    assert uow.session.scalar(select(Beneficiary.id)) is None


# --- update_beneficiary (and the other update services) ------------------------------------

def test_update_beneficiary_with_an_invalid_value_is_invalid_input(
        uow: empower.UnitOfWork) -> None:
    woman = make_beneficiary(uow)
    for change, field in [
            ({"cin": ""}, "cin"), ({"cin": None}, "cin"), ({"province_code": None}, "province_code"),
            ({"birth_date": None}, "birth_date"), ({"consent_date": None}, "consent_date"),
            ({"last_name": "Ben\x00ali"}, "last_name"), ({"commune": "x" * 101}, "commune")]:
        with pytest.raises(InvalidInput) as err:  # not pydantic's ValidationError
            empower.update_beneficiary(uow, woman.id, BeneficiaryUpdate(**change), actor=ACTOR)
        assert err.value.field == field, change


def test_update_beneficiary_with_a_value_set_unvalidated_is_invalid_input(
        uow: empower.UnitOfWork) -> None:
    woman = make_beneficiary(uow)
    update = BeneficiaryUpdate.model_construct(_fields_set={"household_size"}, household_size=99)
    with pytest.raises(InvalidInput) as err:
        empower.update_beneficiary(uow, woman.id, update, actor=ACTOR)
    assert err.value.field == "household_size"


def test_update_cooperative_follows_the_text_and_script_rules(uow: empower.UnitOfWork) -> None:
    coop = empower.found_cooperative(uow, CooperativeCreate(
        reference="COOP\u202e-1", name="Amal\u200b 2", name_ar="تعاونية أمل 2", sector="argan",
        province_code="04.441", founded_on=date(2020, 1, 1)), actor=ACTOR)
    assert (coop.reference, coop.name, coop.name_ar) == ("COOP-1", "Amal 2", "تعاونية أمل 2")
    for bad, code in (("تعاونية Amal", "name.wrong_script_arabic"),
                      ("تعاونية Écoute", "name.wrong_script_arabic"),
                      ("Кооператив", "name.wrong_script_arabic"),
                      ("تعاونية\x00", "text.control_character")):
        with pytest.raises(InvalidInput) as err:
            empower.update_cooperative(uow, coop.id, CooperativeUpdate(name_ar=bad), actor=ACTOR)
        assert (err.value.field, err.value.code) == ("name_ar", code)
    with pytest.raises(InvalidInput) as err:
        empower.found_cooperative(uow, CooperativeCreate(
            reference="COOP-2", name_ar="Nour", sector="argan", province_code="04.441",
            founded_on=date(2020, 1, 1)), actor=ACTOR)
    assert (err.value.field, err.value.code) == ("name_ar", "name.wrong_script_arabic")


# --- free text given to services directly ----------------------------------------------------

@pytest.mark.parametrize("bad", NOT_TEXT)
def test_reasons_notes_and_purposes_that_are_not_text_are_invalid_input(
        uow: empower.UnitOfWork, bad: str) -> None:
    program = make_program(uow)
    woman = make_beneficiary(uow)
    enr = empower.apply(uow, empower.schemas.EnrollmentCreate(
        beneficiary_id=woman.id, program_id=program.id, applied_on=date(2024, 2, 1),
        enrolled_on=date(2024, 2, 1)), actor=ACTOR)
    grant = make_grant(uow, program, beneficiary_id=woman.id)
    calls = {
        "reason": [
            lambda: empower.reject_grant(uow, grant.id, on=date(2024, 3, 2), actor=ACTOR,
                                         reason=bad),
            lambda: empower.archive_beneficiary(uow, woman.id, actor=ACTOR, on=date(2024, 5, 1),
                                                reason=bad),
            lambda: empower.reject_enrollment(uow, enr.id, on=date(2024, 3, 1), actor=ACTOR,
                                              reason=bad),
        ],
        "purpose": [lambda: empower.correct_grant(uow, grant.id, actor=ACTOR, purpose=bad)],
        "program_code": [lambda: empower.program_by_code(uow, bad)],
        "cin": [lambda: empower.beneficiary_by_cin(uow, bad)],
        "actor": [lambda: empower.correct_grant(uow, grant.id, actor=bad, purpose="x")],
    }
    for field, fns in calls.items():
        for fn in fns:
            with pytest.raises(InvalidInput) as err:
                fn()
            assert err.value.field == field
    uow.session.flush()


def test_free_text_is_cleaned_and_held_to_its_column(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_beneficiary(uow)
    grant = make_grant(uow, program, beneficiary_id=woman.id)
    empower.correct_grant(uow, grant.id, actor=ACTOR, purpose=" Métier\u202e à tisser ")
    with pytest.raises(InvalidInput) as err:
        empower.correct_grant(uow, grant.id, actor=ACTOR, purpose="x" * 301)
    assert (err.value.field, err.value.code) == ("purpose", "input.too_long")
    empower.reject_grant(uow, grant.id, on=date(2024, 3, 2), actor=ACTOR,
                         reason="hors\u200b délai")
    uow.session.flush()
    uow.session.expire_all()
    assert uow.session.get(Grant, grant.id).purpose == "Métier à tisser"
    assert audit_trail(uow, "grant", grant.id)[-1].changes["reason"] == "hors délai"


def test_a_grant_reference_and_purpose_keep_no_bidi_control(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    woman = make_beneficiary(uow)
    grant = empower.submit_grant(uow, GrantCreate(
        reference="G-\u202e1", program_id=program.id, beneficiary_id=woman.id,
        purpose="\u2067stock\u2069", amount_requested=Decimal(100), submitted_on=date(2024, 3, 1)),
        actor=ACTOR)
    uow.session.flush()
    assert (grant.reference, grant.purpose) == ("G-1", "stock")
    assert uow.session.scalar(select(Cooperative.id)) is None


def test_a_huge_value_is_refused_with_a_short_message(uow: empower.UnitOfWork) -> None:
    with pytest.raises(InvalidInput) as err:
        make_beneficiary(uow, cin="A" * 999_000)
    assert len(err.value.message) < 200
    with pytest.raises(InvalidInput) as err:
        make_beneficiary(uow, commune="é" * 999_000)
    assert err.value.field == "commune" and len(err.value.message) < 250
