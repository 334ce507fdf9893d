"""Grants and their tranches: submit, approve, reject, cancel, close, pay.

Money rules that must survive concurrent writers are enforced by single conditional UPDATE
statements (``... WHERE committed + x <= budget``, ``... WHERE disbursed + x <= approved``),
which the database evaluates atomically on SQLite (one writer at a time) and on PostgreSQL (row
lock, then the condition is re-checked on the latest row version). CHECK constraints on the same
columns are the last line of defence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select, update

from empower import audit
from empower.bulk import execute_rows, insert_rows
from empower.db import UnitOfWork
from empower.errors import (
    BudgetExceeded,
    Conflict,
    EmpowerError,
    InvalidInput,
    InvalidTransition,
    NotEligible,
    OverDisbursement,
)
from empower.models import (
    Beneficiary,
    Cooperative,
    Disbursement,
    Enrollment,
    Grant,
    Program,
    table_of,
    utcnow,
)
from empower.predicates import ENROLLMENT_ACTIVE, PROGRAM_RUNNING
from empower.rules import (
    centimes,
    check_after_founding,
    check_after_program_start,
    check_after_registration,
    check_four_eyes,
    free_text,
    mad,
)
from empower.schemas import DisbursementCreate, GrantCreate
from empower.services._common import (
    check_cooperative_active,
    check_not_archived,
    check_not_in_future,
    get,
    matched_rows,
)
from empower.services.activities import check_training_completed
from empower.states import check_transition
from empower.vocab import GrantStatus


def _reserve_budget(uow: UnitOfWork, program_id: int, amount_c: int) -> bool:
    """Add ``amount_c`` to the program's commitments if it still fits its budget (atomically)."""
    reserved = uow.session.execute(
        update(Program)
        .where(Program.id == program_id,
               Program.committed_centimes + amount_c <= Program.budget_centimes)
        .values(committed_centimes=Program.committed_centimes + amount_c)
        .execution_options(synchronize_session=False))
    return matched_rows(reserved) == 1


__all__ = [
    "approve_grant",
    "cancel_grant",
    "close_grant",
    "disburse",
    "reject_grant",
    "submit_grant",
]


def submit_grant(uow: UnitOfWork, data: GrantCreate, *, actor: str) -> Grant:
    """Record a grant request for exactly one recipient (a beneficiary or a cooperative).

    Raises ``InvalidInput`` for a request of 0 MAD (``grant.requested_zero``) or one dated
    before the program's start, her registration or the cooperative's founding, or after today
    plus the margin (:func:`check_request_date`); ``NotFound``; ``Conflict`` for a reference in
    use. ``actor`` is kept as the grant's ``submitted_by``: under four eyes she does not
    approve it.
    """
    who = audit.check_actor(actor)
    if (data.beneficiary_id is None) == (data.cooperative_id is None):
        raise InvalidInput("recipient: a grant goes to exactly one beneficiary or one cooperative",
                           code="grant.one_recipient", field="beneficiary_id", value=None)
    requested = centimes(data.amount_requested, field="amount_requested")
    if requested <= 0:
        raise InvalidInput("amount_requested: a grant request must be above zero",
                           code="grant.requested_zero", field="amount_requested",
                           value=str(data.amount_requested))
    program = get(uow, Program, data.program_id, what="program")
    if data.beneficiary_id is not None:
        person = get(uow, Beneficiary, data.beneficiary_id, what="beneficiary")
        check_not_archived(person, data.submitted_on)
        check_request_date(uow, data.submitted_on, program, person=person)
    else:
        assert data.cooperative_id is not None
        coop = get(uow, Cooperative, data.cooperative_id, what="cooperative")
        check_request_date(uow, data.submitted_on, program, cooperative=coop)
    other = uow.session.scalar(select(Grant.id).where(Grant.reference == data.reference))
    if other is not None:
        raise Conflict(f"reference: grant '{data.reference}' already exists (grant #{other})",
                       code="grant.reference_taken",
                       params={"reference": data.reference, "existing_id": other},
                       field="reference", value=data.reference, existing_id=other)
    grant = Grant(reference=data.reference, program_id=data.program_id,
                  beneficiary_id=data.beneficiary_id, cooperative_id=data.cooperative_id,
                  purpose=data.purpose, status=GrantStatus.SUBMITTED,
                  amount_requested_centimes=requested,
                  submitted_on=data.submitted_on, disbursed_centimes=0, submitted_by=who)
    uow.session.add(grant)
    uow.session.flush()
    audit.record(uow, actor=actor, action="submit", entity="grant", entity_id=grant.id,
                 changes=data.model_dump())
    return grant


