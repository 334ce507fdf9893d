"""KPI functions on small literal frames; expected values worked out by hand in the comments."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from empower.reports import kpis
from empower.reports.extract import Facts
from empower.reports.figures import compute_figures, is_small, money
from empower.reports.period import Month

from empower.predicates import age_band, birth_date_cutoff

OCT = Month(2026, 10)  # start 2026-10-01, end 2026-10-31
D = date
WOMAN = {"region": "04", "province": "04.441", "age_band": "25-34", "milieu": "rural"}
CITY = {"region": "06", "province": "06.141", "age_band": "35-44", "milieu": "urban"}


def frame(rows: list[dict]) -> pd.DataFrame:
    """A frame of facts; ``archived_on`` (archived from that day, never restored) and
    ``restored_on`` are written as the extract writes a woman's archive periods."""
    out = []
    for row in rows:
        row = dict(row)
        if "archived_on" in row:
            start, back = row.pop("archived_on"), row.pop("restored_on", None)
            row["archive_periods"] = (None if start is None
                                      else f"{start.isoformat()}/{back.isoformat() if back else ''}")
        out.append(row)
    return pd.DataFrame(out)


def total(result: pd.DataFrame, col: str = "n") -> int:
    return int(result[col].sum()) if len(result) else 0


# --- periods and age bands ------------------------------------------------------------------

def test_month_bounds_and_shift():
    assert (OCT.start, OCT.end) == (D(2026, 10, 1), D(2026, 10, 31))
    assert Month.parse("2024-02").end == D(2024, 2, 29)
    assert str(OCT.shift(-11)) == "2025-11"
    assert str(Month(2026, 1).shift(-1)) == "2025-12"


@pytest.mark.parametrize("text", ["2026-13", "2026/10", "oct", "", "26-10"])
def test_month_parse_refuses_bad_input(text):
    from empower.errors import InvalidInput

    with pytest.raises(InvalidInput, match="month"):
        Month.parse(text)


def test_age_band_at_month_end():
    end = OCT.end
    assert age_band(D(2001, 10, 31), end) == "25-34"  # 25th birthday on the last day
    assert age_band(D(2001, 11, 1), end) == "18-24"  # 25 the next day
    assert age_band(D(1971, 10, 31), end) == "55+"
    assert age_band(D(1982, 1, 1), end) == "35-44"
    # a birthday on 29 February counts on 1 March (as empower.rules.age_on)
    assert age_band(D(2000, 2, 29), D(2025, 2, 28)) == "18-24"
    assert birth_date_cutoff(25, D(2024, 2, 29)) == D(1999, 2, 28)


# --- reach ----------------------------------------------------------------------------------

def test_registered_excludes_archived_on_or_before_end():
    people = frame([
        {**WOMAN, "registered_on": D(2026, 1, 5), "archived_on": None},          # counts
        {**WOMAN, "registered_on": D(2026, 1, 5), "archived_on": D(2026, 10, 31)},  # out (on end)
        {**WOMAN, "registered_on": D(2026, 1, 5), "archived_on": D(2026, 11, 1)},   # counts
        {**CITY, "registered_on": D(2026, 10, 31), "archived_on": None},           # counts, new
        {**CITY, "registered_on": D(2026, 11, 1), "archived_on": None},            # not yet
        {**CITY, "registered_on": D(2026, 10, 2), "archived_on": D(2026, 10, 20)},  # new, out
        # archived in the month and restored on its last day: counts
        {**CITY, "registered_on": D(2026, 1, 5), "archived_on": D(2026, 10, 3),
         "restored_on": D(2026, 10, 31)},
        # archived and restored within September: counts in October
        {**CITY, "registered_on": D(2026, 1, 5), "archived_on": D(2026, 9, 3),
         "restored_on": D(2026, 9, 30)},
    ])
    registered = kpis.beneficiaries_registered(people, OCT)
    assert total(registered) == 5
    assert registered.groupby("milieu")["n"].sum().to_dict() == {"rural": 2, "urban": 3}
    # new registrations count archived women too: 10-31 and 10-02
    assert total(kpis.new_registrations(people, OCT)) == 2


