"""A deliberately naive second reading of docs/kpis.md: loops over ORM objects, no SQL tricks.

The end-to-end tests hold the report (SQL aggregation + pandas) to these numbers, totals and
regions, on whatever data the database holds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from statistics import median

from empower.reports.period import Month, survival_cutoff
from sqlalchemy import select

from empower.models import (
    Activity,
    ActivitySession,
    ArchivePeriod,
    Attendance,
    Beneficiary,
    CoachingVisit,
    Cooperative,
    Disbursement,
    Enrollment,
    Grant,
    Intake,
    Membership,
    SurveyRecord,
)
from empower.predicates import age_band


def naive_figures(uow, month: Month) -> dict[str, object]:
    s = uow.session
    start, end = month.start, month.end
    people = {b.id: b for b in s.scalars(select(Beneficiary))}
    region = {b.id: b.province.region_code for b in people.values()}

    periods = defaultdict(list)
    for period in s.scalars(select(ArchivePeriod)):
        periods[period.beneficiary_id].append((period.archived_on, period.restored_on))

    def present(bid):
        return not any(start <= end and (back is None or back > end)
                       for start, back in periods[bid])

    out: dict[str, object] = {}
    out["beneficiaries_registered"] = sum(
        1 for b in people.values() if b.registered_on <= end and present(b.id))
    out["new_registrations"] = sum(1 for b in people.values() if start <= b.registered_on <= end)
    enrolments = list(s.scalars(select(Enrollment)))
    active = {e.beneficiary_id for e in enrolments
              if e.enrolled_on and e.enrolled_on <= end and (e.exited_on is None or e.exited_on > end)
              and present(e.beneficiary_id)}
    out["active_enrollments"] = len(active)
    out["active_enrollments_by_region"] = Counter(region[b] for b in active)
    out["new_enrollments"] = sum(1 for e in enrolments if e.enrolled_on and start <= e.enrolled_on <= end)
    out["exits"] = sum(1 for e in enrolments if e.exited_on and start <= e.exited_on <= end)

    coops = list(s.scalars(select(Cooperative)))
    live = {c.id for c in coops if c.founded_on <= end and (c.dissolved_on is None or c.dissolved_on > end)}
    out["cooperatives_active"] = len(live)
    out["cooperatives_women_led"] = (sum(1 for c in coops if c.id in live and c.women_led), len(live))
    out["cooperative_members"] = len({
        m.beneficiary_id for m in s.scalars(select(Membership))
        if m.cooperative_id in live and m.joined_on <= end and (m.left_on is None or m.left_on > end)
        and present(m.beneficiary_id)})

    grants = list(s.scalars(select(Grant)))
    standing = [g for g in grants if g.approved_on and g.approved_on <= end
                and (g.cancelled_on is None or g.cancelled_on > end)]
    in_month = [g for g in standing if g.approved_on >= start]
    out["grants_approved_count"] = len(in_month)
    out["grants_approved_amount"] = sum(g.amount_approved_centimes for g in in_month)
    coop_region = {c.id: c.province.region_code for c in coops}
    by_region = Counter()
    for g in in_month:
        r = region[g.beneficiary_id] if g.beneficiary_id else coop_region[g.cooperative_id]
        by_region[r] += g.amount_approved_centimes
    out["grants_approved_amount_by_region"] = by_region
    out["cumulative_approved_amount"] = sum(g.amount_approved_centimes for g in standing)
    tranches = list(s.scalars(select(Disbursement)))
    out["disbursed_amount"] = sum(d.amount_centimes for d in tranches if start <= d.paid_on <= end)
    out["cumulative_disbursed_amount"] = sum(d.amount_centimes for d in tranches if d.paid_on <= end)
    first_paid: dict[int, object] = {}
    for d in tranches:
        if d.grant_id not in first_paid or d.paid_on < first_paid[d.grant_id]:
            first_paid[d.grant_id] = d.paid_on
    grant_by_id = {g.id: g for g in grants}
    days = [(paid - grant_by_id[gid].approved_on).days for gid, paid in first_paid.items()
            if start <= paid <= end]
    out["median_days_to_first_payment"] = median(days) if days else None

    every_survey = list(s.scalars(select(SurveyRecord)))
    surveys = [r for r in every_survey if r.surveyed_on <= end and present(r.beneficiary_id)]
    mine = defaultdict(list)
    for r in surveys:
        mine[r.beneficiary_id].append(r)
    increase = changes = 0
    deltas = []
    access = [0, 0]
    for bid, records in mine.items():
        records.sort(key=lambda r: (r.surveyed_on, r.id))
        access[1] += 1
        access[0] += bool(records[-1].has_account)
        follow = [r for r in records if r.round != "baseline"]
        if not follow:
            continue
        latest = follow[-1]
        base = [r for r in records if r.round == "baseline" and r.program_id == latest.program_id]
        if not base or base[0].monthly_income_centimes is None or latest.monthly_income_centimes is None:
            continue
        changes += 1
        delta = latest.monthly_income_centimes - base[0].monthly_income_centimes
        increase += delta > 0
        deltas.append(delta)
    out["income_increase_share"] = (increase, changes)
    out["median_income_change"] = median(deltas) if deltas else None
    out["access_to_finance_share"] = tuple(access)
    out["jobs_created"] = sum(r.jobs_created or 0 for r in every_survey
                              if r.round != "baseline" and start <= r.surveyed_on <= end)
    # survival: first tranche to her (any grant to her) on or before end - 12 months
    cutoff = survival_cutoff(month)
    her_first: dict[int, object] = {}
    for d in tranches:
        g = grant_by_id[d.grant_id]
        if g.beneficiary_id and (g.beneficiary_id not in her_first
                                 or d.paid_on < her_first[g.beneficiary_id]):
            her_first[g.beneficiary_id] = d.paid_on
    cohort = [b for b, paid in her_first.items() if paid <= cutoff and present(b)]
    answered = operating = 0
    for b in cohort:
        m12 = sorted((r for r in mine.get(b, []) if r.round == "m12"),
                     key=lambda r: (r.surveyed_on, r.id))
        if m12:
            answered += 1
            operating += bool(m12[-1].business_operating)
    out["business_survival_12m"] = (operating, answered)
    out["business_survival_12m_response_rate"] = (answered, len(cohort))

    # trainings and coaching
    sessions = {x.id: x for x in s.scalars(select(ActivitySession))}
    activities = {a.id: a for a in s.scalars(select(Activity))}
    held = [x for x in sessions.values() if x.status == "held" and start <= x.scheduled_on <= end]
    out["sessions_held"] = len(held)
    held_ids = {x.id for x in held}
    lines = list(s.scalars(select(Attendance)))
    month_lines = [a for a in lines if a.session_id in held_ids]
    out["attendance_rate"] = (sum(1 for a in month_lines if a.status == "present"),
                              len(month_lines))
    present_count: dict[tuple[int, int], int] = defaultdict(int)
    on_roster = set()
    for a in lines:
        x = sessions[a.session_id]
        activity = activities[x.activity_id]
        if activity.kind != "training" or x.scheduled_on > end or not present(a.beneficiary_id):
            continue
        on_roster.add((a.beneficiary_id, activity.id))
        if a.status == "present" and x.status == "held":
            present_count[(a.beneficiary_id, activity.id)] += 1
    done = set()
    for bid, aid in on_roster:
        activity = activities[aid]
        if present_count[(bid, aid)] / activity.planned_sessions >= activity.completion_share - 1e-9:
            done.add((bid, aid))
    out["trainings_completed"] = len({bid for bid, _ in done})
    ended = {(bid, aid) for bid, aid in on_roster if activities[aid].ends_on <= end}
    out["training_completion_rate"] = (len({bid for bid, aid in ended if (bid, aid) in done}),
                                       len({bid for bid, _ in ended}))
    visits = list(s.scalars(select(CoachingVisit)))
    out["coaching_visits"] = sum(1 for v in visits if start <= v.visited_on <= end)
    funded = set()
    for d in tranches:
        g = grant_by_id[d.grant_id]
        if d.paid_on > end:
            continue
        if g.beneficiary_id is not None and present(g.beneficiary_id):
            funded.add(("b", g.beneficiary_id))
        if g.cooperative_id is not None and g.cooperative_id in live:
            funded.add(("c", g.cooperative_id))
    since = end - timedelta(days=89)
    seen = {("b", v.beneficiary_id) if v.beneficiary_id else ("c", v.cooperative_id)
            for v in visits if since <= v.visited_on <= end}
    out["funded_visited_90d_share"] = (len(funded & seen), len(funded))
    return out


def naive_targeting(uow, month: Month) -> dict[str, object]:
    """docs/kpis.md, targeting, read with loops: the funnel of the intakes selected in the
    month, selection rates (selected, eligible) by milieu, age band at closing, disability and
    region, and the month's promotions from waiting lists."""
    s = uow.session
    start, end = month.start, month.end
    intakes = {i.id: i for i in s.scalars(select(Intake))}
    chosen = {i.id for i in intakes.values() if i.selected_on and start <= i.selected_on <= end}
    apps = [e for e in s.scalars(select(Enrollment)) if e.intake_id in chosen]
    eligible = [e for e in apps if e.eligible]
    selected = [e for e in apps if e.rank is not None and e.waitlisted_on is None
                and e.enrolled_on == intakes[e.intake_id].selected_on]
    out: dict[str, object] = {
        "selected_intakes": len(chosen),
        "intake_places": sum(intakes[i].places for i in chosen),
        "applicants": len(apps),
        "eligible_applicants": len(eligible),
        "refused_by_rule": sum(1 for e in apps if not e.eligible),
        "refusals_overridden": sum(1 for e in apps if e.override_reason),
        "selected_applicants": len(selected),
        "waitlisted_applicants": sum(1 for e in apps if e.waitlisted_on is not None),
        "waitlist_promotions": sum(
            1 for e in s.scalars(select(Enrollment))
            if e.intake_id and e.waitlisted_on and e.enrolled_on and start <= e.enrolled_on <= end),
    }
    picked = {e.id for e in selected}

    def key(e, how):
        b = e.beneficiary
        if how == "milieu":
            return b.milieu.value if b.milieu else "unknown"
        if how == "disability":
            return {True: "yes", False: "no", None: "unknown"}[b.disability]
        if how == "region":
            return b.province.region_code
        return age_band(b.birth_date, intakes[e.intake_id].closes_on)

    for how in ("milieu", "disability", "age_band", "region"):
        rates: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for e in eligible:
            cell = rates[key(e, how)]
            cell[0] += e.id in picked
            cell[1] += 1
        out[f"selection_rate_by_{how}"] = {k: tuple(v) for k, v in rates.items()}
    out["selection_rate"] = (len(selected), len(eligible))
    return out