def check_request_date(uow: UnitOfWork, on: date, program: Program, *,
                       person: Beneficiary | None = None,
                       cooperative: Cooperative | None = None) -> None:
    """A grant request's date: no earlier than the program's start and her registration (or
    the cooperative's founding), no later than today plus the margin.

    Raises ``InvalidInput`` (``date.before_program_start``, ``date.before_registration``,
    ``date.before_founding``, ``date.in_future``).
    """
    check_after_program_start(on, program.code, program.start_date, field="submitted_on")
    if person is not None:
        check_after_registration(on, person.registered_on, field="submitted_on")
    if cooperative is not None:
        check_after_founding(on, cooperative.reference, cooperative.founded_on,
                             field="submitted_on")
    check_not_in_future(uow, on, field="submitted_on")


def _check_recipient_eligible(uow: UnitOfWork, grant: Grant, on: date) -> None:
    if grant.beneficiary_id is not None:
        person = get(uow, Beneficiary, grant.beneficiary_id, what="beneficiary")
        check_not_archived(person, on)
        active = uow.session.scalar(select(Enrollment.id).where(
            Enrollment.beneficiary_id == grant.beneficiary_id,
            Enrollment.program_id == grant.program_id,
            ENROLLMENT_ACTIVE.sql(on, Enrollment)))
        if active is None:
            raise NotEligible(
                f"beneficiary #{grant.beneficiary_id} is not enrolled in program "
                f"{grant.program.code} on {on.isoformat()}", code="grant.not_enrolled",
                params={"id": grant.beneficiary_id, "program": grant.program.code, "on": on},
                field="beneficiary_id",
                value=grant.beneficiary_id)
    else:
        assert grant.cooperative_id is not None
        check_cooperative_active(uow, grant.cooperative_id, on)


