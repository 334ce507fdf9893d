"""Targeting: intakes (calls for applications), applications judged by their rules, selection
by score with a waiting list, promotion from it, and explaining one woman's result.

The rules and weights are data, read and evaluated by :mod:`empower.targeting` (one pure
function per operator, with its SQL twin for the preview). Each application records what the
rules said of her on the day she applied, with the rules version, so a letter or an appeal can
show it again; a refusal an officer overrides keeps the written reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Integer, and_, case, exists, func, or_, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import aliased

from empower import audit
from empower.db import UnitOfWork
from empower.errors import (
    EmpowerError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    RuleViolation,
)
from empower.models import (
    ArchivePeriod,
    Beneficiary,
    Enrollment,
    Grant,
    Intake,
    Program,
    Province,
    table_of,
)
from empower.predicates import ENROLLMENT_ACTIVE, GRANT_STANDING, REGISTERED
from empower.rules import free_text
from empower.schemas import EnrollmentCreate, IntakeCreate
from empower.services._common import (
    check_not_in_future,
    check_province,
    check_region,
    check_unique,
    get,
    today,
)
from empower.states import check_transition
from empower.targeting import (
    Outcome,
    Rule,
    check_rules,
    check_weights,
    facts,
    holds_sql,
    outcome,
    score,
)
from empower.vocab import EnrollmentStatus, IntakeStatus

__all__ = [
    "Evaluation",
    "Explanation",
    "PreviewRow",
    "Selection",
    "close_intake",
    "create_intake",
    "application_of",
    "explain",
    "intake_by_code",
    "judge_application",
    "open_intake",
    "override_refusal",
    "preview",
    "promote_waitlisted",
    "select_intake",
    "update_intake",
]


@dataclass(frozen=True)
class Evaluation:
    """What an intake's rules say of one woman: each rule's result, eligible, her score."""

    results: list[dict[str, Any]]
    eligible: bool
    score: Decimal

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The rules she did not pass (failed or missing a value)."""
        return [r for r in self.results if r["outcome"] != Outcome.PASSED]


@dataclass
class Selection:
    """What :func:`select_intake` did."""

    selected: list[int] = field(default_factory=list)
    waitlisted: list[int] = field(default_factory=list)
    # Enrolments that could not be enrolled on the selection day (archived since, ...), why.
    skipped: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Explanation:
    """One woman's result in an intake, as stored (or as the rules would judge her today)."""

    intake_code: str
    beneficiary_id: int
    applied: bool
    status: str | None
    results: list[dict[str, Any]]
    eligible: bool
    score: Decimal | None
    rank: int | None
    rules_version: int
    override_reason: str | None


@dataclass(frozen=True)
class PreviewRow:
    """Registered women of one province and milieu, and how many pass each rule and all."""

    province_code: str
    milieu: str | None
    registered: int
    passing: tuple[int, ...]
    passing_all: int


# --- intakes -------------------------------------------------------------------------------

def intake_by_code(uow: UnitOfWork, code: str, *, field: str = "intake_code") -> Intake:
    """The intake with this code; :class:`NotFound` (``intake.unknown``) when there is none."""
    wanted = str(code).strip()
    intake = uow.session.scalar(select(Intake).where(Intake.code == wanted))
    if intake is None:
        raise NotFound(f"intake '{wanted}' does not exist", code="intake.unknown",
                       params={"code": wanted}, field=field, value=wanted)
    return intake


def application_of(uow: UnitOfWork, intake: Intake, beneficiary_id: int) -> Enrollment:
    """Her application to ``intake``; :class:`NotFound` (``intake.no_application``) when she
    has not applied."""
    enrollment = uow.session.scalar(select(Enrollment).where(
        Enrollment.intake_id == intake.id, Enrollment.beneficiary_id == beneficiary_id))
    if enrollment is None:
        raise NotFound(f"beneficiary #{beneficiary_id} has not applied to intake {intake.code}",
                       code="intake.no_application",
                       params={"id": beneficiary_id, "code": intake.code},
                       field="cin", value=beneficiary_id)
    return enrollment


