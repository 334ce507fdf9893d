"""Payment runs: batches of tranches, signed off by a second person, reconciled from the
provider's return file.

A batch is built from the program's approved grants whose next tranche is due and whose
conditions hold on its date (:func:`build_batch`); each line (a ``PaymentInstruction``) keeps
the payee as she was and reserves its amount on the grant (``grants.in_flight_centimes``) with
one conditional UPDATE, so two batches built at once cannot both take the same money and a grant
is in at most one open batch (also the partial unique index ``uq_payment_instructions_open_grant``).
Someone other than its builder, in a role allowed to, approves it (:func:`approve_batch`); it is
sent (:func:`send_batch`, when its file is exported); the provider's return file settles each
line (:func:`reconcile_batch`): a paid line becomes a tranche through
:func:`empower.services.grants.disburse`, so every money rule, the closing of a fully paid grant,
the audit log and the reports hold unchanged; a failed or returned line releases what it held.

Status changes are claimed with conditional UPDATEs (``... WHERE status = 'draft'``), so an
approval racing a cancellation, or two reconciliations of one file, settle on one outcome.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select, update

from empower import audit
from empower.bulk import execute_rows, insert_rows
from empower.db import UnitOfWork
from empower.errors import (
    Conflict,
    EmpowerError,
    InvalidInput,
    InvalidTransition,
    LineProblem,
    NotEligible,
    ReturnRefused,
    RuleViolation,
)
from empower.models import (
    ArchivePeriod,
    Beneficiary,
    CoachingVisit,
    Cooperative,
    Disbursement,
    Grant,
    PaymentBatch,
    PaymentInstruction,
    Program,
    Province,
    User,
    person_display_name,
    table_of,
)
from empower.rules import (
    check_rib,
    mad,
    next_tranche,
    normalize_phone,
    same_actor,
)
from empower.schemas import BatchCreate, DisbursementCreate, ReturnLine
from empower.services._common import (
    check_cooperative_active,
    check_not_archived,
    check_not_in_future,
    check_region,
    check_unique,
    get,
    matched_rows,
    today,
)
from empower.services.activities import Completion, check_training_completed, completions_of
from empower.services.grants import BatchTranche, disburse, disburse_batch
from empower.states import check_transition
from empower.vocab import (
    ActivityKind,
    BatchStatus,
    Channel,
    GrantStatus,
    InstructionStatus,
    PaymentChannel,
    TrancheCondition,
)

__all__ = [
    "BatchBuild",
    "LeftOut",
    "Reconciliation",
    "approve_batch",
    "build_batch",
    "cancel_batch",
    "close_batch",
    "reconcile_batch",
    "send_batch",
]

# A batch is planned for a payment day that may be a few weeks ahead (built at the end of one
# month for the start of the next), not more.
PLANNED_AHEAD_DAYS = 45

# The tranche channel a payment channel records on the disbursement.
TRANCHE_CHANNEL = {
    PaymentChannel.BANK_TRANSFER: Channel.BANK_TRANSFER,
    PaymentChannel.CASH_OUT: Channel.CASH,
    PaymentChannel.MOBILE_MONEY: Channel.MOBILE_MONEY,
}

OPEN_INSTRUCTION = (InstructionStatus.PENDING, InstructionStatus.SENT)
SETTLED = (InstructionStatus.PAID, InstructionStatus.FAILED, InstructionStatus.RETURNED)


@dataclass(frozen=True)
class LeftOut:
    """A grant a batch did not take, and why (the code and params say it in fr/ar/en)."""

    grant_id: int
    grant_reference: str
    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class BatchBuild:
    """What :func:`build_batch` did: the batch (None when no grant was due) and the grants it
    left out, each with its reason."""

    batch: PaymentBatch | None
    left_out: list[LeftOut]
    instructions: int = 0
    total_centimes: int = 0


@dataclass
class Reconciliation:
    """What :func:`reconcile_batch` did with a return file."""

    paid: int = 0
    failed: int = 0
    returned: int = 0
    unchanged: int = 0
    duplicates: int = 0
    paid_centimes: int = 0
    still_sent: int = 0


def _left(grant: _DueGrant, exc: EmpowerError) -> LeftOut:
    return LeftOut(grant.id, grant.reference, exc.code, exc.message, dict(exc.params))


def _batch_reference(uow: UnitOfWork, program: Program, planned_on: date) -> str:
    # At most 30 characters, so each line's reference (batch-00001) fits in 40.
    stem = f"PAY-{program.code[:14]}-{planned_on:%Y%m%d}"
    taken = set(uow.session.scalars(select(PaymentBatch.reference)
                                    .where(PaymentBatch.reference.like(f"{stem}-%"))))
    number = 1
    while f"{stem}-{number:02d}" in taken:
        number += 1
    return f"{stem}-{number:02d}"


def _payee(channel: PaymentChannel, grant: _DueGrant, uow: UnitOfWork) -> dict[str, Any]:
    """The payee columns of an instruction, as the recipient is now; ``NotEligible`` when the
    channel cannot pay her (no RIB for a transfer, no CIN for a cash-out, no phone for mobile
    money)."""
    person = grant.beneficiary
    coop = grant.cooperative
    recipient = person or coop
    name = recipient.display_name if recipient is not None else None
    out: dict[str, Any] = {"payee_name": name, "payee_cin": None, "payee_rib": None,
                           "payee_phone": None}
    ref = grant.reference
    if channel == PaymentChannel.BANK_TRANSFER:
        raw = person.rib if person is not None else (coop.rib if coop else None)
        if not raw:
            raise NotEligible(f"grant {ref}: no RIB is recorded for the recipient; a transfer "
                              f"needs one", code="payment.no_rib", params={"reference": ref},
                              field="rib")
        out["payee_rib"] = check_rib(raw)
    elif channel == PaymentChannel.CASH_OUT:
        if person is None or not person.cin:
            raise NotEligible(f"grant {ref}: a cash-out is collected with a CIN; a cooperative "
                              f"is paid by transfer", code="payment.cash_out_needs_cin",
                              params={"reference": ref}, field="cin")
        out["payee_cin"] = person.cin
        out["payee_phone"] = person.phone
    else:
        phone = person.phone if person is not None else None
        try:
            phone = normalize_phone(phone, uow.rules) if phone else None
        except InvalidInput:
            phone = None
        if not phone:
            raise NotEligible(f"grant {ref}: mobile money needs the recipient's valid phone "
                              f"number", code="payment.no_phone", params={"reference": ref},
                              field="phone")
        out["payee_phone"] = phone
    return out


def _checks_training(program: Program) -> bool:
    return (TrancheCondition.TRAINING_COMPLETED in (program.tranche_conditions or [])
            or program.min_completion_share is not None)


def _check_conditions(uow: UnitOfWork, program: Program, grant: _DueGrant, on: date,
                      last_paid: date | None, visited: set[tuple[str, int | None]],
                      trained: dict[int, list[Completion]] | None = None) -> None:
    """The tranche conditions of the grant's program, for a tranche after the first
    (``NotEligible`` naming the one that does not hold). ``trained``: the completions of
    the batch's women, read at once."""
    conditions = set(program.tranche_conditions or [])
    if grant.beneficiary_id is not None and _checks_training(program):
        check_training_completed(uow, program, grant.beneficiary_id, on,
                                 required=TrancheCondition.TRAINING_COMPLETED in conditions,
                                 done=trained)
    if TrancheCondition.VISIT_SINCE_LAST_TRANCHE in conditions:
        key = (("b", grant.beneficiary_id) if grant.beneficiary_id is not None
               else ("c", grant.cooperative_id))
        if key not in visited:
            since = last_paid.isoformat() if last_paid else "-"
            raise NotEligible(
                f"grant {grant.reference}: no coaching visit recorded since the last tranche "
                f"({since}) by {on.isoformat()}", code="payment.no_visit_since_tranche",
                params={"reference": grant.reference, "since": since, "on": on},
                field="visited_on")


