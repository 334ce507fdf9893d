"""From KPI frames to the report's figures: totals, breakdowns and small-cell marks.

The figures are the JSON contract of ``docs/kpis.md``: counts are ints, money is an exact
two-decimal string, shares carry their numerator and denominator. Every figure also says whether
a published table would suppress it (``suppressed``, and ``suppressed_cells`` for breakdown
keys of count and money figures); the numbers themselves stay raw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
from empower.reports import kpis
from empower.reports.extract import Facts
from empower.reports.period import Month

from empower.predicates import AGE_BANDS, ARCHIVED
from empower.vocab import PaymentChannel

__all__ = ["CATALOGUE", "FAMILIES", "HEADLINE", "SELECTION_KPIS", "TREND_FRAMES", "Kpi",
           "compute_figures", "is_small", "money", "trend_figures"]

BREAKDOWNS = {"by_region": "region", "by_province": "province", "by_age_band": "age_band",
              "by_milieu": "milieu"}
PLACE_BREAKDOWNS = {"by_region": "region", "by_province": "province"}
PAYMENT_BREAKDOWNS = {**BREAKDOWNS, "by_channel": "channel"}
# Applicants to an intake are also broken down by disability (the fairness check).
TARGETING_BREAKDOWNS = {**BREAKDOWNS, "by_disability": "disability"}
# Grievances: by region and category, confidential categories as one cell of their own.
GRIEVANCE_BREAKDOWNS = {"by_region": "region", "by_category": "category"}
ALL_BREAKDOWNS = {**PAYMENT_BREAKDOWNS, **TARGETING_BREAKDOWNS, **GRIEVANCE_BREAKDOWNS,
                  "by_exit_reason": "exit_reason", "by_outcome": "outcome"}
# Breakdowns only some figures have: exits by reason, failed payment lines by outcome.
EXTRA_BREAKDOWNS = {"exits": "by_exit_reason", "instructions_failed": "by_outcome"}
AGE_ORDER = [band.label for band in AGE_BANDS]
MILIEU_ORDER = ["urban", "rural"]
CHANNEL_ORDER = [c.value for c in PaymentChannel]
OUTCOME_ORDER = ["failed", "returned"]
DISABILITY_ORDER = ["yes", "no"]
CATEGORY_ORDER = ["selection", "payment", "training", "data_protection", "other", "confidential"]


@dataclass(frozen=True)
class Kpi:
    """One KPI of the definitions: its JSON key, family, kind of figure and how to compute it."""

    key: str
    family: str
    kind: str  # count | money | share | money_share | median_money | median_days
    compute: Callable[[Facts, Month], pd.DataFrame]
    breakdowns: tuple[str, ...] = tuple(BREAKDOWNS)
    # Figures computed from the same frame (count and amount of approvals) name it alike, so
    # the frame is computed once per month.
    frame: str | None = None
    # A fact about calls rather than women (their number, their places, which the calls
    # publish): never suppressed.
    public: bool = False


def _place_only(kpi_breakdowns: dict[str, str]) -> tuple[str, ...]:
    return tuple(kpi_breakdowns)


_T = tuple(TARGETING_BREAKDOWNS)
TARGETING: tuple[Kpi, ...] = (
    Kpi("selected_intakes", "targeting", "count",
        lambda f, m: kpis.selected_intakes(f.intakes, m), (), public=True),
    Kpi("intake_places", "targeting", "count", lambda f, m: kpis.intake_places(f.intakes, m),
        (), public=True),
    Kpi("applicants", "targeting", "count", lambda f, m: kpis.applicants(f.applications, m), _T),
    Kpi("eligible_applicants", "targeting", "count",
        lambda f, m: kpis.eligible_applicants(f.applications, m), _T),
    Kpi("refused_by_rule", "targeting", "count",
        lambda f, m: kpis.refused_by_rule(f.applications, m), _T),
    Kpi("refusals_overridden", "targeting", "count",
        lambda f, m: kpis.refusals_overridden(f.applications, m), _T),
    Kpi("selected_applicants", "targeting", "count",
        lambda f, m: kpis.selected_applicants(f.applications, m), _T),
    Kpi("waitlisted_applicants", "targeting", "count",
        lambda f, m: kpis.waitlisted_applicants(f.applications, m), _T),
    Kpi("selection_rate", "targeting", "share",
        lambda f, m: kpis.selection_rate(f.applications, m), _T),
    Kpi("waitlist_promotions", "targeting", "count",
        lambda f, m: kpis.waitlist_promotions(f.applications, m), _T),
)
# The targeting KPIs about the month's selections: a month without one shows a sentence instead.
SELECTION_KPIS = frozenset(k.key for k in TARGETING if k.key != "waitlist_promotions")

CATALOGUE: tuple[Kpi, ...] = (
    Kpi("beneficiaries_registered", "reach", "count",
        lambda f, m: kpis.beneficiaries_registered(f.people, m)),
    Kpi("new_registrations", "reach", "count", lambda f, m: kpis.new_registrations(f.people, m)),
    Kpi("active_enrollments", "reach", "count",
        lambda f, m: kpis.active_enrollments(f.enrolments, m)),
    Kpi("new_enrollments", "reach", "count", lambda f, m: kpis.new_enrollments(f.enrolments, m)),
    Kpi("exits", "reach", "count", lambda f, m: kpis.exits(f.enrolments, m)),
    Kpi("cooperatives_active", "cooperatives", "count",
        lambda f, m: kpis.cooperatives_active(f.cooperatives, m), _place_only(PLACE_BREAKDOWNS)),
    Kpi("cooperatives_women_led_share", "cooperatives", "share",
        lambda f, m: kpis.cooperatives_women_led(f.cooperatives, m), _place_only(PLACE_BREAKDOWNS)),
    Kpi("cooperative_members", "cooperatives", "count",
        lambda f, m: kpis.cooperative_members(f.memberships, m)),
    Kpi("grants_approved_count", "grants", "count",
        lambda f, m: kpis.grants_approved(f.grants, m), frame="approved"),
    Kpi("grants_approved_amount", "grants", "money",
        lambda f, m: kpis.grants_approved(f.grants, m), frame="approved"),
    Kpi("disbursed_amount", "grants", "money", lambda f, m: kpis.disbursed(f.disbursements, m)),
    # Money sent to the providers and not yet paid or back, beside what was paid.
    Kpi("in_flight_amount", "grants", "money", lambda f, m: kpis.in_flight(f.instructions, m),
        tuple(PAYMENT_BREAKDOWNS)),
    Kpi("cumulative_approved_amount", "grants", "money",
        lambda f, m: kpis.cumulative_approved(f.grants, m)),
    Kpi("cumulative_disbursed_amount", "grants", "money",
        lambda f, m: kpis.cumulative_disbursed(f.disbursements, m)),
    Kpi("disbursement_rate", "grants", "money_share",
        lambda f, m: kpis.disbursement_rate(f.grants, f.disbursements, m)),
    Kpi("median_days_to_first_payment", "grants", "median_days",
        lambda f, m: kpis.days_to_first_disbursement(f.first_disbursements, m)),
    Kpi("income_increase_share", "outcomes", "share",
        lambda f, m: kpis.income_change(f.surveys, m), frame="income"),
    Kpi("median_income_change", "outcomes", "median_money",
        lambda f, m: kpis.income_change(f.surveys, m), frame="income"),
    Kpi("business_survival_12m", "outcomes", "share",
        lambda f, m: kpis.business_survival_12m(f.cohort, f.surveys, m), frame="survival"),
    Kpi("business_survival_12m_response_rate", "outcomes", "share",
        lambda f, m: kpis.business_survival_12m(f.cohort, f.surveys, m), frame="survival"),
    Kpi("jobs_created", "outcomes", "count", lambda f, m: kpis.jobs_created(f.jobs, m)),
    Kpi("access_to_finance_share", "outcomes", "share",
        lambda f, m: kpis.access_to_finance(f.surveys, m)),
    Kpi("sessions_held", "trainings", "count", lambda f, m: kpis.sessions_held(f.sessions, m),
        _place_only(PLACE_BREAKDOWNS)),
    Kpi("attendance_rate", "trainings", "share", lambda f, m: kpis.attendance_rate(f.roster, m)),
    Kpi("trainings_completed", "trainings", "count",
        lambda f, m: kpis.trainings_completed(f.training_lines, m)),
    Kpi("training_completion_rate", "trainings", "share",
        lambda f, m: kpis.training_completion_rate(f.training_lines, m)),
    Kpi("coaching_visits", "trainings", "count", lambda f, m: kpis.coaching_visits(f.visits, m)),
    Kpi("funded_visited_90d_share", "trainings", "share",
        lambda f, m: kpis.funded_visited_90d(f.funded, f.visited, m)),
    Kpi("instructions_sent", "payments", "count",
        lambda f, m: kpis.instructions_sent(f.instructions, m), tuple(PAYMENT_BREAKDOWNS)),
    Kpi("instructions_paid", "payments", "count",
        lambda f, m: kpis.instructions_paid(f.instructions, m), tuple(PAYMENT_BREAKDOWNS)),
    Kpi("instructions_failed", "payments", "count",
        lambda f, m: kpis.instructions_failed(f.instructions, m), tuple(PAYMENT_BREAKDOWNS)),
    Kpi("payment_failure_rate", "payments", "share",
        lambda f, m: kpis.payment_failures(f.instructions, m), tuple(PAYMENT_BREAKDOWNS)),
    Kpi("median_days_approval_to_payment", "payments", "median_days",
        lambda f, m: kpis.days_approval_to_payment(f.paid_lines, m), tuple(PAYMENT_BREAKDOWNS)),
    *TARGETING,
    Kpi("grievances_received", "grievances", "count",
        lambda f, m: kpis.grievances_received(f.grievances, m), tuple(GRIEVANCE_BREAKDOWNS)),
    Kpi("grievances_resolved", "grievances", "count",
        lambda f, m: kpis.grievances_resolved(f.answers, m), tuple(GRIEVANCE_BREAKDOWNS)),
    Kpi("median_days_to_resolve", "grievances", "median_days",
        lambda f, m: kpis.days_to_resolve(f.answers, m), tuple(GRIEVANCE_BREAKDOWNS)),
    Kpi("grievances_resolved_in_time_share", "grievances", "share",
        lambda f, m: kpis.resolved_in_time(f.answers, m), tuple(GRIEVANCE_BREAKDOWNS)),
)
FAMILIES = ("reach", "cooperatives", "grants", "outcomes", "trainings", "payments",
            "targeting", "grievances")
# The headline KPIs get a 12-month trend in the published formats.
HEADLINE = ("beneficiaries_registered", "active_enrollments", "new_enrollments",
            "cooperatives_active", "grants_approved_amount", "disbursed_amount",
            "income_increase_share")

# The frames of the facts the headline KPIs read: a trend's extract reads only these.
TREND_FRAMES = ("people", "enrolments", "cooperatives", "grants", "disbursements", "surveys")
# Headline KPIs that add up each woman's own records (frame, date column): a month's figure
# differs from the month before's only through the women with a record dated in between or an
# archive period, so a trend recomputes those women alone from one month to the next.
BY_WOMAN = {"income_increase_share": ("surveys", "surveyed_on")}
_MEASURES = {"count": ["n"], "money": ["n", "amount_centimes"],
             "share": ["numerator", "denominator"],
             "money_share": ["numerator", "denominator", "n"]}


def is_small(count: int | None, threshold: int) -> bool:
    """The small-cell rule: a count (or a share's denominator) below the threshold is hidden."""
    return count is None or count < threshold


def money(centimes: int | float | Decimal) -> str:
    """Centimes to an exact MAD string with two decimals ("125000.00"); half a centime rounds up."""
    value = (Decimal(str(centimes)) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value:.2f}"


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 4)


