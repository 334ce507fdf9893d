"""Results against targets: each target of the logframe beside what was achieved.

A computed indicator's actual is the monthly report's own figure (:data:`CATALOGUE`, never a
second definition) for each month of the target's window: read from the month's frozen snapshot
when the month was frozen for that program (``empower report monthly --program CODE --freeze``),
so published results never move, and otherwise computed now with the report's extract and KPI
functions. The months add up as the KPI's definition says (docs/kpis.md, "Results against
targets"): a flow sums its months, a stock is its last month. A manual indicator's actual is
what was recorded for it (:class:`~empower.models.ManualResult`). The rules (pro-rating,
achievement, status) are :mod:`empower.results`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from empower.reports.extract import Scope, extract
from empower.reports.figures import CATALOGUE, STOCKS, compute_figures, is_small, money
from empower.reports.period import Month
from sqlalchemy import select, text

import empower
from empower.db import Database, UnitOfWork
from empower.errors import NotFound
from empower.models import Indicator, ManualResult, Partner, Program, ReportSnapshot, Target
from empower.results import (
    MANUAL,
    Period,
    Thresholds,
    achievement,
    aggregate,
    prorate,
    status,
)
from empower.services.results import AgreementStanding, standings

__all__ = ["PartnersReport", "ResultRow", "ResultsReport", "aggregation_of",
           "build_partners_report", "build_results_report", "known_kpis"]

KINDS = {k.key: k.kind for k in CATALOGUE}


def known_kpis() -> set[str]:
    """The KPI keys an indicator may be computed from: every figure of the monthly report."""
    return set(KINDS)


def aggregation_of(kpi: str) -> str | None:
    """How a KPI's months add up to a period, from its definition: ``stock`` (its value at the
    period's end: :data:`~empower.reports.figures.STOCKS`), ``flow`` (the sum of its months:
    counts and amounts; for a rate, its numerators and denominators), or ``None`` for a median
    of a flow, which no monthly figures add up to (given for a month only)."""
    if kpi in STOCKS:
        return "stock"
    if KINDS.get(kpi, "").startswith("median"):
        return None
    return "flow"


@dataclass
class ResultRow:
    """One target with its result. Numbers are floats (MAD for money, fractions for rates)."""

    indicator: str
    names: dict[str, str | None]
    unit: str | None
    direction: str
    kpi: str
    kind: str  # count | money | share | manual ...
    aggregation: str | None
    program: str
    partner: str | None
    region: str | None
    target_period: str
    window: tuple[str, str] | None  # months the actual covers (target period to date)
    baseline: float | None
    target: float
    prorated_target: float
    actual: float | None
    achievement: float | None
    status: str | None
    suppressed: bool
    sources: dict[str, str] = field(default_factory=dict)  # month -> frozen | computed
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator, "names": self.names, "unit": self.unit,
            "direction": self.direction, "kpi": self.kpi, "kind": self.kind,
            "aggregation": self.aggregation, "program": self.program, "partner": self.partner,
            "region": self.region, "target_period": self.target_period,
            "window": list(self.window) if self.window else None, "baseline": self.baseline,
            "target": self.target, "prorated_target": _round(self.prorated_target),
            "actual": _round(self.actual), "achievement": self.achievement,
            "status": self.status, "suppressed": self.suppressed, "sources": self.sources,
            "note": self.note,
        }


def _round(value: float | None) -> float | int | None:
    if value is None:
        return None
    value = round(value, 4)
    return int(value) if float(value).is_integer() else value


@dataclass
class ResultsReport:
    period: Period
    filters: dict[str, str | None]
    threshold: int
    thresholds: Thresholds
    as_of: str
    rows: list[ResultRow]
    checksum: str
    generated_at: datetime
    version: str = empower.__version__

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": str(self.period), "as_of": self.as_of,
            "generated_at": self.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "filters": self.filters, "library_version": self.version,
            "small_cell_threshold": self.threshold,
            "thresholds": {"green": self.thresholds.green, "amber": self.thresholds.amber},
            "checksum": self.checksum, "rows": [r.to_dict() for r in self.rows],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def _month_index(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def _month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class _Figures:
    """The monthly figures of one program, month by month: frozen where frozen, else computed
    (once per month, all the needed KPIs together, in the caller's read transaction)."""

    def __init__(self, uow: UnitOfWork, program: str, keys: set[str], threshold: int) -> None:
        self.uow, self.program, self.keys, self.threshold = uow, program, keys, threshold
        self.scope = Scope(program=program)
        self.months: dict[str, tuple[str, dict[str, Any]]] = {}
        self.checksums: dict[str, str] = {}

    def month(self, label: str) -> tuple[str, dict[str, Any]]:
        if label in self.months:
            return self.months[label]
        snapshot = self.uow.session.scalar(select(ReportSnapshot).where(
            ReportSnapshot.month == label, ReportSnapshot.scope == self.scope.key))
        frozen = snapshot.figures.get("kpis", {}) if snapshot is not None else {}
        missing = {k for k in self.keys if k not in frozen}
        figures = {k: frozen[k] for k in self.keys if k in frozen}
        if snapshot is not None:
            self.checksums[label] = f"frozen:{snapshot.checksum}"
        if missing:  # not frozen, or frozen before the KPI existed
            month = Month.parse(label)
            facts = extract(self.uow, month, month, self.scope)
            figures.update(compute_figures(facts, month, threshold=self.threshold,
                                           keys=tuple(sorted(missing))))
            self.checksums[label] = self.checksums.get(label, "") + f"computed:{facts.checksum()}"
        source = "computed" if missing else "frozen"
        self.months[label] = (source, figures)
        return self.months[label]


def _cell(kind: str, figure: dict[str, Any], region: str | None) -> tuple[Any, bool]:
    """A month's figure (total, or one region's cell) as (raw value, hidden by the monthly
    report's own marks). Shares are (numerator, denominator)."""
    if region is None:
        if kind in ("share", "money_share"):
            num, den = figure.get("numerator"), figure.get("denominator")
            return (float(num), float(den)) if num is not None and den is not None else None, \
                bool(figure.get("suppressed"))
        if kind == "money":  # its number of records rides along: what its suppression reads
            return (figure.get("value"), figure.get("count")), bool(figure.get("suppressed"))
        return figure.get("value"), bool(figure.get("suppressed"))
    cells = figure.get("by_region")
    if cells is None:
        return None, True
    value = cells.get(region)
    if isinstance(value, dict):
        num, den = value.get("numerator"), value.get("denominator")
        return (float(num), float(den)) if num is not None and den is not None else None, \
            bool(value.get("suppressed"))
    hidden = region in figure.get("suppressed_cells", {}).get("by_region", [])
    return value, hidden


def _computed_actual(kind: str, aggregation: str | None, months: list[tuple[Any, bool]],
                     threshold: int) -> tuple[float | None, bool]:
    """The window's actual from its months' cells, and whether a published table hides it."""
    known = [(v, h) for v, h in months if v is not None]
    sizes: list[int] | None = None
    if kind == "money" and known and isinstance(known[0][0], tuple):
        sizes = [int(v[1] or 0) for v, _ in known]
        known = [(v[0], h) for v, h in known]
    if not known:
        return None, False
    if aggregation == "stock" or len(known) == 1 or aggregation is None:
        value, hidden = known[-1]
        if kind in ("share", "money_share"):
            num, den = value
            return (None if den == 0 else num / den), hidden
        if kind.startswith("median"):
            return float(value), hidden
        return float(value), hidden
    if kind in ("share", "money_share"):
        num = sum(v[0] for v, _ in known)
        den = sum(v[1] for v, _ in known)
        small = is_small(int(den), threshold) if kind == "share" else any(h for _, h in known)
        return (None if den == 0 else num / den), small
    total = sum(float(v) for v, _ in known)
    if kind == "count":
        return total, is_small(int(total), threshold)
    if sizes is not None:  # the total: hidden when it rests on fewer records than the threshold
        return total, is_small(sum(sizes), threshold)
    # a region's amount: the monthly figures carry no count per region; hidden if any month was
    return total, any(h for _, h in known)


def _manual_actual(results: list[ManualResult], aggregation: str | None,
                   window: Period) -> float | None:
    inside = [(Period.parse(r.period), r.value) for r in results]
    inside = [(p, v) for p, v in inside if window.contains(p)]
    inside.sort(key=lambda pv: (pv[0].last, -pv[0].length))
    return aggregate(aggregation or "flow", [v for _, v in inside])


def _pick_targets(targets: list[Target], period: Period) -> list[Target]:
    """Per slot, the target whose period is the report's, else the shortest one containing it."""
    best: dict[tuple[int, int, str], tuple[Period, Target]] = {}
    for target in targets:
        tp = Period.parse(target.period)
        if not tp.contains(period):
            continue
        key = (target.indicator_id, target.program_id, target.slot)
        if key not in best or tp.length < best[key][0].length:
            best[key] = (tp, target)
    return [t for _, t in best.values()]


def build_results_report(db: Database, period: Period | str, *, program: str | None = None,
                         partner: str | None = None, region: str | None = None,
                         threshold: int = 5, thresholds: Thresholds | None = None,
                         today: date | None = None, now: datetime | None = None) -> ResultsReport:
    """One row per target of the period (``YYYY``, ``YYYY-Qn``, ``YYYY-MM``) with its actual,
    pro-rated target, achievement and status.

    A target counts when its period is the report's or contains it (a year's target in a
    quarter's report); its actual covers its period from its first month to the report's last
    (or the current month, when earlier), and its target is pro-rated to those months. Raises
    ``InvalidInput`` (a bad period) and ``NotFound`` (an unknown program, partner or region)."""
    period = Period.parse(period) if isinstance(period, str) else period
    limits = thresholds or Thresholds()
    current = today or datetime.now(UTC).date()
    now_index = current.year * 12 + current.month - 1
    rows: list[ResultRow] = []
    digest = hashlib.sha256()
    with db.unit_of_work(readonly=True) as uow:
        if uow.dialect == "postgresql":
            uow.session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        query = (select(Target, Indicator, Program.code, Partner.name)
                 .join(Indicator, Indicator.id == Target.indicator_id)
                 .join(Program, Program.id == Target.program_id)
                 .outerjoin(Partner, Partner.id == Target.partner_id))
        if program is not None:
            if uow.session.scalar(select(Program.id).where(Program.code == program)) is None:
                raise NotFound(f"program: '{program}' does not exist", code="program.unknown",
                               params={"code": program}, field="program", value=program)
            query = query.where(Program.code == program)
        if partner is not None:
            pid = _partner_id(uow, partner)
            query = query.where(Target.partner_id == pid)
        if region is not None:
            query = query.where(Target.region_code == region)
        found = uow.session.execute(query).all()
        by_target = {t.id: (ind, code, pname) for t, ind, code, pname in found}
        chosen = _pick_targets([t for t, *_ in found], period)
        chosen.sort(key=lambda t: (by_target[t.id][0].code, by_target[t.id][1],
                                   by_target[t.id][2] or "", t.region_code or "", t.period))
        needed: dict[str, set[str]] = {}
        for target in chosen:
            indicator, code, _ = by_target[target.id]
            if indicator.kpi != MANUAL and indicator.kpi in KINDS:
                needed.setdefault(code, set()).add(indicator.kpi)
        sources = {code: _Figures(uow, code, keys, threshold) for code, keys in needed.items()}
        manual = list(uow.session.scalars(select(ManualResult)))
        for target in chosen:
            indicator, code, pname = by_target[target.id]
            rows.append(_row(target, indicator, code, pname, period, now_index, sources,
                             manual, threshold, limits))
        for code in sorted(sources):
            for month, checksum in sorted(sources[code].checksums.items()):
                digest.update(f"{code}:{month}:{checksum}".encode())
        digest.update(json.dumps([r.to_dict() for r in rows], sort_keys=True,
                                 default=str).encode())
    generated = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    as_of = _month_label(min(period.last, now_index))
    return ResultsReport(period=period, filters={"program": program, "partner": partner,
                                                 "region": region},
                         threshold=threshold, thresholds=limits, as_of=as_of, rows=rows,
                         checksum=digest.hexdigest(), generated_at=generated)


def _partner_id(uow: UnitOfWork, partner: str) -> int:
    pid = uow.session.scalar(select(Partner.id).where(Partner.name == partner))
    if pid is None and partner.lstrip("#").isdigit():
        pid = uow.session.scalar(select(Partner.id).where(Partner.id == int(partner.lstrip("#"))))
    if pid is None:
        raise NotFound(f"partner: '{partner}' does not exist", code="partner.unknown",
                       params={"name": partner}, field="partner", value=partner)
    return int(pid)


def _row(target: Target, indicator: Indicator, program: str, partner: str | None,
         period: Period, now_index: int, sources: dict[str, _Figures],
         manual: list[ManualResult], threshold: int, limits: Thresholds) -> ResultRow:
    tp = Period.parse(target.period)
    last = min(period.last, now_index, tp.last)
    window = Period(tp.first, last, "") if last >= tp.first else None
    computed = indicator.kpi != MANUAL
    kind = KINDS.get(indicator.kpi, "manual") if computed else "manual"
    aggregation = (aggregation_of(indicator.kpi) if computed else
                   str(indicator.aggregation) if indicator.aggregation else "flow")
    note: str | None = None
    actual: float | None = None
    hidden = False
    months: dict[str, str] = {}
    if window is None:
        note = "not_started"
    elif computed and indicator.kpi not in KINDS:
        note = "unknown_kpi"
    elif computed and target.partner_id is None:
        if aggregation is None and window.length > 1:
            note = "median_not_aggregable"
        else:
            figures = sources[program]
            cells = []
            for label in window.months():
                source, values = figures.month(label)
                months[label] = source
                cells.append(_cell(kind, values[indicator.kpi], target.region_code))
            actual, hidden = _computed_actual(kind, aggregation, cells, threshold)
            if kind in ("money", "median_money") and actual is not None:
                actual = float(Decimal(money(actual * 100)))
    else:
        # A manual indicator, or a partner's own figure for a computed one (the report does
        # not attribute women to partners).
        mine = [r for r in manual if r.indicator_id == indicator.id
                and r.program_id == target.program_id and r.slot == target.slot]
        actual = _manual_actual(mine, aggregation if aggregation in ("flow", "stock") else
                                "stock", window)
        note = None if computed is False else "partner_reported"
    elapsed = 0 if window is None else window.length
    rate = kind in ("share", "money_share") or kind.startswith("median")
    prorated = prorate(target.value, target.baseline, None if rate else aggregation,
                       elapsed, tp.length)
    share = achievement(actual, prorated, indicator.direction)
    return ResultRow(
        indicator=indicator.code,
        names={"fr": indicator.name_fr, "ar": indicator.name_ar, "en": indicator.name_en},
        unit=indicator.unit, direction=str(indicator.direction), kpi=indicator.kpi, kind=kind,
        aggregation=aggregation, program=program, partner=partner, region=target.region_code,
        target_period=target.period,
        window=None if window is None else (_month_label(window.first), _month_label(window.last)),
        baseline=target.baseline, target=target.value, prorated_target=prorated, actual=actual,
        achievement=share, status=status(share, limits), suppressed=hidden, sources=months,
        note=note)


# --- partners: contributions against commitments -------------------------------------------


@dataclass
class PartnersReport:
    period: Period
    on: date
    filters: dict[str, str | None]
    rows: list[AgreementStanding]
    generated_at: datetime
    version: str = empower.__version__

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": str(self.period), "on": self.on.isoformat(),
            "generated_at": self.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "filters": self.filters, "library_version": self.version,
            "agreements": [{
                "agreement_id": s.agreement_id, "program": s.program_code,
                "partner": s.partner_name, "signed_on": s.signed_on.isoformat(),
                "ends_on": s.ends_on.isoformat() if s.ends_on else None,
                "committed": money(s.committed_centimes), "received": money(s.received_centimes),
                "cash": money(s.cash_centimes), "in_kind": money(s.in_kind_centimes),
                "balance": money(s.balance_centimes),
                "above_commitment": money(s.above_commitment_centimes),
                "contributions": s.contributions,
                "last_contribution": s.last_received_on.isoformat() if s.last_received_on else None,
                "days_behind": s.days_behind,
            } for s in self.rows],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def build_partners_report(db: Database, period: Period | str, *, program: str | None = None,
                          partner: str | None = None, today: date | None = None,
                          now: datetime | None = None) -> PartnersReport:
    """Each agreement's committed, received (by the period's end, or today when earlier),
    balance and last contribution. Raises ``InvalidInput`` (period), ``NotFound`` (partner)."""
    period = Period.parse(period) if isinstance(period, str) else period
    on = min(period.end, today or datetime.now(UTC).date())
    with db.unit_of_work(readonly=True) as uow:
        pid = _partner_id(uow, partner) if partner is not None else None
        rows = standings(uow, on, program_code=program, partner_id=pid)
    generated = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return PartnersReport(period=period, on=on, filters={"program": program, "partner": partner},
                          rows=rows, generated_at=generated)