def _check_intake(uow: UnitOfWork, data: IntakeCreate, program: Program) -> dict[str, Any]:
    """The intake's columns from its input, every rule checked."""
    from empower.services._common import check_program_running

    if data.closes_on < data.opens_on:
        raise InvalidInput(f"closes_on: {data.closes_on.isoformat()} is before the opening "
                           f"{data.opens_on.isoformat()}", code="intake.closes_before_opens",
                           params={"opens_on": data.opens_on, "closes_on": data.closes_on},
                           field="closes_on", value=data.closes_on.isoformat())
    check_program_running(program, data.opens_on, field="opens_on")
    check_program_running(program, data.closes_on, field="closes_on")
    if data.promote_until is not None and data.promote_until < data.closes_on:
        raise InvalidInput(f"promote_until: {data.promote_until.isoformat()} is before the "
                           f"closing {data.closes_on.isoformat()}",
                           code="intake.promote_before_close",
                           params={"promote_until": data.promote_until,
                                   "closes_on": data.closes_on},
                           field="promote_until", value=data.promote_until.isoformat())
    provinces = sorted({str(c).strip() for c in data.province_codes or [] if str(c).strip()})
    regions = sorted({str(c).strip() for c in data.region_codes or [] if str(c).strip()})
    for code in provinces:
        check_province(uow, code, field="province_codes")
    for code in regions:
        check_region(uow, code, field="region_codes")
    rules = check_rules(data.rules)
    for rule in rules:
        if rule.field in ("province", "region"):
            values = rule.value if isinstance(rule.value, tuple) else (rule.value,)
            for code in values:
                (check_province if rule.field == "province" else check_region)(
                    uow, code, field="rules")
    weights = check_weights(data.weights)
    return {"program_id": program.id, "code": data.code, "name": data.name,
            "opens_on": data.opens_on, "closes_on": data.closes_on, "places": data.places,
            "province_codes": provinces or None, "region_codes": regions or None,
            "rules": [r.as_json() for r in rules], "weights": [w.as_json() for w in weights],
            "promote_until": data.promote_until}


def create_intake(uow: UnitOfWork, data: IntakeCreate, *, actor: str) -> Intake:
    """Create a draft intake of a program, its rules and weights checked.

    Raises :class:`InvalidInput` (``targeting.rule_invalid`` naming the rule and what is wrong;
    dates out of order; unknown province or region), :class:`NotEligible` (dates outside the
    program's), :class:`Conflict` (a code in use), :class:`NotFound` (program).
    """
    audit.check_actor(actor)
    program = get(uow, Program, data.program_id, what="program")
    values = _check_intake(uow, data, program)
    check_unique(uow, Intake.code, data.code, code="intake.code_taken", what="intake",
                 field="code", param="code")
    intake = Intake(**values, rules_version=1, status=IntakeStatus.DRAFT)
    uow.session.add(intake)
    uow.session.flush()
    audit.record(uow, actor=actor, action="create", entity="intake", entity_id=intake.id,
                 changes={k: v for k, v in values.items()})
    return intake


def update_intake(uow: UnitOfWork, intake_id: int, data: IntakeCreate, *,
                  actor: str) -> Intake:
    """Change a draft or open intake (whole, as :func:`create_intake` takes it); a change of
    rules or weights bumps its rules version (applications keep the version they were judged
    by).

    Raises :class:`RuleViolation` ``intake.locked`` once it is closed: what women were judged
    by cannot change afterwards; the errors of :func:`create_intake` otherwise.
    """
    audit.check_actor(actor)
    intake = get(uow, Intake, intake_id, what="intake", lock=True)
    if intake.status not in (IntakeStatus.DRAFT, IntakeStatus.OPEN):
        raise RuleViolation(f"intake {intake.code} is {intake.status.value}; its rules and "
                            f"dates no longer change", code="intake.locked",
                            params={"code": intake.code, "status": intake.status.value},
                            field="status")
    program = get(uow, Program, data.program_id, what="program")
    if program.id != intake.program_id:
        raise RuleViolation(f"intake {intake.code} belongs to its program; it does not move",
                            code="intake.program_fixed", params={"code": intake.code},
                            field="program_id", value=data.program_id)
    values = _check_intake(uow, data, program)
    check_unique(uow, Intake.code, values["code"], code="intake.code_taken", what="intake",
                 field="code", param="code", other_than=intake.id)
    before = {k: getattr(intake, k) for k in values}
    changes = audit.diff(before, values)
    if not changes:
        return intake
    if "rules" in changes or "weights" in changes:
        values["rules_version"] = intake.rules_version + 1
        changes["rules_version"] = [intake.rules_version, values["rules_version"]]
    for key, value in values.items():
        setattr(intake, key, value)
    uow.session.flush()
    audit.record(uow, actor=actor, action="update", entity="intake", entity_id=intake.id,
                 changes=changes)
    return intake