def test_weighted_rows_count_their_weight():
    people = frame([{**WOMAN, "registered_on": D(2026, 9, 30), "archived_on": None, "n": 7}])
    assert total(kpis.beneficiaries_registered(people, OCT)) == 7


ENROLMENTS = frame([
    # woman 1: two programs, both active -> counted once
    {"beneficiary_id": 1, **WOMAN, "enrolled_on": D(2026, 3, 1), "exited_on": None,
     "exit_reason": None, "archived_on": None},
    {"beneficiary_id": 1, **WOMAN, "enrolled_on": D(2026, 10, 3), "exited_on": None,
     "exit_reason": None, "archived_on": None},
    # woman 2: exits on the last day of the month -> not active, one exit
    {"beneficiary_id": 2, **CITY, "enrolled_on": D(2026, 2, 1), "exited_on": D(2026, 10, 31),
     "exit_reason": "completed", "archived_on": None},
    # woman 3: exits the day after month end -> still active at end, no exit in October
    {"beneficiary_id": 3, **CITY, "enrolled_on": D(2026, 2, 1), "exited_on": D(2026, 11, 1),
     "exit_reason": "dropped_out", "archived_on": None},
    # woman 4: archived on 2026-10-15 with an open enrolment -> not active at end
    {"beneficiary_id": 4, **WOMAN, "enrolled_on": D(2026, 4, 1), "exited_on": None,
     "exit_reason": None, "archived_on": D(2026, 10, 15)},
    # woman 5: exited on the first day of the month -> exit, not active
    {"beneficiary_id": 5, **WOMAN, "enrolled_on": D(2026, 4, 1), "exited_on": D(2026, 10, 1),
     "exit_reason": "moved", "archived_on": None},
    # woman 6: enrolled on the last day -> active and new
    {"beneficiary_id": 6, **CITY, "enrolled_on": D(2026, 10, 31), "exited_on": None,
     "exit_reason": None, "archived_on": None},
])


def test_active_enrollments_distinct_women_and_month_end_exits():
    active = kpis.active_enrollments(ENROLMENTS, OCT)
    # women 1, 3 and 6
    assert total(active) == 3
    assert active.groupby("region")["n"].sum().to_dict() == {"04": 1, "06": 2}


def test_new_enrollments_count_enrolments():
    # woman 1's second enrolment (10-03) and woman 6 (10-31)
    assert total(kpis.new_enrollments(ENROLMENTS, OCT)) == 2


def test_exits_including_last_and_first_day_with_reasons():
    out = kpis.exits(ENROLMENTS, OCT)
    assert total(out) == 2
    assert out.groupby("exit_reason")["n"].sum().to_dict() == {"completed": 1, "moved": 1}
    assert total(kpis.exits(ENROLMENTS, Month(2026, 11))) == 1  # woman 3 exits in November


# --- cooperatives ---------------------------------------------------------------------------

COOPS = frame([
    {"region": "04", "province": "04.441", "founded_on": D(2025, 1, 1), "dissolved_on": None,
     "women_led": True},
    {"region": "04", "province": "04.441", "founded_on": D(2025, 1, 1),
     "dissolved_on": D(2026, 10, 31), "women_led": True},  # dissolved on end -> not active
    {"region": "06", "province": "06.141", "founded_on": D(2026, 10, 31), "dissolved_on": None,
     "women_led": False},  # founded on end -> active
    {"region": "06", "province": "06.141", "founded_on": D(2026, 11, 2), "dissolved_on": None,
     "women_led": True},  # not yet
])


def test_cooperatives_active_and_women_led_share():
    assert total(kpis.cooperatives_active(COOPS, OCT)) == 2
    share = kpis.cooperatives_women_led(COOPS, OCT)
    assert (total(share, "numerator"), total(share, "denominator")) == (1, 2)


