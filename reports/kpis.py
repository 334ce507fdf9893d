"""The KPI definitions of ``docs/kpis.md`` as pure pandas functions.

Each function takes frames of dated facts and a :class:`Month` and returns a frame of the units
it counts, with the dimension columns (``region``, ``province``, ``age_band``, ``milieu``) and
its measures:

- counts: ``n`` (rows may stand for several identical facts when the extract grouped them);
- money: ``amount_centimes`` (and ``n``, the number of grants or tranches behind it);
- shares: ``numerator`` and ``denominator``;
- medians: ``x``, one row per observation.

Input frames carry a weight column ``n`` where the extract aggregated identical facts (the
extract may also move every date earlier than the window to the day before it, and every later
date to the day after, which changes no comparison made here). Nothing here reads the database,
the clock or a record's current status: the same facts and month give the same frame.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
from empower.reports.period import Month, survival_cutoff, visit_window_start

from empower.predicates import (
    ARCHIVED,
    COOPERATIVE_ACTIVE,
    ENROLLMENT_ACTIVE,
    GRANT_STANDING,
    MEMBERSHIP_ACTIVE,
    REGISTERED,
    attended,
    completion_met,
)

__all__ = [
    "DIMS",
    "TARGETING_DIMS",
    "access_to_finance",
    "active_enrollments",
    "applicants",
    "attendance_rate",
    "beneficiaries_registered",
    "business_survival_12m",
    "coaching_visits",
    "cooperative_members",
    "cooperatives_active",
    "cooperatives_women_led",
    "cumulative_approved",
    "cumulative_disbursed",
    "days_approval_to_payment",
    "days_to_first_disbursement",
    "disbursed",
    "disbursement_rate",
    "eligible_applicants",
    "exits",
    "funded_visited_90d",
    "grants_approved",
    "in_flight",
    "income_change",
    "instructions_failed",
    "instructions_paid",
    "instructions_sent",
    "intake_places",
    "jobs_created",
    "new_enrollments",
    "new_registrations",
    "payment_failures",
    "refusals_overridden",
    "refused_by_rule",
    "selected_applicants",
    "selected_intakes",
    "selection_rate",
    "sessions_held",
    "training_completion_rate",
    "trainings_completed",
    "waitlist_promotions",
    "waitlisted_applicants",
]

DIMS = ["region", "province", "age_band", "milieu"]
# Payment lines are also broken down by the batch's channel.
PAYMENT_DIMS = [*DIMS, "channel"]
PLACE = ["region", "province"]
# Applicants to an intake: her dimensions (age band at the intake's closing date) and disability.
TARGETING_DIMS = [*DIMS, "disability"]


def _weights(frame: pd.DataFrame) -> pd.Series:
    return frame["n"] if "n" in frame.columns else pd.Series(1, index=frame.index, dtype="int64")


def _not_archived(frame: pd.DataFrame, end: object) -> pd.Series:
    """Archived women count up to their archive date and again from their restore date on
    (:data:`ARCHIVED`, over the frame's ``archive_periods`` column)."""
    if ARCHIVED.column not in frame.columns:
        return pd.Series(True, index=frame.index)
    return ~ARCHIVED.mask(frame, end)


def _between(col: pd.Series, start: object, end: object) -> pd.Series:
    return col.notna() & (col >= start) & (col <= end)


def _on_or_before(col: pd.Series, end: object) -> pd.Series:
    return col.notna() & (col <= end)


def _counted(frame: pd.DataFrame, mask: pd.Series, dims: list[str]) -> pd.DataFrame:
    out = frame.loc[mask, dims].copy()
    out["n"] = _weights(frame)[mask].astype("int64")
    return out.reset_index(drop=True)


def _distinct(frame: pd.DataFrame, mask: pd.Series, dims: list[str]) -> pd.DataFrame:
    """One row per beneficiary among the rows selected (her dimensions are hers, not the row's).

    A row without ``beneficiary_id`` stands for ``n`` different women who have no other row in
    the frame (the extract groups them; only women with several rows keep their id).
    """
    selected = frame.loc[mask]
    anonymous = selected["beneficiary_id"].isna()
    named = selected.loc[~anonymous, ["beneficiary_id", *dims]].drop_duplicates("beneficiary_id")
    named = named.drop(columns="beneficiary_id").assign(n=1)
    grouped = selected.loc[anonymous, dims].assign(n=_weights(selected)[anonymous])
    out = pd.concat([grouped, named], ignore_index=True) if len(grouped) else named
    out["n"] = out["n"].astype("int64")
    return out.reset_index(drop=True)


# --- Reach ----------------------------------------------------------------------------------

def beneficiaries_registered(people: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Registered on or before ``end`` and not archived on or before ``end``."""
    return _counted(people, REGISTERED.mask(people, month.end), DIMS)


def new_registrations(people: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Registered between ``start`` and ``end`` (archived or not)."""
    return _counted(people, _between(people["registered_on"], month.start, month.end), DIMS)


def active_enrollments(enrolments: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Distinct women with an enrolment begun by ``end`` and not exited by ``end``.

    An exit dated ``end`` itself ends the enrolment within the month. A woman archived on or
    before ``end`` no longer counts.
    """
    end = month.end
    mask = ENROLLMENT_ACTIVE.mask(enrolments, end) & _not_archived(enrolments, end)
    return _distinct(enrolments, mask, DIMS)


def new_enrollments(enrolments: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Enrolments (not women) with ``start <= enrolled_on <= end``."""
    return _counted(enrolments, _between(enrolments["enrolled_on"], month.start, month.end), DIMS)


def exits(enrolments: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Enrolments with ``start <= exited_on <= end``, with their ``exit_reason``."""
    mask = _between(enrolments["exited_on"], month.start, month.end)
    return _counted(enrolments, mask, [*DIMS, "exit_reason"])


# --- Cooperatives ---------------------------------------------------------------------------

def _cooperative_active(frame: pd.DataFrame, end: object) -> pd.Series:
    return COOPERATIVE_ACTIVE.mask(frame, end)


def cooperatives_active(cooperatives: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Founded on or before ``end`` and not dissolved on or before ``end``."""
    return _counted(cooperatives, _cooperative_active(cooperatives, month.end), PLACE)


def cooperatives_women_led(cooperatives: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Among active cooperatives (denominator), those led by women (numerator)."""
    active = cooperatives.loc[_cooperative_active(cooperatives, month.end)]
    weights = _weights(active).astype("int64")
    out = active[PLACE].copy()
    out["denominator"] = weights
    out["numerator"] = weights.where(active["women_led"].fillna(False).astype(bool), 0)
    return out.reset_index(drop=True)


def cooperative_members(memberships: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Distinct women members on ``end`` of a cooperative active on ``end``."""
    end = month.end
    mask = (MEMBERSHIP_ACTIVE.mask(memberships, end) & _cooperative_active(memberships, end)
            & _not_archived(memberships, end))
    return _distinct(memberships, mask, DIMS)


# --- Grants ---------------------------------------------------------------------------------
# Grant frames carry the recipient's dimensions: hers, or her cooperative's place (with
# ``age_band`` and ``milieu`` set to "cooperative").

def _money(frame: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    out = frame.loc[mask, DIMS].copy()
    out["n"] = _weights(frame)[mask].astype("int64")
    out["amount_centimes"] = frame.loc[mask, "amount_centimes"].astype("int64")
    return out.reset_index(drop=True)


def _approved_standing(grants: pd.DataFrame, end: object) -> pd.Series:
    """Approved and not cancelled on or before ``end`` (a later cancellation does not count)."""
    return GRANT_STANDING.mask(grants, end)


def grants_approved(grants: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Grants approved within the month and not cancelled by ``end``: count and amount."""
    mask = (_between(grants["approved_on"], month.start, month.end)
            & _approved_standing(grants, month.end))
    return _money(grants, mask)


def cumulative_approved(grants: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Grants approved on or before ``end`` and not cancelled by then."""
    return _money(grants, _approved_standing(grants, month.end))


def disbursed(disbursements: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Tranches paid within the month."""
    return _money(disbursements, _between(disbursements["paid_on"], month.start, month.end))


def cumulative_disbursed(disbursements: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Tranches paid on or before ``end``."""
    return _money(disbursements, _on_or_before(disbursements["paid_on"], month.end))


def disbursement_rate(grants: pd.DataFrame, disbursements: pd.DataFrame,
                      month: Month) -> pd.DataFrame:
    """Cumulative disbursed over cumulative approved, in centimes; ``n`` counts approved grants."""
    approved = cumulative_approved(grants, month).rename(
        columns={"amount_centimes": "denominator"})
    paid = cumulative_disbursed(disbursements, month).rename(
        columns={"amount_centimes": "numerator"})
    paid["n"] = 0  # tranches are not grants: only approved grants size the cell
    approved["numerator"] = 0
    paid["denominator"] = 0
    return pd.concat([approved, paid], ignore_index=True)


def days_to_first_disbursement(first_disbursements: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Days from approval to first tranche, for grants whose first tranche fell in the month.

    ``first_disbursements`` has one row per grant: ``approved_on`` and ``first_paid_on`` (the earliest
    tranche of the grant), exact dates.
    """
    mask = _between(first_disbursements["first_paid_on"], month.start, month.end)
    sel = first_disbursements.loc[mask]
    out = sel[DIMS].copy()
    out["x"] = [(paid - approved).days
                for paid, approved in zip(sel["first_paid_on"], sel["approved_on"], strict=True)]
    return out.reset_index(drop=True)


# --- Outcomes -------------------------------------------------------------------------------
# ``surveys``: one row per survey record with beneficiary_id, program_id, round, surveyed_on,
# monthly_income_centimes, has_account, business_operating, archive_periods and her dimensions.
# Ties on a date are broken by ``id`` when present (the later record wins).

def _latest(frame: pd.DataFrame) -> pd.DataFrame:
    order = ["beneficiary_id", "surveyed_on", *(["id"] if "id" in frame.columns else [])]
    return frame.sort_values(order).drop_duplicates("beneficiary_id", keep="last")


def _surveys_until(surveys: pd.DataFrame, end: object) -> pd.DataFrame:
    return surveys.loc[_on_or_before(surveys["surveyed_on"], end) & _not_archived(surveys, end)]


def income_change(surveys: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Per woman with a baseline and a follow-up by ``end``: did income rise, and by how much.

    Her latest follow-up is her most recent non-baseline record surveyed by ``end``; it is set
    against her baseline in the same program. A follow-up without a baseline (or either income
    missing) leaves her out of the denominator. ``x`` is the change in centimes.
    """
    known = _surveys_until(surveys, month.end)
    followups = _latest(known.loc[known["round"] != "baseline"])
    baselines = known.loc[known["round"] == "baseline", ["beneficiary_id", "program_id",
                                                         "monthly_income_centimes"]]
    pairs = followups.merge(baselines, on=["beneficiary_id", "program_id"],
                            suffixes=("", "_baseline"))
    pairs = pairs.loc[pairs["monthly_income_centimes"].notna()
                      & pairs["monthly_income_centimes_baseline"].notna()]
    out = pairs[DIMS].copy()
    change = (pairs["monthly_income_centimes"].astype("int64")
              - pairs["monthly_income_centimes_baseline"].astype("int64"))
    out["x"] = change
    out["numerator"] = (change > 0).astype("int64")
    out["denominator"] = 1
    return out.reset_index(drop=True)


def business_survival_12m(cohort: pd.DataFrame, surveys: pd.DataFrame,
                          month: Month) -> pd.DataFrame:
    """Business survival a year after the first tranche, with the survey response rate.

    ``cohort``: one row per woman with her dimensions, ``archive_periods`` and ``first_paid_on`` (the
    first tranche of any grant to her). The cohort is those first paid on or before
    ``end - 12 months``; the denominator those of them with an ``m12`` record by ``end``; the
    numerator those whose (latest) ``m12`` record says the business operates.
    """
    end = month.end
    members = cohort.loc[_on_or_before(cohort["first_paid_on"], survival_cutoff(month))
                         & _not_archived(cohort, end)]
    m12 = _latest(surveys.loc[(surveys["round"] == "m12")
                              & _on_or_before(surveys["surveyed_on"], end)])
    answered = m12.set_index("beneficiary_id")["business_operating"]
    out = members[DIMS].copy()
    ids = members["beneficiary_id"]
    out["cohort"] = 1
    out["denominator"] = ids.isin(answered.index).astype("int64").to_numpy()
    operating = ids.map(answered).fillna(False).astype(bool)
    out["numerator"] = (operating & (out["denominator"] == 1).to_numpy()).astype("int64").to_numpy()
    return out.reset_index(drop=True)


def jobs_created(surveys: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Jobs reported by follow-up records surveyed within the month (``n`` is the job count).

    ``surveys`` needs ``round``, ``surveyed_on`` and ``jobs_created`` (a sum when the extract
    grouped records) besides the dimensions.
    """
    mask = (_between(surveys["surveyed_on"], month.start, month.end)
            & (surveys["round"] != "baseline") & surveys["jobs_created"].notna())
    out = surveys.loc[mask, DIMS].copy()
    out["n"] = surveys.loc[mask, "jobs_created"].astype("int64")
    return out.reset_index(drop=True)


def access_to_finance(surveys: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Among women surveyed by ``end``, whether her most recent record has an account."""
    latest = _latest(_surveys_until(surveys, month.end))
    out = latest[DIMS].copy()
    out["denominator"] = 1
    out["numerator"] = latest["has_account"].fillna(False).astype(bool).astype("int64")
    return out.reset_index(drop=True)


# --- Trainings and coaching -----------------------------------------------------------------
# ``sessions``: place (the activity's region and province, "unknown" without one), ``status``,
# ``scheduled_on``, ``n``. ``roster``: one row per roster line (or ``n`` identical ones) with
# the woman's dimensions, ``status`` (present/absent/excused), ``session_status`` and
# ``scheduled_on``. ``training_lines``: the roster lines of training activities with
# ``beneficiary_id``, her dimensions and ``archive_periods``, ``activity_id``,
# ``planned_sessions``, ``completion_share``, ``ends_on`` and the line's ``status``,
# ``session_status``, ``scheduled_on``, ``n``.

def _held_in_month(frame: pd.DataFrame, status: str, month: Month) -> pd.Series:
    return (frame[status] == "held") & _between(frame["scheduled_on"], month.start, month.end)


def sessions_held(sessions: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Sessions held (status ``held``) dated within the month, by the activity's place."""
    return _counted(sessions, _held_in_month(sessions, "status", month), PLACE)


def attendance_rate(roster: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Over the roster lines of the sessions held in the month, the ``present`` ones."""
    mask = _held_in_month(roster, "session_status", month)
    sel = roster.loc[mask]
    weights = _weights(sel).astype("int64")
    out = sel[DIMS].copy()
    out["denominator"] = weights
    out["numerator"] = weights.where(sel["status"] == "present", 0)
    return out.reset_index(drop=True)


def _completions(lines: pd.DataFrame, end: date) -> pd.DataFrame:
    """One row per woman and training activity she is on the roster of by ``end``: her
    attended lines as of ``end`` (:func:`empower.predicates.attended`), the activity's
    ``ends_on`` and whether she completed it (:func:`empower.predicates.completion_met`)."""
    cols = ["beneficiary_id", "activity_id", *DIMS, ARCHIVED.column, "planned_sessions",
            "completion_share", "ends_on", "present", "completed"]
    sel = lines.loc[_on_or_before(lines["scheduled_on"], end)
                    & _not_archived(lines, end)].copy()
    if not len(sel):
        return pd.DataFrame(columns=cols)
    # The rules are applied once per distinct combination of their inputs (a few hundred),
    # not once per line: same function, same answers.
    counts = _per_distinct(sel, ["status", "session_status", "scheduled_on"],
                           lambda a, s, on: attended(a, s, on, end))
    sel["present"] = _weights(sel).astype("int64").where(counts, 0)
    if ARCHIVED.column not in sel.columns:
        sel[ARCHIVED.column] = None
    keys = ["beneficiary_id", "activity_id"]
    firsts = sel.drop_duplicates(keys).set_index(keys)
    pairs = firsts[[c for c in cols if c not in (*keys, "present", "completed")]].copy()
    pairs["present"] = sel.groupby(keys)["present"].sum()
    pairs["completed"] = _per_distinct(
        pairs, ["present", "planned_sessions", "completion_share"],
        lambda p, n, share: completion_met(int(p), int(n), float(share)))
    return pairs.reset_index()


def _per_distinct(frame: pd.DataFrame, columns: list[str],
                  rule: Callable[..., bool]) -> pd.Series:
    """``rule`` over each row's ``columns``, evaluated once per distinct combination."""
    values = list(zip(*(frame[c] for c in columns), strict=True))
    answers = {v: bool(rule(*v)) for v in set(values)}
    return pd.Series([answers[v] for v in values], index=frame.index, dtype="bool")


def trainings_completed(lines: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Distinct women (not archived on ``end``) who completed a training activity by ``end``."""
    pairs = _completions(lines, month.end)
    return _distinct(pairs, pairs["completed"].astype(bool), DIMS)


def training_completion_rate(lines: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Among women on the roster of a training activity ended by ``end`` (denominator), those
    who completed one of those ended activities (numerator); one row per woman."""
    pairs = _completions(lines, month.end)
    ended = pairs.loc[_on_or_before(pairs["ends_on"], month.end)]
    done = ended.groupby("beneficiary_id")["completed"].any()
    women = ended.drop_duplicates("beneficiary_id")
    out = women[DIMS].copy()
    out["denominator"] = 1
    out["numerator"] = women["beneficiary_id"].map(done).astype(bool).astype("int64").to_numpy()
    return out.reset_index(drop=True)


# ``visits``: recipient dimensions (like grants), ``visited_on``, ``n``. ``funded``: one row per
# recipient (``recipient``: "b<id>" or "c<id>") with dimensions, ``archive_periods`` (women),
# ``founded_on`` / ``dissolved_on`` (cooperatives) and ``first_paid_on``. ``visited``: one row
# per recipient and visit date, exact dates from the earliest visit window on.

def coaching_visits(visits: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Coaching visits dated within the month."""
    return _counted(visits, _between(visits["visited_on"], month.start, month.end), DIMS)


def funded_visited_90d(funded: pd.DataFrame, visited: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Among businesses funded by ``end`` (denominator), those coached in the 90 days ending
    on ``end`` (numerator); one row per woman or cooperative."""
    end = month.end
    is_coop = funded["recipient"].str.startswith("c")
    standing = pd.Series(False, index=funded.index)
    if is_coop.any():
        standing[is_coop] = COOPERATIVE_ACTIVE.mask(funded.loc[is_coop], end)
    if (~is_coop).any():
        standing[~is_coop] = _not_archived(funded.loc[~is_coop], end)
    members = funded.loc[standing & _on_or_before(funded["first_paid_on"], end)]
    recent = visited.loc[_between(visited["visited_on"], visit_window_start(month), end),
                         "recipient"]
    out = members[DIMS].copy()
    out["denominator"] = 1
    out["numerator"] = members["recipient"].isin(set(recent)).astype("int64").to_numpy()
    return out.reset_index(drop=True)


# --- Payments -------------------------------------------------------------------------------
# ``instructions``: payment lines (or ``n`` identical ones) with the grant's recipient
# dimensions (like grants), ``channel``, ``status`` (sent, paid, failed, returned; cancelled and
# pending lines are left out by the extract and ignored here), ``sent_on``, ``settled_on``,
# ``paid_on`` and ``amount_centimes`` (their sum). ``paid_lines``: paid lines with the exact
# ``paid_on`` and their batch's ``approved_on``, ``n``.

_SETTLED = ("paid", "failed", "returned")
_FAILED = ("failed", "returned")


def _lines(frame: pd.DataFrame) -> pd.Series:
    return frame["status"].isin(("sent", *_SETTLED))


def instructions_sent(instructions: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Lines sent to the provider within the month."""
    mask = _lines(instructions) & _between(instructions["sent_on"], month.start, month.end)
    return _counted(instructions, mask, PAYMENT_DIMS)


def instructions_paid(instructions: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Lines paid (status ``paid``) with a payment date within the month."""
    mask = ((instructions["status"] == "paid")
            & _between(instructions["paid_on"], month.start, month.end))
    return _counted(instructions, mask, PAYMENT_DIMS)


def instructions_failed(instructions: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Lines failed or returned, settled within the month, with their ``outcome``."""
    mask = (instructions["status"].isin(_FAILED)
            & _between(instructions["settled_on"], month.start, month.end))
    out = _counted(instructions, mask, PAYMENT_DIMS)
    out["outcome"] = instructions.loc[mask, "status"].to_numpy()
    return out


def payment_failures(instructions: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Among the lines settled within the month (denominator), those failed or returned."""
    mask = (instructions["status"].isin(_SETTLED)
            & _between(instructions["settled_on"], month.start, month.end))
    sel = instructions.loc[mask]
    weights = _weights(sel).astype("int64")
    out = sel[PAYMENT_DIMS].copy()
    out["denominator"] = weights
    out["numerator"] = weights.where(sel["status"].isin(_FAILED), 0)
    return out.reset_index(drop=True)


def days_approval_to_payment(paid_lines: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Days from the batch's approval to payment, one row per line paid within the month."""
    mask = _between(paid_lines["paid_on"], month.start, month.end)
    sel = paid_lines.loc[mask]
    sel = sel.loc[sel.index.repeat(_weights(sel).astype("int64"))]
    out = sel[PAYMENT_DIMS].copy()
    out["x"] = [(paid - approved).days
                for paid, approved in zip(sel["paid_on"], sel["approved_on"], strict=True)]
    return out.reset_index(drop=True)


def in_flight(instructions: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Lines sent by ``end`` and not settled by ``end``: their amount (``n`` lines)."""
    end = month.end
    settled = instructions["settled_on"]
    mask = (_lines(instructions) & _on_or_before(instructions["sent_on"], end)
            & (settled.isna() | (settled > end)))
    out = instructions.loc[mask, PAYMENT_DIMS].copy()
    out["n"] = _weights(instructions)[mask].astype("int64")
    out["amount_centimes"] = instructions.loc[mask, "amount_centimes"].astype("int64")
    return out.reset_index(drop=True)


# --- Targeting ------------------------------------------------------------------------------
# ``intakes``: ``selected_on``, ``places``, ``n`` (intakes). ``applications``: her dimensions
# (``TARGETING_DIMS``, age band at the closing date), the intake's ``selected_on``, the 0/1
# facts ``eligible``, ``overridden``, ``selected``, ``waitlisted``, ``promoted_on`` and ``n``.
# The facts are those of the selection (locked once the intake is selected), so a month's
# figures do not change when a waitlisted woman is promoted later.

def _selected_in_month(frame: pd.DataFrame, month: Month) -> pd.Series:
    return _between(frame["selected_on"], month.start, month.end)


def selected_intakes(intakes: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Intakes whose selection is dated within the month."""
    return _counted(intakes, _selected_in_month(intakes, month), [])


def intake_places(intakes: pd.DataFrame, month: Month) -> pd.DataFrame:
    """The places of the intakes selected within the month (``n`` is the number of places)."""
    mask = _selected_in_month(intakes, month)
    return pd.DataFrame({"n": intakes.loc[mask, "places"].astype("int64")}).reset_index(drop=True)


def _applications(applications: pd.DataFrame, month: Month, fact: str | None,
                  value: int = 1) -> pd.DataFrame:
    mask = _selected_in_month(applications, month)
    if fact is not None:
        mask &= applications[fact] == value
    return _counted(applications, mask, TARGETING_DIMS)


def applicants(applications: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Applications to the intakes selected within the month."""
    return _applications(applications, month, None)


def eligible_applicants(applications: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Those who passed every rule, or whose refusal was overridden."""
    return _applications(applications, month, "eligible")


def refused_by_rule(applications: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Those a rule refused (failed or missing value), not overridden."""
    return _applications(applications, month, "eligible", 0)


def refusals_overridden(applications: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Those refused by a rule whose refusal an officer overrode (part of the eligible)."""
    return _applications(applications, month, "overridden")


def selected_applicants(applications: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Those enrolled by the selection."""
    return _applications(applications, month, "selected")


def waitlisted_applicants(applications: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Those put on the waiting list by the selection (promoted since or not)."""
    return _applications(applications, month, "waitlisted")


def selection_rate(applications: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Among the eligible applicants (denominator), those selected (numerator)."""
    mask = _selected_in_month(applications, month) & (applications["eligible"] == 1)
    sel = applications.loc[mask]
    weights = _weights(sel).astype("int64")
    out = sel[TARGETING_DIMS].copy()
    out["denominator"] = weights
    out["numerator"] = weights.where(sel["selected"] == 1, 0)
    return out.reset_index(drop=True)


def waitlist_promotions(applications: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Women enrolled from a waiting list within the month (any intake)."""
    return _counted(applications, _between(applications["promoted_on"], month.start, month.end),
                    TARGETING_DIMS)


# --- Grievances -----------------------------------------------------------------------------
# ``grievances``: cases by ``region`` and ``category`` (confidential categories as the cell
# ``confidential`` in both), ``received_on`` and ``n``. ``answers``: one row per answer (a step
# ``resolve`` or ``unfounded``) with ``on``, ``opened_on`` and ``due_on``.
GRIEVANCE_DIMS = ["region", "category"]


def grievances_received(grievances: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Grievances received within the month."""
    if grievances.empty:
        return pd.DataFrame(columns=[*GRIEVANCE_DIMS, "n"])
    return _counted(grievances, _between(grievances["received_on"], month.start, month.end),
                    GRIEVANCE_DIMS)


def _answers(answers: pd.DataFrame, month: Month) -> pd.DataFrame:
    if answers.empty:
        return answers.iloc[0:0]
    return answers.loc[_between(answers["on"], month.start, month.end)]


def grievances_resolved(answers: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Answers (resolved or unfounded) given within the month."""
    sel = _answers(answers, month)
    out = sel[GRIEVANCE_DIMS].copy() if len(sel) else pd.DataFrame(columns=GRIEVANCE_DIMS)
    out["n"] = 1
    return out.reset_index(drop=True)


def days_to_resolve(answers: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Days from the request's opening to its answer, one row per answer within the month."""
    sel = _answers(answers, month)
    out = sel[GRIEVANCE_DIMS].copy() if len(sel) else pd.DataFrame(columns=GRIEVANCE_DIMS)
    out["x"] = [(on - opened).days for on, opened in zip(sel["on"], sel["opened_on"], strict=True)]
    return out.reset_index(drop=True)


def resolved_in_time(answers: pd.DataFrame, month: Month) -> pd.DataFrame:
    """Answers within the month (denominator) and those given by their deadline (numerator)."""
    sel = _answers(answers, month)
    out = sel[GRIEVANCE_DIMS].copy() if len(sel) else pd.DataFrame(columns=GRIEVANCE_DIMS)
    out["denominator"] = 1
    out["numerator"] = [int(on <= due) for on, due in zip(sel["on"], sel["due_on"], strict=True)]
    return out.reset_index(drop=True)