def build_batch(uow: UnitOfWork, data: BatchCreate, *, actor: str) -> BatchBuild:
    """Build a draft batch of the program's grants whose next tranche is due on
    ``data.planned_on``, for ``data.channel`` (and one region's recipients with
    ``data.region_code``).

    A grant is taken when it is approved with something left to pay, in no open batch, its
    recipient not archived or erased (a cooperative active) on that date, the channel can pay
    her (a valid RIB, a CIN, a valid phone), and, for a tranche after her first, the program's
    tranche conditions hold (training completed, a coaching visit since the last tranche). The
    amount is the next share of the program's tranche plan (:func:`~empower.rules.next_tranche`).
    Every other grant is in ``left_out`` with its reason. No batch is made when none is taken.

    Raises :class:`NotFound` (program), :class:`InvalidInput` (an unknown region, a date before
    the program's start or more than 45 days ahead), :class:`Conflict` (a reference in use).
    """
    who = audit.check_actor(actor)
    program = get(uow, Program, data.program_id, what="program")
    check_region(uow, data.region_code)
    if data.planned_on < program.start_date:
        raise InvalidInput(f"planned_on: {data.planned_on.isoformat()} is before program "
                           f"{program.code} starts ({program.start_date.isoformat()})",
                           code="date.before_program_start",
                           params={"program": program.code, "start_date": program.start_date,
                                   "value": data.planned_on}, field="planned_on",
                           value=data.planned_on.isoformat())
    if data.planned_on > today() + timedelta(days=PLANNED_AHEAD_DAYS):
        raise InvalidInput(f"planned_on: {data.planned_on.isoformat()} is more than "
                           f"{PLANNED_AHEAD_DAYS} days ahead", code="payment.planned_too_far",
                           params={"on": data.planned_on, "days": PLANNED_AHEAD_DAYS},
                           field="planned_on", value=data.planned_on.isoformat())
    if data.reference is not None:
        check_unique(uow, PaymentBatch.reference, data.reference,
                     code="payment.batch_reference_taken", what="batch", field="reference",
                     param="reference")
    on = data.planned_on
    grants = _due_grants(uow, program, data.region_code)
    paid = _tranches_paid(uow, program)
    open_in = _open_batches(uow, program)
    visited = _visited_since(uow, program, grants, paid, on)
    # Every later tranche checks her training: read for all of them in a few queries.
    trained = (completions_of(uow, [g.beneficiary_id for g in grants
                                    if g.beneficiary_id is not None and g.disbursed_centimes > 0],
                              on, program_id=program.id, kind=ActivityKind.TRAINING)
               if _checks_training(program) else None)
    shares = [Decimal(v) for v in program.tranche_shares or []]

    left_out: list[LeftOut] = []
    taken: list[tuple[_DueGrant, int, int, dict[str, Any]]] = []
    for grant in grants:
        assert grant.amount_approved_centimes is not None
        if grant.in_flight_centimes or grant.id in open_in:
            batch_ref = open_in.get(grant.id, "?")
            left_out.append(LeftOut(grant.id, grant.reference, "payment.already_in_batch",
                                    f"grant {grant.reference} is already in open batch "
                                    f"{batch_ref}", {"reference": grant.reference,
                                                     "batch": batch_ref}))
            continue
        count, last_paid = paid.get(grant.id, (0, None))
        tranche = next_tranche(grant.amount_approved_centimes, grant.disbursed_centimes, count,
                               shares)
        if tranche is None:  # (selected with something left; a concurrent payment took it)
            continue
        number, amount_c = tranche
        try:
            if grant.approved_on is not None and on < grant.approved_on:
                raise NotEligible(f"grant {grant.reference} is approved on "
                                  f"{grant.approved_on.isoformat()}, after the batch date",
                                  code="payment.approved_after_batch",
                                  params={"reference": grant.reference,
                                          "approved_on": grant.approved_on, "on": on})
            if grant.beneficiary is not None:
                check_not_archived(grant.beneficiary, on)
            else:
                assert grant.cooperative_id is not None
                check_cooperative_active(uow, grant.cooperative_id, on)
            if grant.disbursed_centimes > 0:
                _check_conditions(uow, program, grant, on, last_paid, visited, trained)
            payee = _payee(data.channel, grant, uow)
        except EmpowerError as exc:
            left_out.append(_left(grant, exc))
            continue
        taken.append((grant, number, amount_c, payee))

    if not taken:
        return BatchBuild(None, left_out)
    batch = PaymentBatch(reference=data.reference or _batch_reference(uow, program, on),
                         program_id=program.id, channel=data.channel, provider=data.provider,
                         planned_on=on, region_code=data.region_code, status=BatchStatus.DRAFT,
                         created_by=who)
    uow.session.add(batch)
    uow.session.flush()
    plain = [(g.id, g.reference, number, amount_c, payee) for g, number, amount_c, payee in taken]
    reserved = _reserve(uow, [(gid, amount_c) for gid, _r, _n, amount_c, _p in plain])
    rows: list[dict[str, Any]] = []
    events: list[tuple[int, dict[str, Any]]] = []
    for gid, grant_ref, number, amount_c, payee in plain:
        if gid not in reserved:
            # Someone paid or batched it between the read and the reservation.
            left_out.append(LeftOut(gid, grant_ref, "payment.changed_meanwhile",
                                    f"grant {grant_ref} changed meanwhile (paid or put in "
                                    f"another batch)", {"reference": grant_ref}))
            continue
        reference = f"{batch.reference}-{len(rows) + 1:05d}"
        rows.append({"batch_id": batch.id, "grant_id": gid, "reference": reference,
                     "tranche_number": number, "amount_centimes": amount_c,
                     "status": InstructionStatus.PENDING.value, **payee})
        events.append((gid, {"batch": batch.reference, "instruction": reference,
                                  "tranche_number": number, "amount": str(mad(amount_c))}))
    if not rows:
        uow.session.delete(batch)
        uow.session.flush()
        return BatchBuild(None, left_out)
    insert_rows(uow, table_of(PaymentInstruction), rows)
    total = sum(r["amount_centimes"] for r in rows)
    audit.record_many(uow, actor=actor, action="reserve", entity="grant", items=events)
    audit.record(uow, actor=actor, action="build", entity="payment_batch", entity_id=batch.id,
                 changes={"reference": batch.reference, "program": program.code,
                          "channel": data.channel, "planned_on": on,
                          "region_code": data.region_code, "provider": data.provider,
                          "instructions": len(rows), "total": str(mad(total)),
                          "left_out": len(left_out)})
    # The reservations were conditional UPDATEs: what the session holds of the grants is stale.
    uow.session.expire_all()
    return BatchBuild(batch, left_out, len(rows), total)


