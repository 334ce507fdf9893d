"""Forms and actions: every write of the panel, each one a call to a core service.

A form is a list of :class:`Field` and a handler ``(uow, values, principal) -> redirect path``
run in a SQLAlchemy unit of work with actor ``user:<username>``. Inputs are parsed with the
core's pydantic schemas; any :class:`EmpowerError` is shown on the form with the values kept.
References to other records (beneficiary, cooperative, program, grant) are checked against the
user's region scope before the service runs, so an officer cannot act outside her regions by
typing an id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

import empower
from empower import vocab
from empower.errors import InvalidInput, NotFound
from empower.models import (
    Beneficiary,
    Cooperative,
    DuplicateCandidate,
    Enrollment,
    Grant,
    Membership,
    Program,
    Province,
)
from empower.rules import centimes
from empower.schemas import (
    AgreementCreate,
    BeneficiaryCreate,
    BeneficiaryUpdate,
    CooperativeCreate,
    CooperativeUpdate,
    DisbursementCreate,
    EnrollmentCreate,
    GrantCreate,
    MembershipCreate,
    PartnerCreate,
    ProgramCreate,
    SurveyCreate,
    parse_input,
)

from .scope import Principal

__all__ = ["ACTIONS", "CREATE_FORMS", "EDIT_FORMS", "Action", "Field", "FormSpec"]

N_ = str


@dataclass
class Field:
    name: str
    label: str
    kind: str = "text"  # text | date | number | amount | select | bool | textarea | password
    choices: Any = None  # enum class or list of (value, label)
    required: bool = False
    dir: str | None = None  # "rtl" for Arabic-script inputs


@dataclass
class FormSpec:
    fields: list[Field]
    handler: Callable[[Any, dict[str, Any], Principal], str]
    title: str = ""


@dataclass
class Action:
    name: str
    label: str
    fields: list[Field]
    handler: Callable[[Any, int, dict[str, Any], Principal], str]
    when: Callable[[dict[str, Any]], bool] = lambda row: True
    style: str = "primary"


# -- scope checks on referenced records (SQLAlchemy side, inside the unit of work) -------------
def _provinces_of(uow: Any, p: Principal) -> set[str]:
    return set(uow.session.scalars(select(Province.code).where(
        Province.region_code.in_(list(p.regions)))))


def check_person(uow: Any, p: Principal, beneficiary_id: int | None) -> None:
    if beneficiary_id is None or p.is_admin:
        return
    person = uow.session.get(Beneficiary, beneficiary_id)
    if person is None or person.province_code not in _provinces_of(uow, p):
        raise NotFound(f"beneficiary #{beneficiary_id} does not exist", field="beneficiary_id",
                       value=beneficiary_id)


def check_coop(uow: Any, p: Principal, cooperative_id: int | None) -> None:
    if cooperative_id is None or p.is_admin:
        return
    coop = uow.session.get(Cooperative, cooperative_id)
    if coop is None or coop.province_code not in _provinces_of(uow, p):
        raise NotFound(f"cooperative #{cooperative_id} does not exist", field="cooperative_id",
                       value=cooperative_id)


def check_province(uow: Any, p: Principal, code: str | None) -> None:
    if code and not p.is_admin and code not in _provinces_of(uow, p):
        raise InvalidInput(f"province_code: '{code}' is outside your regions",
                           field="province_code", value=code)


def check_program(uow: Any, p: Principal, program_id: int | None) -> None:
    if program_id is None or p.is_admin:
        return
    prog = uow.session.get(Program, program_id)
    if prog is None or (prog.region_code is not None and prog.region_code not in p.regions):
        raise NotFound(f"program #{program_id} does not exist", field="program_id",
                       value=program_id)


def check_grant(uow: Any, p: Principal, grant_id: int) -> Grant:
    grant = uow.session.get(Grant, grant_id)
    if grant is None:
        raise NotFound(f"grant #{grant_id} does not exist", field="grant_id", value=grant_id)
    check_person(uow, p, grant.beneficiary_id)
    check_coop(uow, p, grant.cooperative_id)
    return grant


def _int(values: dict[str, Any], name: str) -> int | None:
    raw = (values.get(name) or "").strip().lstrip("#")
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidInput(f"{name}: '{raw}' is not a record number", field=name, value=raw)
    return int(raw)


def _date(values: dict[str, Any], name: str) -> date:
    raw = (values.get(name) or "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(f"{name}: '{raw}' is not a date (YYYY-MM-DD)", field=name,
                           value=raw) from exc


def _amount(values: dict[str, Any], name: str) -> Decimal | None:
    raw = (values.get(name) or "").strip()
    if not raw:
        return None
    return Decimal(centimes(raw, field=name)) / 100


def _data(fields: list[Field], values: dict[str, Any]) -> dict[str, Any]:
    """Form values keyed as the schema expects: blanks dropped, booleans and amounts parsed."""
    out: dict[str, Any] = {}
    for f in fields:
        raw = values.get(f.name)
        if f.kind == "bool":
            if raw in ("true", "false"):
                out[f.name] = raw == "true"
            continue
        if raw is None or str(raw).strip() == "":
            continue
        if f.kind == "amount":
            out[f.name] = _amount(values, f.name)
        else:
            out[f.name] = str(raw).strip()
    return out


# -- beneficiaries -----------------------------------------------------------------------------
BENEFICIARY_FIELDS = [
    Field("cin", N_("CIN"), required=True),
    Field("first_name", N_("First name")), Field("last_name", N_("Last name")),
    Field("first_name_ar", N_("First name (Arabic)"), dir="rtl"),
    Field("last_name_ar", N_("Last name (Arabic)"), dir="rtl"),
    Field("birth_date", N_("Birth date"), "date", required=True),
    Field("phone", N_("Phone")),
    Field("province_code", N_("Province"), "select", "provinces", required=True),
    Field("commune", N_("Commune")),
    Field("milieu", N_("Milieu"), "select", vocab.Milieu),
    Field("education_level", N_("Education"), "select", vocab.EducationLevel),
    Field("marital_status", N_("Marital status"), "select", vocab.MaritalStatus),
    Field("household_size", N_("Household size"), "number"),
    Field("disability", N_("Disability"), "bool"),
    Field("consent_date", N_("Consent date"), "date", required=True),
    Field("registered_on", N_("Registered on"), "date"),
]


def create_beneficiary(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(BeneficiaryCreate, _data(BENEFICIARY_FIELDS, values))
    check_province(uow, p, data.province_code)
    person = empower.register_beneficiary(uow, data, actor=p.actor)
    return f"/beneficiaries/{person.id}"


def edit_beneficiary(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_person(uow, p, record_id)
    data = _data(BENEFICIARY_FIELDS, values)
    # Fields left empty on the edit form are cleared, except the required ones.
    for f in BENEFICIARY_FIELDS:
        if f.name not in data and not f.required and f.kind != "bool":
            data[f.name] = None
    update = parse_input(BeneficiaryUpdate, data)
    check_province(uow, p, update.province_code)
    empower.update_beneficiary(uow, record_id, update, actor=p.actor)
    return f"/beneficiaries/{record_id}"


def archive(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_person(uow, p, record_id)
    empower.archive_beneficiary(uow, record_id, actor=p.actor, on=_date(values, "on"),
                                reason=(values.get("reason") or None))
    return f"/beneficiaries/{record_id}"


def restore(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_person(uow, p, record_id)
    empower.restore_beneficiary(uow, record_id, actor=p.actor)
    return f"/beneficiaries/{record_id}"


# -- cooperatives ------------------------------------------------------------------------------
COOP_FIELDS = [
    Field("reference", N_("Reference"), required=True), Field("name", N_("Name")),
    Field("name_ar", N_("Name (Arabic)"), dir="rtl"),
    Field("odco_registration", N_("ODCo registration")),
    Field("sector", N_("Sector"), "select", vocab.Sector, required=True),
    Field("province_code", N_("Province"), "select", "provinces", required=True),
    Field("commune", N_("Commune")), Field("founded_on", N_("Founded on"), "date", required=True),
    Field("women_led", N_("Women-led"), "bool"),
]


def create_cooperative(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(CooperativeCreate, _data(COOP_FIELDS, values))
    check_province(uow, p, data.province_code)
    coop = empower.found_cooperative(uow, data, actor=p.actor)
    return f"/cooperatives/{coop.id}"


def edit_cooperative(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_coop(uow, p, record_id)
    fields = [f for f in COOP_FIELDS if f.name != "reference"]
    data = _data(fields, values)
    update = parse_input(CooperativeUpdate, data)
    check_province(uow, p, update.province_code)
    empower.update_cooperative(uow, record_id, update, actor=p.actor)
    return f"/cooperatives/{record_id}"


MEMBER_FIELDS = [
    Field("beneficiary_id", N_("Beneficiary #"), "number", required=True),
    Field("role", N_("Role"), "select", vocab.CooperativeRole),
    Field("joined_on", N_("Joined on"), "date", required=True),
]


def admit(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_coop(uow, p, record_id)
    data = _data(MEMBER_FIELDS, values)
    data["cooperative_id"] = record_id
    parsed = parse_input(MembershipCreate, data)
    check_person(uow, p, parsed.beneficiary_id)
    empower.admit_member(uow, parsed, actor=p.actor)
    return f"/cooperatives/{record_id}"


def remove(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_coop(uow, p, record_id)
    membership_id = _int(values, "membership_id")
    member = uow.session.get(Membership, membership_id) if membership_id else None
    if member is None or member.cooperative_id != record_id:
        raise NotFound(f"membership #{membership_id} is not in this cooperative",
                       field="membership_id", value=membership_id)
    check_person(uow, p, member.beneficiary_id)
    empower.remove_member(uow, member.id, on=_date(values, "on"), actor=p.actor)
    return f"/cooperatives/{record_id}"


def dissolve(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_coop(uow, p, record_id)
    empower.dissolve_cooperative(uow, record_id, on=_date(values, "on"), actor=p.actor)
    return f"/cooperatives/{record_id}"


# -- programs, partners, agreements ------------------------------------------------------------
PROGRAM_FIELDS = [
    Field("code", N_("Code"), required=True), Field("name", N_("Name"), required=True),
    Field("funder", N_("Funder")), Field("start_date", N_("Start"), "date", required=True),
    Field("end_date", N_("End"), "date"), Field("budget", N_("Budget (MAD)"), "amount", required=True),
    Field("grant_cap", N_("Grant cap (MAD)"), "amount"),
    Field("region_code", N_("Region"), "select", "regions"),
]


def create_program(uow: Any, values: dict[str, Any], p: Principal) -> str:
    empower.create_program(uow, parse_input(ProgramCreate, _data(PROGRAM_FIELDS, values)),
                           actor=p.actor)
    return "/programs"


PARTNER_FIELDS = [
    Field("name", N_("Name"), required=True), Field("name_ar", N_("Name (Arabic)"), dir="rtl"),
    Field("kind", N_("Kind"), "select", vocab.PartnerKind, required=True),
    Field("province_code", N_("Province"), "select", "provinces"),
    Field("contact_email", N_("Email")),
]


def create_partner(uow: Any, values: dict[str, Any], p: Principal) -> str:
    empower.create_partner(uow, parse_input(PartnerCreate, _data(PARTNER_FIELDS, values)),
                           actor=p.actor)
    return "/partners"


AGREEMENT_FIELDS = [
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("partner_id", N_("Partner #"), "number", required=True),
    Field("signed_on", N_("Signed on"), "date", required=True),
    Field("ends_on", N_("Ends on"), "date"), Field("committed", N_("Committed (MAD)"), "amount"),
]


def create_agreement(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(AgreementCreate, _data(AGREEMENT_FIELDS, values))
    check_program(uow, p, data.program_id)
    empower.sign_agreement(uow, data, actor=p.actor)
    return "/agreements"


# -- enrolments --------------------------------------------------------------------------------
ENROL_FIELDS = [
    Field("beneficiary_id", N_("Beneficiary #"), "number", required=True),
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("applied_on", N_("Applied on"), "date", required=True),
    Field("enrolled_on", N_("Enrolled on"), "date"),
]


def create_enrollment(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(EnrollmentCreate, _data(ENROL_FIELDS, values))
    check_person(uow, p, data.beneficiary_id)
    check_program(uow, p, data.program_id)
    enrolment = empower.apply(uow, data, actor=p.actor)
    return f"/enrollments/{enrolment.id}"


def _enrolment(uow: Any, p: Principal, record_id: int) -> Enrollment:
    row = uow.session.get(Enrollment, record_id)
    if row is None:
        raise NotFound(f"enrolment #{record_id} does not exist")
    check_person(uow, p, row.beneficiary_id)
    return row


def enrol(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    _enrolment(uow, p, record_id)
    empower.enroll(uow, record_id, on=_date(values, "on"), actor=p.actor)
    return f"/enrollments/{record_id}"


def reject_enrolment(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    _enrolment(uow, p, record_id)
    empower.reject_enrollment(uow, record_id, on=_date(values, "on"), actor=p.actor,
                              reason=values.get("reason") or None)
    return f"/enrollments/{record_id}"


def exit_(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    _enrolment(uow, p, record_id)
    empower.exit_enrollment(uow, record_id, on=_date(values, "on"),
                            reason=values.get("reason") or "", actor=p.actor)
    return f"/enrollments/{record_id}"


# -- grants and tranches -----------------------------------------------------------------------
GRANT_FIELDS = [
    Field("reference", N_("Reference"), required=True),
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("beneficiary_id", N_("Beneficiary #"), "number"),
    Field("cooperative_id", N_("Cooperative #"), "number"),
    Field("purpose", N_("Purpose")),
    Field("amount_requested", N_("Amount requested (MAD)"), "amount", required=True),
    Field("submitted_on", N_("Submitted on"), "date", required=True),
]


def create_grant(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(GrantCreate, _data(GRANT_FIELDS, values))
    check_program(uow, p, data.program_id)
    check_person(uow, p, data.beneficiary_id)
    check_coop(uow, p, data.cooperative_id)
    grant = empower.submit_grant(uow, data, actor=p.actor)
    return f"/grants/{grant.id}"


def approve(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_grant(uow, p, record_id)
    empower.approve_grant(uow, record_id, on=_date(values, "on"), actor=p.actor,
                          amount=_amount(values, "amount"))
    return f"/grants/{record_id}"


def reject(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_grant(uow, p, record_id)
    empower.reject_grant(uow, record_id, on=_date(values, "on"), actor=p.actor,
                         reason=values.get("reason") or None)
    return f"/grants/{record_id}"


def cancel(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_grant(uow, p, record_id)
    empower.cancel_grant(uow, record_id, on=_date(values, "on"), actor=p.actor,
                         reason=values.get("reason") or None)
    return f"/grants/{record_id}"


TRANCHE_FIELDS = [
    Field("amount", N_("Amount (MAD)"), "amount", required=True),
    Field("paid_on", N_("Paid on"), "date", required=True),
    Field("channel", N_("Channel"), "select", vocab.Channel, required=True),
    Field("reference", N_("Reference")),
]


def pay(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_grant(uow, p, record_id)
    data = _data(TRANCHE_FIELDS, values)
    data["grant_id"] = record_id
    empower.disburse(uow, parse_input(DisbursementCreate, data), actor=p.actor)
    return f"/grants/{record_id}"


# -- surveys -----------------------------------------------------------------------------------
SURVEY_FIELDS = [
    Field("beneficiary_id", N_("Beneficiary #"), "number", required=True),
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("round", N_("Round"), "select", vocab.SurveyRound, required=True),
    Field("surveyed_on", N_("Surveyed on"), "date", required=True),
    Field("monthly_income", N_("Monthly income (MAD)"), "amount"),
    Field("has_savings", N_("Savings"), "bool"), Field("has_account", N_("Account"), "bool"),
    Field("borrowed_formal", N_("Formal loan"), "bool"),
    Field("business_operating", N_("Business operating"), "bool"),
    Field("jobs_created", N_("Jobs created"), "number"),
]


def create_survey(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(SurveyCreate, _data(SURVEY_FIELDS, values))
    check_person(uow, p, data.beneficiary_id)
    check_program(uow, p, data.program_id)
    empower.record_survey(uow, data, actor=p.actor)
    return f"/beneficiaries/{data.beneficiary_id}"


# -- duplicates --------------------------------------------------------------------------------
def _candidate(uow: Any, p: Principal, record_id: int) -> DuplicateCandidate:
    cand = uow.session.get(DuplicateCandidate, record_id)
    if cand is None:
        raise NotFound(f"duplicate candidate #{record_id} does not exist")
    check_person(uow, p, cand.beneficiary_id)
    check_person(uow, p, cand.other_beneficiary_id)
    return cand


def merge(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    _candidate(uow, p, record_id)
    empower.resolve_duplicate(uow, record_id, resolution="merge", actor=p.actor,
                              note=values.get("note") or None)
    return f"/duplicates/{record_id}"


def dismiss(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    _candidate(uow, p, record_id)
    empower.resolve_duplicate(uow, record_id, resolution="dismiss", actor=p.actor,
                              note=values.get("note") or None)
    return f"/duplicates/{record_id}"


# -- users (admins only; handled by accounts, not a core service) -------------------------------
USER_FIELDS = [
    Field("username", N_("User name"), required=True),
    Field("role", N_("Role"), "select", vocab.Role, required=True),
    Field("regions", N_("Regions (codes, comma-separated)")),
    Field("language", N_("Language"), "select", [("fr", "Français"), ("ar", "العربية"),
                                                  ("en", "English")]),
    Field("password", N_("Password"), "password", required=True),
]

DATE_ON = [Field("on", N_("Date"), "date", required=True)]
DATE_REASON = [*DATE_ON, Field("reason", N_("Reason"))]

CREATE_FORMS: dict[str, FormSpec] = {
    "beneficiaries": FormSpec(BENEFICIARY_FIELDS, create_beneficiary, N_("Register a beneficiary")),
    "cooperatives": FormSpec(COOP_FIELDS, create_cooperative, N_("Record a cooperative")),
    "programs": FormSpec(PROGRAM_FIELDS, create_program, N_("Create a program")),
    "partners": FormSpec(PARTNER_FIELDS, create_partner, N_("Add a partner")),
    "agreements": FormSpec(AGREEMENT_FIELDS, create_agreement, N_("Sign an agreement")),
    "enrollments": FormSpec(ENROL_FIELDS, create_enrollment, N_("Record an application")),
    "grants": FormSpec(GRANT_FIELDS, create_grant, N_("Submit a grant request")),
    "surveys": FormSpec(SURVEY_FIELDS, create_survey, N_("Record a survey")),
}

EDIT_FORMS: dict[str, tuple[list[Field], Callable[..., str]]] = {
    "beneficiaries": (BENEFICIARY_FIELDS, edit_beneficiary),
    "cooperatives": ([f for f in COOP_FIELDS if f.name != "reference"], edit_cooperative),
}

ACTIONS: dict[str, list[Action]] = {
    "beneficiaries": [
        Action("archive", N_("Archive"), DATE_REASON, archive,
               lambda r: r.get("archived_on") is None and r.get("erased_on") is None, "warning"),
        Action("restore", N_("Restore"), [], restore,
               lambda r: r.get("archived_on") is not None and r.get("erased_on") is None),
    ],
    "cooperatives": [
        Action("admit", N_("Admit a member"), MEMBER_FIELDS, admit,
               lambda r: r.get("dissolved_on") is None),
        Action("remove", N_("A member leaves"),
               [Field("membership_id", N_("Membership #"), "number", required=True), *DATE_ON],
               remove, lambda r: r.get("dissolved_on") is None, "secondary"),
        Action("dissolve", N_("Dissolve"), DATE_ON, dissolve,
               lambda r: r.get("dissolved_on") is None, "warning"),
    ],
    "enrollments": [
        Action("enrol", N_("Enrol"), DATE_ON, enrol, lambda r: r.get("status") == "applied"),
        Action("reject", N_("Reject"), DATE_REASON, reject_enrolment,
               lambda r: r.get("status") == "applied", "danger"),
        Action("exit", N_("Exit"), [*DATE_ON, Field("reason", N_("Exit reason"), "select",
                                                     vocab.ExitReason, required=True)],
               exit_, lambda r: r.get("status") == "enrolled", "warning"),
    ],
    "grants": [
        Action("approve", N_("Approve"),
               [*DATE_ON, Field("amount", N_("Amount approved (MAD)"), "amount")], approve,
               lambda r: r.get("status") == "submitted", "success"),
        Action("reject", N_("Reject"), DATE_REASON, reject,
               lambda r: r.get("status") == "submitted", "danger"),
        Action("pay", N_("Pay a tranche"), TRANCHE_FIELDS, pay,
               lambda r: r.get("status") == "approved", "primary"),
        Action("cancel", N_("Cancel"), DATE_REASON, cancel,
               lambda r: r.get("status") == "approved", "danger"),
    ],
    "duplicates": [
        Action("merge", N_("Same person: merge"), [Field("note", N_("Note"))], merge,
               lambda r: r.get("status") == "open", "warning"),
        Action("dismiss", N_("Different people: dismiss"), [Field("note", N_("Note"))], dismiss,
               lambda r: r.get("status") == "open", "secondary"),
    ],
}


# Actions offered on a list's selected rows: each row goes through the same handler (and so the
# same core service) as on its own page, all in one unit of work: all or nothing.
BULK_ACTIONS: dict[str, list[Action]] = {
    "beneficiaries": [ACTIONS["beneficiaries"][0]],
    "grants": [ACTIONS["grants"][0]],
}
BULK_LIMIT = 500