def _step(uow: UnitOfWork, intake_id: int, action: str, *, on: date, actor: str,
          column: str) -> Intake:
    audit.check_actor(actor)
    intake = get(uow, Intake, intake_id, what="intake", lock=True)
    status = check_transition(intake.status, action, what="intake", ref=intake.code)
    check_not_in_future(uow, on, field=column)
    before = intake.status
    claimed = uow.session.execute(
        update(Intake).where(Intake.id == intake.id, Intake.status == before)
        .values({"status": status, column: on}).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransition(f"intake {intake.code}: changed by someone else meanwhile",
                                code="intake.changed_meanwhile", params={"code": intake.code},
                                field="status")
    uow.session.refresh(intake)
    audit.record(uow, actor=actor, action=action, entity="intake", entity_id=intake.id,
                 changes={"status": [before, status], column: on})
    return intake


def open_intake(uow: UnitOfWork, intake_id: int, *, on: date, actor: str) -> Intake:
    """Open a draft intake to applications (``InvalidTransition`` otherwise)."""
    return _step(uow, intake_id, "open", on=on, actor=actor, column="opened_on")


def close_intake(uow: UnitOfWork, intake_id: int, *, on: date, actor: str) -> Intake:
    """Close an open intake: no more applications, its rules are frozen."""
    return _step(uow, intake_id, "close", on=on, actor=actor, column="closed_on")


# --- judging one woman ---------------------------------------------------------------------

def _rules_of(intake: Intake) -> list[Rule]:
    return check_rules(intake.rules)


def _coverage(intake: Intake, province: str, region: str | None) -> dict[str, Any] | None:
    """The implicit first result: she lives where the intake is open."""
    provinces = intake.province_codes or []
    regions = intake.region_codes or []
    if not provinces and not regions:
        return None
    held = province in provinces or (region is not None and region in regions)
    return {"rule": "coverage", "field": "coverage", "op": "in",
            "value": provinces + regions,
            "outcome": (Outcome.PASSED if held else Outcome.FAILED).value}


def evaluate(uow: UnitOfWork, intake: Intake, person: Beneficiary, on: date) -> Evaluation:
    """Judge ``person`` by the intake's rules as of ``on`` (her age at its closing date)."""
    region = uow.session.scalar(select(Province.region_code)
                                .where(Province.code == person.province_code))
    grant_elsewhere = uow.session.scalar(select(exists().where(
        Grant.beneficiary_id == person.id, Grant.program_id != intake.program_id,
        GRANT_STANDING.sql(on, Grant)))) or False
    enrolled_elsewhere = uow.session.scalar(select(exists().where(
        Enrollment.beneficiary_id == person.id, Enrollment.program_id != intake.program_id,
        ENROLLMENT_ACTIVE.sql(on, Enrollment)))) or False
    values = facts(person, region=region, closes_on=intake.closes_on,
                   grant_elsewhere=bool(grant_elsewhere),
                   enrolled_elsewhere=bool(enrolled_elsewhere))
    results: list[dict[str, Any]] = []
    cover = _coverage(intake, person.province_code, region)
    if cover is not None:
        results.append(cover)
    for rule in _rules_of(intake):
        results.append({"rule": rule.label(), **rule.as_json(),
                        "outcome": outcome(rule, values[rule.field]).value})
    eligible = all(r["outcome"] == Outcome.PASSED for r in results)
    return Evaluation(results, eligible, score(check_weights(intake.weights), values))


def judge_application(uow: UnitOfWork, enrollment: Enrollment, data: EnrollmentCreate,
                      person: Beneficiary) -> None:
    """Judge a new application to an intake (called by :func:`empower.apply`): the intake is
    open, of the same program, the date within it; the rules' results, the score and the
    rules version are recorded, and a woman who fails a rule is refused on the day she applied.

    Raises :class:`InvalidTransition` (``intake.not_open``), :class:`InvalidInput`
    (``intake.outside_dates``, ``intake.other_program``, ``intake.enrol_by_selection``).
    """
    assert data.intake_id is not None
    intake = get(uow, Intake, data.intake_id, what="intake")
    if intake.program_id != data.program_id:
        raise InvalidInput(f"intake_id: intake {intake.code} is a call of another program",
                           code="intake.other_program", params={"code": intake.code},
                           field="intake_id", value=data.intake_id)
    if intake.status != IntakeStatus.OPEN:
        raise InvalidTransition(f"intake {intake.code} is {intake.status.value}; applications "
                                f"are taken while it is open", code="intake.not_open",
                                params={"code": intake.code, "status": intake.status.value},
                                field="intake_id", value=data.intake_id)
    if not intake.opens_on <= data.applied_on <= intake.closes_on:
        raise InvalidInput(f"applied_on: {data.applied_on.isoformat()} is outside intake "
                           f"{intake.code} ({intake.opens_on.isoformat()} to "
                           f"{intake.closes_on.isoformat()})", code="intake.outside_dates",
                           params={"code": intake.code, "on": data.applied_on,
                                   "opens_on": intake.opens_on, "closes_on": intake.closes_on},
                           field="applied_on", value=data.applied_on.isoformat())
    if data.enrolled_on is not None:
        raise InvalidInput("enrolled_on: an application to an intake is enrolled by its "
                           "selection", code="intake.enrol_by_selection",
                           params={"code": intake.code}, field="enrolled_on",
                           value=data.enrolled_on.isoformat())
    judged = evaluate(uow, intake, person, data.applied_on)
    enrollment.intake_id = intake.id
    enrollment.rules_version = intake.rules_version
    enrollment.rule_results = judged.results
    enrollment.eligible = judged.eligible
    enrollment.score = float(judged.score)
    if not judged.eligible:
        enrollment.status = EnrollmentStatus.REJECTED
        enrollment.rejected_on = data.applied_on


def override_refusal(uow: UnitOfWork, enrollment_id: int, *, reason: str, actor: str) -> Enrollment:
    """Take back a refusal by an intake's rules, with a written reason (kept in the audit
    log): her application is eligible again for the selection.

    Raises :class:`InvalidInput` ``intake.override_reason`` without a reason,
    :class:`RuleViolation` ``intake.not_a_rule_refusal`` for an application the rules did not
    refuse, ``intake.locked`` once the intake is selected.
    """
    who = audit.check_actor(actor)
    reason_text = free_text(reason, field="reason")
    if not reason_text:
        raise InvalidInput("reason: an override says why, in writing",
                           code="intake.override_reason", field="reason", value=reason)
    enrollment = get(uow, Enrollment, enrollment_id, what="enrollment", lock=True)
    if enrollment.intake_id is None or enrollment.eligible is not False:
        raise RuleViolation(f"enrolment #{enrollment_id} was not refused by an intake's rules",
                            code="intake.not_a_rule_refusal", params={"id": enrollment_id},
                            field="enrollment_id", value=enrollment_id)
    intake = get(uow, Intake, enrollment.intake_id, what="intake")
    if intake.status == IntakeStatus.SELECTED:
        raise RuleViolation(f"intake {intake.code} is selected; its results no longer change",
                            code="intake.locked",
                            params={"code": intake.code, "status": intake.status.value},
                            field="status")
    status = check_transition(enrollment.status, "override", what="enrolment",
                              ref=f"#{enrollment_id}")
    enrollment.status = status
    enrollment.rejected_on = None
    enrollment.eligible = True
    enrollment.override_reason = reason_text
    enrollment.overridden_by = who
    uow.session.flush()
    audit.record(uow, actor=actor, action="override", entity="enrollment",
                 entity_id=enrollment.id,
                 changes={"status": [EnrollmentStatus.REJECTED, status], "reason": reason_text,
                          "failed": [r["rule"] for r in enrollment.rule_results or []
                                     if r["outcome"] != Outcome.PASSED]})
    return enrollment


# --- selection and the waiting list --------------------------------------------------------

def _ranked(intake: Intake, *columns: Any) -> Any:
    """The intake's eligible applications in selection order (one definition of the order)."""
    return (select(*columns).join(Beneficiary, Beneficiary.id == Enrollment.beneficiary_id)
            .where(Enrollment.intake_id == intake.id, Enrollment.eligible.is_(True),
                   Enrollment.status == EnrollmentStatus.APPLIED)
            .order_by(Enrollment.score.desc(), Enrollment.applied_on, Beneficiary.registered_on,
                      Enrollment.beneficiary_id))


def ranking(uow: UnitOfWork, intake: Intake) -> list[Enrollment]:
    """The intake's eligible applications in selection order: score (highest first), then
    application date, then registration date, then record number (the same data always give
    the same ranking)."""
    return list(uow.session.scalars(_ranked(intake, Enrollment)))


# Women loaded at once (with their archive periods) to check the enrolment rules.
_CHUNK = 2000


def select_intake(uow: UnitOfWork, intake_id: int, *, on: date, actor: str) -> Selection:
    """Run a closed intake's selection on ``on``: the eligible applicants are ranked
    (:func:`ranking`), the first ``places`` enrolled from ``on``, the others waitlisted. Who
    ran it, when and with which rules version is recorded on the intake.

    Each selected woman passes the rules of :func:`empower.services.enrollments.enroll`
    (:func:`~empower.services.enrollments.check_enrollable`: one she fails, say archived
    since she applied, is skipped with the reason and the next one takes the place); the
    statuses, ranks and dates are written with one executemany UPDATE for the selected and one
    for the waitlisted, with one audit event per woman as :func:`enroll` writes it. The
    applications are locked (``FOR UPDATE`` on PostgreSQL) while they are ranked.

    Two officers selecting at once: one wins, the other gets :class:`InvalidTransition`
    (``intake.changed_meanwhile``). :class:`InvalidInput` for a date before the closing or
    after today plus the margin.
    """
    from sqlalchemy import bindparam

    from empower.services.enrollments import check_enrollable, enrolled_changes

    who = audit.check_actor(actor)
    intake = get(uow, Intake, intake_id, what="intake", lock=True)
    status = check_transition(intake.status, "select", what="intake", ref=intake.code)
    if on < intake.closes_on:
        raise InvalidInput(f"selected_on: {on.isoformat()} is before intake {intake.code} "
                           f"closes on {intake.closes_on.isoformat()}",
                           code="intake.select_before_close",
                           params={"code": intake.code, "on": on, "closes_on": intake.closes_on},
                           field="selected_on", value=on.isoformat())
    check_not_in_future(uow, on, field="selected_on")
    claimed = uow.session.execute(
        update(Intake).where(Intake.id == intake.id, Intake.status == IntakeStatus.CLOSED)
        .values(status=status, selected_on=on, selected_by=who)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransition(f"intake {intake.code}: selected by someone else meanwhile",
                                code="intake.changed_meanwhile", params={"code": intake.code},
                                field="status")
    uow.session.flush()
    uow.session.refresh(intake)
    program = get(uow, Program, intake.program_id, what="program")
    ranked = uow.session.execute(
        _ranked(intake, Enrollment.id, Enrollment.beneficiary_id, Enrollment.applied_on,
                Beneficiary.erased_on)
        .with_for_update(of=Enrollment)).all()
    result = Selection()
    ranks: dict[int, int] = {}
    position = 0
    while position < len(ranked) and len(result.selected) < intake.places:
        # The next women who may fill the places left (a few more, in case some are skipped),
        # with what the enrolment rules read of them: erasure and archive periods.
        chunk = ranked[position:position + min(_CHUNK, intake.places - len(result.selected)
                                               + 50)]
        periods: dict[int, list[SimpleNamespace]] = {}
        for bid, archived_on, restored_on in uow.session.execute(
                select(ArchivePeriod.beneficiary_id, ArchivePeriod.archived_on,
                       ArchivePeriod.restored_on)
                .where(ArchivePeriod.beneficiary_id.in_([r.beneficiary_id for r in chunk]))):
            periods.setdefault(bid, []).append(SimpleNamespace(archived_on=archived_on,
                                                               restored_on=restored_on))
        for row in chunk:
            position += 1
            ranks[row.id] = position
            person = SimpleNamespace(id=row.beneficiary_id, erased_on=row.erased_on,
                                     archive_periods=periods.get(row.beneficiary_id, []))
            try:
                check_enrollable(row.id, EnrollmentStatus.APPLIED, row.applied_on,
                                 cast(Beneficiary, person), program, on)
            except EmpowerError as exc:
                result.skipped.append((row.id, exc.message))
                continue
            result.selected.append(row.id)
            if len(result.selected) == intake.places:
                break
    for row in ranked[position:]:
        position += 1
        ranks[row.id] = position
        result.waitlisted.append(row.id)
    table = table_of(Enrollment)
    by_id = table.c.id == bindparam("eid")
    if result.selected:
        uow.session.execute(
            update(table).where(by_id).values(status=EnrollmentStatus.ENROLLED.value,
                                              enrolled_on=on, rank=bindparam("r")),
            [{"eid": i, "r": ranks[i]} for i in result.selected])
    if result.waitlisted:
        uow.session.execute(
            update(table).where(by_id).values(status=EnrollmentStatus.WAITLISTED.value,
                                              waitlisted_on=on, rank=bindparam("r")),
            [{"eid": i, "r": ranks[i]} for i in result.waitlisted])
    if result.skipped:
        uow.session.execute(update(table).where(by_id).values(rank=bindparam("r")),
                            [{"eid": i, "r": ranks[i]} for i, _why in result.skipped])
    # The rows changed under the session: what it holds of them is read again when used.
    for obj in list(uow.session.identity_map.values()):
        if isinstance(obj, Enrollment) and obj.intake_id == intake.id:
            uow.session.expire(obj)
    audit.record_many(uow, actor=actor, action="enroll", entity="enrollment", items=[
        (eid, enrolled_changes(EnrollmentStatus.APPLIED, on)) for eid in result.selected])
    audit.record_many(uow, actor=actor, action="waitlist", entity="enrollment", items=[
        (eid, {"intake": intake.code, "waitlisted_on": on}) for eid in result.waitlisted])
    audit.record(uow, actor=actor, action="select", entity="intake", entity_id=intake.id,
                 changes={"status": [IntakeStatus.CLOSED, status], "selected_on": on,
                          "places": intake.places, "selected": len(result.selected),
                          "waitlisted": len(result.waitlisted), "skipped": len(result.skipped),
                          "rules_version": intake.rules_version})
    return result


def promote_waitlisted(uow: UnitOfWork, intake_id: int, *, on: date,
                       actor: str) -> list[Enrollment]:
    """Fill the places freed since the selection (a selected woman withdrew or was turned
    down) from the waiting list, in rank order, enrolled from ``on``.

    Raises :class:`RuleViolation` ``intake.promotion_closed`` after the intake's promotion
    deadline (or when it sets none), :class:`InvalidTransition` before its selection.
    """
    from empower.services.enrollments import enroll

    audit.check_actor(actor)
    intake = get(uow, Intake, intake_id, what="intake", lock=True)
    if intake.status != IntakeStatus.SELECTED:
        raise InvalidTransition(f"intake {intake.code} is {intake.status.value}; its waiting "
                                f"list starts with its selection", code="intake.not_selected",
                                params={"code": intake.code, "status": intake.status.value},
                                field="status")
    if intake.promote_until is None or on > intake.promote_until:
        until = intake.promote_until.isoformat() if intake.promote_until else "-"
        raise RuleViolation(f"intake {intake.code}: places freed after {until} are not "
                            f"filled from the waiting list", code="intake.promotion_closed",
                            params={"code": intake.code, "until": until, "on": on},
                            field="on", value=on.isoformat())
    check_not_in_future(uow, on, field="enrolled_on")
    taken = uow.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.intake_id == intake.id, Enrollment.status == EnrollmentStatus.ENROLLED)) or 0
    free = intake.places - taken
    promoted: list[Enrollment] = []
    if free <= 0:
        return promoted
    waiting = list(uow.session.scalars(
        select(Enrollment).where(Enrollment.intake_id == intake.id,
                                 Enrollment.status == EnrollmentStatus.WAITLISTED)
        .order_by(Enrollment.rank, Enrollment.id)))
    for enrollment in waiting:
        if len(promoted) == free:
            break
        try:
            with uow.savepoint():
                enroll(uow, enrollment.id, on=on, actor=actor)
        except EmpowerError:
            continue
        promoted.append(enrollment)
    audit.record(uow, actor=actor, action="promote", entity="intake", entity_id=intake.id,
                 changes={"on": on, "promoted": len(promoted), "free": free})
    return promoted