def approve_grant(uow: UnitOfWork, grant_id: int, *, on: date, actor: str,
                  amount: Decimal | None = None, history: bool = False) -> Grant:
    """Approve a grant on ``on`` for ``amount`` MAD (default: the amount requested).

    The recipient must be eligible on that date (an enrolment active then, or an active
    cooperative), the amount within the request, the program's per-grant cap and what is left
    of its budget. The budget is reserved atomically, so concurrent approvals cannot overspend.

    Four eyes (when the program applies it): ``actor`` is not the one who submitted it,
    else :class:`~empower.errors.RuleViolation` ``grant.four_eyes_approve``. ``history=True``
    records an approval others made earlier (the importer loading a program's history, whose
    file says what was done, not who did it) and skips that check, and only that one.
    ``on`` is no earlier than the request and no later than today plus the margin
    (``InvalidInput``).
    When the program sets a minimum completion share, a woman must have completed its training
    activities by ``on`` (:func:`~empower.services.activities.check_training_completed`,
    ``NotEligible``).
    """
    who = audit.check_actor(actor)
    grant = get(uow, Grant, grant_id, what="grant", lock=True)
    status = check_transition(grant.status, "approve", what="grant", ref=grant.reference)
    check_four_eyes("approve", who, grant.submitted_by,
                    applies=grant.program.four_eyes and not history, reference=grant.reference)
    if on < grant.submitted_on:
        raise InvalidInput(f"approved_on: {on.isoformat()} is before the request was submitted "
                           f"on {grant.submitted_on.isoformat()}", code="grant.approved_before_submitted",
                           params={"approved_on": on, "submitted_on": grant.submitted_on},
                           field="approved_on",
                           value=on.isoformat())
    check_not_in_future(uow, on, field="approved_on")
    amount_c = (grant.amount_requested_centimes if amount is None
                else centimes(amount, field="amount_approved"))
    if amount_c <= 0:
        raise InvalidInput("amount_approved: an approved amount must be above zero",
                           code="grant.approved_zero", field="amount_approved", value=str(mad(amount_c)))
    if amount_c > grant.amount_requested_centimes:
        raise BudgetExceeded(
            f"amount_approved: {mad(amount_c)} MAD is above the {mad(grant.amount_requested_centimes)} "
            f"MAD requested", code="grant.above_requested",
            params={"amount": mad(amount_c), "requested": mad(grant.amount_requested_centimes)},
            field="amount_approved", value=str(mad(amount_c)))
    program = grant.program
    if not PROGRAM_RUNNING.holds(program, on):
        raise NotEligible(f"approved_on: program {program.code} is not running on {on.isoformat()}",
                          code="program.not_running", params={"program": program.code, "on": on},
                          field="approved_on", value=on.isoformat())
    if program.grant_cap_centimes is not None and amount_c > program.grant_cap_centimes:
        raise BudgetExceeded(
            f"amount_approved: {mad(amount_c)} MAD is above program {program.code}'s cap of "
            f"{mad(program.grant_cap_centimes)} MAD per grant", code="grant.above_cap",
            params={"amount": mad(amount_c), "program": program.code,
                    "cap": mad(program.grant_cap_centimes)}, field="amount_approved",
            value=str(mad(amount_c)))
    _check_recipient_eligible(uow, grant, on)
    if grant.beneficiary_id is not None:
        check_training_completed(uow, program, grant.beneficiary_id, on)
    if not _reserve_budget(uow, program.id, amount_c):
        uow.session.refresh(program)
        left = program.budget_centimes - program.committed_centimes
        raise BudgetExceeded(
            f"amount_approved: {mad(amount_c)} MAD is above what is left of program "
            f"{program.code}'s budget ({mad(left)} MAD)", code="grant.above_budget_left",
            params={"amount": mad(amount_c), "program": program.code, "left": mad(left)},
            field="amount_approved",
            value=str(mad(amount_c)))
    uow.session.expire(program, ["committed_centimes"])
    grant.status = status
    grant.approved_on = on
    grant.approved_by = who
    grant.amount_approved_centimes = amount_c
    uow.session.flush()
    audit.record(uow, actor=actor, action="approve", entity="grant", entity_id=grant.id,
                 changes={"status": [GrantStatus.SUBMITTED, status], "approved_on": on,
                          "amount_approved": str(mad(amount_c))})
    return grant


def reject_grant(uow: UnitOfWork, grant_id: int, *, on: date, actor: str,
                 reason: str | None = None) -> Grant:
    """Turn down a submitted grant."""
    audit.check_actor(actor)
    reason = free_text(reason, field="reason")
    grant = get(uow, Grant, grant_id, what="grant", lock=True)
    status = check_transition(grant.status, "reject", what="grant", ref=grant.reference)
    if on < grant.submitted_on:
        raise InvalidInput("rejected_on: the date is before the request",
                           code="grant.rejected_before_submitted",
                           params={"rejected_on": on, "submitted_on": grant.submitted_on},
                           field="rejected_on",
                           value=on.isoformat())
    check_not_in_future(uow, on, field="rejected_on")
    grant.status = status
    grant.rejected_on = on
    uow.session.flush()
    audit.record(uow, actor=actor, action="reject", entity="grant", entity_id=grant.id,
                 changes={"status": [GrantStatus.SUBMITTED, status], "rejected_on": on,
                          "reason": reason})
    return grant


