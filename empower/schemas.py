"""Pydantic v2 inputs (``XCreate`` / ``XUpdate``) of the services.

Inputs parse types and vocabularies (French labels accepted, amounts in MAD); the program rules
that depend on configuration (CIN pattern, minimum age, phone region) and on the database are
applied by the services, so they hold the same way for every caller.

Every text field follows the text rule (:func:`empower.text.clean_text`): invisible and
direction-changing characters are removed, and a control character (NUL), a lone surrogate or
a pile of combining marks is refused naming the field. An input that does not validate raises
:class:`~empower.errors.InvalidInput` (a ``ValueError``), whether it is built with
``Model(...)``, ``Model.model_validate(...)`` or :func:`parse_input`; never pydantic's own
``ValidationError``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo

from empower.errors import InvalidInput
from empower.rules import MAX_RECORD_ID, centimes, mad, record_id
from empower.text import clean_text, echo
from empower.vocab import (
    ActivityKind,
    AttendanceStatus,
    Channel,
    CooperativeRole,
    DataRequestKind,
    EducationLevel,
    GrievanceCategory,
    GrievanceChannel,
    InstructionStatus,
    MaritalStatus,
    Milieu,
    PartnerKind,
    PaymentChannel,
    Sector,
    Sensitivity,
    SurveyRound,
    VisitKind,
    parse_choice,
)

__all__ = [
    "ActivityCreate",
    "AgreementCreate",
    "AttendanceMark",
    "BatchCreate",
    "BeneficiaryCreate",
    "BeneficiaryUpdate",
    "CooperativeCreate",
    "CooperativeUpdate",
    "DisbursementCreate",
    "EnrollmentCreate",
    "GrantCreate",
    "GrievanceCreate",
    "IntakeCreate",
    "MembershipCreate",
    "PartnerCreate",
    "ProgramCreate",
    "ReturnLine",
    "SessionCreate",
    "SurveyCreate",
    "VisitCreate",
    "parse_input",
]


def _blank_to_none(value: Any, field: str = "input") -> Any:
    if isinstance(value, str):
        # (The text rule's own fast path, inlined: this runs for every text field of every row.)
        if not (value.isascii() and value.isprintable()):
            value = clean_text(value, field=field)
        value = value.strip()
        return value or None
    return value


def _record_id(value: Any) -> Any:
    # Typed digits and ints are read by the one rule (ASCII digits, at most MAX_RECORD_ID): a
    # larger id would overflow the driver instead of finding nothing.
    if isinstance(value, str | int) and not isinstance(value, bool):
        return record_id(value)
    return value


# The number of a record another one refers to (a program, a woman, a grant...).
RecordId = Annotated[int, BeforeValidator(_record_id), Field(ge=0, le=MAX_RECORD_ID)]


def _text(value: Any, info: ValidationInfo) -> Any:
    return _blank_to_none(value, info.field_name or "input")


def _choice(enum: type) -> BeforeValidator:
    def parse(value: Any) -> Any:
        # A member is already parsed (and, being a str, would lose its type to strip()).
        if isinstance(value, enum):
            return value
        value = _blank_to_none(value, enum.__name__)
        if value is None:
            return value
        return parse_choice(enum, str(value), field=enum.__name__)

    return BeforeValidator(parse)


def _amount_text(value: Any) -> Any:
    # Amounts typed the French way ("12 500,50", "12500 MAD") read as MAD, like centimes() does;
    # numbers and Decimals are left to pydantic.
    value = _blank_to_none(value)
    if isinstance(value, str):
        return mad(centimes(value))
    return value


# Digits alone ("1980", "12.5", "86400"): pydantic would read them as seconds since 1970, an
# importer as an Excel serial; a number is never a date here.
_NUMBER_TEXT = re.compile(r"^\s*[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?\s*$")


def _not_a_number(value: Any) -> Any:
    if isinstance(value, bool | int | float | Decimal) or (
            isinstance(value, str) and _NUMBER_TEXT.match(value)):
        raise InvalidInput(f"input: '{value}' is a number, not a date (YYYY-MM-DD)",
                           code="input.not_a_date", params={"value": str(value)}, value=value)
    return value


Text = Annotated[str | None, BeforeValidator(_text)]
# A calendar date: a date, or text pydantic reads as one (``1980-03-04``); never a number.
Day = Annotated[date, BeforeValidator(_not_a_number)]
RequiredText = Annotated[str, BeforeValidator(_text), Field(min_length=1)]
Amount = Annotated[Decimal, BeforeValidator(_amount_text), Field(ge=0, max_digits=14,
                                                                 decimal_places=2)]


class _Input(BaseModel):
    # A field set after construction is validated too: a script's ``data.commune = ...``
    # follows the same rules as the constructor.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=False,
                              validate_assignment=True)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise invalid_input_from(exc, data) from None

    def __setattr__(self, name: str, value: Any) -> None:
        try:
            super().__setattr__(name, value)
        except ValidationError as exc:
            raise invalid_input_from(exc, {name: value}) from None

    @classmethod
    def model_validate(cls, obj: Any, *, strict: bool | None = None,
                       from_attributes: bool | None = None, context: Any | None = None,
                       **kwargs: Any) -> Any:
        """Validate ``obj``; raises :class:`InvalidInput` naming the first failing field."""
        try:
            return super().model_validate(obj, strict=strict, from_attributes=from_attributes,
                                          context=context, **kwargs)
        except ValidationError as exc:
            raise invalid_input_from(exc, obj if isinstance(obj, dict) else None) from None


class ProgramCreate(_Input):
    code: RequiredText = Field(max_length=40)
    name: RequiredText = Field(max_length=200)
    funder: Text = Field(None, max_length=200)
    start_date: Day
    end_date: Day | None = None
    budget: Amount
    grant_cap: Amount | None = None
    region_code: Text = None
    min_completion_share: Annotated[float | None, Field(gt=0, le=1)] = None
    # Four eyes on money (empower.rules.check_four_eyes); on unless the program turns it off.
    four_eyes: bool = True
    # Tranche plan (empower.rules.check_tranche_shares / check_tranche_conditions): shares of
    # the approved amount in percent, and what must hold before each tranche after the first.
    tranche_shares: list[Decimal] | None = None
    tranche_conditions: list[str] | None = None
    # Whether an admin may still record a one-off tranche from the panel, outside a batch.
    panel_payments: bool = False


class PartnerCreate(_Input):
    name: RequiredText = Field(max_length=200)
    name_ar: Text = Field(None, max_length=200)
    kind: Annotated[PartnerKind, _choice(PartnerKind)]
    province_code: Text = None
    contact_email: Text = Field(None, max_length=200)


class AgreementCreate(_Input):
    program_id: RecordId
    partner_id: RecordId
    signed_on: Day
    ends_on: Day | None = None
    committed: Amount = Decimal(0)


class BeneficiaryCreate(_Input):
    cin: RequiredText
    first_name: Text = None
    last_name: Text = None
    first_name_ar: Text = None
    last_name_ar: Text = None
    birth_date: Day
    phone: Text = None
    # Her bank account for transfers (empower.rules.check_rib): personal, like her CIN.
    rib: Text = None
    province_code: RequiredText
    commune: Text = Field(None, max_length=100)
    milieu: Annotated[Milieu | None, _choice(Milieu)] = None
    education_level: Annotated[EducationLevel | None, _choice(EducationLevel)] = None
    marital_status: Annotated[MaritalStatus | None, _choice(MaritalStatus)] = None
    household_size: Annotated[int | None, Field(ge=1, le=50)] = None
    disability: bool | None = None
    vulnerability_score: Annotated[float | None, Field(ge=0, le=100)] = None
    consent_date: Day
    consent_version: RequiredText = Field("v1", max_length=20)
    registered_on: Day | None = None


class BeneficiaryUpdate(_Input):
    """Only the fields that are set are changed (``model_fields_set``)."""

    cin: Text = None
    first_name: Text = None
    last_name: Text = None
    first_name_ar: Text = None
    last_name_ar: Text = None
    birth_date: Day | None = None
    phone: Text = None
    rib: Text = None
    province_code: Text = None
    commune: Text = Field(None, max_length=100)
    milieu: Annotated[Milieu | None, _choice(Milieu)] = None
    education_level: Annotated[EducationLevel | None, _choice(EducationLevel)] = None
    marital_status: Annotated[MaritalStatus | None, _choice(MaritalStatus)] = None
    household_size: Annotated[int | None, Field(ge=1, le=50)] = None
    disability: bool | None = None
    vulnerability_score: Annotated[float | None, Field(ge=0, le=100)] = None
    consent_date: Day | None = None
    consent_version: Text = Field(None, max_length=20)
    registered_on: Day | None = None


class EnrollmentCreate(_Input):
    """An application; with ``enrolled_on`` set she is enrolled in the same act. With
    ``intake_id`` it is an application to that call, judged by its rules."""

    beneficiary_id: RecordId
    program_id: RecordId
    applied_on: Day
    enrolled_on: Day | None = None
    intake_id: RecordId | None = None


class IntakeCreate(_Input):
    """A call for applications: rules and weights are data (:mod:`empower.targeting`)."""

    program_id: RecordId
    code: RequiredText = Field(max_length=40)
    name: RequiredText = Field(max_length=200)
    opens_on: Day
    closes_on: Day
    places: Annotated[int, Field(ge=1, le=10_000_000)]
    province_codes: list[str] | None = None
    region_codes: list[str] | None = None
    rules: list[dict[str, Any]] = Field(default_factory=list)
    weights: list[dict[str, Any]] = Field(default_factory=list)
    promote_until: Day | None = None


class CooperativeCreate(_Input):
    reference: RequiredText = Field(max_length=40)
    name: Text = Field(None, max_length=200)
    name_ar: Text = Field(None, max_length=200)
    odco_registration: Text = Field(None, max_length=60)
    rib: Text = None
    sector: Annotated[Sector, _choice(Sector)]
    province_code: RequiredText
    commune: Text = Field(None, max_length=100)
    founded_on: Day
    women_led: bool = False


class CooperativeUpdate(_Input):
    name: Text = Field(None, max_length=200)
    name_ar: Text = Field(None, max_length=200)
    odco_registration: Text = Field(None, max_length=60)
    rib: Text = None
    sector: Annotated[Sector | None, _choice(Sector)] = None
    province_code: Text = None
    commune: Text = Field(None, max_length=100)
    founded_on: Day | None = None
    women_led: bool | None = None


class MembershipCreate(_Input):
    cooperative_id: RecordId
    beneficiary_id: RecordId
    role: Annotated[CooperativeRole, _choice(CooperativeRole)] = CooperativeRole.MEMBER
    joined_on: Day


class GrantCreate(_Input):
    reference: RequiredText = Field(max_length=40)
    program_id: RecordId
    beneficiary_id: RecordId | None = None
    cooperative_id: RecordId | None = None
    purpose: Text = Field(None, max_length=300)
    amount_requested: Amount
    submitted_on: Day


class DisbursementCreate(_Input):
    grant_id: RecordId
    amount: Annotated[Decimal, BeforeValidator(_amount_text), Field(gt=0, max_digits=14,
                                                                   decimal_places=2)]
    paid_on: Day
    channel: Annotated[Channel, _choice(Channel)]
    reference: Text = Field(None, max_length=40)


class SurveyCreate(_Input):
    beneficiary_id: RecordId
    program_id: RecordId
    round: Annotated[SurveyRound, _choice(SurveyRound)]
    surveyed_on: Day
    monthly_income: Amount | None = None
    has_savings: bool | None = None
    has_account: bool | None = None
    borrowed_formal: bool | None = None
    business_operating: bool | None = None
    jobs_created: Annotated[int | None, Field(ge=0, le=10_000)] = None


class ActivityCreate(_Input):
    program_id: RecordId
    code: RequiredText = Field(max_length=40)
    kind: Annotated[ActivityKind, _choice(ActivityKind)]
    title: RequiredText = Field(max_length=200)
    partner_id: RecordId | None = None
    province_code: Text = None
    starts_on: Day
    ends_on: Day
    planned_sessions: Annotated[int, Field(ge=1, le=500)]
    completion_share: Annotated[float, Field(gt=0, le=1)] = 0.8


class SessionCreate(_Input):
    """A planned session of an activity."""

    activity_id: RecordId
    reference: RequiredText = Field(max_length=40)
    scheduled_on: Day
    commune: Text = Field(None, max_length=100)
    facilitator: Text = Field(None, max_length=200)


class AttendanceMark(_Input):
    """One line of a session's roster: a woman and whether she was there."""

    beneficiary_id: RecordId
    status: Annotated[AttendanceStatus, _choice(AttendanceStatus)]