def test_rows_without_id_are_distinct_women():
    """The extract groups women with a single row; only women with several keep their id."""
    rows = frame([
        {"beneficiary_id": None, **WOMAN, "enrolled_on": D(2026, 9, 30), "exited_on": None,
         "exit_reason": None, "archived_on": None, "n": 40},
        {"beneficiary_id": 9, **CITY, "enrolled_on": D(2026, 9, 30), "exited_on": None,
         "exit_reason": None, "archived_on": None, "n": 1},
        {"beneficiary_id": 9, **CITY, "enrolled_on": D(2026, 10, 2), "exited_on": None,
         "exit_reason": None, "archived_on": None, "n": 1},
    ])
    rows["beneficiary_id"] = rows["beneficiary_id"].astype("Int64")
    assert total(kpis.active_enrollments(rows, OCT)) == 41
    assert total(kpis.new_enrollments(rows, OCT)) == 1


def test_cooperative_members_distinct_in_active_cooperatives():
    rows = frame([
        # member of two active cooperatives -> once
        {"beneficiary_id": 1, **WOMAN, "joined_on": D(2025, 5, 1), "left_on": None,
         "founded_on": D(2025, 1, 1), "dissolved_on": None, "archived_on": None},
        {"beneficiary_id": 1, **WOMAN, "joined_on": D(2025, 6, 1), "left_on": None,
         "founded_on": D(2025, 1, 1), "dissolved_on": None, "archived_on": None},
        # left on the last day -> out
        {"beneficiary_id": 2, **CITY, "joined_on": D(2025, 5, 1), "left_on": D(2026, 10, 31),
         "founded_on": D(2025, 1, 1), "dissolved_on": None, "archived_on": None},
        # her cooperative was dissolved in October -> out
        {"beneficiary_id": 3, **CITY, "joined_on": D(2025, 5, 1), "left_on": None,
         "founded_on": D(2025, 1, 1), "dissolved_on": D(2026, 10, 10), "archived_on": None},
        # archived -> out
        {"beneficiary_id": 4, **CITY, "joined_on": D(2025, 5, 1), "left_on": None,
         "founded_on": D(2025, 1, 1), "dissolved_on": None, "archived_on": D(2026, 9, 1)},
    ])
    assert total(kpis.cooperative_members(rows, OCT)) == 1


# --- grants ---------------------------------------------------------------------------------

COOP_PLACE = {"region": "06", "province": "06.141", "age_band": "cooperative",
              "milieu": "cooperative"}
GRANTS = frame([
    {**WOMAN, "approved_on": D(2026, 10, 5), "cancelled_on": None, "n": 1,
     "amount_centimes": 1_000_000},  # 10,000.00 approved in October
    {**WOMAN, "approved_on": D(2026, 10, 6), "cancelled_on": D(2026, 10, 20), "n": 1,
     "amount_centimes": 500_000},  # cancelled before end: out everywhere
    {**WOMAN, "approved_on": D(2026, 10, 7), "cancelled_on": D(2026, 11, 3), "n": 1,
     "amount_centimes": 250_050},  # cancelled after end: still counts for October
    {**COOP_PLACE, "approved_on": D(2026, 10, 31), "cancelled_on": None, "n": 1,
     "amount_centimes": 3_000_000},  # to a cooperative, on the last day
    {**WOMAN, "approved_on": D(2026, 3, 1), "cancelled_on": None, "n": 1,
     "amount_centimes": 2_000_000},  # earlier: cumulative only
])
TRANCHES = frame([
    {**WOMAN, "paid_on": D(2026, 3, 10), "n": 1, "amount_centimes": 1_000_000},
    {**WOMAN, "paid_on": D(2026, 10, 31), "n": 1, "amount_centimes": 500_000},
    {**COOP_PLACE, "paid_on": D(2026, 10, 1), "n": 1, "amount_centimes": 1_500_000},
    {**WOMAN, "paid_on": D(2026, 11, 1), "n": 1, "amount_centimes": 999_999},
])


def test_grants_approved_excludes_cancelled_before_end():
    out = kpis.grants_approved(GRANTS, OCT)
    assert total(out) == 3
    assert total(out, "amount_centimes") == 1_000_000 + 250_050 + 3_000_000
    # the cooperative's grant is broken down by the cooperative's place
    assert out.groupby("region")["amount_centimes"].sum().to_dict() == {
        "04": 1_250_050, "06": 3_000_000}
    assert total(kpis.cumulative_approved(GRANTS, OCT), "amount_centimes") == 6_250_050
    # November: the 10-07 grant was cancelled on 11-03, so it no longer counts cumulatively
    assert total(kpis.cumulative_approved(GRANTS, Month(2026, 11)), "amount_centimes") == 6_000_000