def _end_approved_grant(uow: UnitOfWork, grant_id: int, *, action: str, on: date, actor: str,
                        reason: str | None = None) -> Grant:
    """Move an approved grant to cancelled or closed on ``on``, releasing what was not paid.

    The status change is claimed with one conditional UPDATE, so a tranche paid at the same
    moment either lands first (and stays spent) or finds the grant no longer approved.
    """
    audit.check_actor(actor)
    reason = free_text(reason, field="reason")
    grant = get(uow, Grant, grant_id, what="grant", lock=True)
    status = check_transition(grant.status, action, what="grant", ref=grant.reference)
    date_field = "cancelled_on" if action == "cancel" else "closed_on"
    assert grant.approved_on is not None and grant.amount_approved_centimes is not None
    if on < grant.approved_on:
        raise InvalidInput(f"{date_field}: the date is before the approval",
                           code="grant.ended_before_approved",
                           params={"on": on, "approved_on": grant.approved_on}, field=date_field,
                           value=on.isoformat())
    check_not_in_future(uow, on, field=date_field)
    if grant.in_flight_centimes:
        raise InvalidTransition(
            f"grant {grant.reference}: {mad(grant.in_flight_centimes)} MAD of it is in a payment "
            f"batch; cancel that batch, or reconcile it, first", code="grant.in_flight",
            params={"reference": grant.reference, "amount": mad(grant.in_flight_centimes)},
            field="status")
    claimed = uow.session.execute(
        update(Grant).where(Grant.id == grant.id, Grant.status == GrantStatus.APPROVED,
                            Grant.in_flight_centimes == 0)
        .values({"status": status, date_field: on}).execution_options(synchronize_session=False))
    if matched_rows(claimed) != 1:
        raise InvalidTransition(f"grant {grant.reference}: changed by someone else meanwhile",
                                code="grant.changed_meanwhile",
                                params={"reference": grant.reference}, field="status")
    uow.session.refresh(grant)
    released = grant.amount_approved_centimes - grant.disbursed_centimes
    if released:
        uow.session.execute(update(Program).where(Program.id == grant.program_id)
                            .values(committed_centimes=Program.committed_centimes - released)
                            .execution_options(synchronize_session=False))
        uow.session.expire(grant.program, ["committed_centimes"])
    changes: dict[str, object] = {"status": [GrantStatus.APPROVED, status], date_field: on,
                                  "released": str(mad(released))}
    if reason is not None:
        changes["reason"] = reason
    audit.record(uow, actor=actor, action=action, entity="grant", entity_id=grant.id,
                 changes=changes)
    return grant


def cancel_grant(uow: UnitOfWork, grant_id: int, *, on: date, actor: str,
                 reason: str | None = None) -> Grant:
    """Cancel an approved grant; what was not yet paid goes back to the program's budget."""
    return _end_approved_grant(uow, grant_id, action="cancel", on=on, actor=actor, reason=reason)


def close_grant(uow: UnitOfWork, grant_id: int, *, on: date, actor: str) -> Grant:
    """Close an approved grant; done automatically when its last tranche is paid.

    A grant closed before it is fully paid (the project needed less) gives the unpaid remainder
    back to the program's budget.
    """
    return _end_approved_grant(uow, grant_id, action="close", on=on, actor=actor)


_TRANCHE_REFERENCE_LENGTH = 40  # disbursements.reference


def _disbursement_reference(grant_reference: str, number: int) -> str:
    # "<grant>-T<n>", shortening a long grant reference so it fits disbursements.reference.
    suffix = f"-T{number}"
    return grant_reference[: _TRANCHE_REFERENCE_LENGTH - len(suffix)] + suffix


# The money rule of a tranche, one conditional UPDATE evaluated atomically by the database: it
# fits in what is approved, less what was paid and what open payment instructions hold. A
# batch's tranche is paid out of what its instruction held (``released``, 0 otherwise): that
# much leaves the amount in flight in the same statement, never below zero.
_GRANTS = table_of(Grant)
_PAY = (update(_GRANTS)
        .where(_GRANTS.c.id == bindparam("gid"), _GRANTS.c.status == GrantStatus.APPROVED,
               _GRANTS.c.in_flight_centimes >= bindparam("released"),
               _GRANTS.c.disbursed_centimes + _GRANTS.c.in_flight_centimes - bindparam("released")
               + bindparam("amount") <= _GRANTS.c.amount_approved_centimes)
        .values(disbursed_centimes=_GRANTS.c.disbursed_centimes + bindparam("amount"),
                in_flight_centimes=_GRANTS.c.in_flight_centimes - bindparam("released")))


def _check_paid_after_approval(grant: Grant | Any, paid_on: date) -> None:
    """A tranche is paid no earlier than the grant's approval (``InvalidInput``)."""
    assert grant.approved_on is not None
    if paid_on < grant.approved_on:
        raise InvalidInput(f"paid_on: {paid_on.isoformat()} is before the grant was approved "
                           f"on {grant.approved_on.isoformat()}", code="tranche.before_approval",
                           params={"paid_on": paid_on, "approved_on": grant.approved_on},
                           field="paid_on",
                           value=paid_on.isoformat())


