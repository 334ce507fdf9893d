"""What is never corrected is refused by the services, so a script meets the import's refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import empower
from empower.errors import InvalidInput, RuleViolation
from empower.models import Grant
from empower.schemas import CooperativeCreate, DisbursementCreate
from empower.services import corrections
from empower.vocab import Channel
from tests.factories import ACTOR, make_enrolled, make_grant, make_program

D = date


def _paid_grant(uow: empower.UnitOfWork) -> tuple[Grant, int]:
    program = make_program(uow)
    person = make_enrolled(uow, program)
    grant = make_grant(uow, program, beneficiary_id=person.id, amount="20000",
                       reference="G-1")
    empower.approve_grant(uow, grant.id, on=D(2024, 3, 10), actor=ACTOR,
                          amount=Decimal("15000"))
    tranche = empower.disburse(uow, DisbursementCreate(
        grant_id=grant.id, amount=Decimal("5000"), paid_on=D(2024, 4, 1),
        channel=Channel.BANK_TRANSFER, reference="T-1"), actor=ACTOR)
    return grant, tranche.id


def test_a_grants_decided_money_is_not_corrected(uow: empower.UnitOfWork) -> None:
    grant, _ = _paid_grant(uow)
    other = make_program(uow, code="TAMKINE", name="Tamkine")
    refusals = [({"program_id": other.id}, "program_id"),
                ({"beneficiary_id": grant.beneficiary_id + 1000}, "beneficiary_id"),
                ({"cooperative_id": 1}, "cooperative_id"),
                ({"amount_requested": Decimal("45000")}, "amount_requested"),
                ({"amount_approved": Decimal("20000")}, "amount_approved")]
    for given, field in refusals:
        with pytest.raises(RuleViolation, match="not changed by import or correction") as exc:
            corrections.correct_grant(uow, grant.id, actor=ACTOR, purpose="autre", **given)
        assert exc.value.field == field
        assert grant.purpose != "autre"
    # The recorded values (the same money in another spelling) are accepted with a correction.
    corrections.correct_grant(uow, grant.id, actor=ACTOR, program_id=grant.program_id,
                              beneficiary_id=grant.beneficiary_id,
                              amount_requested=Decimal("20000.00"),
                              amount_approved=Decimal("15000"), purpose="atelier")
    assert grant.purpose == "atelier"


def test_a_tranche_is_confirmed_or_refused_never_changed(uow: empower.UnitOfWork) -> None:
    grant, tranche_id = _paid_grant(uow)
    same = corrections.confirm_disbursement(
        uow, tranche_id, grant_id=grant.id, amount=Decimal("5000.00"), paid_on=D(2024, 4, 1),
        channel=Channel.BANK_TRANSFER)
    for given in ({"amount": Decimal("5000.01")}, {"paid_on": D(2024, 4, 2)},
                  {"channel": Channel.CASH}, {"grant_id": grant.id + 1}):
        with pytest.raises(RuleViolation, match="payments are not changed") as exc:
            corrections.confirm_disbursement(uow, tranche_id, **given)
        assert exc.value.field == "reference"
    assert (same.amount_centimes, same.paid_on, same.channel) == (
        500000, D(2024, 4, 1), Channel.BANK_TRANSFER)


def test_a_dissolution_date_is_not_moved(uow: empower.UnitOfWork) -> None:
    coop = empower.found_cooperative(uow, CooperativeCreate(
        reference="COOP-1", name="Tifawin", sector="argan", province_code="04.441",
        founded_on=D(2020, 1, 1)), actor=ACTOR)
    with pytest.raises(InvalidInput, match="not dissolved"):
        corrections.confirm_dissolution(uow, coop.id, dissolved_on=D(2024, 1, 1))
    empower.dissolve_cooperative(uow, coop.id, on=D(2024, 1, 1), actor=ACTOR)
    assert corrections.confirm_dissolution(uow, coop.id, dissolved_on=D(2024, 1, 1)) is coop
    with pytest.raises(RuleViolation, match="not changed by import or correction"):
        corrections.confirm_dissolution(uow, coop.id, dissolved_on=D(2024, 6, 1))
    assert coop.dissolved_on == D(2024, 1, 1)
