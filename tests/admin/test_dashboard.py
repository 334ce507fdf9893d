"""``empower.panel_queries.dashboard_counts``: the home page's figures for a region scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import empower
from empower.panel_queries import dashboard_counts
from empower.schemas import DisbursementCreate

ACTOR = "test:dashboard"


def test_counts_for_a_scope_and_for_the_country(db, seed):
    today = date(2024, 3, 20)
    with db.unit_of_work() as uow:
        empower.approve_grant(uow, seed.grant_in_id, on=date(2024, 3, 5), actor=ACTOR)
        empower.disburse(uow, DisbursementCreate(grant_id=seed.grant_in_id,
                                                 amount=Decimal("2500.50"),
                                                 paid_on=date(2024, 3, 10), channel="cash"),
                         actor=ACTOR)
        empower.approve_grant(uow, seed.grant_out_id, on=date(2024, 4, 5), actor=ACTOR)
        uow.commit()
    with db.unit_of_work(readonly=True) as uow:
        country = dashboard_counts(uow, regions=None, today=today)
        region04 = dashboard_counts(uow, regions=["04"], today=today)
        nowhere = dashboard_counts(uow, regions=["12"], today=today)
    assert country["beneficiaries"] == 2 and region04["beneficiaries"] == 1
    assert country["active_enrollments"] == 2 and region04["active_enrollments"] == 1
    assert country["cooperatives"] == 2 and region04["cooperatives"] == 1
    # Approved in March: only the grant in region 04 (the other one is approved in April).
    assert country["grants_approved_month"] == 1 and region04["grants_approved_month"] == 1
    assert region04["disbursements_paid_month"] == 1 and region04["paid_month_centimes"] == 250_050
    assert all(v == 0 for v in nowhere.values())


def test_payment_counts_for_a_scope(db, seed):
    """Drafts awaiting approval by the batch's region (one without a region: the country's
    only); in flight: lines sent and not yet settled, by their grant's region."""
    from empower.models import Program
    from empower.panel_queries import payment_counts
    from empower.schemas import BatchCreate
    from tests.factories import make_payable, make_rib, make_user

    on = date.today()
    with db.unit_of_work() as uow:
        program = uow.session.get(Program, seed.program_id)
        make_user(uow, "payer", "admin")
        for n, province in enumerate(("04.441", "04.441", "01.511")):
            make_payable(uow, program, province_code=province, rib=make_rib(300 + n))
        regional = empower.build_batch(uow, BatchCreate(
            program_id=program.id, channel="bank_transfer", planned_on=on, region_code="04"),
            actor=ACTOR).batch
        national = empower.build_batch(uow, BatchCreate(
            program_id=program.id, channel="bank_transfer", planned_on=on), actor=ACTOR).batch
        assert regional is not None and national is not None
        regional_id = regional.id
        uow.commit()
    with db.unit_of_work(readonly=True) as uow:
        assert payment_counts(uow, regions=None)["batches_awaiting_approval"] == 2
        assert payment_counts(uow, regions=["04"])["batches_awaiting_approval"] == 1
        assert payment_counts(uow, regions=["01"])["batches_awaiting_approval"] == 0
        assert payment_counts(uow, regions=None)["in_flight_centimes"] == 0  # none sent
    with db.unit_of_work() as uow:
        empower.approve_batch(uow, regional_id, on=on, actor="user:payer")
        empower.send_batch(uow, regional_id, on=on, actor=ACTOR)
        uow.commit()
    with db.unit_of_work(readonly=True) as uow:
        region04 = payment_counts(uow, regions=["04"])
        assert (region04["in_flight_lines"], region04["in_flight_centimes"]) == (2, 4_000_000)
        assert payment_counts(uow, regions=["01"])["in_flight_centimes"] == 0
        assert payment_counts(uow, regions=None)["batches_awaiting_approval"] == 1