class VisitCreate(_Input):
    """A coaching visit to exactly one of a woman's or a cooperative's project."""

    reference: RequiredText = Field(max_length=40)
    program_id: RecordId
    beneficiary_id: RecordId | None = None
    cooperative_id: RecordId | None = None
    visited_on: Day
    kind: Annotated[VisitKind, _choice(VisitKind)]
    next_visit_due: Day | None = None
    note: Text = Field(None, max_length=4000)


class BatchCreate(_Input):
    """A payment batch to build: the program's grants whose next tranche is due on
    ``planned_on``, paid through ``channel`` (optionally one region's grants only)."""

    program_id: RecordId
    channel: Annotated[PaymentChannel, _choice(PaymentChannel)]
    planned_on: Day
    region_code: Text = None
    provider: Text = Field(None, max_length=100)
    # 30 at most: each line's reference is the batch's plus "-00001".
    reference: Text = Field(None, max_length=30)


class GrievanceCreate(_Input):
    """A complaint or a data-protection request as received (phone line, in person, an
    association, a letter, WhatsApp). The woman is optional (anonymous complaints are allowed);
    without her, ``province_code`` says whose the case is. ``request_kind`` is given for a
    data-protection request only. Without ``reference`` one is made (``PLA-2026-00001``)."""

    reference: Text = Field(None, max_length=40)
    received_on: Day
    channel: Annotated[GrievanceChannel, _choice(GrievanceChannel)]
    category: Annotated[GrievanceCategory, _choice(GrievanceCategory)]
    request_kind: Annotated[DataRequestKind | None, _choice(DataRequestKind)] = None
    sensitivity: Annotated[Sensitivity | None, _choice(Sensitivity)] = None
    beneficiary_id: RecordId | None = None
    program_id: RecordId | None = None
    grant_id: RecordId | None = None
    payment_instruction_id: RecordId | None = None
    intake_id: RecordId | None = None
    province_code: Text = None
    description: Text = Field(None, max_length=8000)