def _number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def _ordered_keys(column: str, present: list[Any], regions: list[str]) -> list[str]:
    """Fixed categories first (all regions, age bands, milieux, even at zero), then the rest."""
    base = {"region": regions, "age_band": AGE_ORDER, "milieu": MILIEU_ORDER,
            "channel": CHANNEL_ORDER, "outcome": OUTCOME_ORDER,
            "disability": DISABILITY_ORDER, "category": CATEGORY_ORDER}.get(column, [])
    rest = sorted(str(k) for k in present if k not in base and k is not None)
    return [*base, *rest]


def _sums(frame: pd.DataFrame, column: str, measures: list[str],
          regions: list[str]) -> dict[str, dict[str, int]]:
    if len(frame):
        grouped = frame.groupby(column, dropna=False)[measures].sum()
        keys = _ordered_keys(column, list(grouped.index), regions)
        grouped = grouped.reindex(keys, fill_value=0).astype("int64")
    else:
        keys = _ordered_keys(column, [], regions)
        grouped = pd.DataFrame(0, index=keys, columns=measures, dtype="int64")
    records = grouped.to_dict(orient="index")
    return {str(k): {m: int(v[m]) for m in measures} for k, v in records.items()}


def _summarise(kpi: Kpi, frame: pd.DataFrame, regions: list[str], threshold: int,
               dimensions: bool) -> dict[str, Any]:
    breakdowns = {b: ALL_BREAKDOWNS[b] for b in kpi.breakdowns} if dimensions else {}
    if kpi.key in EXTRA_BREAKDOWNS and dimensions:
        extra = EXTRA_BREAKDOWNS[kpi.key]
        breakdowns[extra] = ALL_BREAKDOWNS[extra]
    kind = kpi.kind
    out: dict[str, Any]
    if kind == "count":
        total = int(frame["n"].sum()) if len(frame) else 0
        out = {"value": total, "suppressed": not kpi.public and is_small(total, threshold)}
        hidden: dict[str, list[str]] = {}
        for name, col in breakdowns.items():
            counts = {k: v["n"] for k, v in _sums(frame, col, ["n"], regions).items()}
            out[name] = counts
            hidden[name] = [k for k, v in counts.items() if is_small(v, threshold)]
        if breakdowns:
            out["suppressed_cells"] = hidden
        return out
    if kind == "money":
        total_n = int(frame["n"].sum()) if len(frame) else 0
        total = int(frame["amount_centimes"].sum()) if len(frame) else 0
        out = {"value": money(total), "count": total_n, "suppressed": is_small(total_n, threshold)}
        hidden = {}
        for name, col in breakdowns.items():
            sums = _sums(frame, col, ["n", "amount_centimes"], regions)
            out[name] = {k: money(v["amount_centimes"]) for k, v in sums.items()}
            hidden[name] = [k for k, v in sums.items() if is_small(v["n"], threshold)]
        if breakdowns:
            out["suppressed_cells"] = hidden
        return out
    if kind in ("share", "money_share"):
        measures = ["numerator", "denominator", *(["n"] if kind == "money_share" else [])]

        def cell(v: dict[str, int]) -> dict[str, Any]:
            size = v["n"] if kind == "money_share" else v["denominator"]
            fmt: Callable[[int], Any] = money if kind == "money_share" else int
            res = {"value": _ratio(v["numerator"], v["denominator"]),
                   "numerator": fmt(v["numerator"]), "denominator": fmt(v["denominator"]),
                   "suppressed": is_small(size, threshold)}
            if kind == "money_share":
                res["count"] = v["n"]
            return res

        totals = {m: int(frame[m].sum()) if len(frame) else 0 for m in measures}
        out = cell(totals)
        for name, col in breakdowns.items():
            out[name] = {k: cell(v) for k, v in _sums(frame, col, measures, regions).items()}
        return out
    # medians: one row per observation in column x
    def median_cell(xs: pd.Series) -> dict[str, Any]:
        count = int(len(xs))
        value: Any = None
        if count:
            med = xs.median()
            value = money(med) if kind == "median_money" else _number(med)
        return {"value": value, "count": count, "suppressed": is_small(count, threshold)}

    out = median_cell(frame["x"] if len(frame) else pd.Series([], dtype="float64"))
    for name, col in breakdowns.items():
        stats = (frame.groupby(col)["x"].agg(["median", "count"]) if len(frame)
                 else pd.DataFrame(columns=["median", "count"]))
        cells: dict[str, Any] = {}
        for key in _ordered_keys(col, list(stats.index), regions):
            count = int(stats.at[key, "count"]) if key in stats.index else 0
            value: Any = None
            if count:
                med = stats.at[key, "median"]
                value = money(med) if kind == "median_money" else _number(med)
            cells[key] = {"value": value, "count": count, "suppressed": is_small(count, threshold)}
        out[name] = cells
    return out