@dataclass(slots=True)
class _Recipient:
    """What a batch reads of a woman or a cooperative (the columns, not the ORM object: a
    national batch reads tens of thousands)."""

    id: int
    display_name: str
    cin: str | None = None
    phone: str | None = None
    rib: str | None = None
    erased_on: date | None = None
    archive_periods: list[Any] = field(default_factory=list)


@dataclass(slots=True)
class _DueGrant:
    """What a batch reads of a grant whose next tranche may be due."""

    id: int
    reference: str
    amount_approved_centimes: int
    disbursed_centimes: int
    in_flight_centimes: int
    approved_on: date | None
    beneficiary_id: int | None
    cooperative_id: int | None
    beneficiary: _Recipient | None
    cooperative: _Recipient | None


def _due_grants(uow: UnitOfWork, program: Program, region_code: str | None) -> list[_DueGrant]:
    """The program's approved grants with something left to pay (in one region, if asked),
    with what the batch reads of their recipients (her archive periods included), by
    reference."""
    g, b, c = table_of(Grant), table_of(Beneficiary), table_of(Cooperative)
    stmt = (select(g.c.id, g.c.reference, g.c.amount_approved_centimes, g.c.disbursed_centimes,
                   g.c.in_flight_centimes, g.c.approved_on, g.c.beneficiary_id,
                   g.c.cooperative_id, b.c.first_name, b.c.last_name, b.c.first_name_ar,
                   b.c.last_name_ar, b.c.cin, b.c.phone, b.c.rib, b.c.erased_on,
                   c.c.name.label("coop_name"), c.c.name_ar.label("coop_name_ar"),
                   c.c.rib.label("coop_rib"))
            .select_from(g.outerjoin(b, b.c.id == g.c.beneficiary_id)
                         .outerjoin(c, c.c.id == g.c.cooperative_id))
            .where(g.c.program_id == program.id, g.c.status == GrantStatus.APPROVED,
                   g.c.disbursed_centimes < g.c.amount_approved_centimes)
            .order_by(g.c.reference))
    if region_code is not None:
        person_region = (select(Province.region_code)
                         .where(Province.code == b.c.province_code).scalar_subquery())
        coop_region = (select(Province.region_code)
                       .where(Province.code == c.c.province_code).scalar_subquery())
        stmt = stmt.where(func.coalesce(person_region, coop_region) == region_code)
    out: list[_DueGrant] = []
    women: dict[int, _Recipient] = {}
    for (gid, reference, approved_c, disbursed_c, in_flight_c, approved_on, woman_id, coop_id,
         first, last, first_ar, last_ar, cin, phone, rib, erased_on, coop_name, coop_name_ar,
         coop_rib) in uow.session.execute(stmt).all():
        person = coop = None
        if woman_id is not None:
            person = _Recipient(woman_id,
                                person_display_name(first, last, first_ar, last_ar, woman_id),
                                cin, phone, rib, erased_on)
            women[woman_id] = person
        elif coop_id is not None:
            coop = _Recipient(coop_id, coop_name or coop_name_ar, rib=coop_rib)
        out.append(_DueGrant(gid, reference, approved_c, disbursed_c, in_flight_c, approved_on,
                             woman_id, coop_id, person, coop))
    # Her archive periods (few women have any), through the program's grants, not an id list.
    periods = table_of(ArchivePeriod)
    for period in uow.session.execute(
            select(periods).where(periods.c.beneficiary_id.in_(
                select(g.c.beneficiary_id).where(g.c.program_id == program.id,
                                                 g.c.status == GrantStatus.APPROVED)))
            .order_by(periods.c.archived_on)).mappings().all():
        woman = women.get(period["beneficiary_id"])
        if woman is not None:
            woman.archive_periods.append(period)
    return out


