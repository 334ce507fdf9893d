from datetime import date
from decimal import Decimal

import empower
from empower.schemas import DisbursementCreate
from tests.factories import ACTOR, make_enrolled, make_grant, make_program


def test_register_enroll_approve_pay(db):
    with db.unit_of_work() as uow:
        program = make_program(uow)
        woman = make_enrolled(uow, program)
        grant = make_grant(uow, program, beneficiary_id=woman.id, amount="10000")
        empower.approve_grant(uow, grant.id, on=date(2024, 3, 5), actor=ACTOR)
        empower.disburse(uow, DisbursementCreate(grant_id=grant.id, amount=Decimal("10000"),
                                                 paid_on=date(2024, 3, 6), channel="cash"),
                         actor=ACTOR)
        uow.commit()
    with db.unit_of_work(readonly=True) as uow:
        g = uow.session.get(type(grant), grant.id)
        assert g.status == "closed"
        assert g.disbursed_centimes == 1_000_000
