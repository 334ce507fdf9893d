"""The registration rules on their own: age, consent, names, CIN (no database)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from empower.errors import InvalidInput, NotEligible
from empower.rules import RulesConfig, age_on, check_adult, check_name, normalize_cin
from empower.schemas import BeneficiaryCreate, parse_input
from empower.services.beneficiaries import _normalise

PROVINCES = {"04.441", "06.141"}


def registration(**overrides: object) -> BeneficiaryCreate:
    data: dict[str, object] = {
        "cin": "AB123456", "first_name": "Fatima", "last_name": "Benali",
        "birth_date": date(1990, 3, 4), "province_code": "04.441",
        "consent_date": date(2024, 1, 10), "registered_on": date(2024, 1, 10),
    }
    data.update(overrides)
    return BeneficiaryCreate.model_validate(data)


def normalise(data: BeneficiaryCreate, *, config: RulesConfig | None = None,
              today: date = date(2026, 1, 1)) -> dict[str, object]:
    """The registration rules as the services apply them, without a database."""
    fake_uow = SimpleNamespace(rules=config or RulesConfig())
    return _normalise(fake_uow, data, PROVINCES, today)  # type: ignore[arg-type]


# --- age ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("birth", "on", "age"), [
    (date(2000, 5, 10), date(2018, 5, 9), 17),
    (date(2000, 5, 10), date(2018, 5, 10), 18),
    (date(2000, 5, 10), date(2018, 5, 11), 18),
    (date(2000, 12, 31), date(2019, 1, 1), 18),
    # Born on 29 February: in a common year the birthday counts on 1 March.
    (date(2004, 2, 29), date(2022, 2, 28), 17),
    (date(2004, 2, 29), date(2022, 3, 1), 18),
    (date(2004, 2, 29), date(2024, 2, 28), 19),
    (date(2004, 2, 29), date(2024, 2, 29), 20),
])
def test_age_on_birthdays(birth: date, on: date, age: int) -> None:
    assert age_on(birth, on) == age


def test_eighteen_on_the_registration_day_is_accepted() -> None:
    check_adult(date(2006, 1, 10), date(2024, 1, 10))


def test_the_day_before_her_eighteenth_birthday_is_refused() -> None:
    with pytest.raises(NotEligible) as err:
        check_adult(date(2006, 1, 11), date(2024, 1, 10))
    assert err.value.field == "birth_date"
    assert "17" in err.value.message


def test_leap_day_birthday_is_adult_on_first_of_march_only() -> None:
    with pytest.raises(NotEligible):
        check_adult(date(2004, 2, 29), date(2022, 2, 28))
    check_adult(date(2004, 2, 29), date(2022, 3, 1))


def test_birth_after_registration_is_invalid() -> None:
    with pytest.raises(InvalidInput):
        check_adult(date(2025, 1, 1), date(2024, 1, 1))


def test_minimum_age_is_configurable() -> None:
    with pytest.raises(NotEligible):
        check_adult(date(2004, 1, 1), date(2024, 6, 1), RulesConfig(min_age=21))


def test_age_is_checked_at_the_registration_date_not_today() -> None:
    # 17 when registered in 2020, an adult today: still refused.
    data = registration(birth_date=date(2003, 1, 1), consent_date=date(2020, 6, 1),
                        registered_on=date(2020, 6, 1))
    with pytest.raises(NotEligible):
        normalise(data)
    # 18 when registered in 2021: accepted even though the record is entered years later.
    ok = registration(birth_date=date(2003, 1, 1), consent_date=date(2021, 1, 1),
                      registered_on=date(2021, 1, 1))
    assert normalise(ok)["registered_on"] == date(2021, 1, 1)


@given(birth=st.dates(min_value=date(1920, 1, 1), max_value=date(2030, 12, 31)),
       on=st.dates(min_value=date(1920, 1, 1), max_value=date(2030, 12, 31)))
def test_age_on_matches_calendar_arithmetic(birth: date, on: date) -> None:
    age = age_on(birth, on)
    if on < birth:
        assert age < 0 or (age == 0 and on.year == birth.year)
        return
    def birthday(year: int) -> date:
        try:
            return birth.replace(year=year)
        except ValueError:  # 29 February in a common year
            return date(year, 3, 1)
    assert birthday(birth.year + age) <= on
    assert on < birthday(birth.year + age + 1)


# --- consent -----------------------------------------------------------------------------------

def test_consent_date_is_required() -> None:
    data = {"cin": "AB1", "first_name": "Fatima", "birth_date": "1990-01-01",
            "province_code": "04.441"}
    with pytest.raises(InvalidInput) as err:
        parse_input(BeneficiaryCreate, data)
    assert err.value.field == "consent_date"


def test_consent_on_the_registration_day_is_accepted() -> None:
    row = normalise(registration(consent_date=date(2024, 1, 10), registered_on=date(2024, 1, 10)))
    assert row["consent_date"] == date(2024, 1, 10)
    assert row["consent_version"] == "v1"


def test_consent_after_registration_is_refused() -> None:
    with pytest.raises(NotEligible) as err:
        normalise(registration(consent_date=date(2024, 1, 11), registered_on=date(2024, 1, 10)))
    assert err.value.field == "consent_date"


def test_registration_date_defaults_to_today_and_not_in_future() -> None:
    row = normalise(registration(registered_on=None, consent_date=date(2025, 12, 1)),
                    today=date(2026, 1, 1))
    assert row["registered_on"] == date(2026, 1, 1)
    # Today plus the margin (one day by default, EMPOWER_FUTURE_DAYS_MARGIN) is the latest.
    assert normalise(registration(registered_on=date(2026, 1, 2)),
                     today=date(2026, 1, 1))["registered_on"] == date(2026, 1, 2)
    with pytest.raises(InvalidInput) as err:
        normalise(registration(registered_on=date(2026, 1, 3)), today=date(2026, 1, 1))
    assert err.value.code == "date.in_future" and err.value.field == "registered_on"
    with pytest.raises(InvalidInput):
        normalise(registration(registered_on=date(2026, 1, 2)), today=date(2026, 1, 1),
                  config=RulesConfig(future_days_margin=0))


# --- names -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Fatima", "Aït Baha", "Ben-Ali", "O'Neil", "Zoé",
                                  "Lalla  Fatim-Zahra"])
def test_latin_names_are_accepted(name: str) -> None:
    assert check_name(name, script="latin", field="first_name") == " ".join(name.split())


@pytest.mark.parametrize("name", ["فاطمة", "بن علي", "فَاطِمَة", "عائشة"])
def test_arabic_names_are_accepted_with_harakat(name: str) -> None:
    assert check_name(name, script="arabic", field="first_name_ar") == name


@pytest.mark.parametrize(("name", "script"), [
    ("Fatima2", "latin"), ("F4tima", "latin"), ("فاطمة3", "arabic"), ("فاطمة٣", "arabic"),
    ("Fatima فاطمة", "latin"), ("فاطمة Fatima", "arabic"), ("Фатима", "latin"),
    ("Fatima", "arabic"), ("فاطمة", "latin"), ("Fatima@", "latin"),
])
def test_digits_and_mixed_scripts_are_refused(name: str, script: str) -> None:
    with pytest.raises(InvalidInput) as err:
        check_name(name, script=script, field="last_name")
    assert err.value.field == "last_name"
    assert err.value.value == name


@pytest.mark.parametrize("name", ["-", "' .", "\u064e\u0650", "ـــ"])
def test_a_name_without_letters_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput):
        check_name(name, script="arabic", field="first_name_ar")


@pytest.mark.parametrize("name", [None, "", "   "])
def test_empty_names_are_none(name: str | None) -> None:
    assert check_name(name, script="latin", field="first_name") is None


def test_decomposed_accents_are_normalised() -> None:
    assert check_name("Zoe\u0301", script="latin", field="first_name") == "Zoé"


def test_a_name_in_either_script_is_enough_but_one_is_required() -> None:
    arabic_only = normalise(registration(first_name=None, last_name=None,
                                         first_name_ar="فاطمة", last_name_ar=None))
    assert arabic_only["first_name_ar"] == "فاطمة"
    assert arabic_only["match_key"] == "فاطمة"  # the Arabic name is the key to compare
    with pytest.raises(InvalidInput) as err:
        normalise(registration(first_name=None, last_name="  "))
    assert "name" in err.value.message


def test_names_go_through_the_script_check_at_registration() -> None:
    with pytest.raises(InvalidInput) as err:
        normalise(registration(first_name_ar="Fatima"))
    assert err.value.field == "first_name_ar"


# --- CIN ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "cin"), [
    ("AB123456", "AB123456"), (" ab123456 ", "AB123456"), ("a1", "A1"), ("J 123 456", "J123456"),
    ("bk-12345", "BK12345"), ("\tZT9\n", "ZT9"),
])
def test_cin_is_stripped_and_upper_cased(raw: str, cin: str) -> None:
    assert normalize_cin(raw) == cin


@pytest.mark.parametrize("raw", ["", "  ", "123456", "ABC123", "AB", "AB1234567", "A B C1",
                                 "AB12345X", "É123", "ΑΒ123"])
def test_cin_outside_the_default_pattern_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as err:
        normalize_cin(raw)
    assert err.value.field == "cin"


def test_cin_pattern_is_configurable() -> None:
    strict = RulesConfig(cin_pattern=r"^[A-Z]{2}[0-9]{6}$")
    assert normalize_cin("ab123456", strict) == "AB123456"
    with pytest.raises(InvalidInput):
        normalize_cin("A123456", strict)
    # Without anchors the pattern still has to match the whole CIN.
    loose = RulesConfig(cin_pattern=r"[A-Z][0-9]{3}")
    assert normalize_cin("x123", loose) == "X123"
    with pytest.raises(InvalidInput):
        normalize_cin("X1234", loose)


def test_registration_normalises_the_cin_with_the_configured_pattern() -> None:
    assert normalise(registration(cin=" ab 123456"))["cin"] == "AB123456"
    with pytest.raises(InvalidInput):
        normalise(registration(cin="AB123456"), config=RulesConfig(cin_pattern=r"^[0-9]+$"))


@given(letters=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                       min_size=1, max_size=2),
       digits=st.text(alphabet="0123456789", min_size=1, max_size=6))
def test_every_well_formed_cin_is_accepted(letters: str, digits: str) -> None:
    assert normalize_cin(f" {letters}{digits} ") == (letters + digits).upper()


def test_registration_rejects_an_unknown_province() -> None:
    with pytest.raises(InvalidInput) as err:
        normalise(registration(province_code="99.999"))
    assert err.value.field == "province_code"