# --- explaining and previewing -------------------------------------------------------------

def explain(uow: UnitOfWork, intake_id: int, beneficiary_id: int) -> Explanation:
    """One woman's result in an intake: as recorded when she applied, or, when she has not
    applied, as the rules judge her on the closing date (or today, if earlier)."""
    intake = get(uow, Intake, intake_id, what="intake")
    person = get(uow, Beneficiary, beneficiary_id, what="beneficiary")
    enrollment = uow.session.scalar(select(Enrollment).where(
        Enrollment.intake_id == intake.id, Enrollment.beneficiary_id == person.id))
    if enrollment is not None and enrollment.rule_results is not None:
        return Explanation(intake.code, person.id, True, enrollment.status.value,
                           list(enrollment.rule_results), bool(enrollment.eligible),
                           None if enrollment.score is None else
                           Decimal(str(enrollment.score)).quantize(Decimal("0.0001")),
                           enrollment.rank, enrollment.rules_version or intake.rules_version,
                           enrollment.override_reason)
    judged = evaluate(uow, intake, person, min(today(), intake.closes_on))
    return Explanation(intake.code, person.id, False, None, judged.results, judged.eligible,
                       judged.score, None, intake.rules_version, None)


def preview(uow: UnitOfWork, intake_id: int, *, on: date | None = None) -> list[PreviewRow]:
    """How many women on the register (as of ``on``: default the closing date, or today if
    earlier) pass each of an intake's rules, and all of them, by province and milieu, before
    anyone applies. Counted in SQL with the rules' SQL twins (:func:`empower.targeting.holds_sql`).
    """
    intake = get(uow, Intake, intake_id, what="intake")
    on = on or min(today(), intake.closes_on)
    rules = _rules_of(intake)
    b = aliased(Beneficiary, name="b")
    p = aliased(Province, name="p")
    g = aliased(Grant, name="g")
    e = aliased(Enrollment, name="e")
    columns: dict[str, Any] = {
        "age": b.birth_date, "milieu": b.milieu, "province": b.province_code,
        "region": p.region_code, "vulnerability_score": b.vulnerability_score,
        "household_size": b.household_size, "disability": b.disability,
        "education_level": b.education_level, "marital_status": b.marital_status,
        "grant_elsewhere": exists().where(g.beneficiary_id == b.id,
                                          g.program_id != intake.program_id,
                                          GRANT_STANDING.sql(on, g)),
        "enrolled_elsewhere": exists().where(e.beneficiary_id == b.id,
                                             e.program_id != intake.program_id,
                                             ENROLLMENT_ACTIVE.sql(on, e)),
    }
    conditions = []
    for rule in rules:
        column = columns[rule.field]
        held = holds_sql(rule, column, closes_on=intake.closes_on)
        if rule.field not in ("grant_elsewhere", "enrolled_elsewhere"):
            held = and_(column.is_not(None), held)
        conditions.append(held)
    cover = []
    if intake.province_codes:
        cover.append(b.province_code.in_(intake.province_codes))
    if intake.region_codes:
        cover.append(p.region_code.in_(intake.region_codes))
    everything = and_(*conditions, or_(*cover)) if cover else and_(*conditions) if conditions \
        else None

    def counted(condition: Any) -> Any:
        return func.sum(sql_cast(case((condition, 1), else_=0), Integer))

    selected = [b.province_code, b.milieu, func.count()]
    selected += [counted(c) for c in conditions]
    selected.append(counted(everything) if everything is not None else func.count())
    stmt = (select(*selected).select_from(b).join(p, p.code == b.province_code)
            .where(REGISTERED.sql(on, b), b.erased_on.is_(None))
            .group_by(b.province_code, b.milieu).order_by(b.province_code, b.milieu))
    rows = []
    for row in uow.session.execute(stmt):
        province, milieu, registered, *counts = row
        rows.append(PreviewRow(str(province), None if milieu is None else str(getattr(
            milieu, "value", milieu)), int(registered or 0),
            tuple(int(c or 0) for c in counts[:-1]), int(counts[-1] or 0)))
    return rows