def _tranches_paid(uow: UnitOfWork, program: Program) -> dict[int, tuple[int, date | None]]:
    """Per approved grant of the program: how many tranches are paid, and the last payment
    date (a join on the program, not a list of ids: a national batch has tens of thousands)."""
    return {gid: (count, last) for gid, count, last in uow.session.execute(
        select(Disbursement.grant_id, func.count(), func.max(Disbursement.paid_on))
        .join(Grant, Grant.id == Disbursement.grant_id)
        .where(Grant.program_id == program.id, Grant.status == GrantStatus.APPROVED)
        .group_by(Disbursement.grant_id)).tuples().all()}


def _open_batches(uow: UnitOfWork, program: Program) -> dict[int, str]:
    """Per approved grant of the program in an open instruction: the batch's reference."""
    return dict(uow.session.execute(
        select(PaymentInstruction.grant_id, PaymentBatch.reference)
        .join(PaymentBatch, PaymentBatch.id == PaymentInstruction.batch_id)
        .join(Grant, Grant.id == PaymentInstruction.grant_id)
        .where(Grant.program_id == program.id, Grant.status == GrantStatus.APPROVED,
               PaymentInstruction.status.in_(OPEN_INSTRUCTION))).tuples().all())


def _visited_since(uow: UnitOfWork, program: Program, grants: Sequence[_DueGrant],
                   paid: dict[int, tuple[int, date | None]], on: date) -> set[tuple[str, int | None]]:
    """The recipients (``("b", id)`` or ``("c", id)``) with a coaching visit of the program
    after their grant's last tranche and by ``on``, when the program asks for one."""
    if TrancheCondition.VISIT_SINCE_LAST_TRANCHE not in (program.tranche_conditions or []):
        return set()
    last_visit: dict[tuple[str, int | None], date] = {}
    for bid, cid, visited_on in uow.session.execute(
            select(CoachingVisit.beneficiary_id, CoachingVisit.cooperative_id,
                   func.max(CoachingVisit.visited_on))
            .where(CoachingVisit.program_id == program.id, CoachingVisit.visited_on <= on)
            .group_by(CoachingVisit.beneficiary_id, CoachingVisit.cooperative_id)):
        last_visit[("b", bid) if bid is not None else ("c", cid)] = visited_on
    out: set[tuple[str, int | None]] = set()
    for grant in grants:
        key = (("b", grant.beneficiary_id) if grant.beneficiary_id is not None
               else ("c", grant.cooperative_id))
        since = paid.get(grant.id, (0, None))[1]
        seen = last_visit.get(key)
        if seen is not None and (since is None or seen > since):
            out.add(key)
    return out


def _reserve(uow: UnitOfWork, wanted: Sequence[tuple[int, int]]) -> set[int]:
    """Reserve each ``(grant id, amount)`` on its grant if it is still approved, in no open
    instruction and the amount fits what is left; the ids reserved.

    One conditional UPDATE per grant (executemany): the database evaluates each atomically, so
    a concurrent build or payment of the same grant finds the reservation already made.
    """
    if not wanted:
        return set()
    uow.session.flush()  # (a Core statement: the session does not flush for it)
    params = [{"gid": gid, "amount": amount_c} for gid, amount_c in wanted]
    if uow.session.get_bind().dialect.supports_sane_multi_rowcount:
        # All at once; when some did not hold (someone else took them), again one by one in a
        # savepoint rolled back first, to learn which.
        try:
            with uow.savepoint():
                if execute_rows(uow, _RESERVE, params) == len(params):
                    return {gid for gid, _a in wanted}
                raise _OneByOne
        except _OneByOne:
            pass
    return {p["gid"] for p in params if matched_rows(uow.session.execute(_RESERVE, p)) == 1}


_GRANTS = table_of(Grant)
_INSTRUCTIONS = table_of(PaymentInstruction)
# Giving back what an open instruction held (never below zero: a concurrent release went first).
_RELEASE = (update(_GRANTS)
            .where(_GRANTS.c.id == bindparam("gid"),
                   _GRANTS.c.in_flight_centimes >= bindparam("amount"))
            .values(in_flight_centimes=_GRANTS.c.in_flight_centimes - bindparam("amount")))
# Settling a sent instruction as its return line says, claimed: a concurrent reconciliation of
# the same line finds it settled.
_CLAIM = (update(_INSTRUCTIONS)
          .where(_INSTRUCTIONS.c.id == bindparam("iid"),
                 _INSTRUCTIONS.c.status == InstructionStatus.SENT)
          .values(status=bindparam("st"), settled_on=bindparam("settled"),
                  paid_on=bindparam("paid"), provider_reference=bindparam("pref"),
                  failure_reason=bindparam("why"), disbursement_id=bindparam("did")))
