"""Plausible dates as pure rules: births, foundings, program starts, acts and their bounds.

Every business date has a range: no earlier than 1900 (births, foundings, program starts) or
than what the act depends on (her registration, the program's start, the cooperative's
founding), and no later than today plus EMPOWER_FUTURE_DAYS_MARGIN.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from empower import rules
from empower.config import Settings
from empower.errors import InvalidInput, NotEligible
from empower.messages import CATALOG, describe
from empower.rules import RulesConfig
from empower.schemas import BeneficiaryCreate, DisbursementCreate, SurveyCreate, parse_input

TODAY = date(2026, 3, 10)


def refusal(call, *args, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    return caught.value


# -- the future ---------------------------------------------------------------------------------

def test_today_plus_the_margin_is_the_latest_date() -> None:
    assert rules.latest_date(TODAY) == date(2026, 3, 11)
    rules.check_not_future(date(2026, 3, 11), field="paid_on", today=TODAY)
    exc = refusal(rules.check_not_future, date(2026, 3, 12), field="paid_on", today=TODAY)
    assert (exc.code, exc.field) == ("date.in_future", "paid_on")
    assert exc.params == {"value": date(2026, 3, 12), "latest": date(2026, 3, 11), "margin": 1}
    assert describe(exc, "en") == ("2026-03-12 is after 2026-03-11; a date is at most 1 day(s) "
                                   "after today")


def test_a_tranche_paid_on_the_last_day_of_the_calendar_is_refused() -> None:
    exc = refusal(rules.check_not_future, date(9999, 12, 31), field="paid_on", today=TODAY)
    assert exc.code == "date.in_future" and "9999-12-31" in exc.message


@pytest.mark.parametrize(("margin", "latest"), [(0, date(2026, 3, 10)), (7, date(2026, 3, 17))])
def test_the_margin_is_configurable(margin: int, latest: date) -> None:
    cfg = RulesConfig(future_days_margin=margin)
    rules.check_not_future(latest, field="surveyed_on", today=TODAY, config=cfg)
    with pytest.raises(InvalidInput):
        rules.check_not_future(date.fromordinal(latest.toordinal() + 1), field="surveyed_on",
                               today=TODAY, config=cfg)


def test_the_margin_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMPOWER_FUTURE_DAYS_MARGIN", "3")
    assert Settings().rules().future_days_margin == 3
    monkeypatch.setenv("EMPOWER_FUTURE_DAYS_MARGIN", "-1")
    with pytest.raises(ValueError):
        Settings()
    with pytest.raises(ValueError):
        RulesConfig(future_days_margin=-1)


# -- births, foundings, program starts ---------------------------------------------------------

def test_a_birth_before_1900_is_refused() -> None:
    exc = refusal(rules.check_birth_date, date(1899, 12, 31), TODAY)
    assert (exc.code, exc.field) == ("birth_date.before_earliest", "birth_date")
    assert exc.params == {"value": date(1899, 12, 31), "earliest": date(1900, 1, 1)}
    rules.check_birth_date(date(1900, 1, 1), TODAY)


def test_a_birth_is_at_least_the_minimum_age_before_the_act() -> None:
    # The minimum-age rule itself, on the date of the act.
    with pytest.raises(NotEligible) as caught:
        rules.check_birth_date(date(2010, 1, 1), TODAY)
    assert caught.value.code == "beneficiary.too_young"
    rules.check_birth_date(date(2008, 3, 10), TODAY)
    with pytest.raises(NotEligible):
        rules.check_birth_date(date(2008, 3, 10), TODAY, RulesConfig(min_age=21))


def test_a_consent_before_her_birth_is_refused() -> None:
    exc = refusal(rules.check_consent_date, date(1, 1, 1), date(1990, 3, 4))
    assert (exc.code, exc.field) == ("consent_date.before_birth", "consent_date")
    rules.check_consent_date(date(1990, 3, 4), date(1990, 3, 4))


def test_a_cooperative_founded_in_year_one_or_in_the_future_is_refused() -> None:
    exc = refusal(rules.check_founded_on, date(1, 1, 1), today=TODAY)
    assert (exc.code, exc.field) == ("cooperative.founded_before_earliest", "founded_on")
    exc = refusal(rules.check_founded_on, date(2026, 3, 20), today=TODAY)
    assert (exc.code, exc.field) == ("date.in_future", "founded_on")
    rules.check_founded_on(date(1900, 1, 1), today=TODAY)
    rules.check_founded_on(TODAY, today=TODAY)


def test_a_program_starting_before_1900_is_refused_but_one_planned_is_not() -> None:
    exc = refusal(rules.check_program_start, date(1, 1, 1))
    assert (exc.code, exc.field) == ("program.start_before_earliest", "start_date")
    rules.check_program_start(date(2030, 1, 1))


# -- what an act depends on --------------------------------------------------------------------

def test_an_act_before_her_registration_is_refused() -> None:
    exc = refusal(rules.check_after_registration, date(2024, 1, 9), date(2024, 1, 10),
                  field="surveyed_on")
    assert (exc.code, exc.field) == ("date.before_registration", "surveyed_on")
    assert exc.params == {"value": date(2024, 1, 9), "registered_on": date(2024, 1, 10)}
    rules.check_after_registration(date(2024, 1, 10), date(2024, 1, 10), field="surveyed_on")


def test_an_act_before_the_program_starts_is_refused() -> None:
    exc = refusal(rules.check_after_program_start, date(2023, 12, 31), "AWAL",
                  date(2024, 1, 1), field="applied_on")
    assert (exc.code, exc.field) == ("date.before_program_start", "applied_on")
    assert exc.params["program"] == "AWAL" and exc.params["start_date"] == date(2024, 1, 1)


def test_an_act_before_the_cooperative_was_founded_is_refused() -> None:
    exc = refusal(rules.check_after_founding, date(2024, 1, 15), "COOP-1", date(2024, 4, 1),
                  field="submitted_on")
    assert (exc.code, exc.field) == ("date.before_founding", "submitted_on")
    assert exc.params["founded_on"] == date(2024, 4, 1)


def test_a_date_cannot_move_after_the_first_act_that_depends_on_it() -> None:
    acts = [("enrolment", date(2024, 2, 1)), ("grant", date(2024, 1, 20)), ("survey", None)]
    exc = refusal(rules.check_before_acts, date(2024, 1, 25), acts, field="registered_on",
                  code="beneficiary.registered_after_acts")
    assert (exc.code, exc.field) == ("beneficiary.registered_after_acts", "registered_on")
    assert exc.params == {"value": date(2024, 1, 25), "act": "grant",
                          "act_on": date(2024, 1, 20)}
    assert "subvention" in describe(exc, "fr")
    rules.check_before_acts(date(2024, 1, 20), acts, field="registered_on",
                            code="beneficiary.registered_after_acts")
    rules.check_before_acts(date(2030, 1, 1), [("survey", None)], field="registered_on",
                            code="beneficiary.registered_after_acts")


def test_every_date_rule_is_said_in_three_languages() -> None:
    assert sorted(set(rules.DATE_CODES) - set(CATALOG)) == []


# -- inputs: a number is not a date ------------------------------------------------------------

_PERSON = {"cin": "AB123456", "first_name": "Fatima", "province_code": "04.441",
           "consent_date": "2024-01-10", "registered_on": "2024-01-10"}


def test_a_number_is_not_a_birth_date() -> None:
    # pydantic alone refuses 1980 but reads 0 and 86400 as seconds since 1970.
    for value in (1980, 0, 86400, 12.5, Decimal("1980"), "1980", "12.5", "86400", True):
        exc = refusal(parse_input, BeneficiaryCreate, {**_PERSON, "birth_date": value})
        assert (exc.code, exc.field) == ("input.not_a_date", "birth_date"), value
        assert exc.params["value"] == str(value)
    for value in ("1990-03-04", date(1990, 3, 4)):
        data = parse_input(BeneficiaryCreate, {**_PERSON, "birth_date": value})
        assert data.birth_date == date(1990, 3, 4)


def test_every_input_date_refuses_numbers() -> None:
    exc = refusal(parse_input, DisbursementCreate, {"grant_id": 1, "amount": "10",
                                                    "paid_on": 0, "channel": "cash"})
    assert (exc.code, exc.field) == ("input.not_a_date", "paid_on")
    exc = refusal(parse_input, SurveyCreate, {"beneficiary_id": 1, "program_id": 1,
                                              "round": "baseline", "surveyed_on": "45000"})
    assert (exc.code, exc.field) == ("input.not_a_date", "surveyed_on")
