"""Corrections of records already written: program details, dates of enrolments, grants and
memberships, survey answers; and what is never corrected.

Used by re-imports (a corrected spreadsheet updates what changed) and open to scripts. Each
function takes the wanted values, changes only what differs, applies the same rules as the act
that created the record, and writes one ``correct`` audit event naming the changed fields.
Nothing changes (and nothing is logged) when the values are already those.

What is decided is never corrected, by an import or a script: the money of a grant (its
program, recipient, requested and approved amounts: :func:`correct_grant`), a tranche paid
(:func:`confirm_disbursement`), and a cooperative's dissolution date, on which its members left
(:func:`confirm_dissolution`). Given the recorded values these change nothing; given others
they raise :class:`~empower.errors.RuleViolation`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from empower import audit
from empower.db import UnitOfWork
from empower.errors import Conflict, InvalidInput, NotEligible, RuleViolation
from empower.models import (
    Beneficiary,
    Cooperative,
    Disbursement,
    Enrollment,
    Grant,
    Membership,
    Program,
    SurveyRecord,
)
from empower.predicates import COOPERATIVE_ACTIVE, PROGRAM_RUNNING
from empower.rules import centimes, check_before_acts, check_program_start, free_text, mad
from empower.schemas import ProgramCreate, SurveyCreate
from empower.services._common import check_not_in_future, check_region, columns, get
from empower.services.enrollments import check_application_date
from empower.services.grants import check_request_date
from empower.services.programs import tranche_plan
from empower.services.surveys import check_survey_date
from empower.vocab import Channel, CooperativeRole, ExitReason, SurveyRound

__all__ = [
    "confirm_disbursement",
    "confirm_dissolution",
    "correct_enrollment",
    "correct_grant",
    "correct_membership",
    "update_program",
    "update_survey",
]


def _apply(uow: UnitOfWork, obj: Any, entity: str, wanted: dict[str, Any], *,
           actor: str, action: str = "correct") -> dict[str, list[Any]]:
    before = columns(obj, list(wanted))
    changes = audit.diff(before, wanted)
    if not changes:
        return {}
    for key in changes:
        setattr(obj, key, wanted[key])
    uow.session.flush()
    audit.record(uow, actor=actor, action=action, entity=entity, entity_id=obj.id,
                 changes=changes)
    return changes


def update_program(uow: UnitOfWork, program_id: int, data: ProgramCreate, *,
                   actor: str) -> Program:
    """Correct a program's name, funder, dates, budget, cap, region or four-eyes rule (the
    code is its key).

    The budget cannot go below what is already committed to approved grants, and the start
    cannot move before 1900 nor after the first application, grant request or survey in the
    program (``InvalidInput``, ``program.start_after_acts``).
    """
    audit.check_actor(actor)
    program = get(uow, Program, program_id, what="program", lock=True)
    check_program_start(data.start_date)
    if data.start_date != program.start_date:
        check_before_acts(data.start_date, [
            ("enrolment", uow.session.scalar(select(func.min(Enrollment.applied_on)).where(
                Enrollment.program_id == program.id))),
            ("grant", uow.session.scalar(select(func.min(Grant.submitted_on)).where(
                Grant.program_id == program.id))),
            ("survey", uow.session.scalar(select(func.min(SurveyRecord.surveyed_on)).where(
                SurveyRecord.program_id == program.id)))],
            field="start_date", code="program.start_after_acts")
    if data.code != program.code:
        other = uow.session.scalar(select(Program.id).where(Program.code == data.code))
        if other is not None:
            raise Conflict(f"code: program '{data.code}' already exists (program #{other})",
                           code="program.code_taken",
                           params={"code": data.code, "existing_id": other},
                           field="code", value=data.code, existing_id=other)
    if data.end_date is not None and data.end_date < data.start_date:
        raise InvalidInput(f"end_date: {data.end_date.isoformat()} is before the start date "
                           f"{data.start_date.isoformat()}", code="program.end_before_start",
                           params={"end_date": data.end_date, "start_date": data.start_date},
                           field="end_date",
                           value=data.end_date.isoformat())
    check_region(uow, data.region_code)
    budget = centimes(data.budget, field="budget")
    cap = None if data.grant_cap is None else centimes(data.grant_cap, field="grant_cap")
    if cap is not None and cap > budget:
        raise InvalidInput(f"grant_cap: {data.grant_cap} MAD is above the budget {data.budget} MAD",
                           code="program.cap_above_budget",
                           params={"grant_cap": mad(cap), "budget": mad(budget)},
                           field="grant_cap", value=str(data.grant_cap))
    if budget < program.committed_centimes:
        raise RuleViolation(f"budget: {data.budget} MAD is below the "
                            f"{mad(program.committed_centimes)} MAD already committed to grants",
                            code="program.budget_below_committed",
                            params={"budget": mad(budget),
                                    "committed": mad(program.committed_centimes)},
                            field="budget",
                            value=str(data.budget))
    _apply(uow, program, "program", {
        "code": data.code, "name": data.name, "funder": data.funder,
        "start_date": data.start_date, "end_date": data.end_date, "budget_centimes": budget,
        "grant_cap_centimes": cap, "region_code": data.region_code,
        "min_completion_share": data.min_completion_share,
        "four_eyes": data.four_eyes, **tranche_plan(data)}, actor=actor, action="update")
    return program


def correct_enrollment(uow: UnitOfWork, enrollment_id: int, *, actor: str,
                       applied_on: date | None = None, enrolled_on: date | None = None,
                       rejected_on: date | None = None, exited_on: date | None = None,
                       exit_reason: ExitReason | None = None) -> Enrollment:
    """Correct the dates (and exit reason) of steps an enrolment has already taken.

    A date given for a step not taken yet is refused: take the step (enrol, reject, exit)
    instead. The corrected dates keep their order and stay within the program's dates.
    """
    audit.check_actor(actor)
    enr = get(uow, Enrollment, enrollment_id, what="enrollment", lock=True)
    wanted: dict[str, Any] = {}
    steps = {"enrolled_on": (enrolled_on, enr.enrolled_on),
             "rejected_on": (rejected_on, enr.rejected_on),
             "exited_on": (exited_on, enr.exited_on),
             "exit_reason": (exit_reason, enr.exit_reason)}
    for name, (new, current) in steps.items():
        if new is None:
            continue
        if current is None:
            raise InvalidInput(f"{name}: enrolment #{enr.id} is {enr.status.value}; "
                               f"it has no {name.replace('_', ' ')} to correct",
                               code="enrolment.no_such_step",
                               params={"id": enr.id, "status": enr.status.value, "name": name},
                               field=name, value=str(new))
        wanted[name] = new
    if applied_on is not None:
        wanted["applied_on"] = applied_on
        if applied_on != enr.applied_on:
            check_application_date(uow, applied_on, enr.beneficiary, enr.program)
    for name in ("enrolled_on", "rejected_on", "exited_on"):
        if name in wanted and wanted[name] != getattr(enr, name):
            check_not_in_future(uow, wanted[name], field=name)
    final = {k: wanted.get(k, getattr(enr, k))
             for k in ("applied_on", "enrolled_on", "rejected_on", "exited_on")}
    if final["enrolled_on"] is not None and final["enrolled_on"] < final["applied_on"]:
        raise InvalidInput(f"enrolled_on: {final['enrolled_on'].isoformat()} is before her "
                           f"application on {final['applied_on'].isoformat()}",
                           code="enrolment.enrolled_before_application",
                           params={"enrolled_on": final["enrolled_on"],
                                   "applied_on": final["applied_on"]},
                           field="enrolled_on", value=final["enrolled_on"].isoformat())
    if final["rejected_on"] is not None and final["rejected_on"] < final["applied_on"]:
        raise InvalidInput(f"rejected_on: {final['rejected_on'].isoformat()} is before the "
                           f"application", code="enrolment.rejected_before_application",
                           params={"rejected_on": final["rejected_on"]}, field="rejected_on",
                           value=final["rejected_on"].isoformat())
    if final["exited_on"] is not None and final["enrolled_on"] is not None \
            and final["exited_on"] < final["enrolled_on"]:
        raise InvalidInput(f"exited_on: {final['exited_on'].isoformat()} is before she was "
                           f"enrolled on {final['enrolled_on'].isoformat()}",
                           code="enrolment.exited_before_enrolled",
                           params={"exited_on": final["exited_on"],
                                   "enrolled_on": final["enrolled_on"]}, field="exited_on",
                           value=final["exited_on"].isoformat())
    if "enrolled_on" in wanted:
        program = enr.program
        on = wanted["enrolled_on"]
        if not PROGRAM_RUNNING.holds(program, on):
            raise NotEligible(f"enrolled_on: program {program.code} is not running on "
                              f"{on.isoformat()}", code="program.not_running",
                              params={"program": program.code, "on": on},
                              field="enrolled_on", value=on.isoformat())
    _apply(uow, enr, "enrollment", wanted, actor=actor)
    return enr


def correct_grant(uow: UnitOfWork, grant_id: int, *, actor: str, purpose: str | None = None,
                  submitted_on: date | None = None, approved_on: date | None = None,
                  rejected_on: date | None = None, cancelled_on: date | None = None,
                  program_id: int | None = None, beneficiary_id: int | None = None,
                  cooperative_id: int | None = None, amount_requested: Decimal | None = None,
                  amount_approved: Decimal | None = None) -> Grant:
    """Correct a grant's purpose or the dates of steps it has already taken.

    Its program, recipient (``beneficiary_id`` or ``cooperative_id``) and amounts are decided
    money: given, they must be the recorded ones, else :class:`RuleViolation`; a date of a step
    not taken is :class:`InvalidInput` (take the step instead), as is a date out of order.
    """
    audit.check_actor(actor)
    grant = get(uow, Grant, grant_id, what="grant", lock=True)
    _check_decided(grant, program_id=program_id, beneficiary_id=beneficiary_id,
                   cooperative_id=cooperative_id, amount_requested=amount_requested,
                   amount_approved=amount_approved)
    wanted: dict[str, Any] = {}
    if purpose is not None:
        # The rule GrantCreate applies to a purpose (the text rule, 300 characters).
        wanted["purpose"] = free_text(purpose, field="purpose", max_length=300)
    if submitted_on is not None:
        wanted["submitted_on"] = submitted_on
    for name, new in (("approved_on", approved_on), ("rejected_on", rejected_on),
                      ("cancelled_on", cancelled_on)):
        if new is None:
            continue
        if getattr(grant, name) is None:
            raise InvalidInput(f"{name}: grant {grant.reference} is {grant.status.value}; "
                               f"it has no {name.replace('_', ' ')} to correct",
                               code="grant.no_such_step",
                               params={"reference": grant.reference,
                                       "status": grant.status.value, "name": name},
                               field=name, value=new.isoformat())
        wanted[name] = new
    if "submitted_on" in wanted and wanted["submitted_on"] != grant.submitted_on:
        person = None if grant.beneficiary_id is None else \
            get(uow, Beneficiary, grant.beneficiary_id, what="beneficiary")
        check_request_date(uow, wanted["submitted_on"], grant.program, person=person,
                           cooperative=grant.cooperative)
    for name in ("approved_on", "rejected_on", "cancelled_on"):
        if name in wanted and wanted[name] != getattr(grant, name):
            check_not_in_future(uow, wanted[name], field=name)
    final = {k: wanted.get(k, getattr(grant, k))
             for k in ("submitted_on", "approved_on", "rejected_on", "cancelled_on", "closed_on")}
    for later, earlier in (("approved_on", "submitted_on"), ("rejected_on", "submitted_on"),
                           ("cancelled_on", "approved_on"), ("closed_on", "approved_on")):
        if final[later] is not None and final[earlier] is not None \
                and final[later] < final[earlier]:
            raise InvalidInput(f"{later}: {final[later].isoformat()} is before "
                               f"{earlier.replace('_', ' ')} {final[earlier].isoformat()}",
                               code="grant.dates_out_of_order",
                               params={"later": later, "later_date": final[later],
                                       "earlier": earlier, "earlier_date": final[earlier]},
                               field=later, value=final[later].isoformat())
    if "approved_on" in wanted:
        program = grant.program
        on = wanted["approved_on"]
        if not PROGRAM_RUNNING.holds(program, on):
            raise NotEligible(f"approved_on: program {program.code} is not running on "
                              f"{on.isoformat()}", code="program.not_running",
                              params={"program": program.code, "on": on},
                              field="approved_on", value=on.isoformat())
        first_paid = min((d.paid_on for d in grant.disbursements), default=None)
        if first_paid is not None and first_paid < on:
            raise InvalidInput(f"approved_on: a tranche was paid on {first_paid.isoformat()}, "
                               f"before {on.isoformat()}", code="grant.approved_after_tranche",
                               params={"paid_on": first_paid, "on": on}, field="approved_on",
                               value=on.isoformat())
    _apply(uow, grant, "grant", wanted, actor=actor)
    return grant


def _check_decided(grant: Grant, *, program_id: int | None, beneficiary_id: int | None,
                   cooperative_id: int | None, amount_requested: Decimal | None,
                   amount_approved: Decimal | None) -> None:
    recipient = (grant.beneficiary_id, grant.cooperative_id)
    fixed: list[tuple[str, str, str, bool]] = [
        ("program_id", "program", "grant.program_not_corrected",
         program_id is not None and program_id != grant.program_id),
        ("beneficiary_id", "recipient", "grant.recipient_not_corrected",
         beneficiary_id is not None and recipient != (beneficiary_id, None)),
        ("cooperative_id", "recipient", "grant.recipient_not_corrected",
         cooperative_id is not None and recipient != (None, cooperative_id)),
        ("amount_requested", "amount requested", "grant.amount_requested_not_corrected",
         amount_requested is not None
         and centimes(amount_requested, field="amount_requested")
         != grant.amount_requested_centimes)]
    for name, what, code, differs in fixed:
        if differs:
            raise RuleViolation(f"{name}: grant {grant.reference} is already recorded with "
                                f"another {what}; that is not changed by import or correction",
                                code=code, params={"reference": grant.reference},
                                field=name, value=grant.reference)
    if amount_approved is not None and grant.amount_approved_centimes is not None \
            and centimes(amount_approved, field="amount_approved") \
            != grant.amount_approved_centimes:
        raise RuleViolation(f"amount_approved: grant {grant.reference} was approved for "
                            f"{mad(grant.amount_approved_centimes)} MAD; that is not changed by "
                            f"import or correction", code="grant.amount_approved_not_corrected",
                            params={"reference": grant.reference,
                                    "amount": mad(grant.amount_approved_centimes)},
                            field="amount_approved", value=str(amount_approved))


def confirm_disbursement(uow: UnitOfWork, disbursement_id: int, *, grant_id: int | None = None,
                         amount: Decimal | None = None, paid_on: date | None = None,
                         channel: Channel | None = None) -> Disbursement:
    """Check that a tranche is recorded with these values; a payment made is never corrected.

    Values not given are not checked. Raises :class:`RuleViolation` when one differs (a wrong
    payment is a matter for the program's accounts, not a correction), :class:`NotFound` when
    there is no such tranche. Changes nothing.
    """
    tranche = get(uow, Disbursement, disbursement_id, what="disbursement")
    stored = {"grant_id": tranche.grant_id, "amount": tranche.amount_centimes,
              "paid_on": tranche.paid_on, "channel": tranche.channel}
    given = {"grant_id": grant_id, "paid_on": paid_on, "channel": channel,
             "amount": None if amount is None else centimes(amount, field="amount")}
    if any(value is not None and value != stored[name] for name, value in given.items()):
        raise RuleViolation(f"reference: tranche {tranche.reference} is already recorded with "
                            f"other values; payments are not changed by import or correction",
                            code="disbursement.not_corrected",
                            params={"reference": tranche.reference}, field="reference",
                            value=tranche.reference)
    return tranche


def confirm_dissolution(uow: UnitOfWork, cooperative_id: int, *, dissolved_on: date) -> Cooperative:
    """Check that a cooperative was dissolved on ``dissolved_on``; that date is never corrected.

    Its members left on that date. Raises :class:`InvalidInput` when the cooperative is not
    dissolved (dissolve it instead), :class:`RuleViolation` when it was dissolved on another
    date. Changes nothing.
    """
    coop = get(uow, Cooperative, cooperative_id, what="cooperative")
    if coop.dissolved_on is None:
        raise InvalidInput(f"dissolved_on: cooperative {coop.reference} is not dissolved; "
                           f"dissolve it instead", code="cooperative.not_dissolved",
                           params={"reference": coop.reference}, field="dissolved_on",
                           value=dissolved_on.isoformat())
    if coop.dissolved_on != dissolved_on:
        raise RuleViolation(
            f"dissolved_on: cooperative {coop.reference} was dissolved on "
            f"{coop.dissolved_on.isoformat()}; that date is not changed by import or correction",
            code="cooperative.dissolution_not_corrected",
            params={"reference": coop.reference, "on": coop.dissolved_on},
            field="dissolved_on", value=dissolved_on.isoformat())
    return coop


def correct_membership(uow: UnitOfWork, membership_id: int, *, actor: str,
                       role: CooperativeRole | None = None, joined_on: date | None = None,
                       left_on: date | None = None) -> Membership:
    """Correct a member's role, joining date, or the date she left (if she has left)."""
    audit.check_actor(actor)
    m = get(uow, Membership, membership_id, what="membership", lock=True)
    wanted: dict[str, Any] = {}
    if role is not None:
        wanted["role"] = role
    if joined_on is not None:
        coop = get(uow, Cooperative, m.cooperative_id, what="cooperative")
        if joined_on != m.joined_on and not COOPERATIVE_ACTIVE.holds(coop, joined_on):
            raise NotEligible(f"joined_on: cooperative {coop.reference} is not active on "
                              f"{joined_on.isoformat()}", code="cooperative.not_active",
                              params={"reference": coop.reference, "on": joined_on},
                              field="joined_on",
                              value=joined_on.isoformat())
        wanted["joined_on"] = joined_on
    if left_on is not None:
        if m.left_on is None:
            raise InvalidInput(f"left_on: membership #{m.id} has not ended; record her leaving "
                               f"instead", code="membership.not_ended",
                               params={"id": m.id}, field="left_on", value=left_on.isoformat())
        wanted["left_on"] = left_on
    for name in ("joined_on", "left_on"):
        if name in wanted and wanted[name] != getattr(m, name):
            check_not_in_future(uow, wanted[name], field=name)
    final_join = wanted.get("joined_on", m.joined_on)
    final_left = wanted.get("left_on", m.left_on)
    if final_left is not None and final_left < final_join:
        raise InvalidInput(f"left_on: {final_left.isoformat()} is before she joined on "
                           f"{final_join.isoformat()}", code="membership.left_before_joined",
                           params={"left_on": final_left, "joined_on": final_join},
                           field="left_on",
                           value=final_left.isoformat())
    _apply(uow, m, "membership", wanted, actor=actor)
    return m


def update_survey(uow: UnitOfWork, survey_id: int, data: SurveyCreate, *,
                  actor: str) -> SurveyRecord:
    """Correct a survey's date and answers (its woman, program and round are its key)."""
    audit.check_actor(actor)
    record = get(uow, SurveyRecord, survey_id, what="survey", lock=True)
    if (data.beneficiary_id, data.program_id, data.round) != \
            (record.beneficiary_id, record.program_id, record.round):
        raise InvalidInput("round: a survey's woman, program and round cannot be changed",
                           code="survey.key_fixed", field="round", value=data.round.value)
    if data.surveyed_on != record.surveyed_on:
        check_survey_date(uow, data.surveyed_on,
                          get(uow, Beneficiary, record.beneficiary_id, what="beneficiary"),
                          get(uow, Program, record.program_id, what="program"))
    if data.round != SurveyRound.BASELINE:
        baseline_on = uow.session.scalar(select(SurveyRecord.surveyed_on).where(
            SurveyRecord.beneficiary_id == record.beneficiary_id,
            SurveyRecord.program_id == record.program_id,
            SurveyRecord.round == SurveyRound.BASELINE))
        if baseline_on is not None and data.surveyed_on < baseline_on:
            raise InvalidInput(f"surveyed_on: {data.surveyed_on.isoformat()} is before her "
                               f"baseline on {baseline_on.isoformat()}",
                               code="survey.before_baseline",
                               params={"surveyed_on": data.surveyed_on, "baseline_on": baseline_on},
                               field="surveyed_on",
                               value=data.surveyed_on.isoformat())
    income = None if data.monthly_income is None else centimes(
        Decimal(data.monthly_income), field="monthly_income")
    _apply(uow, record, "survey", {
        "surveyed_on": data.surveyed_on, "monthly_income_centimes": income,
        "has_savings": data.has_savings, "has_account": data.has_account,
        "borrowed_formal": data.borrowed_formal, "business_operating": data.business_operating,
        "jobs_created": data.jobs_created}, actor=actor)
    return record