# Reserving an instruction's amount on its grant: still approved, in no open instruction, and
# the amount fits what is left.
_RESERVE = (update(_GRANTS)
            .where(_GRANTS.c.id == bindparam("gid"), _GRANTS.c.status == GrantStatus.APPROVED,
                   _GRANTS.c.in_flight_centimes == 0,
                   _GRANTS.c.disbursed_centimes + bindparam("amount")
                   <= _GRANTS.c.amount_approved_centimes)
            .values(in_flight_centimes=_GRANTS.c.in_flight_centimes + bindparam("amount")))
_LINK = (update(_INSTRUCTIONS).where(_INSTRUCTIONS.c.id == bindparam("iid"))
         .values(disbursement_id=bindparam("did")))


def _release(uow: UnitOfWork, instructions: Iterable[PaymentInstruction | _Instruction]
             ) -> None:
    """Give back what open instructions held on their grants."""
    for ins in instructions:
        if matched_rows(uow.session.execute(_RELEASE, {"gid": ins.grant_id,
                                                    "amount": ins.amount_centimes})) != 1:
            raise Conflict(f"instruction {ins.reference}: its grant holds less in flight than "
                           f"the instruction; changed meanwhile", code="payment.changed_meanwhile",
                           params={"reference": ins.reference})


def _claim_batch(uow: UnitOfWork, batch: PaymentBatch, current: BatchStatus,
                 values: dict[str, Any]) -> None:
    claimed = uow.session.execute(
        update(PaymentBatch).where(PaymentBatch.id == batch.id, PaymentBatch.status == current)
        .values(values).execution_options(synchronize_session=False))
    if matched_rows(claimed) != 1:
        raise InvalidTransition(f"batch {batch.reference}: changed by someone else meanwhile",
                                code="payment.batch_changed_meanwhile",
                                params={"reference": batch.reference}, field="status")
    uow.session.refresh(batch)


def check_batch_approver(uow: UnitOfWork, actor: str) -> User:
    """The panel account ``actor`` (``user:<username>``) names, active and in a role allowed to
    approve payment batches (``EMPOWER_BATCH_APPROVER_ROLES``).

    Raises :class:`RuleViolation` ``payment.approver_role`` otherwise: a script or an import
    cannot sign money off.
    """
    roles = uow.rules.batch_approver_roles
    username = actor[5:] if actor.casefold().startswith("user:") else None
    user = None if username is None else uow.session.scalar(
        select(User).where(func.lower(User.username) == username.strip().casefold()))
    if user is None or not user.is_active or user.role.value not in roles:
        raise RuleViolation(f"{actor}: a payment batch is approved by an active account with "
                            f"the role {' or '.join(roles)}", code="payment.approver_role",
                            params={"actor": actor, "roles": ", ".join(roles)}, field="actor")
    return user


def approve_batch(uow: UnitOfWork, batch_id: int, *, on: date, actor: str) -> PaymentBatch:
    """Sign a draft batch off on ``on``: the second person on money.

    ``actor`` is an active panel account in an approving role (:func:`check_batch_approver`),
    not the batch's builder, and, when the program applies four eyes, neither who submitted nor
    who approved any grant in it (:class:`RuleViolation` ``payment.four_eyes_batch`` /
    ``payment.four_eyes_grant`` naming them). :class:`InvalidTransition` when the batch is not a
    draft (or was cancelled meanwhile); ``InvalidInput`` for a date after today plus the margin.
    """
    who = audit.check_actor(actor)
    batch = get(uow, PaymentBatch, batch_id, what="payment_batch", lock=True)
    status = check_transition(batch.status, "approve", what="batch", ref=batch.reference)
    check_batch_approver(uow, who)
    if same_actor(who, batch.created_by):
        raise RuleViolation(f"batch {batch.reference}: four eyes on money; {who} built it, "
                            f"someone else approves it", code="payment.four_eyes_batch",
                            params={"reference": batch.reference})
    check_not_in_future(uow, on, field="approved_on")
    if batch.program.four_eyes:
        rows = uow.session.execute(
            select(Grant.reference, Grant.submitted_by, Grant.approved_by)
            .join(PaymentInstruction, PaymentInstruction.grant_id == Grant.id)
            .where(PaymentInstruction.batch_id == batch.id)).all()
        own = sorted(ref for ref, sub, app in rows if same_actor(who, sub) or same_actor(who, app))
        if own:
            shown = ", ".join(own[:5]) + (f" (+{len(own) - 5})" if len(own) > 5 else "")
            raise RuleViolation(f"batch {batch.reference}: four eyes on money; {who} submitted "
                                f"or approved grant {shown} in it", code="payment.four_eyes_grant",
                                params={"reference": batch.reference, "grants": shown})
    _claim_batch(uow, batch, BatchStatus.DRAFT,
                 {"status": status, "approved_by": who, "approved_on": on})
    audit.record(uow, actor=actor, action="approve", entity="payment_batch", entity_id=batch.id,
                 changes={"status": [BatchStatus.DRAFT, status], "approved_on": on})
    return batch


