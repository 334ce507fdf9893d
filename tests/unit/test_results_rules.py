"""The rules of results against targets (empower.results): pure functions, no database."""

from __future__ import annotations

from datetime import date

import pytest

from empower.errors import InvalidInput
from empower.results import (
    Period,
    Thresholds,
    above_commitment,
    achievement,
    aggregate,
    check_kpi_key,
    check_target_period,
    days_behind,
    expected_by,
    prorate,
    status,
)


def test_periods_are_years_quarters_and_months() -> None:
    year, quarter, month = Period.parse("2026"), Period.parse("2026-q3"), Period.parse("2026-07")
    assert (str(year), str(quarter), str(month)) == ("2026", "2026-Q3", "2026-07")
    assert (year.kind, quarter.kind, month.kind) == ("year", "quarter", "month")
    assert quarter.months() == ["2026-07", "2026-08", "2026-09"]
    assert (quarter.start, quarter.end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert year.length == 12 and year.contains(quarter) and quarter.contains(month)
    assert not month.contains(quarter)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "26", "2026/07", "", "1800", "T3 2026"])
def test_a_period_that_is_none_is_refused_naming_it(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Period.parse(text)
    assert caught.value.code == "period.invalid" and caught.value.field == "period"


def test_a_target_period_lies_inside_its_programs_dates() -> None:
    starts, ends = date(2025, 3, 15), date(2027, 6, 30)
    for ok in ("2025-03", "2025-Q2", "2026", "2027-Q2"):
        check_target_period(Period.parse(ok), "AWAL", starts, ends)
    for bad in ("2025-02", "2025-Q1", "2025", "2027", "2027-07"):
        with pytest.raises(InvalidInput) as caught:
            check_target_period(Period.parse(bad), "AWAL", starts, ends)
        assert caught.value.code == "target.period_outside_program"
    check_target_period(Period.parse("2040"), "AWAL", starts, None)  # runs on


def test_indicator_source_is_manual_or_a_kpi_key() -> None:
    assert check_kpi_key("Manual") == "manual"
    assert check_kpi_key("new_registrations", {"new_registrations"}) == "new_registrations"
    for bad in ("new registrations", "", "x"):
        with pytest.raises(InvalidInput):
            check_kpi_key(bad)
    with pytest.raises(InvalidInput) as caught:
        check_kpi_key("not_a_kpi", {"new_registrations"})
    assert caught.value.code == "indicator.unknown_kpi"


def test_a_flow_sums_its_months_and_a_stock_is_its_last_known_value() -> None:
    assert aggregate("flow", [3, None, 4]) == 7
    assert aggregate("stock", [3, 8, None]) == 8
    assert aggregate("flow", [None, None]) is None


def test_prorating_flows_stocks_and_rates() -> None:
    assert prorate(1200, None, "flow", 9, 12) == 900
    assert prorate(500, 100, "stock", 6, 12) == 300  # half-way from the baseline
    assert prorate(500, None, "stock", 3, 12) == 125
    assert prorate(0.6, None, None, 3, 12) == 0.6  # a rate is a level, never pro-rated
    assert prorate(1200, None, "flow", 12, 12) == 1200


def test_achievement_follows_the_indicators_direction() -> None:
    assert achievement(90, 100, "higher") == 0.9
    assert achievement(0.1, 0.05, "lower") == 0.5
    assert achievement(0, 0.05, "lower") == 1.0
    assert achievement(None, 100, "higher") is None and achievement(5, 0, "higher") is None


def test_status_thresholds_green_amber_red_and_configurable() -> None:
    assert [status(s) for s in (1.2, 1.0, 0.9999, 0.8, 0.7999, None)] == [
        "green", "green", "amber", "amber", "red", None]
    strict = Thresholds(green=1.1, amber=0.95)
    assert [status(s, strict) for s in (1.0, 1.1, 0.9)] == ["amber", "green", "red"]
    with pytest.raises(InvalidInput):
        Thresholds(green=0.8, amber=0.9)


def test_contributions_above_the_commitment_are_flagged_not_refused() -> None:
    assert above_commitment(100_00, 80_00) == 0
    assert above_commitment(100_00, 130_00) == 30_00


def test_schedule_and_days_behind() -> None:
    signed, ends = date(2026, 1, 1), date(2026, 12, 31)  # 364 days
    assert expected_by(364_00, signed, ends, date(2026, 7, 2)) == 182_00
    assert expected_by(364_00, signed, None, date(2026, 7, 2)) is None
    # half given: due by 2026-07-02; on 2026-10-31 that is 121 days ago
    assert days_behind(364_00, 182_00, signed, ends, date(2026, 10, 31)) == 121
    assert days_behind(364_00, 182_00, signed, ends, date(2026, 6, 1)) == 0
    assert days_behind(364_00, 364_00, signed, ends, date(2027, 6, 1)) == 0
    assert days_behind(364_00, 0, signed, ends, date(2026, 4, 1)) == 90
    assert days_behind(364_00, 0, signed, None, date(2026, 4, 1)) is None
