"""Enrolments: a woman applies to a program, is enrolled or rejected, and exits."""

from __future__ import annotations

from typing import Any

import empower
from empower import vocab
from empower.errors import NotFound
from empower.models import Enrollment
from empower.schemas import EnrollmentCreate, parse_input

from .. import models as m
from ..forms import DATE_ON, DATE_REASON, Action, Field, FormSpec, date_value, form_data
from ..scope import Principal, check_person, check_program
from .base import N_, Column, Filter, Resource
from .filters import by_int, equals, program_options, vocab_options

__all__ = ["resource"]

_C = Column

FIELDS = [
    Field("beneficiary_id", N_("Beneficiary #"), "number", required=True),
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("applied_on", N_("Applied on"), "date", required=True),
    Field("enrolled_on", N_("Enrolled on"), "date"),
]


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(EnrollmentCreate, form_data(FIELDS, values))
    check_person(uow, p, data.beneficiary_id)
    check_program(uow, p, data.program_id)
    enrolment = empower.apply(uow, data, actor=p.actor)
    return f"/enrollments/{enrolment.id}"


def _enrollment(uow: Any, p: Principal, record_id: int) -> Enrollment:
    row = uow.session.get(Enrollment, record_id)
    if row is None:
        raise NotFound(f"enrolment #{record_id} does not exist", code="record.not_found",
                       params={"what": "enrolment", "id": record_id})
    check_person(uow, p, row.beneficiary_id)
    return row


def enroll(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    _enrollment(uow, p, record_id)
    empower.enroll(uow, record_id, on=date_value(values, "on"), actor=p.actor)
    return f"/enrollments/{record_id}"


def reject(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    _enrollment(uow, p, record_id)
    empower.reject_enrollment(uow, record_id, on=date_value(values, "on"), actor=p.actor,
                              reason=values.get("reason") or None)
    return f"/enrollments/{record_id}"


def exit_(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    _enrollment(uow, p, record_id)
    empower.exit_enrollment(uow, record_id, on=date_value(values, "on"),
                            reason=values.get("reason") or "", actor=p.actor)
    return f"/enrollments/{record_id}"


resource = Resource(
    "enrollments", N_("Enrolments"), m.Enrollment,
    [_C("id", "#"), _C("beneficiary_id", N_("Beneficiary"), "link"),
     _C("program_id", N_("Program"), "link"), _C("status", N_("Status"), "label"),
     _C("applied_on", N_("Applied on"), "date"), _C("enrolled_on", N_("Enrolled on"), "date"),
     _C("exited_on", N_("Exited on"), "date"), _C("exit_reason", N_("Exit reason"), "label")],
    lambda p: p.within, None, "",
    [Filter("status", N_("Status"), vocab_options(vocab.EnrollmentStatus),
            equals("status", vocab.EnrollmentStatus)),
     Filter("program", N_("Program"), program_options, by_int("program_id"))],
    create=FormSpec(FIELDS, create, N_("Record an application")),
    actions=[
        Action("enroll", N_("Enrol"), DATE_ON, enroll, lambda r: r.get("status") == "applied"),
        Action("reject", N_("Reject"), DATE_REASON, reject,
               lambda r: r.get("status") == "applied", "danger"),
        Action("exit", N_("Exit"), [*DATE_ON, Field("reason", N_("Exit reason"), "select",
                                                     vocab.ExitReason, required=True)],
               exit_, lambda r: r.get("status") == "enrolled", "warning"),
    ],
    audit_entity="enrollment",
)