class ReturnLine(_Input):
    """One line of a provider's return file: what happened to one payment instruction."""

    line: int = Field(ge=1)
    reference: RequiredText = Field(max_length=40)
    status: Annotated[InstructionStatus, _choice(InstructionStatus)]
    paid_on: Day | None = None
    provider_reference: Text = Field(None, max_length=60)
    reason: Text = Field(None, max_length=300)


M = TypeVar("M", bound=BaseModel)


def parse_input(model: type[M], data: dict[str, Any]) -> M:
    """Build an input model, turning pydantic's error into one :class:`InvalidInput` line.

    The message names the first failing field and its value, e.g.
    ``birth_date: '31/02/1990' is not a valid date``.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:  # a model that is not one of ours
        raise invalid_input_from(exc, data) from exc


def invalid_input_from(exc: ValidationError, data: dict[str, Any] | None = None) -> InvalidInput:
    """Convert a pydantic ``ValidationError`` to an :class:`InvalidInput` naming field and value."""
    first = exc.errors(include_url=False)[0]
    ctx_error = (first.get("ctx") or {}).get("error")
    if not first.get("loc") and isinstance(ctx_error, InvalidInput):
        # Raised by an input model's own __init__ (pydantic validates through it): already said.
        return ctx_error
    loc = first.get("loc") or ("input",)
    field = str(loc[0])
    value = first.get("input")
    if data is not None and field in data:
        value = data[field]
    msg = first.get("msg", "invalid")
    if isinstance(ctx_error, InvalidInput):
        # The validator named its vocabulary, not the field: say which field it was.
        detail = ctx_error.message.split(": ", 1)[-1]
        return InvalidInput(f"{field}: {detail}", code=ctx_error.code, params=ctx_error.params,
                            field=field, value=value)
    if first.get("type") == "missing":
        return InvalidInput(f"{field}: a value is required", code="input.required", field=field,
                            value=None)
    if first.get("type") == "extra_forbidden":
        return InvalidInput(f"{field}: unknown field", code="input.unknown_field",
                            params={"name": field}, field=field, value=value)
    code, params = _pydantic_code(str(first.get("type", "")), first.get("ctx") or {})
    return InvalidInput(f"{field}: '{echo(value)}' is refused ({msg.lower()})", code=code,
                        params={"value": echo(value), **params}, field=field, value=value)


# pydantic's error types, by the message code that says them to a user (the sentence is the
# catalog's, not pydantic's English).
_PYDANTIC_CODES: dict[str, str] = {
    **dict.fromkeys(("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact",
                     "date_type", "datetime_parsing", "datetime_type"), "input.not_a_date"),
    **dict.fromkeys(("int_parsing", "int_type", "int_from_float", "float_parsing",
                     "float_type"), "input.not_a_number"),
    **dict.fromkeys(("decimal_parsing", "decimal_type"), "amount.invalid"),
    "decimal_max_places": "amount.too_many_decimals",
    **dict.fromkeys(("bool_parsing", "bool_type"), "input.not_yes_no"),
    "string_too_long": "input.too_long",
    "greater_than_equal": "input.too_small",
    "greater_than": "input.not_above",
    **dict.fromkeys(("less_than_equal", "less_than"), "input.too_large"),
    "decimal_max_digits": "amount.too_large",
}


def _pydantic_code(kind: str, ctx: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    code = _PYDANTIC_CODES.get(kind, "input.refused")
    if code == "input.too_long":
        return code, {"max_length": ctx.get("max_length")}
    if code == "amount.too_large":
        whole = int(ctx.get("max_digits", 14)) - int(ctx.get("decimal_places", 2))
        return code, {"max": Decimal(10) ** whole}
    if code in ("input.too_small", "input.not_above", "input.too_large"):
        limit = next((ctx[k] for k in ("ge", "gt", "le", "lt") if k in ctx), "")
        return code, {"limit": limit}
    return code, {}