def test_disbursed_and_rate():
    assert total(kpis.disbursed(TRANCHES, OCT), "amount_centimes") == 2_000_000
    assert total(kpis.cumulative_disbursed(TRANCHES, OCT), "amount_centimes") == 3_000_000
    rate = kpis.disbursement_rate(GRANTS, TRANCHES, OCT)
    assert (total(rate, "numerator"), total(rate, "denominator")) == (3_000_000, 6_250_050)
    assert total(rate) == 4  # approved grants behind the rate (tranches do not count)


def test_days_to_first_disbursement_over_first_tranches_in_month():
    firsts = frame([
        {**WOMAN, "approved_on": D(2026, 9, 20), "first_paid_on": D(2026, 10, 1)},   # 11 days
        {**CITY, "approved_on": D(2026, 10, 1), "first_paid_on": D(2026, 10, 31)},   # 30 days
        {**CITY, "approved_on": D(2026, 10, 1), "first_paid_on": D(2026, 10, 5)},    # 4 days
        {**CITY, "approved_on": D(2026, 8, 1), "first_paid_on": D(2026, 9, 30)},     # September
    ])
    out = kpis.days_to_first_disbursement(firsts, OCT)
    assert sorted(out["x"]) == [4, 11, 30]
    assert out["x"].median() == 11


# --- outcomes -------------------------------------------------------------------------------

def survey(bid, rnd, on, income=None, dims=WOMAN, program=1, **kw):
    return {"id": len(kw) + bid * 10 + ["baseline", "m6", "m12", "m24"].index(rnd),
            "beneficiary_id": bid, "program_id": program, "round": rnd, "surveyed_on": on,
            "monthly_income_centimes": income, "has_account": kw.get("account"),
            "business_operating": kw.get("operating"), "jobs_created": kw.get("jobs"),
            "archived_on": kw.get("archived_on"), **dims}


SURVEYS = frame([
    # 1: baseline 1000.00, m6 1500.00, m12 (after end) 500.00 -> latest by end is m6: increase
    survey(1, "baseline", D(2025, 1, 10), 100_000, account=False),
    survey(1, "m6", D(2025, 7, 10), 150_000, account=True, jobs=1),
    survey(1, "m12", D(2026, 11, 5), 50_000, account=False),
    # 2: baseline 2000.00, m12 in October 1800.00 -> decrease of 200.00; 2 jobs in October
    survey(2, "baseline", D(2025, 10, 1), 200_000, dims=CITY, account=True),
    survey(2, "m12", D(2026, 10, 31), 180_000, dims=CITY, account=False, operating=True, jobs=2),
    # 3: a follow-up without a baseline -> not in the income denominator
    survey(3, "m6", D(2026, 10, 15), 90_000, account=True, jobs=3),
    # 4: baseline only (same income would not be an increase anyway)
    survey(4, "baseline", D(2026, 10, 2), 70_000, dims=CITY, account=None),
    # 5: archived in September: out of the stock shares at October's end
    survey(5, "baseline", D(2025, 1, 1), 10_000, archived_on=D(2026, 9, 1), account=True),
    survey(5, "m6", D(2025, 7, 1), 90_000, archived_on=D(2026, 9, 1), account=True),
    # 6: equal income -> in the denominator, not the numerator; baseline in the same program
    survey(6, "baseline", D(2025, 3, 1), 120_000, account=False),
    survey(6, "m6", D(2025, 9, 1), 120_000, account=False),
])


def test_income_increase_share_and_median_change():
    out = kpis.income_change(SURVEYS, OCT)
    # women 1 (+500.00), 2 (-200.00), 6 (0): numerator 1, denominator 3
    assert (total(out, "numerator"), total(out, "denominator")) == (1, 3)
    assert sorted(out["x"]) == [-20_000, 0, 50_000]
    assert out["x"].median() == 0


