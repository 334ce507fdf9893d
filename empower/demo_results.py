"""Demo logframe and partner contributions (called by :func:`empower.demo.generate`).

A small logframe per program (women actively enrolled, new enrolments, tranches paid, and a
manual "cooperatives certified by ONSSA"), with yearly and quarterly targets, regional targets
where the program's women live, and the partners' contributions under their agreements (some
partners pay on time, some lag behind). Written through the services, so every rule and the
audit log apply; a few hundred rows, whatever the number of women.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from empower.db import UnitOfWork
from empower.errors import InvalidInput
from empower.models import Agreement, Beneficiary, Enrollment, Program, Province
from empower.results import Period
from empower.schemas import ContributionCreate, IndicatorCreate, ManualResultCreate, TargetCreate
from empower.services.results import (
    record_contribution,
    record_manual_result,
    save_indicator,
    set_target,
)

__all__ = ["generate_results"]

ACTOR = "demo"

INDICATORS = [
    IndicatorCreate(code="R1-ACTIVE", name_fr="Femmes en parcours", name_ar="النساء في المسار",
                    name_en="Women actively enrolled", unit="femmes", kpi="active_enrollments"),
    IndicatorCreate(code="R1-NEW", name_fr="Nouvelles admissions", name_ar="الانخراطات الجديدة",
                    name_en="New enrolments", unit="femmes", kpi="new_enrollments"),
    IndicatorCreate(code="R2-PAID", name_fr="Montant décaissé", name_ar="المبلغ المصروف",
                    name_en="Amount disbursed", unit="MAD", kpi="disbursed_amount"),
    IndicatorCreate(code="R3-ONSSA", name_fr="Coopératives certifiées ONSSA",
                    name_ar="تعاونيات حاصلة على شهادة ONSSA",
                    name_en="Cooperatives certified by ONSSA", unit="coopératives",
                    kpi="manual", aggregation="flow"),
]


def _quarter(day: date) -> Period:
    return Period.parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def generate_results(uow: UnitOfWork, *, seed: int, as_of: date) -> dict[str, int]:
    """Write the demo logframe and contributions; returns counts by kind of record."""
    rng = random.Random(seed * 31 + 15)
    counts = {"indicator": 0, "target": 0, "manual_result": 0, "contribution": 0}
    ids = {}
    for data in INDICATORS:
        ids[data.code], _ = save_indicator(uow, data, actor=ACTOR)
        counts["indicator"] += 1
    programs = uow.session.scalars(select(Program).order_by(Program.code)).all()
    year, quarter = Period.parse(str(as_of.year)), _quarter(as_of)
    for program in programs:
        active = uow.session.scalar(select(func.count()).select_from(Enrollment).where(
            Enrollment.program_id == program.id, Enrollment.enrolled_on.is_not(None),
            Enrollment.exited_on.is_(None))) or 0
        yearly_new = uow.session.scalar(select(func.count()).select_from(Enrollment).where(
            Enrollment.program_id == program.id, Enrollment.enrolled_on >= year.start,
            Enrollment.enrolled_on <= year.end)) or 0
        regions = [r for r, in uow.session.execute(
            select(Province.region_code).join(Beneficiary,
                                              Beneficiary.province_code == Province.code)
            .join(Enrollment, Enrollment.beneficiary_id == Beneficiary.id)
            .where(Enrollment.program_id == program.id, Enrollment.enrolled_on.is_not(None))
            .group_by(Province.region_code).order_by(func.count().desc()).limit(2))]
        # A plan a little above or below what happened: some targets met, some not.
        plans = [
            ("R1-ACTIVE", None, quarter, max(round(active * rng.uniform(0.85, 1.25)), 5),
             round(active * 0.6)),
            ("R1-NEW", None, year, max(round(yearly_new * rng.uniform(1.0, 1.6)), 10), None),
            ("R2-PAID", None, year, float(round(program.budget_centimes / 100 *
                                                rng.uniform(0.05, 0.2), -3)), None),
            ("R3-ONSSA", None, year, float(rng.randint(3, 12)), 0.0),
            *[("R1-NEW", region, quarter, max(round(yearly_new / 4 / len(regions)
                                                    * rng.uniform(0.7, 1.4)), 5), None)
              for region in regions],
        ]
        for code, region, period, value, baseline in plans:
            try:
                set_target(uow, TargetCreate(
                    indicator_id=ids[code].id, program_id=program.id, region_code=region,
                    period=str(period), value=value, baseline=baseline), actor=ACTOR)
            except InvalidInput:  # a program not running over the whole period: no target
                continue
            counts["target"] += 1
        for month in range(1, as_of.month + 1):
            if rng.random() < 0.35:
                try:
                    record_manual_result(uow, ManualResultCreate(
                        indicator_id=ids["R3-ONSSA"].id, program_id=program.id,
                        period=f"{as_of.year}-{month:02d}", value=rng.randint(1, 2),
                        source="ONSSA, liste des établissements agréés"), actor=ACTOR)
                except InvalidInput:
                    continue
                counts["manual_result"] += 1
    agreements = uow.session.scalars(select(Agreement).order_by(Agreement.id)).all()
    for agreement in agreements:
        ends = agreement.ends_on or agreement.signed_on + timedelta(days=730)
        last = min(as_of, ends)
        if last <= agreement.signed_on:
            continue
        # A partner that pays on schedule, or one that gave a first part and then stopped.
        lagging = rng.random() < 0.35
        share = Decimal(str(rng.uniform(0.1, 0.3) if lagging else rng.uniform(0.8, 1.05)))
        span = (ends - agreement.signed_on).days or 1
        due = Decimal((last - agreement.signed_on).days) / span
        total = int(Decimal(agreement.committed_centimes) * min(due * share, Decimal("1.05")))
        parts = rng.randint(2, 4) if not lagging else 1
        days = sorted(rng.randint(5, max((last - agreement.signed_on).days, 6))
                      for _ in range(parts))
        for n, offset in enumerate(days, start=1):
            amount = total // parts
            if amount <= 0:
                continue
            on = agreement.signed_on + timedelta(days=offset if not lagging else min(offset, 60))
            record_contribution(uow, ContributionCreate(
                agreement_id=agreement.id, kind="in_kind" if rng.random() < 0.2 else "cash",
                amount=Decimal(amount) / 100, received_on=min(on, as_of),
                reference=f"CTR-{agreement.id:04d}-{n}"), actor=ACTOR)
            counts["contribution"] += 1
    return counts
