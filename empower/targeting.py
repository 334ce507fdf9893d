"""Targeting rules: eligibility conditions and score weights as data, never as code.

An intake (a call for applications) carries a list of conditions, each a field from
:data:`FIELDS`, an operator from :data:`OPERATORS` and a value, and a list of weights that make
a score from the same fields. Nothing is evaluated as an expression: each operator is a Python
function here and its SQL twin beside it (:func:`outcome` / :func:`outcome_sql`), so the
preview counted in SQL and the result stored for each applicant say the same thing.

A condition on a missing value (no vulnerability score recorded, no household size) is
``missing``, never a pass: an applicant passes when every condition is ``passed``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, literal, not_, or_

from empower.errors import InvalidInput
from empower.predicates import age_on, birth_date_cutoff
from empower.text import echo
from empower.vocab import EducationLevel, MaritalStatus, Milieu, fold, parse_choice

__all__ = [
    "FIELDS",
    "OPERATORS",
    "Outcome",
    "Rule",
    "Weight",
    "check_rules",
    "check_weights",
    "outcome",
    "outcome_sql",
    "passes",
    "score",
]


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    MISSING = "missing"


@dataclass(frozen=True)
class FieldSpec:
    """What a field holds: ``number`` (``integer`` for whole numbers), ``choice`` (one of
    ``choices``), ``code`` (a province or region code) or ``bool``."""

    kind: str
    choices: type[StrEnum] | None = None
    integer: bool = False


# The fields a rule or a weight may read, each as of the intake's dates (age at its closing
# date, the others on the application date).
FIELDS: dict[str, FieldSpec] = {
    "age": FieldSpec("number", integer=True),
    "milieu": FieldSpec("choice", Milieu),
    "province": FieldSpec("code"),
    "region": FieldSpec("code"),
    "vulnerability_score": FieldSpec("number"),
    "household_size": FieldSpec("number", integer=True),
    "disability": FieldSpec("bool"),
    "education_level": FieldSpec("choice", EducationLevel),
    "marital_status": FieldSpec("choice", MaritalStatus),
    # A grant standing (approved, not cancelled) in another program on the application date.
    "grant_elsewhere": FieldSpec("bool"),
    # An enrolment active in another program on the application date.
    "enrolled_elsewhere": FieldSpec("bool"),
}

OPERATORS = ("<", "<=", ">", ">=", "=", "in", "not in", "between", "is true", "is false")
_BY_KIND = {
    "number": {"<", "<=", ">", ">=", "=", "in", "not in", "between"},
    "choice": {"=", "in", "not in"},
    "code": {"=", "in", "not in"},
    "bool": {"is true", "is false"},
}


@dataclass(frozen=True)
class Rule:
    """One eligibility condition: ``field op value`` (``value`` a list for ``in``/``not in``,
    a pair for ``between``, None for ``is true``/``is false``)."""

    field: str
    op: str
    value: Any = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "op": self.op}
        if self.value is not None:
            out["value"] = _json_value(self.value)
        return out

    def label(self) -> str:
        """``age between 18 and 45``, ``milieu = rural``: how a letter or a page names it."""
        if self.value is None:
            return f"{self.field} {self.op}"
        if self.op == "between":
            return f"{self.field} between {self.value[0]} and {self.value[1]}"
        if isinstance(self.value, tuple):
            return f"{self.field} {self.op} {', '.join(str(v) for v in self.value)}"
        return f"{self.field} {self.op} {self.value}"


@dataclass(frozen=True)
class Weight:
    """Points of the score: ``weight`` x the value for a number, ``weight`` when a yes/no is
    yes, or when a choice or code equals ``equals``."""

    field: str
    weight: Decimal
    equals: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "weight": str(self.weight)}
        if self.equals is not None:
            out["equals"] = self.equals
        return out


def _json_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    return value


def _refuse(where: str, message: str, value: Any) -> InvalidInput:
    return InvalidInput(f"{where}: {message}", code="targeting.rule_invalid",
                        params={"where": where, "why": message, "value": echo(str(value))},
                        field="rules", value=str(value))


def _number(raw: Any, spec: FieldSpec, where: str) -> Decimal:
    if isinstance(raw, bool):
        raise _refuse(where, f"'{raw}' is not a number", raw)
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise _refuse(where, f"'{echo(str(raw))}' is not a number", raw) from None
    if not value.is_finite():
        raise _refuse(where, f"'{raw}' is not a number", raw)
    if spec.integer and value != value.to_integral_value():
        raise _refuse(where, f"'{raw}' is not a whole number", raw)
    return value


def _scalar(raw: Any, field: str, spec: FieldSpec, where: str) -> Any:
    if spec.kind == "number":
        return _number(raw, spec, where)
    if spec.kind == "choice":
        assert spec.choices is not None
        try:
            return parse_choice(spec.choices, str(raw), field=field).value
        except InvalidInput:
            allowed = ", ".join(m.value for m in spec.choices)
            raise _refuse(where, f"'{echo(str(raw))}' is not one of {allowed}", raw) from None
    text = str(raw).strip()
    if not text or len(text) > 6:
        raise _refuse(where, f"'{echo(text)}' is not a {field} code", raw)
    return text


def _entries(raw: Any, what: str,
             keys: tuple[str, ...]) -> Iterator[tuple[str, Mapping[str, Any], str, FieldSpec]]:
    """Each entry of a list of rules or weights with its place (``rule 2``), its known field
    and the field's spec; :class:`InvalidInput` for anything else."""
    if raw is None:
        return
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        raise _refuse(f"{what}s", f"a list of {what}s is expected" if what == "weight"
                      else "a list of conditions is expected", raw)
    for number, item in enumerate(raw, start=1):
        where = f"{what} {number}"
        if not isinstance(item, Mapping):
            raise _refuse(where, f"a {what} is {{{', '.join(keys)}}}", item)
        unknown = set(item) - set(keys)
        if unknown:
            raise _refuse(where, f"unknown key {sorted(unknown)[0]}", sorted(unknown)[0])
        field = fold(str(item.get("field", "")))
        spec = FIELDS.get(field)
        if spec is None:
            raise _refuse(where, f"unknown field '{echo(str(item.get('field')))}' (fields: "
                                 f"{', '.join(FIELDS)})", item.get("field"))
        yield where, item, field, spec


