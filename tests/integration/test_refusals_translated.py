"""The refusals an officer meets most, raised by the services and said in French and Arabic.

Each case checks the code, that the sentence is the catalog's in every language (not the English
fallback) and that it carries the figures of the case, formatted for the language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import insert

import empower
from empower.errors import EmpowerError
from empower.messages import CATALOG, LANGUAGES, describe
from empower.models import Beneficiary, table_of
from empower.schemas import (
    BeneficiaryCreate,
    DisbursementCreate,
    EnrollmentCreate,
    GrantCreate,
    parse_input,
)
from tests.factories import (
    ACTOR,
    beneficiary_data,
    make_beneficiary,
    make_enrolled,
    make_grant,
    make_program,
)


def _refusal(action: Callable[[], object]) -> EmpowerError:
    with pytest.raises(EmpowerError) as caught:
        action()
    exc = caught.value
    assert exc.code in CATALOG, exc.message
    for lang in LANGUAGES:
        assert describe(exc, lang) != exc.message  # the catalog's sentence, not the fallback
    return exc


def test_a_tranche_above_what_is_left_says_the_amounts(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    person = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=person.id, amount="20000", reference="G-7")
    empower.approve_grant(uow, grant.id, on=date(2024, 3, 5), actor=ACTOR)
    empower.disburse(uow, DisbursementCreate(grant_id=grant.id, amount=Decimal("12500"),
                                             paid_on=date(2024, 3, 6), channel="cash"),
                     actor=ACTOR)
    exc = _refusal(lambda: empower.disburse(uow, DisbursementCreate(
        grant_id=grant.id, amount=Decimal("8000"), paid_on=date(2024, 3, 7), channel="cash"),
        actor=ACTOR))
    assert exc.code == "tranche.above_approved"
    assert describe(exc, "fr") == ("8\u202f000,00 MAD dépasserait le montant approuvé de la "
                                   "subvention G-7 (20\u202f000,00 MAD ; reste à payer "
                                   "7\u202f500,00 MAD).")
    ar = describe(exc, "ar")
    assert "8.000,00 درهم" in ar and "20.000,00" in ar and "7.500,00" in ar and "G-7" in ar
    assert describe(exc, "en").startswith("8,000.00 MAD would take grant G-7 above")
    # The English line scripts read is as it was.
    assert exc.message == ("amount: 8000.00 MAD would take grant G-7 above its approved "
                           "20000.00 MAD (7500.00 MAD left to pay)")


def test_an_approval_above_the_cap_names_the_program_and_cap(uow: empower.UnitOfWork) -> None:
    program = make_program(uow, code="TAMKINE", grant_cap=Decimal("15000"))
    person = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=person.id, amount="20000")
    exc = _refusal(lambda: empower.approve_grant(uow, grant.id, on=date(2024, 3, 5), actor=ACTOR))
    assert exc.code == "grant.above_cap"
    assert describe(exc, "fr") == ("20\u202f000,00 MAD dépasse le plafond du programme TAMKINE "
                                   "(15\u202f000,00 MAD par subvention).")
    assert describe(exc, "ar") == "20.000,00 درهم يتجاوز سقف البرنامج TAMKINE (15.000,00 درهم لكل منحة)."


def test_a_cin_already_registered_names_the_other_record(uow: empower.UnitOfWork) -> None:
    first = make_beneficiary(uow, cin="JB123456")
    exc = _refusal(lambda: make_beneficiary(uow, cin="jb 123456"))
    assert exc.code == "cin.taken"
    assert describe(exc, "fr") == f"La CIN JB123456 est déjà enregistrée (bénéficiaire n° {first.id})."
    assert describe(exc, "ar") == f"رقم البطاقة JB123456 مسجل مسبقا (المستفيدة رقم {first.id})."


def test_a_too_young_woman_and_a_bad_cin(uow: empower.UnitOfWork) -> None:
    exc = _refusal(lambda: make_beneficiary(uow, birth_date=date(2010, 1, 11)))
    assert exc.code == "beneficiary.too_young"
    assert describe(exc, "ar") == ("عمرها 13 سنة بتاريخ 2024-01-10؛ يجب ألا يقل عمر المستفيدات "
                                   "عن 18 سنة.")
    exc = _refusal(lambda: empower.register_beneficiary(
        uow, BeneficiaryCreate.model_validate(beneficiary_data(cin="123")), actor=ACTOR))
    assert exc.code == "cin.invalid"
    assert describe(exc, "fr").startswith("CIN « 123 » invalide")


def test_a_refused_transition_says_the_states_in_the_language(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    person = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=person.id, reference="G-9")
    empower.reject_grant(uow, grant.id, on=date(2024, 3, 5), actor=ACTOR)
    exc = _refusal(lambda: empower.approve_grant(uow, grant.id, on=date(2024, 3, 6), actor=ACTOR))
    assert exc.code == "transition.final"
    assert describe(exc, "fr") == ("Subvention G-9 : approbation impossible, la fiche est "
                                   "rejetée ; cet état est définitif.")
    assert "مرفوضة" in describe(exc, "ar") and "G-9" in describe(exc, "ar")


def test_a_grant_for_a_woman_not_enrolled(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    person = make_beneficiary(uow)
    empower.apply(uow, EnrollmentCreate(beneficiary_id=person.id, program_id=program.id,
                                        applied_on=date(2024, 2, 1)), actor=ACTOR)
    grant = empower.submit_grant(uow, GrantCreate(
        reference="G-1", program_id=program.id, beneficiary_id=person.id,
        amount_requested=Decimal("1000"), submitted_on=date(2024, 3, 1)), actor=ACTOR)
    exc = _refusal(lambda: empower.approve_grant(uow, grant.id, on=date(2024, 3, 5), actor=ACTOR))
    assert exc.code == "grant.not_enrolled"
    assert describe(exc, "fr") == (f"La bénéficiaire n° {person.id} n'est pas inscrite au "
                                   f"programme AWAL le 2024-03-05.")


def test_a_pydantic_refusal_is_said_from_its_type(uow: empower.UnitOfWork) -> None:
    exc = _refusal(lambda: parse_input(BeneficiaryCreate, beneficiary_data(
        birth_date="31/02/1990")))
    assert exc.code == "input.not_a_date" and exc.field == "birth_date"
    assert describe(exc, "fr") == "« 31/02/1990 » n'est pas une date (AAAA-MM-JJ)."
    exc = _refusal(lambda: parse_input(BeneficiaryCreate, beneficiary_data(
        milieu="montagne")))
    assert exc.code == "choice.invalid" and exc.field == "milieu"
    assert describe(exc, "ar") == "«montagne» ليست من القيم الممكنة: urban, rural."


def test_a_racing_writer_stopped_by_the_constraint_is_told_in_her_language(
        db: empower.Database) -> None:
    # The other officer's row lands between this writer's check and its insert: the unique
    # constraint decides, and the hook on the engine turns it into a coded Conflict.
    with db.unit_of_work() as uow:
        make_beneficiary(uow, cin="RC100200")
        uow.commit()
    with db.unit_of_work() as uow:
        row = {**beneficiary_data(cin="RC100200"), "match_key": "x", "milieu": "rural"}
        exc = _refusal(lambda: uow.session.execute(insert(table_of(Beneficiary)), [row]))
    assert exc.code == "race.cin_taken"
    assert describe(exc, "fr") == ("Cette CIN est déjà enregistrée (enregistrée par quelqu'un "
                                   "d'autre entre-temps ?).")
    assert describe(exc, "ar").startswith("رقم البطاقة هذا مسجل مسبقا")