def _pay_event(reference: str, amount_c: int, paid_on: date, channel: Any,
               disbursed_c: int) -> dict[str, Any]:
    return {"tranche": reference, "amount": str(mad(amount_c)), "paid_on": paid_on,
            "channel": channel, "disbursed": str(mad(disbursed_c))}


def disburse(uow: UnitOfWork, data: DisbursementCreate, *, actor: str,
             history: bool = False, batch_approved: bool = False) -> Disbursement:
    """Pay a tranche of an approved grant; never above the approved amount, even concurrently.

    When the tranche completes the approved amount, the grant is closed on the payment date.
    A tranche paid before a cancellation that is already recorded (history loaded after the
    fact) is accepted too, as it would have been on its date: it takes back from the program's
    budget what the cancellation released.

    Four eyes (when the program applies it): ``actor`` is not the one who approved the grant,
    else :class:`~empower.errors.RuleViolation` ``grant.four_eyes_disburse``; ``history=True``
    (a program's history being imported) skips that check, as for :func:`approve_grant`, and so
    does ``batch_approved=True``: the payment reconciliation of a batch whose approval already
    applied four eyes (:func:`empower.services.payments.approve_batch`).
    What open payment instructions hold (``in_flight_centimes``) is not paid twice: a tranche
    fits in what is approved, less what was paid and what is in flight.
    ``paid_on`` is no earlier than the approval and no later than today plus the margin
    (``InvalidInput``, ``date.in_future``).
    When the program sets a minimum completion share, a woman's tranches after her first wait
    until she has completed its training activities (``NotEligible``); a batch's tranche
    (``batch_approved``) was checked when the batch was built.
    """
    who = audit.check_actor(actor)
    amount_c = centimes(data.amount, field="amount")
    if amount_c <= 0:
        raise InvalidInput("amount: a tranche must be above zero", code="tranche.zero",
                           field="amount",
                           value=str(data.amount))
    grant = get(uow, Grant, data.grant_id, what="grant")
    check_not_in_future(uow, data.paid_on, field="paid_on")
    before_cancellation = (grant.status == GrantStatus.CANCELLED
                           and grant.cancelled_on is not None
                           and data.paid_on < grant.cancelled_on)
    if grant.status != GrantStatus.APPROVED and not before_cancellation:
        raise InvalidTransition(f"grant {grant.reference} is {grant.status.value}; tranches are "
                                f"paid only on approved grants", code="tranche.grant_not_approved",
                                params={"reference": grant.reference, "status": grant.status.value},
                                field="grant_reference",
                                value=grant.reference)
    check_four_eyes("disburse", who, grant.approved_by,
                    applies=grant.program.four_eyes and not history and not batch_approved,
                    reference=grant.reference)
    _check_paid_after_approval(grant, data.paid_on)
    # A batch's tranche was checked against the training as of the batch's date; once the
    # provider has paid it, the payment is a fact to record, not a request to refuse.
    if grant.beneficiary_id is not None and grant.program.min_completion_share is not None \
            and not batch_approved:
        earlier = uow.session.scalar(select(func.count(Disbursement.id)).where(
            Disbursement.grant_id == grant.id, Disbursement.paid_on <= data.paid_on))
        if earlier:
            # The first tranche starts the business; the next ones wait for the training.
            check_training_completed(uow, grant.program, grant.beneficiary_id, data.paid_on)
    reference = data.reference
    if reference is not None:
        other = uow.session.scalar(select(Disbursement.id).where(Disbursement.reference == reference))
        if other is not None:
            raise Conflict(f"reference: tranche '{reference}' already exists (disbursement #{other})",
                           code="tranche.reference_taken",
                           params={"reference": reference, "existing_id": other},
                           field="reference", value=reference, existing_id=other)
    if before_cancellation:
        paid_rows = _pay_before_cancellation(uow, grant, amount_c, data.paid_on)
    else:
        uow.session.flush()  # (a Core statement: the session does not flush for it)
        paid_rows = matched_rows(uow.session.execute(_PAY, {"gid": grant.id, "amount": amount_c,
                                                         "released": 0}))
    uow.session.refresh(grant)
    if paid_rows != 1:
        if grant.status != GrantStatus.APPROVED and not before_cancellation:
            raise InvalidTransition(f"grant {grant.reference} is {grant.status.value}; tranches "
                                    f"are paid only on approved grants",
                                    code="tranche.grant_not_approved",
                                    params={"reference": grant.reference,
                                            "status": grant.status.value},
                                    field="grant_reference",
                                    value=grant.reference)
        assert grant.amount_approved_centimes is not None
        left = grant.amount_approved_centimes - grant.disbursed_centimes - grant.in_flight_centimes
        in_flight = (f", {mad(grant.in_flight_centimes)} MAD of it in a payment batch"
                     if grant.in_flight_centimes else "")
        raise OverDisbursement(
            f"amount: {mad(amount_c)} MAD would take grant {grant.reference} above its approved "
            f"{mad(grant.amount_approved_centimes)} MAD ({mad(left)} MAD left to pay{in_flight})",
            code="tranche.above_approved",
            params={"amount": mad(amount_c), "reference": grant.reference,
                    "approved": mad(grant.amount_approved_centimes), "left": mad(left)},
            field="amount", value=str(mad(amount_c)))
    if reference is None:
        count = uow.session.scalar(select(func.count()).select_from(Disbursement)
                                   .where(Disbursement.grant_id == grant.id)) or 0
        reference = _disbursement_reference(grant.reference, count + 1)
        while uow.session.scalar(select(Disbursement.id).where(Disbursement.reference == reference)):
            count += 1
            reference = _disbursement_reference(grant.reference, count + 1)
    tranche = Disbursement(reference=reference, grant_id=grant.id, amount_centimes=amount_c,
                           paid_on=data.paid_on, channel=data.channel)
    uow.session.add(tranche)
    uow.session.flush()
    audit.record(uow, actor=actor, action="pay", entity="grant", entity_id=grant.id,
                 changes=_pay_event(reference, amount_c, data.paid_on, data.channel,
                                    grant.disbursed_centimes))
    if grant.status == GrantStatus.APPROVED and \
            grant.disbursed_centimes == grant.amount_approved_centimes:
        close_grant(uow, grant.id, on=data.paid_on, actor=actor)
    return tranche