def check_rules(raw: Any) -> list[Rule]:
    """Eligibility conditions read from data (a list of ``{"field", "op", "value"}``).

    Raises :class:`InvalidInput` ``targeting.rule_invalid`` naming the condition (``rule 2``)
    and what is wrong: an unknown field or operator, an operator the field does not take, a
    value of the wrong kind, a ``between`` that is not two numbers in order. Province and
    region codes are checked against the reference tables by the service.
    """
    out: list[Rule] = []
    for where, item, field, spec in _entries(raw, "rule", ("field", "op", "value")):
        op = " ".join(str(item.get("op", "")).strip().casefold().split())
        if op not in OPERATORS:
            raise _refuse(where, f"unknown operator '{echo(str(item.get('op')))}' (operators: "
                                 f"{', '.join(OPERATORS)})", item.get("op"))
        if op not in _BY_KIND[spec.kind]:
            raise _refuse(where, f"{field} does not take '{op}' (it takes "
                                 f"{', '.join(o for o in OPERATORS if o in _BY_KIND[spec.kind])})",
                          op)
        value: Any = item.get("value")
        if op in ("is true", "is false"):
            if value not in (None, "", True):
                raise _refuse(where, f"'{op}' takes no value", value)
            value = None
        elif op in ("in", "not in"):
            if not isinstance(value, Sequence) or isinstance(value, str | bytes) or not value:
                raise _refuse(where, f"'{op}' takes a list of values", value)
            value = tuple(sorted({_scalar(v, field, spec, where) for v in value},
                                 key=str))
        elif op == "between":
            if not isinstance(value, Sequence) or isinstance(value, str | bytes) or len(value) != 2:
                raise _refuse(where, "'between' takes two numbers, lowest first", value)
            low, high = (_number(v, spec, where) for v in value)
            if low > high:
                raise _refuse(where, "'between' takes two numbers, lowest first", value)
            value = (low, high)
        else:
            if value is None or (isinstance(value, str) and not value.strip()):
                raise _refuse(where, f"'{op}' takes a value", value)
            value = _scalar(value, field, spec, where)
        out.append(Rule(field, op, value))
    return out


def check_weights(raw: Any) -> list[Weight]:
    """Score weights read from data (a list of ``{"field", "weight", "equals"?}``).

    A choice or code field needs ``equals`` (the value that earns the points); a number or a
    yes/no field takes none. Raises :class:`InvalidInput` ``targeting.rule_invalid`` naming the
    weight (``weight 1``).
    """
    out: list[Weight] = []
    for where, item, field, spec in _entries(raw, "weight", ("field", "weight", "equals")):
        weight = _number(item.get("weight"), FieldSpec("number"), where)
        equals = item.get("equals")
        if spec.kind in ("choice", "code"):
            if equals is None:
                raise _refuse(where, f"{field} needs 'equals': the value that earns the points",
                              field)
            equals = _scalar(equals, field, spec, where)
        elif equals is not None:
            raise _refuse(where, f"{field} takes no 'equals'", equals)
        out.append(Weight(field, weight, equals))
    return out


# --- the pure rule ---------------------------------------------------------------------------

def facts(person: Any, *, region: str | None, closes_on: date, grant_elsewhere: bool,
          enrolled_elsewhere: bool) -> dict[str, Any]:
    """A woman's values for :data:`FIELDS` (her age at the intake's closing date)."""
    def plain(value: Any) -> Any:
        return value.value if isinstance(value, StrEnum) else value

    return {
        "age": age_on(person.birth_date, closes_on) if person.birth_date else None,
        "milieu": plain(person.milieu), "province": person.province_code, "region": region,
        "vulnerability_score": person.vulnerability_score,
        "household_size": person.household_size, "disability": person.disability,
        "education_level": plain(person.education_level),
        "marital_status": plain(person.marital_status),
        "grant_elsewhere": grant_elsewhere, "enrolled_elsewhere": enrolled_elsewhere,
    }


