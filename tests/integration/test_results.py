"""Results against targets in the database: indicators, targets, manual results and
contributions through the services, each write audited; the rules hold for every caller."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

import empower
from empower.errors import Conflict, InvalidInput, NotFound
from empower.models import AuditEvent, Target
from empower.schemas import (
    AgreementCreate,
    ContributionCreate,
    IndicatorCreate,
    ManualResultCreate,
    PartnerCreate,
    TargetCreate,
)
from empower.services.results import agreement_standing, standings
from tests.factories import ACTOR, make_program


def _logframe(uow: empower.UnitOfWork):  # type: ignore[no-untyped-def]
    program = make_program(uow, start_date=date(2026, 1, 1), end_date=date(2027, 12, 31))
    partner = empower.create_partner(uow, PartnerCreate(name="Association Amal", kind="association"),
                                     actor=ACTOR)
    indicator, outcome = empower.save_indicator(
        uow, IndicatorCreate(code="IND-1", name_fr="Nouvelles inscrites", kpi="new_registrations",
                             unit="femmes"), actor=ACTOR)
    assert outcome == "created"
    return program, partner, indicator


def test_indicator_saved_then_corrected_then_unchanged(uow: empower.UnitOfWork) -> None:
    _logframe(uow)
    data = IndicatorCreate(code="IND-1", name_fr="Nouvelles inscriptions",
                           kpi="new_registrations", name_ar="تسجيلات جديدة")
    assert empower.save_indicator(uow, data, actor=ACTOR)[1] == "updated"
    assert empower.save_indicator(uow, data, actor=ACTOR)[1] == "unchanged"
    actions = uow.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity == "indicator")).all()
    assert actions == ["create", "update"]


def test_manual_indicators_say_how_they_add_up(uow: empower.UnitOfWork) -> None:
    with pytest.raises(InvalidInput) as caught:
        empower.save_indicator(uow, IndicatorCreate(code="ONSSA", name_fr="Coopératives "
                                                    "certifiées", kpi="manual"), actor=ACTOR)
    assert caught.value.code == "indicator.aggregation_required"
    with pytest.raises(InvalidInput) as caught:
        empower.save_indicator(uow, IndicatorCreate(code="X", name_fr="x", kpi="exits",
                                                    aggregation="flow"), actor=ACTOR)
    assert caught.value.code == "indicator.aggregation_of_kpi"
    with pytest.raises(InvalidInput) as caught:
        empower.save_indicator(uow, IndicatorCreate(code="X", name_fr="x", kpi="made_up"),
                               actor=ACTOR, known_kpis={"exits"})
    assert caught.value.code == "indicator.unknown_kpi"


def test_one_target_per_indicator_program_partner_region_and_period(
        uow: empower.UnitOfWork) -> None:
    program, partner, indicator = _logframe(uow)
    base = {"indicator_id": indicator.id, "program_id": program.id, "period": "2026-Q3"}
    slots = [{}, {"region_code": "02"}, {"partner_id": partner.id},
             {"partner_id": partner.id, "region_code": "02"}]
    for extra in slots:
        assert empower.set_target(uow, TargetCreate(**base, **extra, value=100),
                                  actor=ACTOR)[1] == "created"
    # the same slot again corrects the one target, it never makes a second
    target, outcome = empower.set_target(uow, TargetCreate(**base, region_code="02", value=120,
                                                           baseline=10), actor=ACTOR)
    assert outcome == "updated" and (target.value, target.baseline) == (120, 10)
    assert empower.set_target(uow, TargetCreate(**base, region_code="02", value=120, baseline=10),
                              actor=ACTOR)[1] == "unchanged"
    assert len(uow.session.scalars(select(Target)).all()) == 4
    # and the database says so too, whoever writes
    uow.session.add(Target(indicator_id=indicator.id, program_id=program.id, period="2026-Q3",
                           slot="|", value=1))
    with pytest.raises(Conflict):
        uow.session.flush()


def test_a_target_period_outside_the_program_is_refused(uow: empower.UnitOfWork) -> None:
    program, _partner, indicator = _logframe(uow)
    for period, code in (("2025-Q4", "target.period_outside_program"),
                         ("2028", "target.period_outside_program"), ("2026-Q9", "period.invalid")):
        with pytest.raises(InvalidInput) as caught:
            empower.set_target(uow, TargetCreate(indicator_id=indicator.id, program_id=program.id,
                                                 period=period, value=5), actor=ACTOR)
        assert caught.value.code == code
    with pytest.raises(InvalidInput):
        empower.set_target(uow, TargetCreate(indicator_id=indicator.id, program_id=program.id,
                                             period="2026", region_code="99", value=5),
                           actor=ACTOR)
    with pytest.raises(NotFound):
        empower.set_target(uow, TargetCreate(indicator_id=999, program_id=program.id,
                                             period="2026", value=5), actor=ACTOR)


def test_manual_results_for_manual_indicators_or_a_partners_own_figure(
        uow: empower.UnitOfWork) -> None:
    program, partner, computed = _logframe(uow)
    manual, _ = empower.save_indicator(uow, IndicatorCreate(
        code="ONSSA", name_fr="Coopératives certifiées ONSSA", kpi="manual", aggregation="flow"),
        actor=ACTOR)
    result, outcome = empower.record_manual_result(uow, ManualResultCreate(
        indicator_id=manual.id, program_id=program.id, period="2026-07", value=3,
        source="ONSSA, liste du 2026-08-02"), actor=ACTOR)
    assert outcome == "created" and result.slot == "|"
    with pytest.raises(InvalidInput) as caught:
        empower.record_manual_result(uow, ManualResultCreate(
            indicator_id=computed.id, program_id=program.id, period="2026-07", value=3,
            source="x"), actor=ACTOR)
    assert caught.value.code == "result.not_manual"
    empower.record_manual_result(uow, ManualResultCreate(
        indicator_id=computed.id, program_id=program.id, partner_id=partner.id,
        period="2026-07", value=12, source="rapport du partenaire"), actor=ACTOR)


def test_contributions_are_audited_and_above_commitment_is_flagged(
        uow: empower.UnitOfWork) -> None:
    program, partner, _indicator = _logframe(uow)
    agreement = empower.sign_agreement(uow, AgreementCreate(
        program_id=program.id, partner_id=partner.id, signed_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31), committed=Decimal("100000")), actor=ACTOR)
    empower.record_contribution(uow, ContributionCreate(
        agreement_id=agreement.id, amount="60 000", received_on=date(2026, 3, 1),
        reference="VIR-1"), actor=ACTOR)
    empower.record_contribution(uow, ContributionCreate(
        agreement_id=agreement.id, kind="en nature", amount="55000", received_on=date(2026, 6, 1),
        reference="NAT-1"), actor=ACTOR)
    with pytest.raises(Conflict) as caught:
        empower.record_contribution(uow, ContributionCreate(
            agreement_id=agreement.id, amount="1", received_on=date(2026, 6, 1),
            reference="VIR-1"), actor=ACTOR)
    assert caught.value.code == "contribution.reference_taken"
    with pytest.raises(InvalidInput):
        empower.record_contribution(uow, ContributionCreate(
            agreement_id=agreement.id, amount="0", received_on=date(2026, 6, 1),
            reference="VIR-2"), actor=ACTOR)
    events = uow.session.scalars(select(AuditEvent).where(
        AuditEvent.entity == "contribution").order_by(AuditEvent.id)).all()
    assert [e.changes.get("above_commitment") for e in events] == [None, "15000.00"]
    standing = agreement_standing(uow, agreement.id, date(2026, 12, 31))
    assert (standing.received_centimes, standing.cash_centimes, standing.in_kind_centimes) == (
        11_500_000, 6_000_000, 5_500_000)
    assert standing.balance_centimes == -1_500_000 and standing.above_commitment_centimes == 1_500_000
    assert standing.last_received_on == date(2026, 6, 1)
    # on 2026-04-01 only the first: 60 % received, due by ~2026-08-07; not behind
    early = standings(uow, date(2026, 4, 1))[0]
    assert early.received_centimes == 6_000_000 and early.days_behind == 0


def test_agreements_behind_their_schedule(uow: empower.UnitOfWork) -> None:
    program, partner, _indicator = _logframe(uow)
    other = empower.create_partner(uow, PartnerCreate(name="Fondation Nour", kind="association"),
                                   actor=ACTOR)
    late = empower.sign_agreement(uow, AgreementCreate(
        program_id=program.id, partner_id=partner.id, signed_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31), committed=Decimal("364")), actor=ACTOR)
    on_time = empower.sign_agreement(uow, AgreementCreate(
        program_id=program.id, partner_id=other.id, signed_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31), committed=Decimal("364")), actor=ACTOR)
    empower.record_contribution(uow, ContributionCreate(
        agreement_id=late.id, amount="91", received_on=date(2026, 1, 5), reference="L-1"),
        actor=ACTOR)
    empower.record_contribution(uow, ContributionCreate(
        agreement_id=on_time.id, amount="300", received_on=date(2026, 2, 5), reference="O-1"),
        actor=ACTOR)
    behind = empower.agreements_behind(uow, date(2026, 7, 1), days=90)
    # 91 of 364 MAD: due by 2026-04-02, 90 days before 2026-07-01: not yet "more than 90"
    assert behind == []
    behind = empower.agreements_behind(uow, date(2026, 7, 2), days=90)
    assert [(s.agreement_id, s.days_behind) for s in behind] == [(late.id, 91)]
    # an officer of region 01 sees a national program's agreements, not another region's
    assert len(empower.agreements_behind(uow, date(2026, 7, 2), regions=("01",))) == 1
    regional = make_program(uow, code="SUD", start_date=date(2026, 1, 1), region_code="09")
    far = empower.sign_agreement(uow, AgreementCreate(
        program_id=regional.id, partner_id=other.id, signed_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31), committed=Decimal("364")), actor=ACTOR)
    assert far.id in {s.agreement_id for s in empower.agreements_behind(uow, date(2026, 7, 2))}
    assert far.id not in {s.agreement_id for s in empower.agreements_behind(
        uow, date(2026, 7, 2), regions=("01",))}