def test_followup_without_baseline_is_left_out():
    only = SURVEYS[SURVEYS["beneficiary_id"] == 3]
    assert len(kpis.income_change(only, OCT)) == 0


def test_baseline_of_another_program_does_not_pair():
    rows = frame([survey(7, "baseline", D(2025, 1, 1), 100, program=1),
                  survey(7, "m6", D(2025, 8, 1), 900, program=2)])
    assert len(kpis.income_change(rows, OCT)) == 0


def test_jobs_created_in_month_from_followups():
    # woman 2 (2 jobs, 10-31) and woman 3 (3 jobs, 10-15); woman 1's job was in 2025
    assert total(kpis.jobs_created(SURVEYS, OCT)) == 5


def test_access_to_finance_latest_record():
    out = kpis.access_to_finance(SURVEYS, OCT)
    # surveyed by end and not archived: 1 (m6: yes), 2 (m12: no), 3 (yes), 4 (unknown: no),
    # 6 (no) -> 2 of 5
    assert (total(out, "numerator"), total(out, "denominator")) == (2, 5)


def test_business_survival_12m():
    cohort = frame([
        # first paid 2025-10-31 = end - 12 months -> in the cohort; m12 operating
        {"beneficiary_id": 2, **CITY, "first_paid_on": D(2025, 10, 31), "archived_on": None},
        # in the cohort, no m12 yet -> counts for the response rate only
        {"beneficiary_id": 6, **WOMAN, "first_paid_on": D(2025, 5, 1), "archived_on": None},
        # first paid 2025-11-01: too recent
        {"beneficiary_id": 1, **WOMAN, "first_paid_on": D(2025, 11, 1), "archived_on": None},
    ])
    out = kpis.business_survival_12m(cohort, SURVEYS, OCT)
    assert total(out, "cohort") == 2
    assert (total(out, "numerator"), total(out, "denominator")) == (1, 1)


# --- figures and the small-cell rule --------------------------------------------------------

def empty_facts(**frames: pd.DataFrame) -> Facts:
    cols = {
        "people": ["region", "province", "age_band", "milieu", "registered_on", "archive_periods",
                   "n"],
        "enrolments": ["beneficiary_id", "region", "province", "age_band", "milieu",
                       "archive_periods", "enrolled_on", "exited_on", "exit_reason"],
        "cooperatives": ["region", "province", "founded_on", "dissolved_on", "women_led", "n"],
        "memberships": ["beneficiary_id", "region", "province", "age_band", "milieu",
                        "archive_periods", "joined_on", "left_on", "founded_on", "dissolved_on"],
        "grants": ["region", "province", "age_band", "milieu", "approved_on", "cancelled_on", "n",
                   "amount_centimes"],
        "disbursements": ["region", "province", "age_band", "milieu", "paid_on", "n",
                          "amount_centimes"],
        "first_disbursements": ["region", "province", "age_band", "milieu", "approved_on",
                           "first_paid_on"],
        "cohort": ["beneficiary_id", "region", "province", "age_band", "milieu", "archive_periods",
                   "first_paid_on"],
        "surveys": ["id", "beneficiary_id", "program_id", "round", "surveyed_on",
                    "monthly_income_centimes", "has_account", "business_operating",
                    "jobs_created", "archive_periods", "region", "province", "age_band", "milieu"],
        "jobs": ["region", "province", "age_band", "milieu", "round", "surveyed_on",
                 "jobs_created", "n"],
        "sessions": ["region", "province", "status", "scheduled_on", "n"],
        "roster": ["region", "province", "age_band", "milieu", "status", "session_status",
                   "scheduled_on", "n"],
        "training_lines": ["beneficiary_id", "region", "province", "age_band", "milieu",
                           "archive_periods", "activity_id", "planned_sessions",
                           "completion_share", "ends_on", "status", "session_status",
                           "scheduled_on", "n"],
        "visits": ["region", "province", "age_band", "milieu", "visited_on", "n"],
        "funded": ["recipient", "beneficiary_id", "cooperative_id", "region", "province",
                   "age_band", "milieu", "archive_periods", "founded_on", "dissolved_on",
                   "first_paid_on"],
        "visited": ["recipient", "beneficiary_id", "cooperative_id", "visited_on"],
        "intakes": ["selected_on", "places", "n"],
        "applications": ["region", "province", "age_band", "milieu", "disability",
                         "selected_on", "eligible", "overridden", "selected", "waitlisted",
                         "promoted_on", "n"],
    }
    data = {name: frames.get(name, pd.DataFrame(columns=c)) for name, c in cols.items()}
    return Facts(first=OCT, last=OCT, regions=["04", "06"], **data)