def outcome(rule: Rule, value: Any) -> Outcome:
    """Whether ``value`` passes ``rule``; ``missing`` when there is no value."""
    if value is None:
        return Outcome.MISSING
    op = rule.op
    if op == "is true":
        held = value is True
    elif op == "is false":
        held = value is False
    elif FIELDS[rule.field].kind == "number":
        number = Decimal(str(value))
        if op == "between":
            held = rule.value[0] <= number <= rule.value[1]
        elif op in ("in", "not in"):
            held = (number in rule.value) == (op == "in")
        else:
            held = {"<": number < rule.value, "<=": number <= rule.value,
                    ">": number > rule.value, ">=": number >= rule.value,
                    "=": number == rule.value}[op]
    elif op in ("in", "not in"):
        held = (value in rule.value) == (op == "in")
    else:
        held = value == rule.value
    return Outcome.PASSED if held else Outcome.FAILED


def passes(rules: Sequence[Rule], values: Mapping[str, Any]) -> bool:
    """Whether every rule is passed (a missing value is not a pass)."""
    return all(outcome(rule, values[rule.field]) == Outcome.PASSED for rule in rules)


def score(weights: Sequence[Weight], values: Mapping[str, Any]) -> Decimal:
    """The score the weights give ``values`` (a missing value earns nothing), to 4 decimals so
    the same data always ranks the same way."""
    total = Decimal(0)
    for weight in weights:
        value = values[weight.field]
        if value is None:
            continue
        kind = FIELDS[weight.field].kind
        if kind == "number":
            total += weight.weight * Decimal(str(value))
        elif kind == "bool":
            total += weight.weight if value is True else Decimal(0)
        elif value == weight.equals:
            total += weight.weight
    return total.quantize(Decimal("0.0001"))


# --- the SQL twin ----------------------------------------------------------------------------

def _age_sql(rule: Rule, birth: Any, closes_on: date) -> ColumnElement[bool]:
    # age >= n exactly when the birth date is on or before birth_date_cutoff(n).
    def at_least(n: Decimal) -> ColumnElement[bool]:
        return birth <= birth_date_cutoff(int(n), closes_on)

    def below(n: Decimal) -> ColumnElement[bool]:
        return birth > birth_date_cutoff(int(n), closes_on)

    value = rule.value
    if rule.op == "between":
        return and_(at_least(value[0]), below(value[1] + 1))
    if rule.op in ("in", "not in"):
        held = or_(*(and_(at_least(v), below(v + 1)) for v in value))
        return held if rule.op == "in" else not_(held)
    return {"<": lambda: below(value), "<=": lambda: below(value + 1),
            ">": lambda: at_least(value + 1), ">=": lambda: at_least(value),
            "=": lambda: and_(at_least(value), below(value + 1))}[rule.op]()


def holds_sql(rule: Rule, column: Any, *, closes_on: date) -> ColumnElement[bool]:
    """The SQL condition of ``rule`` over ``column`` (the birth date column for ``age``),
    for rows where it is not NULL."""
    op = rule.op
    if rule.field == "age":
        return _age_sql(rule, column, closes_on)
    if op == "is true":
        return column.is_(True)
    if op == "is false":
        return column.is_(False)
    value = rule.value
    if FIELDS[rule.field].kind == "number":
        if op == "between":
            return column.between(float(value[0]), float(value[1]))
        if op in ("in", "not in"):
            values = [float(v) for v in value]
            return column.in_(values) if op == "in" else column.not_in(values)
        bound = float(value)
    else:
        if op in ("in", "not in"):
            return column.in_(list(value)) if op == "in" else column.not_in(list(value))
        bound = value
    return {"<": column < bound, "<=": column <= bound, ">": column > bound,
            ">=": column >= bound, "=": column == bound}[op]


def outcome_sql(rule: Rule, column: Any, *, closes_on: date) -> ColumnElement[str]:
    """The SQL twin of :func:`outcome`: ``'passed'``, ``'failed'`` or ``'missing'`` per row."""
    return case((column.is_(None), literal(Outcome.MISSING.value)),
                (holds_sql(rule, column, closes_on=closes_on), literal(Outcome.PASSED.value)),
                else_=literal(Outcome.FAILED.value))


def passes_sql(rules: Sequence[Rule], columns: Mapping[str, Any], *,
               closes_on: date) -> ColumnElement[bool]:
    """The SQL twin of :func:`passes` (``columns`` maps each field to its column; the birth
    date for ``age``)."""
    if not rules:
        return literal(True)
    parts = []
    for rule in rules:
        column = columns[rule.field]
        parts.append(and_(column.is_not(None), holds_sql(rule, column, closes_on=closes_on)))
    return and_(*parts) if parts else false()
