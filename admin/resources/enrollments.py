"""Enrolments: a woman applies to a program, is enrolled or rejected, and exits.

An application to a call (an intake) is judged by its rules when it is recorded; its page shows
each rule's result, the rules version, score and rank (:func:`page`), and an officer may override
a refusal by the rules with a written reason (:func:`override`). It is enrolled by the intake's
selection, not by the *Enrol* button.
"""

from __future__ import annotations

from typing import Any

import empower
from empower import vocab
from empower.errors import NotFound
from empower.models import Enrollment, Intake
from empower.schemas import EnrollmentCreate, parse_input
from empower.services import targeting

from .. import models as m
from ..forms import DATE_ON, DATE_REASON, Action, Field, FormSpec, date_value, form_data
from ..scope import Principal, check_person, check_program
from .base import N_, Column, Filter, Resource
from .filters import by_int, equals, program_options, vocab_options
from .intakes import covers_intake, intake_scope, open_intake_options, rule_label

__all__ = ["resource"]

_C = Column

FIELDS = [
    Field("beneficiary_id", N_("Beneficiary #"), "number", required=True),
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("applied_on", N_("Applied on"), "date", required=True),
    Field("enrolled_on", N_("Enrolled on"), "date"),
    Field("intake_id", N_("Call for applications (open)"), "select", open_intake_options),
]


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(EnrollmentCreate, form_data(FIELDS, values))
    check_person(uow, p, data.beneficiary_id)
    check_program(uow, p, data.program_id)
    if data.intake_id is not None:
        check_intake(uow, p, data.intake_id)
    enrolment = empower.apply(uow, data, actor=p.actor)
    return f"/enrollments/{enrolment.id}"


def check_intake(uow: Any, p: Principal, intake_id: int) -> None:
    """Raises :class:`NotFound` unless the intake exists and its program is one she sees."""
    intake = uow.session.get(Intake, intake_id)
    if intake is None:
        raise NotFound(f"intake #{intake_id} does not exist", code="record.not_found",
                       params={"what": "intake", "id": intake_id}, field="intake_id",
                       value=intake_id)
    check_program(uow, p, intake.program_id)
    if not covers_intake(p, intake.region_codes, intake.province_codes):
        raise NotFound(f"intake #{intake_id} does not exist", code="record.not_found",
                       params={"what": "intake", "id": intake_id}, field="intake_id",
                       value=intake_id)


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


def override(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    """Take back a refusal by an intake's rules (officers of her regions, admins), with the
    reason she writes (:func:`empower.services.targeting.override_refusal`)."""
    _enrollment(uow, p, record_id)
    targeting.override_refusal(uow, record_id, reason=values.get("reason") or "",
                               actor=p.actor)
    return f"/enrollments/{record_id}"


async def page(row: dict[str, Any], p: Principal, panel: Any) -> dict[str, Any]:
    """An application's result in its intake: each rule, passed, failed or missing."""
    if row.get("intake_id") is None:
        return {}
    results = [{**r, "label": rule_label(r)} for r in row.get("rule_results") or []]
    return {"application": row, "results": results}


def exit_(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    _enrollment(uow, p, record_id)
    empower.exit_enrollment(uow, record_id, on=date_value(values, "on"),
                            reason=values.get("reason") or "", actor=p.actor)
    return f"/enrollments/{record_id}"


async def _intake_options(p: Principal) -> list[tuple[str, str]]:
    rows = await intake_scope(p)(m.Intake.all()).order_by("code").values("id", "code")
    return [(str(r["id"]), r["code"]) for r in rows]


resource = Resource(
    "enrollments", N_("Enrolments"), m.Enrollment,
    [_C("id", "#"), _C("beneficiary_id", N_("Beneficiary"), "link"),
     _C("program_id", N_("Program"), "link"), _C("status", N_("Status"), "label"),
     _C("applied_on", N_("Applied on"), "date"), _C("enrolled_on", N_("Enrolled on"), "date"),
     _C("exited_on", N_("Exited on"), "date"), _C("exit_reason", N_("Exit reason"), "label"),
     _C("intake_id", N_("Call for applications"), "link")],
    lambda p: p.within, None, "",
    [Filter("status", N_("Status"), vocab_options(vocab.EnrollmentStatus),
            equals("status", vocab.EnrollmentStatus)),
     Filter("program", N_("Program"), program_options, by_int("program_id")),
     Filter("intake", N_("Call for applications"), _intake_options, by_int("intake_id"))],
    extra=[_C("score", N_("Score")), _C("rank", N_("Rank")),
           _C("waitlisted_on", N_("Waitlisted on"), "date"),
           _C("rules_version", N_("Rules version")),
           _C("override_reason", N_("Override reason")),
           _C("overridden_by", N_("Overridden by"))],
    create=FormSpec(FIELDS, create, N_("Record an application")),
    actions=[
        # An application to an intake is enrolled by its selection (or promotion).
        Action("enroll", N_("Enrol"), DATE_ON, enroll,
               lambda r: r.get("status") == "applied" and r.get("intake_id") is None),
        Action("reject", N_("Reject"), DATE_REASON, reject,
               lambda r: r.get("status") in ("applied", "waitlisted"), "danger"),
        Action("override", N_("Override the refusal"),
               [Field("reason", N_("Reason (required)"), "textarea", required=True)], override,
               lambda r: r.get("status") == "rejected" and r.get("eligible") is False
               and r.get("intake_id") is not None, "warning"),
        Action("exit", N_("Exit"), [*DATE_ON, Field("reason", N_("Exit reason"), "select",
                                                     vocab.ExitReason, required=True)],
               exit_, lambda r: r.get("status") == "enrolled", "warning"),
    ],
    page=page, page_template="_application.html",
    audit_entity="enrollment",
)