def test_small_cell_rule_marks_cells_below_threshold():
    assert is_small(4, 5) and not is_small(5, 5) and is_small(0, 5)
    people = frame([{**WOMAN, "registered_on": D(2026, 1, 1), "archived_on": None, "n": 7},
                    {**CITY, "registered_on": D(2026, 1, 1), "archived_on": None, "n": 3}])
    figures = compute_figures(empty_facts(people=people), OCT, threshold=5)
    reg = figures["beneficiaries_registered"]
    assert reg["value"] == 10 and reg["suppressed"] is False
    assert reg["by_region"] == {"04": 7, "06": 3}
    assert reg["suppressed_cells"]["by_region"] == ["06"]
    assert reg["by_milieu"] == {"urban": 3, "rural": 7}
    assert sum(reg["by_age_band"].values()) == 10
    # a threshold of 3 publishes the 3
    figures = compute_figures(empty_facts(people=people), OCT, threshold=3)
    assert figures["beneficiaries_registered"]["suppressed_cells"]["by_region"] == []


def test_share_suppressed_when_denominator_small():
    figures = compute_figures(empty_facts(surveys=SURVEYS), OCT, threshold=5)
    share = figures["income_increase_share"]
    assert (share["numerator"], share["denominator"]) == (1, 3)
    assert share["value"] == pytest.approx(1 / 3, abs=1e-4)
    assert share["suppressed"] is True
    access = figures["access_to_finance_share"]
    assert (access["value"], access["suppressed"]) == (0.4, False)
    assert access["by_region"]["06"] == {"value": 0.0, "numerator": 0, "denominator": 2,
                                         "suppressed": True}
    assert figures["median_income_change"]["value"] == "0.00"


def test_money_figures_are_exact_strings():
    figures = compute_figures(empty_facts(grants=GRANTS, disbursements=TRANCHES), OCT)
    assert figures["grants_approved_amount"]["value"] == "42500.50"
    assert figures["grants_approved_amount"]["by_age_band"]["cooperative"] == "30000.00"
    assert figures["grants_approved_count"]["value"] == 3
    assert figures["disbursed_amount"]["value"] == "20000.00"
    rate = figures["disbursement_rate"]
    assert (rate["numerator"], rate["denominator"]) == ("30000.00", "62500.50")
    assert money(12345) == "123.45" and money(0.5) == "0.01" and money(-20000) == "-200.00"


def test_empty_month_gives_zeros():
    figures = compute_figures(empty_facts(), OCT)
    assert figures["active_enrollments"]["value"] == 0
    assert figures["disbursed_amount"]["value"] == "0.00"
    assert figures["income_increase_share"]["value"] is None
    assert figures["median_days_to_first_payment"]["value"] is None
    assert figures["active_enrollments"]["by_region"] == {"04": 0, "06": 0}


# --- trainings and coaching -----------------------------------------------------------------

SESSIONS = frame([
    {"region": "04", "province": "04.441", "status": "held", "scheduled_on": D(2026, 10, 1),
     "n": 3},
    {"region": "04", "province": "04.441", "status": "held", "scheduled_on": D(2026, 10, 31),
     "n": 1},                                                     # last day: counts
    {"region": "04", "province": "04.441", "status": "cancelled",
     "scheduled_on": D(2026, 10, 10), "n": 2},                    # cancelled: out
    {"region": "04", "province": "04.441", "status": "planned",
     "scheduled_on": D(2026, 10, 20), "n": 1},                    # not held (yet): out
    {"region": "unknown", "province": "unknown", "status": "held",
     "scheduled_on": D(2026, 10, 15), "n": 2},                    # activity without province
    {"region": "06", "province": "06.141", "status": "held", "scheduled_on": D(2026, 9, 30),
     "n": 5},                                                     # September
])