def cancel_batch(uow: UnitOfWork, batch_id: int, *, on: date, actor: str,
                 reason: str | None = None) -> PaymentBatch:
    """Cancel a draft batch: its instructions are cancelled and give back what they held.

    :class:`InvalidTransition` once it is approved (or approved meanwhile).
    """
    from empower.rules import free_text

    audit.check_actor(actor)
    reason = free_text(reason, field="reason")
    batch = get(uow, PaymentBatch, batch_id, what="payment_batch", lock=True)
    status = check_transition(batch.status, "cancel", what="batch", ref=batch.reference)
    check_not_in_future(uow, on, field="cancelled_on")
    _claim_batch(uow, batch, BatchStatus.DRAFT, {"status": status, "cancelled_on": on})
    pending = list(uow.session.scalars(select(PaymentInstruction).where(
        PaymentInstruction.batch_id == batch.id,
        PaymentInstruction.status == InstructionStatus.PENDING)))
    _release(uow, pending)
    uow.session.execute(update(PaymentInstruction).where(
        PaymentInstruction.batch_id == batch.id,
        PaymentInstruction.status == InstructionStatus.PENDING)
        .values(status=InstructionStatus.CANCELLED, settled_on=on)
        .execution_options(synchronize_session=False))
    uow.session.expire_all()
    audit.record_many(uow, actor=actor, action="release", entity="grant", items=[
        (ins.grant_id, {"batch": batch.reference, "instruction": ins.reference,
                        "amount": str(mad(ins.amount_centimes))}) for ins in pending])
    changes: dict[str, Any] = {"status": [BatchStatus.DRAFT, status], "cancelled_on": on,
                               "released": str(mad(sum(i.amount_centimes for i in pending)))}
    if reason is not None:
        changes["reason"] = reason
    audit.record(uow, actor=actor, action="cancel", entity="payment_batch", entity_id=batch.id,
                 changes=changes)
    return batch


def send_batch(uow: UnitOfWork, batch_id: int, *, on: date, actor: str) -> PaymentBatch:
    """Record that an approved batch's file went to the provider on ``on`` (its instructions
    are sent). A batch already sent is left as it is (a file exported again).

    :class:`InvalidTransition` for a draft (approve it first) or a cancelled batch.
    """
    audit.check_actor(actor)
    batch = get(uow, PaymentBatch, batch_id, what="payment_batch", lock=True)
    if batch.status in (BatchStatus.SENT, BatchStatus.RECONCILED, BatchStatus.CLOSED):
        return batch
    status = check_transition(batch.status, "send", what="batch", ref=batch.reference)
    check_not_in_future(uow, on, field="sent_on")
    assert batch.approved_on is not None
    if on < batch.approved_on:
        raise InvalidInput(f"sent_on: {on.isoformat()} is before the batch was approved "
                           f"({batch.approved_on.isoformat()})", code="payment.sent_before_approved",
                           params={"on": on, "approved_on": batch.approved_on}, field="sent_on",
                           value=on.isoformat())
    _claim_batch(uow, batch, BatchStatus.APPROVED, {"status": status, "sent_on": on})
    uow.session.execute(update(PaymentInstruction).where(
        PaymentInstruction.batch_id == batch.id,
        PaymentInstruction.status == InstructionStatus.PENDING)
        .values(status=InstructionStatus.SENT, sent_on=on)
        .execution_options(synchronize_session=False))
    uow.session.expire_all()
    audit.record(uow, actor=actor, action="send", entity="payment_batch", entity_id=batch.id,
                 changes={"status": [BatchStatus.APPROVED, status], "sent_on": on})
    return batch


def close_batch(uow: UnitOfWork, batch_id: int, *, on: date, actor: str) -> PaymentBatch:
    """Close a reconciled batch (nothing more will come back for it).

    :class:`InvalidTransition` before it is reconciled.
    """
    audit.check_actor(actor)
    batch = get(uow, PaymentBatch, batch_id, what="payment_batch", lock=True)
    status = check_transition(batch.status, "close", what="batch", ref=batch.reference)
    check_not_in_future(uow, on, field="closed_on")
    _claim_batch(uow, batch, BatchStatus.RECONCILED, {"status": status, "closed_on": on})
    audit.record(uow, actor=actor, action="close", entity="payment_batch", entity_id=batch.id,
                 changes={"status": [BatchStatus.RECONCILED, status], "closed_on": on})
    return batch


_OUTCOME_ACTION = {InstructionStatus.PAID: "pay", InstructionStatus.FAILED: "fail",
                   InstructionStatus.RETURNED: "return"}


def _same_outcome(ins: _Instruction, line: ReturnLine) -> bool:
    if ins.status != line.status:
        return False
    if line.status == InstructionStatus.PAID:
        return ins.paid_on == line.paid_on
    return True


def _line_key(line: ReturnLine) -> tuple[Any, ...]:
    return (line.status, line.paid_on, line.provider_reference)


def _problem(line: ReturnLine | int, code: str, message: str, *, field: str | None = None,
             value: Any = None, **params: Any) -> LineProblem:
    number = line if isinstance(line, int) else line.line
    return LineProblem(number, field, value, f"line {number}: {message}", code,
                       {"line": number, **params})


@dataclass(slots=True, frozen=True)
class _Instruction:
    """What reconciliation reads of an instruction (the columns: a batch has thousands)."""

    id: int
    reference: str
    grant_id: int
    amount_centimes: int
    status: InstructionStatus
    paid_on: date | None


def _instructions(uow: UnitOfWork, batch: PaymentBatch) -> dict[str, _Instruction]:
    """The batch's instructions by reference."""
    t = _INSTRUCTIONS
    return {row.reference: _Instruction(row.id, row.reference, row.grant_id, row.amount_centimes,
                                        InstructionStatus(row.status), row.paid_on)
            for row in uow.session.execute(
                select(t.c.id, t.c.reference, t.c.grant_id, t.c.amount_centimes, t.c.status,
                       t.c.paid_on).where(t.c.batch_id == batch.id)).all()}