@dataclass(frozen=True)
class BatchTranche:
    """A tranche a reconciled payment batch says was paid (see :func:`disburse_batch`)."""

    grant_id: int
    amount_centimes: int
    paid_on: date
    channel: Any
    reference: str
    # What the batch's instruction held on the grant, released as the tranche is paid.
    released_centimes: int = 0


class _NotInBulk(Exception):
    """A tranche the bulk path leaves to :func:`disburse` (which names the refusal)."""


def disburse_batch(uow: UnitOfWork, items: Sequence[BatchTranche], *,
                   actor: str) -> list[int] | None:
    """Record the paid tranches of a reconciled payment batch at once: what
    ``disburse(..., batch_approved=True)`` does one by one, with the same rules, in a few
    statements (the money rule :data:`_PAY` run as one executemany, one multi-row insert, one
    audit insert), for the thousands of lines of a provider's return file.

    Each tranche is paid out of what its instruction held (``released_centimes``), in the same
    statement. The ids of the new disbursements, in order; ``None``, with nothing written, when any tranche
    is not a plain case (a grant not approved, a date or reference refused, a tranche that does
    not fit): the caller then pays them one by one through :func:`disburse`, which raises the
    precise error. Raises nothing else.
    """
    if not items:
        return []
    audit.check_actor(actor)
    try:
        with uow.savepoint():
            return _disburse_batch(uow, items, actor)
    except (_NotInBulk, EmpowerError):
        return None