def test_sessions_held_in_month_by_the_activity_place():
    out = kpis.sessions_held(SESSIONS, OCT)
    assert total(out) == 6
    assert out.groupby("region")["n"].sum().to_dict() == {"04": 4, "unknown": 2}
    figures = compute_figures(empty_facts(sessions=SESSIONS), OCT, threshold=5)
    held = figures["sessions_held"]
    assert held["by_region"] == {"04": 4, "06": 0, "unknown": 2}
    assert "by_age_band" not in held
    assert held["suppressed_cells"]["by_region"] == ["04", "06", "unknown"]


def line(status, session_status="held", on=D(2026, 10, 5), dims=WOMAN, n=1, **kw):
    return {**dims, "status": status, "session_status": session_status, "scheduled_on": on,
            "n": n, **kw}


def test_attendance_rate_over_roster_lines_of_sessions_held_in_month():
    roster = frame([
        line("present", n=6), line("absent", n=2), line("excused", n=1),   # 6 of 9
        line("present", dims=CITY, on=D(2026, 10, 31), n=2),               # 2 of 2
        line("present", on=D(2026, 9, 30), n=4),                           # September: out
        line("present", session_status="planned", n=3),                    # not held: out
    ])
    out = kpis.attendance_rate(roster, OCT)
    # excused is expected and not present: 8 present of 11 lines
    assert (total(out, "numerator"), total(out, "denominator")) == (8, 11)
    assert out.groupby("milieu")["denominator"].sum().to_dict() == {"rural": 9, "urban": 2}


def training(bid, activity, status, on, planned=4, share=0.75, ends=D(2026, 10, 20), dims=WOMAN,
             session_status="held", n=1, archived_on=None):
    return {"beneficiary_id": bid, **dims, "activity_id": activity, "planned_sessions": planned,
            "completion_share": share, "ends_on": ends, "status": status,
            "session_status": session_status, "scheduled_on": on, "n": n,
            "archived_on": archived_on}


TRAININGS = frame([
    # 1: 3 of 4 present by 10-20 in activity 10 (share 0.75): completed; ended 10-20
    training(1, 10, "present", D(2026, 9, 1), n=2),
    training(1, 10, "present", D(2026, 10, 15)),
    training(1, 10, "absent", D(2026, 10, 20)),
    # 2: 2 of 4 in activity 10, the third present is after end: not completed by October
    training(2, 10, "present", D(2026, 9, 1), n=2, dims=CITY),
    training(2, 10, "excused", D(2026, 10, 15), dims=CITY),
    training(2, 10, "present", D(2026, 11, 3), dims=CITY),
    #    and in activity 11 (still running, ends in December): 3 of 3 already, completed
    training(2, 11, "present", D(2026, 10, 2), planned=3, share=1.0, ends=D(2026, 12, 15),
             dims=CITY, n=3),
    # 3: 4 of 5 at share 0.8 (exactly the share) in an activity ended 10-31: completed
    training(3, 12, "present", D(2026, 10, 1), planned=5, share=0.8, ends=D(2026, 10, 31), n=4),
    training(3, 12, "absent", D(2026, 10, 8), planned=5, share=0.8, ends=D(2026, 10, 31)),
    # 4: archived on 10-25 after completing: out of every figure at October's end
    training(4, 10, "present", D(2026, 9, 1), n=4, archived_on=D(2026, 10, 25)),
    # 5: only on the roster of a session after end: not yet on the roster
    training(5, 10, "present", D(2026, 11, 2)),
    # 6: ended activity, 1 of 4 (a present line on a session not held does not count)
    training(6, 10, "present", D(2026, 9, 8)),
    training(6, 10, "present", D(2026, 9, 15), session_status="cancelled"),
])