def _plan_return(uow: UnitOfWork, batch: PaymentBatch, lines: Sequence[ReturnLine],
                 problems: list[LineProblem], result: Reconciliation
                 ) -> list[tuple[_Instruction, ReturnLine]]:
    """Check every line of a return file against the batch; what to settle."""
    by_ref = _instructions(uow, batch)
    seen: dict[str, ReturnLine] = {}
    todo: list[tuple[_Instruction, ReturnLine]] = []
    for line in lines:
        ins = by_ref.get(line.reference)
        if ins is None:
            problems.append(_problem(line, "payment.return_unknown_reference",
                                     f"reference {line.reference} is not a line of batch "
                                     f"{batch.reference}", field="reference",
                                     value=line.reference, reference=line.reference,
                                     batch=batch.reference))
            continue
        earlier = seen.get(line.reference)
        if earlier is not None:
            if _line_key(earlier) == _line_key(line):
                result.duplicates += 1
            else:
                problems.append(_problem(line, "payment.return_contradicts_line",
                                         f"{line.reference} says {line.status.value} where line "
                                         f"{earlier.line} says {earlier.status.value}",
                                         field="status", value=line.status.value,
                                         reference=line.reference, other=earlier.line))
            continue
        seen[line.reference] = line
        if line.status not in SETTLED:
            problems.append(_problem(line, "payment.return_status",
                                     f"status {line.status.value} is not an outcome (paid, "
                                     f"failed or returned)", field="status",
                                     value=line.status.value, status=line.status.value))
            continue
        if line.status == InstructionStatus.PAID:
            if line.paid_on is None:
                problems.append(_problem(line, "payment.return_no_paid_on",
                                         f"{line.reference} is paid but has no payment date",
                                         field="paid_on", reference=line.reference))
                continue
            assert batch.sent_on is not None
            if line.paid_on < batch.sent_on:
                problems.append(_problem(line, "payment.return_paid_before_sent",
                                         f"{line.reference} is paid on "
                                         f"{line.paid_on.isoformat()}, before the batch was sent "
                                         f"({batch.sent_on.isoformat()})", field="paid_on",
                                         value=line.paid_on.isoformat(), reference=line.reference,
                                         paid_on=line.paid_on, sent_on=batch.sent_on))
                continue
            try:
                check_not_in_future(uow, line.paid_on, field="paid_on")
            except InvalidInput as exc:
                problems.append(_problem(line, exc.code, exc.message, field="paid_on",
                                         value=line.paid_on.isoformat(), **exc.params))
                continue
        if ins.status in SETTLED:
            if _same_outcome(ins, line):
                result.unchanged += 1
            else:
                said = ins.status.value + (f" on {ins.paid_on.isoformat()}" if ins.paid_on else "")
                problems.append(_problem(line, "payment.return_contradicts_reconciled",
                                         f"{line.reference} says {line.status.value}; it was "
                                         f"already reconciled as {said}", field="status",
                                         value=line.status.value, reference=line.reference,
                                         said=said))
            continue
        if ins.status != InstructionStatus.SENT:
            problems.append(_problem(line, "payment.return_not_sent",
                                     f"{line.reference} is {ins.status.value}, not sent",
                                     field="reference", value=line.reference,
                                     reference=line.reference, status=ins.status.value))
            continue
        todo.append((ins, line))
    return todo


def reconcile_batch(uow: UnitOfWork, batch_id: int, lines: Sequence[ReturnLine], *,
                    actor: str, on: date | None = None) -> Reconciliation:
    """Apply a provider's return file to a sent batch, whole or not at all.

    Each line settles one instruction: ``paid`` (with its payment date) records the tranche
    through :func:`~empower.services.grants.disburse`, ``failed`` and ``returned`` release what
    it held. A line saying again what is already recorded changes nothing (the same file twice
    is a no-op), and so does a repeated line. When no instruction is left sent, the batch is
    reconciled (on ``on``, default today).

    Raises :class:`ReturnRefused` listing every problem line (an unknown reference, a paid line
    without date or dated before the batch was sent, two lines saying different things, a line
    contradicting an instruction already reconciled, a tranche the money rules refuse);
    :class:`InvalidTransition` when the batch was not sent.
    """
    audit.check_actor(actor)
    on = on or today()
    batch = get(uow, PaymentBatch, batch_id, what="payment_batch", lock=True)
    if batch.status not in (BatchStatus.SENT, BatchStatus.RECONCILED, BatchStatus.CLOSED):
        raise InvalidTransition(f"batch {batch.reference} is {batch.status.value}; a return file "
                                f"reconciles a batch that was sent", code="payment.not_sent",
                                params={"reference": batch.reference,
                                        "status": batch.status.value}, field="status")
    result = Reconciliation()
    problems: list[LineProblem] = []
    todo = _plan_return(uow, batch, lines, problems, result)
    if not problems and not _settle_all(uow, batch, todo, on, actor, result):
        # Some line is not a plain case: one by one, so the refusal names its line.
        for ins, line in todo:
            try:
                _settle(uow, batch, ins, line, on, actor, result)
            except EmpowerError as exc:
                problems.append(_problem(line, exc.code, exc.message, field=exc.field,
                                         value=exc.value, **exc.params))
    if problems:
        shown = ", ".join(str(p.line) for p in problems[:10])
        raise ReturnRefused(f"return file refused: {len(problems)} line(s) cannot be applied "
                            f"(lines {shown}); nothing was recorded",
                            problems=problems, code="payment.return_refused",
                            params={"count": len(problems), "lines": shown})
    # The settlements were conditional UPDATEs: what the session holds of the grants is stale.
    uow.session.expire_all()
    statuses = Counter(uow.session.scalars(select(PaymentInstruction.status).where(
        PaymentInstruction.batch_id == batch.id)))
    result.still_sent = statuses.get(InstructionStatus.SENT, 0)
    if todo:
        if batch.status == BatchStatus.SENT and not result.still_sent:
            _claim_batch(uow, batch, BatchStatus.SENT,
                         {"status": BatchStatus.RECONCILED, "reconciled_on": on})
        audit.record(uow, actor=actor, action="reconcile", entity="payment_batch",
                     entity_id=batch.id,
                     changes={"paid": result.paid, "failed": result.failed,
                              "returned": result.returned, "unchanged": result.unchanged,
                              "paid_amount": str(mad(result.paid_centimes)),
                              "still_sent": result.still_sent, "status": batch.status})
    return result


