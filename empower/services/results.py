"""Results against targets: the logframe (indicators, targets, manual results) and what
partners contributed under their agreements. Every write takes an actor and is audited; the
rules are :mod:`empower.results`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select

from empower import audit
from empower.db import UnitOfWork
from empower.errors import InvalidInput
from empower.models import (
    Agreement,
    Contribution,
    Indicator,
    ManualResult,
    Partner,
    Program,
    Target,
    slot_of,
)
from empower.results import (
    MANUAL,
    Period,
    above_commitment,
    check_kpi_key,
    check_target_period,
    days_behind,
)
from empower.rules import centimes, mad
from empower.schemas import ContributionCreate, IndicatorCreate, ManualResultCreate, TargetCreate
from empower.services._common import check_not_in_future, check_region, check_unique, get

__all__ = [
    "AgreementStanding",
    "agreement_contributions",
    "agreement_standing",
    "agreements_behind",
    "record_contribution",
    "record_manual_result",
    "save_indicator",
    "set_target",
    "standings",
]

_INDICATOR_FIELDS = ("code", "name_fr", "name_ar", "name_en", "unit", "direction", "kpi",
                     "aggregation")


def _indicator_values(data: IndicatorCreate, known_kpis: set[str] | None) -> dict[str, Any]:
    kpi = check_kpi_key(data.kpi, known_kpis)
    if kpi == MANUAL and data.aggregation is None:
        raise InvalidInput("aggregation: a manual indicator says whether its results add up "
                           "over a period (flow) or the last one stands (stock)",
                           code="indicator.aggregation_required", field="aggregation")
    if kpi != MANUAL and data.aggregation is not None:
        raise InvalidInput(f"aggregation: indicator computed from {kpi} follows the KPI's "
                           "definition (docs/kpis.md); leave it empty",
                           code="indicator.aggregation_of_kpi", params={"kpi": kpi},
                           field="aggregation", value=str(data.aggregation))
    values = data.model_dump()
    values["kpi"] = kpi
    return values


def save_indicator(uow: UnitOfWork, data: IndicatorCreate, *, actor: str,
                   known_kpis: set[str] | None = None) -> tuple[Indicator, str]:
    """Create the indicator ``data.code`` names, or bring it to ``data``: returns it and
    ``created``, ``updated`` or ``unchanged``.

    ``known_kpis`` (the report's catalogue, for callers that have it: the report's command, the
    panel) refuses a key the report does not compute. Raises ``InvalidInput``
    (``indicator.unknown_kpi``, ``indicator.aggregation_required``,
    ``indicator.aggregation_of_kpi``)."""
    audit.check_actor(actor)
    values = _indicator_values(data, known_kpis)
    indicator = uow.session.scalar(select(Indicator).where(Indicator.code == data.code))
    if indicator is None:
        indicator = Indicator(**values)
        uow.session.add(indicator)
        uow.session.flush()
        audit.record(uow, actor=actor, action="create", entity="indicator",
                     entity_id=indicator.id, changes=values)
        return indicator, "created"
    before = {k: getattr(indicator, k) for k in _INDICATOR_FIELDS}
    changes = audit.diff(before, values)
    if not changes:
        return indicator, "unchanged"
    for key, value in values.items():
        setattr(indicator, key, value)
    uow.session.flush()
    audit.record(uow, actor=actor, action="update", entity="indicator", entity_id=indicator.id,
                 changes=changes)
    return indicator, "updated"


def _check_slot(uow: UnitOfWork, data: TargetCreate | ManualResultCreate) -> tuple[Period, str]:
    """The period (inside the program's dates) and slot of a target or a manual result."""
    get(uow, Indicator, data.indicator_id, what="indicator")
    program = get(uow, Program, data.program_id, what="program")
    if data.partner_id is not None:
        get(uow, Partner, data.partner_id, what="partner")
    check_region(uow, data.region_code)
    period = Period.parse(data.period)
    check_target_period(period, program.code, program.start_date, program.end_date)
    return period, slot_of(data.partner_id, data.region_code)


def _slot_query(model: type[Target] | type[ManualResult], data: TargetCreate | ManualResultCreate,
                period: Period, slot: str) -> Select[Any]:
    return select(model).where(model.indicator_id == data.indicator_id,
                               model.program_id == data.program_id,
                               model.period == str(period), model.slot == slot)


SlotRecord = TypeVar("SlotRecord", Target, ManualResult)


def _upsert_slot(uow: UnitOfWork, model: type[SlotRecord], entity: str,
                 data: TargetCreate | ManualResultCreate, period: Period, slot: str,
                 values: dict[str, Any], actor: str) -> tuple[SlotRecord, str]:
    """The record of the slot, created or corrected to ``values`` (audited); with ``created``,
    ``updated`` or ``unchanged``."""
    record = uow.session.scalar(_slot_query(model, data, period, slot))
    if record is None:
        record = model(indicator_id=data.indicator_id, program_id=data.program_id,
                       partner_id=data.partner_id, region_code=data.region_code,
                       period=str(period), slot=slot, **values)
        uow.session.add(record)
        uow.session.flush()
        audit.record(uow, actor=actor, action="create", entity=entity, entity_id=record.id,
                     changes={**data.model_dump(), "period": str(period)})
        return record, "created"
    changes = audit.diff({k: getattr(record, k) for k in values}, values)
    if not changes:
        return record, "unchanged"
    for key, value in values.items():
        setattr(record, key, value)
    uow.session.flush()
    audit.record(uow, actor=actor, action="update", entity=entity, entity_id=record.id,
                 changes=changes)
    return record, "updated"


def set_target(uow: UnitOfWork, data: TargetCreate, *, actor: str) -> tuple[Target, str]:
    """Record the target of an indicator for a program (and optional partner and region) over a
    period, or correct its value and baseline: one target per indicator, program, partner,
    region and period. Returns it and ``created``, ``updated`` or ``unchanged``.

    Raises ``NotFound`` (indicator, program, partner), ``InvalidInput`` (``period.invalid``,
    ``region.unknown``, ``target.period_outside_program``)."""
    audit.check_actor(actor)
    period, slot = _check_slot(uow, data)
    values = {"value": float(data.value),
              "baseline": None if data.baseline is None else float(data.baseline)}
    return _upsert_slot(uow, Target, "target", data, period, slot, values, actor)


def record_manual_result(uow: UnitOfWork, data: ManualResultCreate, *,
                         actor: str) -> tuple[ManualResult, str]:
    """Record a manual indicator's value for a period (or a partner's own figure for a computed
    one, which the report does not attribute to partners), with its source; a second value for
    the same slot corrects the first. Returns it and ``created``, ``updated`` or ``unchanged``.

    Raises as :func:`set_target`, and ``InvalidInput`` ``result.not_manual`` for a result of a
    computed indicator without a partner (the database computes it)."""
    audit.check_actor(actor)
    period, slot = _check_slot(uow, data)
    indicator = get(uow, Indicator, data.indicator_id, what="indicator")
    if indicator.kpi != MANUAL and data.partner_id is None:
        raise InvalidInput(f"indicator: {indicator.code} is computed from {indicator.kpi}; only "
                           "a partner's own figure is recorded for it",
                           code="result.not_manual",
                           params={"code": indicator.code, "kpi": indicator.kpi},
                           field="indicator", value=indicator.code)
    values = {"value": float(data.value), "source": data.source}
    return _upsert_slot(uow, ManualResult, "manual_result", data, period, slot, values, actor)


def record_contribution(uow: UnitOfWork, data: ContributionCreate, *,
                        actor: str) -> Contribution:
    """Record money or in-kind support (valued in MAD) a partner gave under an agreement.

    A contribution that takes the agreement above its commitment is accepted and flagged: the
    audit event says by how much (``above_commitment``), and so do the partners report and the
    agreement's page. Raises ``NotFound`` (agreement), ``Conflict`` ``contribution.reference_taken``,
    ``InvalidInput`` (an amount of 0, a date in the future)."""
    audit.check_actor(actor)
    agreement = get(uow, Agreement, data.agreement_id, what="agreement", lock=True)
    amount = centimes(data.amount, field="amount")
    if amount <= 0:
        raise InvalidInput("amount: a contribution is more than 0 MAD",
                           code="contribution.amount_zero", field="amount", value=str(data.amount))
    check_not_in_future(uow, data.received_on, field="received_on")
    check_unique(uow, Contribution.reference, data.reference, code="contribution.reference_taken",
                 what="contribution", field="reference", param="reference")
    before = _received(uow, agreement.id)
    contribution = Contribution(agreement_id=agreement.id, kind=data.kind, amount_centimes=amount,
                                received_on=data.received_on, reference=data.reference)
    uow.session.add(contribution)
    uow.session.flush()
    changes: dict[str, Any] = data.model_dump()
    over = above_commitment(agreement.committed_centimes, before + amount)
    if over:
        changes["above_commitment"] = mad(over)
    audit.record(uow, actor=actor, action="create", entity="contribution",
                 entity_id=contribution.id, changes=changes)
    return contribution


def _received(uow: UnitOfWork, agreement_id: int, on: date | None = None) -> int:
    query = select(func.coalesce(func.sum(Contribution.amount_centimes), 0)).where(
        Contribution.agreement_id == agreement_id)
    if on is not None:
        query = query.where(Contribution.received_on <= on)
    return int(uow.session.scalar(query) or 0)


@dataclass(frozen=True)
class AgreementStanding:
    """Where an agreement stands on a day: money in centimes."""

    agreement_id: int
    program_code: str
    partner_id: int
    partner_name: str
    signed_on: date
    ends_on: date | None
    committed_centimes: int
    received_centimes: int
    cash_centimes: int
    in_kind_centimes: int
    last_received_on: date | None
    contributions: int
    days_behind: int | None

    @property
    def balance_centimes(self) -> int:
        """Still to come (negative when partners gave more than they committed)."""
        return self.committed_centimes - self.received_centimes

    @property
    def above_commitment_centimes(self) -> int:
        return above_commitment(self.committed_centimes, self.received_centimes)


def standings(uow: UnitOfWork, on: date, *, program_code: str | None = None,
              partner_id: int | None = None) -> list[AgreementStanding]:
    """Every agreement (signed on or before ``on``) with what was received by ``on``: one query
    for the agreements and one for the sums, whatever their number."""
    query = (select(Agreement.id, Program.code, Partner.id, Partner.name, Agreement.signed_on,
                    Agreement.ends_on, Agreement.committed_centimes)
             .join(Program, Program.id == Agreement.program_id)
             .join(Partner, Partner.id == Agreement.partner_id)
             .where(Agreement.signed_on <= on)
             .order_by(Program.code, Partner.name, Agreement.signed_on))
    if program_code is not None:
        query = query.where(Program.code == program_code)
    if partner_id is not None:
        query = query.where(Partner.id == partner_id)
    rows = uow.session.execute(query).all()
    sums: dict[tuple[int, str], tuple[int, int, date | None]] = {}
    for agreement_id, kind, total, count, last in uow.session.execute(
            select(Contribution.agreement_id, Contribution.kind,
                   func.sum(Contribution.amount_centimes), func.count(),
                   func.max(Contribution.received_on))
            .where(Contribution.received_on <= on)
            .group_by(Contribution.agreement_id, Contribution.kind)).all():
        sums[(agreement_id, str(kind))] = (int(total), int(count), last)
    out = []
    nothing: tuple[int, int, date | None] = (0, 0, None)
    for agreement_id, code, pid, name, signed_on, ends_on, committed in rows:
        cash = sums.get((agreement_id, "cash"), nothing)
        gifts = sums.get((agreement_id, "in_kind"), nothing)
        received = cash[0] + gifts[0]
        lasts = [d for d in (cash[2], gifts[2]) if d is not None]
        out.append(AgreementStanding(
            agreement_id=agreement_id, program_code=code, partner_id=pid, partner_name=name,
            signed_on=signed_on, ends_on=ends_on, committed_centimes=int(committed),
            received_centimes=received, cash_centimes=cash[0], in_kind_centimes=gifts[0],
            last_received_on=max(lasts) if lasts else None, contributions=cash[1] + gifts[1],
            days_behind=days_behind(int(committed), received, signed_on, ends_on, on)))
    return out


def agreement_standing(uow: UnitOfWork, agreement_id: int, on: date) -> AgreementStanding:
    """One agreement's standing on ``on``; ``NotFound`` when there is no such agreement."""
    agreement = get(uow, Agreement, agreement_id, what="agreement")
    found = [s for s in standings(uow, max(on, agreement.signed_on),
                                  partner_id=agreement.partner_id)
             if s.agreement_id == agreement_id]
    return found[0]


def agreement_contributions(uow: UnitOfWork, agreement_id: int) -> list[Contribution]:
    """An agreement's contributions, latest first."""
    return list(uow.session.scalars(select(Contribution).where(
        Contribution.agreement_id == agreement_id).order_by(
        Contribution.received_on.desc(), Contribution.id.desc())))


def agreements_behind(uow: UnitOfWork, on: date, *, days: int = 90,
                      regions: Collection[str] | None = None) -> list[AgreementStanding]:
    """The agreements whose partners are more than ``days`` behind their schedule on ``on``
    (:func:`empower.results.days_behind`), most behind first; with ``regions`` (a panel
    officer's), only those of national programs and of programs of those regions."""
    late = [s for s in standings(uow, on) if s.days_behind is not None and s.days_behind > days]
    if regions is not None:
        seen = set(uow.session.scalars(select(Program.code).where(or_(
            Program.region_code.is_(None), Program.region_code.in_(list(regions))))))
        late = [s for s in late if s.program_code in seen]
    return sorted(late, key=lambda s: (-(s.days_behind or 0), s.program_code, s.partner_name))