def _disburse_batch(uow: UnitOfWork, items: Sequence[BatchTranche], actor: str) -> list[int]:
    uow.session.flush()  # (Core statements below: the session does not flush for them)
    ids = sorted({t.grant_id for t in items})
    if len(ids) != len(items):
        raise _NotInBulk  # two tranches of one grant: one by one
    grants: dict[int, Any] = {}
    refs = [t.reference for t in items]
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        grants.update((row.id, row) for row in uow.session.execute(
            select(Grant.id, Grant.status, Grant.approved_on).where(Grant.id.in_(chunk))))
        if uow.session.scalar(select(Disbursement.id).where(
                Disbursement.reference.in_(refs[start:start + 5000])).limit(1)) is not None:
            raise _NotInBulk
    for t in items:
        grant = grants.get(t.grant_id)
        if grant is None or grant.status != GrantStatus.APPROVED or t.amount_centimes <= 0:
            raise _NotInBulk
        check_not_in_future(uow, t.paid_on, field="paid_on")
        _check_paid_after_approval(grant, t.paid_on)
    if not uow.session.get_bind().dialect.supports_sane_multi_rowcount:
        raise _NotInBulk
    paid = execute_rows(uow, _PAY, [{"gid": t.grant_id, "amount": t.amount_centimes,
                                     "released": t.released_centimes} for t in items])
    if paid != len(items):
        raise _NotInBulk
    now = utcnow()
    table = table_of(Disbursement)
    rows = [{"reference": t.reference, "grant_id": t.grant_id, "amount_centimes": t.amount_centimes,
             "paid_on": t.paid_on, "channel": t.channel, "created_at": now} for t in items]
    # Rows straight to the driver, then the ids by reference (unique): an INSERT .. RETURNING in
    # parameter order runs one statement per row on SQLite.
    insert_rows(uow, table, rows)
    by_reference: dict[str, int] = {}
    for start in range(0, len(refs), 5000):
        by_reference.update(uow.session.execute(
            select(table.c.reference, table.c.id)
            .where(table.c.reference.in_(refs[start:start + 5000]))).tuples().all())
    tranche_ids = [by_reference[ref] for ref in refs]
    # The grants are locked by the UPDATE: what they hold now is what this payment made them.
    after: dict[int, tuple[int, int | None]] = {}
    for start in range(0, len(ids), 5000):
        after.update((gid, (disbursed, approved)) for gid, disbursed, approved in uow.session.execute(
            select(Grant.id, Grant.disbursed_centimes, Grant.amount_approved_centimes)
            .where(Grant.id.in_(ids[start:start + 5000]))))
    audit.record_many(uow, actor=actor, action="pay", entity="grant", items=[
        (t.grant_id, _pay_event(t.reference, t.amount_centimes, t.paid_on, t.channel,
                                after[t.grant_id][0])) for t in items])
    uow.session.expire_all()
    for t in items:
        disbursed, approved = after[t.grant_id]
        if disbursed == approved:
            close_grant(uow, t.grant_id, on=t.paid_on, actor=actor)
    return tranche_ids


def _pay_before_cancellation(uow: UnitOfWork, grant: Grant, amount_c: int, paid_on: date) -> int:
    """Add a tranche dated before the grant's recorded cancellation; 0 when it does not fit.

    The cancellation gave the unpaid amount back to the budget, so the tranche takes its share
    back, within the budget; both updates happen in a savepoint, so a refusal leaves neither.
    """
    with uow.savepoint():
        paid = uow.session.execute(
            update(Grant)
            .where(Grant.id == grant.id, Grant.status == GrantStatus.CANCELLED,
                   Grant.cancelled_on > paid_on,
                   Grant.disbursed_centimes + amount_c <= Grant.amount_approved_centimes)
            .values(disbursed_centimes=Grant.disbursed_centimes + amount_c)
            .execution_options(synchronize_session=False))
        if matched_rows(paid) != 1:
            return 0
        if not _reserve_budget(uow, grant.program_id, amount_c):
            raise BudgetExceeded(
                f"amount: {mad(amount_c)} MAD paid before grant {grant.reference} was cancelled "
                f"no longer fits program {grant.program.code}'s budget",
                code="tranche.late_above_budget",
                params={"amount": mad(amount_c), "reference": grant.reference,
                        "program": grant.program.code}, field="amount",
                value=str(mad(amount_c)))
    uow.session.expire(grant.program, ["committed_centimes"])
    return 1