def _claim_params(ins: _Instruction, line: ReturnLine, on: date) -> dict[str, Any]:
    paid = line.status == InstructionStatus.PAID
    return {"iid": ins.id, "st": line.status, "settled": line.paid_on if paid else (line.paid_on or on),
            "paid": line.paid_on if paid else None, "pref": line.provider_reference,
            "why": line.reason, "did": None}


def _outcome_event(batch: PaymentBatch, ins: _Instruction,
                   line: ReturnLine) -> dict[str, Any]:
    return {"batch": batch.reference, "instruction": ins.reference,
            "amount": str(mad(ins.amount_centimes)), "status": line.status, "reason": line.reason}


class _OneByOne(Exception):
    """Some line of a return file needs :func:`_settle`, one by one."""


def _settle_all(uow: UnitOfWork, batch: PaymentBatch,
                todo: Sequence[tuple[_Instruction, ReturnLine]], on: date, actor: str,
                result: Reconciliation) -> bool:
    """Settle every line at once, as :func:`_settle` does one by one and with the same
    statements (the claim, the release of a failed or returned line, the tranches of the paid
    ones through :func:`~empower.services.grants.disburse_batch`, whose rules and money UPDATE
    are those of ``disburse`` and which releases what they held), each run as one executemany.
    False, with nothing written, when any line is not a plain case (a claim or a release that
    did not hold, a tranche the bulk path leaves to ``disburse``)."""
    if not todo:
        return True
    if not uow.session.get_bind().dialect.supports_sane_multi_rowcount:
        return False
    uow.session.flush()  # (Core statements below: the session does not flush for them)
    # Plain values first: the statements below expire what the session holds.
    claims = [_claim_params(i, ln, on) for i, ln in todo]
    holds = [{"gid": i.grant_id, "amount": i.amount_centimes} for i, ln in todo
             if ln.status != InstructionStatus.PAID]
    channel = TRANCHE_CHANNEL[batch.channel]
    paid = [(i.id, BatchTranche(i.grant_id, i.amount_centimes, ln.paid_on, channel, i.reference,
                                released_centimes=i.amount_centimes))
            for i, ln in todo if ln.status == InstructionStatus.PAID and ln.paid_on is not None]
    outcomes = {status: [(i.grant_id, _outcome_event(batch, i, ln)) for i, ln in todo
                         if ln.status == status]
                for status in (InstructionStatus.FAILED, InstructionStatus.RETURNED)}
    try:
        with uow.savepoint():
            # The tranches first, so that each paid line's claim links its tranche (all in
            # one savepoint: a claim that does not hold undoes the payments).
            tranche_ids = disburse_batch(uow, [t for _i, t in paid], actor=actor)
            if tranche_ids is None or len(tranche_ids) != len(paid):
                raise _OneByOne
            links = {iid: did for (iid, _t), did in zip(paid, tranche_ids, strict=True)}
            for claim in claims:
                claim["did"] = links.get(claim["iid"])
            if execute_rows(uow, _CLAIM, claims) != len(todo):
                raise _OneByOne
            # A paid line's hold is released by the payment itself (disburse_batch).
            if holds and execute_rows(uow, _RELEASE, holds) != len(holds):
                raise _OneByOne
            for status, events in outcomes.items():
                audit.record_many(uow, actor=actor, action=_OUTCOME_ACTION[status],
                                  entity="grant", items=events)
    except _OneByOne:
        return False
    result.paid += len(paid)
    result.paid_centimes += sum(t.amount_centimes for _i, t in paid)
    result.failed += sum(1 for _i, ln in todo if ln.status == InstructionStatus.FAILED)
    result.returned += sum(1 for _i, ln in todo if ln.status == InstructionStatus.RETURNED)
    return True


def _settle(uow: UnitOfWork, batch: PaymentBatch, ins: _Instruction, line: ReturnLine,
            on: date, actor: str, result: Reconciliation) -> None:
    """Settle one sent instruction as the line says (claimed, so a concurrent reconciliation
    of the same line finds it settled)."""
    claimed = uow.session.execute(_CLAIM, _claim_params(ins, line, on))
    if matched_rows(claimed) != 1:
        raise Conflict(f"{ins.reference}: reconciled by someone else meanwhile",
                       code="payment.changed_meanwhile", params={"reference": ins.reference})
    _release(uow, [ins])
    if line.status == InstructionStatus.PAID:
        assert line.paid_on is not None
        tranche = disburse(uow, DisbursementCreate(
            grant_id=ins.grant_id, amount=mad(ins.amount_centimes), paid_on=line.paid_on,
            channel=TRANCHE_CHANNEL[batch.channel], reference=ins.reference),
            actor=actor, batch_approved=True)  # the rules of disburse_batch, one by one
        uow.session.execute(_LINK, {"iid": ins.id, "did": tranche.id})
        result.paid += 1
        result.paid_centimes += ins.amount_centimes
    else:
        audit.record(uow, actor=actor, action=_OUTCOME_ACTION[line.status], entity="grant",
                     entity_id=ins.grant_id, changes=_outcome_event(batch, ins, line))
        if line.status == InstructionStatus.FAILED:
            result.failed += 1
        else:
            result.returned += 1