def compute_figures(facts: Facts, month: Month, *, threshold: int = 5,
                    keys: tuple[str, ...] | None = None,
                    dimensions: bool = True) -> dict[str, dict[str, Any]]:
    """Every KPI (or those in ``keys``) for ``month``, as the JSON contract's ``kpis`` object."""
    cache: dict[Any, pd.DataFrame] = {}
    figures: dict[str, dict[str, Any]] = {}
    for kpi in CATALOGUE:
        if keys is not None and kpi.key not in keys:
            continue
        name = kpi.frame or kpi.key
        frame = cache.get(name)
        if frame is None:
            frame = kpi.compute(facts, month)
            cache[name] = frame
        if kpi.key == "business_survival_12m_response_rate":
            # answered the m12 survey, among the cohort
            frame = frame.drop(columns="numerator").rename(
                columns={"denominator": "numerator", "cohort": "denominator"})
        figures[kpi.key] = _summarise(kpi, frame, facts.regions, threshold, dimensions)
    return figures


def _by_woman(kpi: Kpi, facts: Facts, months: list[Month],
              threshold: int) -> list[tuple[str, dict[str, Any]]]:
    """``kpi``'s totals month after month, each month from the one before: minus the touched
    women's part as of the previous month, plus their part as of this one (both computed by the
    KPI's own function over their records only)."""
    name, date_col = BY_WOMAN[kpi.key]
    data = getattr(facts, name)
    measures = _MEASURES[kpi.kind]

    def part(rows: pd.DataFrame, month: Month) -> pd.Series:
        frame = kpi.compute(replace(facts, **{name: rows}), month)
        return (frame[measures].sum() if len(frame) else pd.Series(0, index=measures)).astype(
            "int64")

    archived = (data[ARCHIVED.column].notna() if ARCHIVED.column in data.columns
                else pd.Series(False, index=data.index))
    out: list[tuple[str, dict[str, Any]]] = []
    running: pd.Series | None = None
    previous: Month | None = None
    for month in months:
        if running is None or previous is None:
            running = part(data, month)
        else:
            dates = data[date_col]
            moved = dates.notna() & (dates > previous.end) & (dates <= month.end)
            touched = data.loc[data["beneficiary_id"].isin(
                data.loc[moved | archived, "beneficiary_id"].unique())]
            running = running - part(touched, previous) + part(touched, month)
        totals = pd.DataFrame([running.to_dict()])
        out.append((str(month), _summarise(kpi, totals, facts.regions, threshold, False)))
        previous = month
    return out


def trend_figures(facts: Facts, months: list[Month], *, threshold: int = 5,
                  keys: tuple[str, ...] = HEADLINE) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Each KPI of ``keys`` (totals only) for each of ``months`` (oldest first), from one
    extract of their window: ``{key: [(month, figure), ...]}``, the figures equal to the totals
    of a report built for each month alone."""
    series: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    plain = tuple(k for k in keys if k not in BY_WOMAN)
    for month in months:
        values = compute_figures(facts, month, threshold=threshold, keys=plain, dimensions=False)
        for key, figure in values.items():
            series.setdefault(key, []).append((str(month), figure))
    for kpi in CATALOGUE:
        if kpi.key in keys and kpi.key in BY_WOMAN:
            series[kpi.key] = _by_woman(kpi, facts, months, threshold)
    return {k.key: series[k.key] for k in CATALOGUE if k.key in series}