def test_trainings_completed_cumulative_distinct_women():
    out = kpis.trainings_completed(TRAININGS, OCT)
    # women 1, 2 (activity 11, still running) and 3; 4 archived
    assert total(out) == 3
    assert out.groupby("milieu")["n"].sum().to_dict() == {"rural": 2, "urban": 1}
    # by September's end: only woman 4 (4 of 4 on 09-01); woman 1 had 2 of 4
    assert total(kpis.trainings_completed(TRAININGS, Month(2026, 9))) == 1


def test_training_completion_rate_among_women_of_ended_activities():
    out = kpis.training_completion_rate(TRAININGS, OCT)
    # ended by 10-31: activities 10 and 12. On their rosters (not archived): 1, 2, 3, 6;
    # completed one of them: 1 and 3 (woman 2 completed only activity 11, still running)
    assert (total(out, "numerator"), total(out, "denominator")) == (2, 4)
    # November: woman 2 reaches 3 of 4 in activity 10 (11-03); 5 has 1 of 4
    nov = kpis.training_completion_rate(TRAININGS, Month(2026, 11))
    assert (total(nov, "numerator"), total(nov, "denominator")) == (3, 5)


def test_coaching_visits_in_month():
    visits = frame([
        {**WOMAN, "visited_on": D(2026, 10, 1), "n": 2},
        {**COOP_PLACE, "visited_on": D(2026, 10, 31), "n": 1},
        {**WOMAN, "visited_on": D(2026, 9, 30), "n": 4},
        {**WOMAN, "visited_on": D(2026, 11, 1), "n": 4},
    ])
    out = kpis.coaching_visits(visits, OCT)
    assert total(out) == 3
    assert out.groupby("age_band")["n"].sum().to_dict() == {"25-34": 2, "cooperative": 1}


def test_funded_businesses_visited_in_the_90_days_ending_at_month_end():
    def funded(recipient, paid, dims=WOMAN, **kw):
        return {"recipient": recipient, **dims, "first_paid_on": paid,
                "founded_on": kw.get("founded_on"), "dissolved_on": kw.get("dissolved_on"),
                "archived_on": kw.get("archived_on")}

    businesses = frame([
        funded("b1", D(2026, 3, 1)),                 # visited 08-02 = end - 90 days: not visited
        funded("b2", D(2026, 10, 31)),               # paid on end, visited 08-03 (end - 89)
        funded("b3", D(2026, 11, 1)),                # paid after end: not funded
        funded("b4", D(2026, 1, 1), archived_on=D(2026, 10, 1)),   # archived: out
        funded("c1", D(2026, 5, 1), dims=COOP_PLACE, founded_on=D(2025, 1, 1)),  # visited 10-31
        funded("c2", D(2026, 5, 1), dims=COOP_PLACE, founded_on=D(2025, 1, 1),
               dissolved_on=D(2026, 10, 31)),        # dissolved on end: out
        funded("b5", D(2026, 6, 1)),                 # never visited
    ])
    visited = pd.DataFrame([
        {"recipient": "b1", "visited_on": D(2026, 8, 2)},
        {"recipient": "b2", "visited_on": D(2026, 8, 3)},
        {"recipient": "b3", "visited_on": D(2026, 10, 5)},
        {"recipient": "b4", "visited_on": D(2026, 10, 5)},
        {"recipient": "c1", "visited_on": D(2026, 10, 31)},
        {"recipient": "c2", "visited_on": D(2026, 10, 31)},
        {"recipient": "b5", "visited_on": D(2026, 11, 1)},   # after end
    ])
    out = kpis.funded_visited_90d(businesses, visited, OCT)
    # funded: b1, b2, c1, b5; visited in 08-03..10-31: b2, c1
    assert (total(out, "numerator"), total(out, "denominator")) == (2, 4)
    assert out.groupby("age_band")["denominator"].sum().to_dict() == {"25-34": 3,
                                                                      "cooperative": 1}


def test_empty_trainings_give_zeros():
    figures = compute_figures(empty_facts(), OCT)
    assert figures["sessions_held"]["value"] == 0
    assert figures["trainings_completed"]["value"] == 0
    assert figures["attendance_rate"]["value"] is None
    assert figures["training_completion_rate"]["value"] is None
    assert figures["funded_visited_90d_share"]["denominator"] == 0
