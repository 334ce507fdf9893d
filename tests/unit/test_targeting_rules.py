"""The targeting rules: every operator, missing values, validation, scores, and the SQL twin
agreeing with the pure rule on generated values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Boolean, Column, Date, Float, MetaData, String, Table, create_engine, select

from empower.errors import InvalidInput
from empower.predicates import age_on
from empower.targeting import (
    FIELDS,
    OPERATORS,
    Outcome,
    Rule,
    check_rules,
    check_weights,
    outcome,
    outcome_sql,
    passes,
    score,
)


def _rule(field: str, op: str, value: object = None) -> Rule:
    item: dict[str, object] = {"field": field, "op": op}
    if value is not None:
        item["value"] = value
    return check_rules([item])[0]


@pytest.mark.parametrize(("op", "value", "passing", "failing"), [
    ("<", 40, 39.5, 40), ("<=", 40, 40, 40.01), (">", 3, 3.5, 3), (">=", 3, 3, 2.99),
    ("=", 5, 5, 6), ("in", [1, 5], 5, 4), ("not in", [1, 5], 4, 1), ("between", [10, 20], 20, 21),
])
def test_each_number_operator(op: str, value: object, passing: float, failing: float) -> None:
    rule = _rule("vulnerability_score", op, value)
    assert outcome(rule, passing) == Outcome.PASSED
    assert outcome(rule, failing) == Outcome.FAILED
    assert outcome(rule, None) == Outcome.MISSING


def test_yes_no_and_choice_operators() -> None:
    assert outcome(_rule("disability", "is true"), True) == Outcome.PASSED
    assert outcome(_rule("disability", "is true"), False) == Outcome.FAILED
    assert outcome(_rule("grant_elsewhere", "is false"), False) == Outcome.PASSED
    assert outcome(_rule("disability", "is false"), None) == Outcome.MISSING
    assert outcome(_rule("milieu", "=", "rurale"), "rural") == Outcome.PASSED  # French label
    assert outcome(_rule("marital_status", "in", ["veuve", "divorced"]), "widowed") == \
        Outcome.PASSED
    assert outcome(_rule("education_level", "not in", ["none"]), "none") == Outcome.FAILED
    assert outcome(_rule("province", "in", ["04.441"]), "04.441") == Outcome.PASSED


def test_a_missing_value_is_never_a_pass() -> None:
    rules = [_rule("household_size", ">=", 1)]
    assert not passes(rules, {"household_size": None})
    assert passes(rules, {"household_size": 3})


@pytest.mark.parametrize(("raw", "fragment"), [
    ([{"field": "revenue", "op": "<", "value": 1}], "unknown field 'revenue'"),
    ([{"field": "age", "op": "like", "value": 1}], "unknown operator 'like'"),
    ([{"field": "age", "op": "is true"}], "age does not take 'is true'"),
    ([{"field": "age", "op": "<", "value": 17.5}], "not a whole number"),
    ([{"field": "age", "op": "<"}], "takes a value"),
    ([{"field": "age", "op": "in", "value": 18}], "list of values"),
    ([{"field": "milieu", "op": "=", "value": "desert"}], "not one of"),
    ([{"field": "age", "op": "<", "value": 1, "weight": 2}], "unknown key weight"),
    ("age < 45", "a list of conditions"),
    ([{"field": "disability", "op": "is true", "value": "oui"}], "takes no value"),
])
def test_bad_rules_are_refused_naming_what_is_wrong(raw: object, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_rules(raw)
    assert fragment in caught.value.message
    assert caught.value.code == "targeting.rule_invalid"


def test_weights_make_a_score() -> None:
    weights = check_weights([{"field": "household_size", "weight": "1.5"},
                             {"field": "disability", "weight": 5},
                             {"field": "marital_status", "weight": 10, "equals": "veuve"}])
    values = {"household_size": 4, "disability": True, "marital_status": "widowed"}
    assert score(weights, values) == Decimal("21.0000")
    assert score(weights, {"household_size": None, "disability": None,
                           "marital_status": None}) == 0
    with pytest.raises(InvalidInput):
        check_weights([{"field": "milieu", "weight": 3}])  # a choice needs equals
    with pytest.raises(InvalidInput):
        check_weights([{"field": "age", "weight": "beaucoup"}])


def test_every_operator_is_known_to_some_field() -> None:
    from empower.targeting import _BY_KIND

    assert set(OPERATORS) == set().union(*_BY_KIND.values())
    assert {spec.kind for spec in FIELDS.values()} == set(_BY_KIND)


# --- the SQL twin agrees with the pure rule ------------------------------------------------

_META = MetaData()
_PEOPLE = Table("people", _META, Column("birth_date", Date), Column("score", Float),
                Column("milieu", String(10)), Column("disability", Boolean))
_ENGINE = create_engine("sqlite://")
_META.create_all(_ENGINE)
CLOSES = date(2024, 2, 29)

_number_rules = st.one_of(
    st.tuples(st.sampled_from(["<", "<=", ">", ">=", "="]), st.integers(0, 100)),
    st.tuples(st.sampled_from(["in", "not in"]),
              st.lists(st.integers(0, 100), min_size=1, max_size=4)),
    st.tuples(st.just("between"), st.tuples(st.integers(0, 50), st.integers(50, 100))
              .map(list)))


def _sql(rule: Rule, column: Column, value: object) -> str:
    with _ENGINE.begin() as conn:
        conn.execute(_PEOPLE.delete())
        conn.execute(_PEOPLE.insert().values({column.name: value}))
        return str(conn.execute(select(outcome_sql(rule, column, closes_on=CLOSES))).scalar())


@settings(max_examples=150, deadline=None)
@given(_number_rules, st.one_of(st.none(), st.floats(0, 100, allow_nan=False).map(
    lambda f: round(f, 2)), st.integers(0, 100).map(float)))
def test_numbers_in_sql_and_in_python_agree(spec: tuple[str, object], value: float | None) -> None:
    rule = _rule("vulnerability_score", spec[0], spec[1])
    assert _sql(rule, _PEOPLE.c.score, value) == outcome(rule, value).value


@settings(max_examples=150, deadline=None)
@given(_number_rules.filter(lambda s: not isinstance(s[1], int) or s[1] <= 90),
       st.dates(date(1930, 1, 1), date(2012, 12, 31)))
def test_ages_in_sql_and_in_python_agree(spec: tuple[str, object], born: date) -> None:
    rule = _rule("age", spec[0], spec[1])
    assert _sql(rule, _PEOPLE.c.birth_date, born) == outcome(rule, age_on(born, CLOSES)).value


def test_leap_day_birthdays_in_sql_and_in_python_agree() -> None:
    born = date(2004, 2, 29)
    for op, value in [(">=", 20), ("<", 20), ("=", 19), ("between", [20, 30])]:
        rule = _rule("age", op, value)
        for closes in (date(2024, 2, 28), date(2024, 2, 29), date(2023, 2, 28),
                       date(2023, 3, 1)):
            with _ENGINE.begin() as conn:
                conn.execute(_PEOPLE.delete())
                conn.execute(_PEOPLE.insert().values(birth_date=born))
                got = conn.execute(select(outcome_sql(rule, _PEOPLE.c.birth_date,
                                                      closes_on=closes))).scalar()
            assert got == outcome(rule, age_on(born, closes)).value, (op, value, closes)


@given(st.sampled_from(["=", "in", "not in"]), st.sampled_from(["rural", "urban", None]),
       st.booleans())
def test_choices_and_yes_no_in_sql_and_in_python_agree(op: str, milieu: str | None,
                                                       flag: bool) -> None:
    rule = _rule("milieu", op, "rural" if op == "=" else ["rural"])
    assert _sql(rule, _PEOPLE.c.milieu, milieu) == outcome(rule, milieu).value
    yes = _rule("disability", "is true")
    assert _sql(yes, _PEOPLE.c.disability, flag) == outcome(yes, flag).value
