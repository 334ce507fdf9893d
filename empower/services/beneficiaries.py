"""Registering, correcting, archiving and erasing beneficiaries, one at a time or in bulk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, String, func, insert, select, text, type_coerce

from empower import audit
from empower.bulk import insert_rows, planned_each_time
from empower.db import UnitOfWork
from empower.errors import Conflict, EmpowerError, InvalidInput, NotEligible, RuleViolation
from empower.models import (
    Beneficiary,
    CoachingVisit,
    DuplicateCandidate,
    Enrollment,
    Grant,
    Grievance,
    PaymentInstruction,
    Province,
    SurveyRecord,
    table_of,
    utcnow,
)
from empower.rules import (
    check_before_acts,
    check_birth_date,
    check_consent_date,
    check_not_future,
    check_rib,
    free_text,
    normalize_cin,
    normalize_phone,
)
from empower.rules import check_name as _check_name_uncached
from empower.rules import name_key as _name_key_uncached
from empower.schemas import BeneficiaryCreate, BeneficiaryUpdate
from empower.search import purge_erased_words
from empower.search import search_key as _search_key_uncached
from empower.services._common import columns, get, open_archive_period
from empower.vocab import DuplicateRule, DuplicateStatus, InstructionStatus

__all__ = [
    "BulkResult",
    "RowError",
    "archive_beneficiary",
    "erase_beneficiary",
    "register_beneficiaries",
    "register_beneficiary",
    "restore_beneficiary",
    "update_beneficiary",
]

# Core inserts on the table, not the ORM entity: ORM bulk inserts split rows into one batch per
# pattern of NULL columns, and with RETURNING that costs quadratic time on large batches.
_TABLE = table_of(Beneficiary)

# Bound parameters per statement stay well under SQLite's and psycopg's limits.
_CHUNK = 900
# A registry holds a few thousand name spellings for hundreds of thousands of women, and the
# script check and the comparison key are pure functions of the text: each spelling is checked
# once (errors are not cached, so every refused row still gets its own message).
check_name = lru_cache(maxsize=1 << 16)(_check_name_uncached)
name_key = lru_cache(maxsize=1 << 16)(_name_key_uncached)
search_key = lru_cache(maxsize=1 << 16)(_search_key_uncached)
_NAME_FIELDS = (("first_name", "latin"), ("last_name", "latin"),
                ("first_name_ar", "arabic"), ("last_name_ar", "arabic"))


@dataclass
class RowError:
    """A rejected input row: its position in the batch and the error naming field and value."""

    index: int
    error: EmpowerError

    @property
    def field(self) -> str | None:
        return self.error.field

    @property
    def message(self) -> str:
        return self.error.message


@dataclass
class BulkResult:
    """What a bulk call did: the ids created (in input order) and the rows refused."""

    created: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    duplicate_candidates: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _today() -> date:
    return utcnow().date()


def _normalise(uow: UnitOfWork, data: BeneficiaryCreate, provinces: set[str],
               today: date) -> dict[str, Any]:
    """Apply every registration rule to one input; return the row to insert."""
    rules = uow.rules
    row = data.model_dump()
    row["cin"] = normalize_cin(data.cin, rules)
    for name, script in _NAME_FIELDS:
        row[name] = check_name(row[name], script=script, field=name)
    if not any(row[n] for n, _ in _NAME_FIELDS):
        raise InvalidInput("name: a first or last name is required, in Latin or Arabic script",
                           code="beneficiary.name_required", field="first_name", value=None)
    row["phone"] = normalize_phone(data.phone, rules)
    row["rib"] = check_rib(data.rib)
    if data.province_code not in provinces:
        raise InvalidInput(
            f"province_code: '{data.province_code}' is not an HCP province code (e.g. 04.441)",
            code="province.unknown", params={"value": str(data.province_code)},
            field="province_code", value=data.province_code)
    registered_on = data.registered_on or today
    check_not_future(registered_on, field="registered_on", today=today, config=rules)
    row["registered_on"] = registered_on
    check_birth_date(data.birth_date, registered_on, rules)
    if data.consent_date > registered_on:
        raise NotEligible(
            f"consent_date: consent dated {data.consent_date.isoformat()} comes after "
            f"registration on {registered_on.isoformat()}; consent is recorded first",
            code="beneficiary.consent_after_registration",
            params={"consent_date": data.consent_date, "registered_on": registered_on},
            field="consent_date", value=data.consent_date.isoformat())
    check_consent_date(data.consent_date, data.birth_date)
    row["match_key"] = name_key(row["first_name"], row["last_name"]) or \
        name_key(row["first_name_ar"], row["last_name_ar"])
    row["search_key"] = search_key(row["first_name"], row["last_name"], row["first_name_ar"],
                                   row["last_name_ar"])
    return row


def _province_codes(uow: UnitOfWork) -> set[str]:
    return set(uow.session.scalars(select(Province.code)))


T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def register_beneficiaries(uow: UnitOfWork, rows: Iterable[BeneficiaryCreate], *, actor: str,
                           today: date | None = None) -> BulkResult:
    """Register many women at once: the bulk path used by imports and the demo.

    Every row passes the same rules as :func:`register_beneficiary`. Refused rows are returned in
    ``errors`` (with their index) and nothing is written for them; the caller decides whether to
    commit the valid ones. A CIN repeated within the batch is refused on its later rows, naming
    the first. Near-duplicates become duplicate candidates.
    """
    audit.check_actor(actor)
    with planned_each_time(uow):
        return _register_many(uow, rows, actor=actor, today=today or _today())


def _register_many(uow: UnitOfWork, rows: Iterable[BeneficiaryCreate], *, actor: str,
                   today: date) -> BulkResult:
    provinces = _province_codes(uow)
    result = BulkResult()
    prepared: list[tuple[int, dict[str, Any]]] = []
    first_by_cin: dict[str, int] = {}
    for index, data in enumerate(rows):
        try:
            row = _normalise(uow, data, provinces, today)
        except EmpowerError as exc:
            result.errors.append(RowError(index, exc))
            continue
        first = first_by_cin.get(row["cin"])
        if first is not None:
            result.errors.append(RowError(index, Conflict(
                f"cin: {row['cin']} appears twice in this batch (first at item {first})",
                code="cin.twice_in_batch", params={"cin": row["cin"], "first": first},
                field="cin", value=row["cin"])))
            continue
        first_by_cin[row["cin"]] = index
        prepared.append((index, row))

    existing: dict[str, int] = {}
    cins = [row["cin"] for _, row in prepared]
    for chunk in _chunks(cins):
        existing.update((cin, bid) for cin, bid in uow.session.execute(
            select(Beneficiary.cin, Beneficiary.id).where(Beneficiary.cin.in_(chunk)))
            if cin is not None)
    if existing:
        kept = []
        for index, row in prepared:
            other = existing.get(row["cin"])
            if other is None:
                kept.append((index, row))
            else:
                result.errors.append(RowError(index, Conflict(
                    f"cin: {row['cin']} is already registered (beneficiary #{other})",
                    code="cin.taken", params={"cin": row["cin"], "existing_id": other},
                    field="cin", value=row["cin"], existing_id=other)))
        prepared = kept
    result.errors.sort(key=lambda e: e.index)
    if not prepared:
        return result

    now = utcnow()
    values = [{**row, "created_at": now, "updated_at": now} for _, row in prepared]
    # A CIN registered by another writer since we looked is refused by the unique constraint,
    # which the Database turns into a Conflict.
    ids = _insert_people(uow, values)
    result.created = ids
    audit.record_many(uow, actor=actor, action="register", entity="beneficiary", items=(
        (bid, {"registered_on": row["registered_on"], "province_code": row["province_code"],
               "cin": row["cin"]})
        for bid, (_, row) in zip(ids, prepared, strict=True)))
    people = [(bid, row) for bid, (_, row) in zip(ids, prepared, strict=True)]
    result.duplicate_candidates = _detect_duplicates(uow, people)
    return result


def _insert_people(uow: UnitOfWork, values: list[dict[str, Any]]) -> list[int]:
    """Insert rows and return their ids in input order.

    The ids are chosen first and the rows sent with a plain executemany. On PostgreSQL they are
    drawn from the sequence (psycopg pipelines the one short cached statement; a multi-row
    ``INSERT ... RETURNING`` of a thousand rows has twenty thousand placeholders, which psycopg
    re-parsed on every statement: most of the time of a bulk import).
    """
    if uow.dialect == "postgresql":
        ids = sorted(uow.session.scalars(
            text("SELECT nextval(pg_get_serial_sequence('beneficiaries', 'id')) "
                 "FROM generate_series(1, :n)"), {"n": len(values)}))
    elif uow.dialect == "sqlite":
        # SQLite cannot promise RETURNING order for a multi-row insert, so SQLAlchemy sends one
        # INSERT per row. Writers hold SQLite's write lock from BEGIN IMMEDIATE, so the ids
        # after the largest one are free: exactly those SQLite would give (no AUTOINCREMENT).
        start = (uow.session.scalar(select(func.max(_TABLE.c.id))) or 0) + 1
        ids = list(range(start, start + len(values)))
    else:
        return list(uow.session.scalars(
            insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True), values))
    for row, bid in zip(values, ids, strict=True):
        row["id"] = bid
    insert_rows(uow, _TABLE, values)
    return ids


def register_beneficiary(uow: UnitOfWork, data: BeneficiaryCreate, *, actor: str,
                         today: date | None = None) -> Beneficiary:
    """Register one woman; raises the rule's error (``Conflict`` names the existing record)."""
    result = register_beneficiaries(uow, [data], actor=actor, today=today)
    if result.errors:
        raise result.errors[0].error
    return get(uow, Beneficiary, result.created[0], what="beneficiary")


_MAX_CANDIDATES_PER_RULE = 5


def _detect_duplicates(uow: UnitOfWork, people: list[tuple[int, dict[str, Any]]]) -> int:
    """Record duplicate candidates for newly written people against everyone registered.

    Same birth date with names scoring above the threshold (Latin or Arabic spelling), or the
    same phone number. Returns how many candidates were recorded.
    """
    if not people:
        return 0
    threshold = uow.rules.name_match_threshold
    new_ids = {pid for pid, _ in people}
    dates = sorted({row["birth_date"] for _, row in people})
    phones = sorted({row["phone"] for _, row in people if row.get("phone")})
    by_date: dict[date, list[tuple[int, str, str]]] = defaultdict(list)
    # The birth date as the driver returns it (SQLite: ISO text), turned into a date once per
    # distinct value rather than once per row by the column's result processor.
    raw_date = type_coerce(Beneficiary.birth_date, String)
    as_date: dict[Any, date] = {}
    cols = (Beneficiary.id, raw_date, Beneficiary.match_key,
            Beneficiary.first_name_ar, Beneficiary.last_name_ar)
    where: list[ColumnElement[bool]] = [Beneficiary.erased_on.is_(None)]
    # The people just written are known here: when their ids are one unbroken range (always on
    # SQLite, whose writer holds the lock; on PostgreSQL unless another writer drew ids in
    # between) they are not read back, only everyone else born on those days.
    lo, hi = min(new_ids), max(new_ids)
    from_memory = len(people) > 1 and hi - lo + 1 == len(new_ids)
    if from_memory:
        where.append((Beneficiary.id < lo) | (Beneficiary.id > hi))
        for pid, row in people:
            by_date[row["birth_date"]].append(
                (pid, row.get("match_key") or "",
                 name_key(row.get("first_name_ar"), row.get("last_name_ar"))))
    # Core rows, not ORM results: this reads every woman born on the batch's birth dates.
    conn = uow.session.connection()
    for chunk in _chunks(dates):
        for bid, bdate, key, far, lar in conn.execute(
                select(*cols).where(Beneficiary.birth_date.in_(chunk), *where)
                .order_by(Beneficiary.id)):
            day = as_date.get(bdate)
            if day is None:
                day = as_date[bdate] = bdate if isinstance(bdate, date) else \
                    date.fromisoformat(bdate)
            by_date[day].append((bid, key or "", name_key(far, lar)))
    if from_memory:
        # Newest first below relies on id order (other writers' rows may sort after them).
        for group in by_date.values():
            group.sort()
    by_phone: dict[str, list[int]] = defaultdict(list)
    for chunk in _chunks(phones):
        for bid, phone in conn.execute(
                select(Beneficiary.id, Beneficiary.phone)
                .where(Beneficiary.phone.in_(chunk), Beneficiary.erased_on.is_(None))
                .order_by(Beneficiary.id)):
            if phone is not None:
                by_phone[phone].append(bid)

    found: dict[tuple[int, int, str], float] = {}
    for pid, row in people:
        key = row.get("match_key") or ""
        key_ar = name_key(row.get("first_name_ar"), row.get("last_name_ar"))
        matches = 0
        # Newest first: each copy points at the few registered just before her, a chain an
        # officer can follow, rather than everyone pointing at the first one.
        for other, other_key, other_ar in reversed(by_date.get(row["birth_date"], ())):
            # Pairs among the new rows are looked at once, from the later id.
            if other == pid or (other in new_ids and other > pid):
                continue
            # With the threshold as cutoff rapidfuzz gives 0 for any lower score, sooner; only
            # scores at or above it are used, so the outcome is the same.
            score = 0.0
            if key and other_key:
                score = 100.0 if key == other_key else fuzz.token_sort_ratio(
                    key, other_key, score_cutoff=threshold)
            if key_ar and other_ar and score < 100:
                score = max(score, fuzz.token_sort_ratio(key_ar, other_ar,
                                                         score_cutoff=threshold))
            if score >= threshold:
                pair = (min(pid, other), max(pid, other), DuplicateRule.SAME_NAME_BIRTH_DATE.value)
                found[pair] = round(score / 100, 3)
                matches += 1
                # A cluster of namesakes (or a file of copies) would otherwise give a quadratic
                # number of pairs; a few candidates per woman are enough to send an officer to her.
                if matches >= _MAX_CANDIDATES_PER_RULE:
                    break
        if row.get("phone"):
            matches = 0
            for other in reversed(by_phone.get(row["phone"], ())):
                if other == pid or (other in new_ids and other > pid):
                    continue
                found[(min(pid, other), max(pid, other), DuplicateRule.SAME_PHONE.value)] = 1.0
                matches += 1
                if matches >= _MAX_CANDIDATES_PER_RULE:
                    break
    if not found:
        return 0
    existing: set[tuple[Any, ...]] = set()
    for chunk in _chunks(sorted({a for a, _, _ in found})):
        existing.update(tuple(row) for row in uow.session.execute(
            select(DuplicateCandidate.beneficiary_id, DuplicateCandidate.other_beneficiary_id,
                   DuplicateCandidate.rule).where(DuplicateCandidate.beneficiary_id.in_(chunk))
        ))
    now = utcnow()
    rows = [{"beneficiary_id": a, "other_beneficiary_id": b, "rule": rule, "score": score,
             "status": DuplicateStatus.OPEN.value, "detected_at": now}
            for (a, b, rule), score in found.items() if (a, b, rule) not in existing]
    insert_rows(uow, table_of(DuplicateCandidate), rows)
    return len(rows)


_UPDATABLE = ("cin", "first_name", "last_name", "first_name_ar", "last_name_ar", "birth_date",
              "phone", "rib", "province_code", "commune", "milieu", "education_level", "marital_status",
              "household_size", "disability", "vulnerability_score", "consent_date",
              "consent_version", "registered_on")


def update_beneficiary(uow: UnitOfWork, beneficiary_id: int, data: BeneficiaryUpdate, *,
                       actor: str, today: date | None = None) -> Beneficiary:
    """Correct a registration: only the fields set in ``data`` change; the same rules apply.

    Writes an audit event only when something changed, and returns the record. Raises the
    registration's errors (dates: :func:`empower.rules.check_birth_date`, ``date.in_future``),
    and ``InvalidInput`` (``beneficiary.registered_after_acts``) when ``registered_on`` would
    move after her first application, grant request or survey; ``InvalidInput`` naming the
    field for any value the registration would refuse (also a required one cleared, or one set
    on ``data`` without validation); :class:`Conflict` when the CIN is another woman's.
    """
    audit.check_actor(actor)
    person = get(uow, Beneficiary, beneficiary_id, what="beneficiary", lock=True)
    if person.erased_on is not None:
        raise RuleViolation(f"beneficiary #{beneficiary_id} was erased; her record is closed",
                            code="beneficiary.erased_closed", params={"id": beneficiary_id},
                            field="beneficiary_id", value=beneficiary_id)
    before = columns(person, list(_UPDATABLE))
    merged = {k: before[k] for k in _UPDATABLE}
    merged.update({k: getattr(data, k) for k in data.model_fields_set})
    # Registration rules run on the merged record, as if she were registered with it today.
    # A required field cleared (cin, province, dates) is refused as missing, naming it; the
    # input models raise InvalidInput, never pydantic's ValidationError.
    create = BeneficiaryCreate.model_validate({k: v for k, v in merged.items() if v is not None})
    row = _normalise(uow, create, _province_codes(uow), today or _today())
    after = {k: row[k] for k in _UPDATABLE}
    changes = audit.diff(before, after)
    if not changes:
        return person
    if "registered_on" in changes:
        # Her applications, grant requests and surveys are dated no earlier than her
        # registration: it cannot be moved after the first of them.
        check_before_acts(row["registered_on"], _first_acts(uow, person.id),
                          field="registered_on", code="beneficiary.registered_after_acts")
    if "cin" in changes:
        other = uow.session.scalar(select(Beneficiary.id).where(
            Beneficiary.cin == row["cin"], Beneficiary.id != person.id))
        if other is not None:
            raise Conflict(f"cin: {row['cin']} is already registered (beneficiary #{other})",
                           code="cin.taken", params={"cin": row["cin"], "existing_id": other},
                           field="cin", value=row["cin"], existing_id=other)
    for key, value in after.items():
        setattr(person, key, value)
    person.match_key = row["match_key"]
    person.search_key = row["search_key"]
    uow.session.flush()
    audit.record(uow, actor=actor, action="update", entity="beneficiary", entity_id=person.id,
                 changes=changes)
    if {"first_name", "last_name", "first_name_ar", "last_name_ar", "birth_date", "phone"} & set(changes):
        _detect_duplicates(uow, [(person.id, {**row, "phone": person.phone})])
    return person


def _first_acts(uow: UnitOfWork, beneficiary_id: int) -> list[tuple[str, date | None]]:
    """The earliest date of each kind of act that depends on her registration."""
    return [
        ("enrolment", uow.session.scalar(select(func.min(Enrollment.applied_on)).where(
            Enrollment.beneficiary_id == beneficiary_id))),
        ("grant", uow.session.scalar(select(func.min(Grant.submitted_on)).where(
            Grant.beneficiary_id == beneficiary_id))),
        ("survey", uow.session.scalar(select(func.min(SurveyRecord.surveyed_on)).where(
            SurveyRecord.beneficiary_id == beneficiary_id))),
    ]


def archive_beneficiary(uow: UnitOfWork, beneficiary_id: int, *, actor: str,
                        on: date | None = None, reason: str | None = None) -> Beneficiary:
    """Archive (soft-delete) a beneficiary from ``on`` (default today): an archive period opens.

    Her history stays in the reports: she counts up to the day before ``on``, and again from
    her restore on, if any. Raises ``NotFound``; ``RuleViolation`` when she is already
    archived; ``InvalidInput`` when ``on`` is before her registration or her last restore
    (archive periods do not overlap).
    """
    on = on or _today()
    reason = free_text(reason, field="reason")
    person = get(uow, Beneficiary, beneficiary_id, what="beneficiary", lock=True)
    if person.archived_on is not None:
        raise RuleViolation(
            f"beneficiary #{beneficiary_id} is already archived since {person.archived_on.isoformat()}",
            code="beneficiary.already_archived",
            params={"id": beneficiary_id, "archived_on": person.archived_on},
            field="archived_on", value=person.archived_on.isoformat())
    if on < person.registered_on:
        raise InvalidInput(f"archived_on: {on.isoformat()} is before her registration",
                           code="beneficiary.archived_before_registration",
                           params={"archived_on": on, "registered_on": person.registered_on},
                           field="archived_on", value=on.isoformat())
    last_restore = max((p.restored_on for p in person.archive_periods if p.restored_on),
                       default=None)
    if last_restore is not None and on < last_restore:
        raise InvalidInput(
            f"archived_on: {on.isoformat()} is before her last restore on {last_restore.isoformat()}",
            code="beneficiary.archived_before_restore",
            params={"archived_on": on, "restored_on": last_restore},
            field="archived_on", value=on.isoformat())
    open_archive_period(uow, person, on)
    audit.record(uow, actor=actor, action="archive", entity="beneficiary", entity_id=person.id,
                 changes={"archived_on": [None, on], "reason": reason})
    return person


def restore_beneficiary(uow: UnitOfWork, beneficiary_id: int, *, actor: str,
                        on: date | None = None) -> Beneficiary:
    """Undo an archive from ``on`` (default today): her open archive period ends that day.

    Not an erasure, not a duplicate merge. The period stays, so the months she was archived
    still do not count her. Raises ``NotFound``; ``RuleViolation`` when she was erased, is
    not archived, or her record was merged into another as a duplicate (restoring it would
    bring back a second copy of one woman whose history now lives on the kept record; the
    pair would never be flagged again); ``InvalidInput`` when ``on`` is before the archive.
    """
    from empower.models import DuplicateCandidate
    from empower.vocab import DuplicateStatus

    on = on or _today()
    person = get(uow, Beneficiary, beneficiary_id, what="beneficiary", lock=True)
    if person.erased_on is not None:
        raise RuleViolation(f"beneficiary #{beneficiary_id} was erased and cannot be restored",
                            code="beneficiary.erased_not_restorable", params={"id": beneficiary_id},
                            field="beneficiary_id", value=beneficiary_id)
    current = next((p for p in person.archive_periods if p.restored_on is None), None)
    if person.archived_on is None or current is None:
        raise RuleViolation(f"beneficiary #{beneficiary_id} is not archived",
                            code="beneficiary.not_archived", params={"id": beneficiary_id},
                            field="archived_on", value=None)
    merged_into = uow.session.scalar(
        select(DuplicateCandidate.beneficiary_id).where(
            DuplicateCandidate.other_beneficiary_id == person.id,
            DuplicateCandidate.status == DuplicateStatus.MERGED).limit(1))
    if merged_into is not None:
        raise RuleViolation(
            f"beneficiary #{beneficiary_id} was merged into beneficiary #{merged_into} as a "
            "duplicate and cannot be restored", code="beneficiary.merged_not_restorable",
            params={"id": beneficiary_id, "kept": merged_into}, field="beneficiary_id",
            value=beneficiary_id)
    if on < current.archived_on:
        raise InvalidInput(
            f"restored_on: {on.isoformat()} is before her archive on "
            f"{current.archived_on.isoformat()}", code="beneficiary.restored_before_archive",
            params={"restored_on": on, "archived_on": current.archived_on},
            field="restored_on", value=on.isoformat())
    old = person.archived_on
    current.restored_on = on
    person.archived_on = None
    audit.record(uow, actor=actor, action="restore", entity="beneficiary", entity_id=person.id,
                 changes={"archived_on": [old, None], "restored_on": on})
    return person


_ERASED_FIELDS = ("cin", "first_name", "last_name", "first_name_ar", "last_name_ar", "phone",
                  "rib", "commune", "match_key", "search_key")
# What a payment instruction kept of the payee: cleared too, once the instruction is settled.
_PAYEE_FIELDS = ("payee_name", "payee_cin", "payee_rib", "payee_phone")


def erase_beneficiary(uow: UnitOfWork, beneficiary_id: int, *, actor: str,
                      on: date | None = None) -> Beneficiary:
    """Honour an erasure request (law 09-08): remove what identifies her, keep aggregate facts.

    CIN, names, phone and commune are cleared and the birth date is kept only to its month, so
    age bands, provinces, enrolments, grants and survey outcomes still count in reports. She is
    archived as of the erasure date; open duplicate candidates about her are dismissed. Her
    identifiers are blanked out of the free text of her records (grant purposes, candidate
    notes); the audit log never held them (see :mod:`empower.privacy`). Every record touched
    gets an audit event of its own. Raises ``NotFound``, or ``RuleViolation`` when she was
    already erased.
    """
    from empower.privacy import identifier_pattern, scrub

    on = on or _today()
    who = audit.check_actor(actor)
    person = get(uow, Beneficiary, beneficiary_id, what="beneficiary", lock=True)
    if person.erased_on is not None:
        raise RuleViolation(f"beneficiary #{beneficiary_id} was already erased on "
                            f"{person.erased_on.isoformat()}", code="beneficiary.already_erased",
                            params={"id": beneficiary_id, "erased_on": person.erased_on},
                            field="erased_on",
                            value=person.erased_on.isoformat())
    open_line = uow.session.scalar(
        select(PaymentInstruction.reference)
        .join(Grant, Grant.id == PaymentInstruction.grant_id)
        .where(Grant.beneficiary_id == person.id,
               PaymentInstruction.status.in_((InstructionStatus.PENDING, InstructionStatus.SENT))))
    if open_line is not None:
        # The provider is paying her with these identifiers: they go once the line is settled.
        raise RuleViolation(f"beneficiary #{beneficiary_id} is in payment instruction "
                            f"{open_line}, not yet settled; cancel or reconcile its batch first",
                            code="beneficiary.erase_in_flight",
                            params={"id": beneficiary_id, "reference": open_line},
                            field="beneficiary_id", value=beneficiary_id)
    # Read before the fields are cleared: what to look for in the free text.
    pattern = identifier_pattern([person])
    for name in _ERASED_FIELDS:
        setattr(person, name, None)
    person.birth_date = person.birth_date.replace(day=1)
    person.erased_on = on
    open_archive_period(uow, person, on)
    touched: list[tuple[str, int, dict[str, Any]]] = []
    for grant in uow.session.scalars(select(Grant).where(Grant.beneficiary_id == person.id)):
        cleaned = scrub(grant.purpose, pattern)
        if cleaned != grant.purpose:
            grant.purpose = cleaned
            touched.append(("grant", grant.id, {"fields_erased": ["purpose"]}))
    # A coach's note is about her life and household, not only her name: it goes whole.
    for visit in uow.session.scalars(select(CoachingVisit).where(
            CoachingVisit.beneficiary_id == person.id, CoachingVisit.note.is_not(None))):
        visit.note = None
        touched.append(("visit", visit.id, {"fields_erased": ["note"]}))
    for line in uow.session.scalars(select(PaymentInstruction).join(
            Grant, Grant.id == PaymentInstruction.grant_id).where(
            Grant.beneficiary_id == person.id)):
        for name in _PAYEE_FIELDS:
            setattr(line, name, None)
        touched.append(("payment_instruction", line.id, {"fields_erased": list(_PAYEE_FIELDS)}))
    # Her complaints tell her story: their descriptions and notes go whole; an answer keeps
    # its words without her identifiers (a closed case needs one). The case's facts stay.
    for case_ in uow.session.scalars(select(Grievance).where(Grievance.beneficiary_id == person.id)):
        erased = [name for name in ("description",) if getattr(case_, name) is not None]
        case_.description = None
        cleaned = scrub(case_.resolution, pattern)
        if cleaned != case_.resolution:
            case_.resolution = cleaned
            erased.append("resolution")
        for step in case_.steps:
            if step.note is not None:
                step.note = None
                if "note" not in erased:
                    erased.append("note")
        if erased:
            touched.append(("grievance", case_.id, {"fields_erased": erased}))
    for cand in uow.session.scalars(select(DuplicateCandidate).where(
            (DuplicateCandidate.beneficiary_id == person.id)
            | (DuplicateCandidate.other_beneficiary_id == person.id))):
        changes: dict[str, Any] = {}
        cleaned = scrub(cand.note, pattern)
        if cleaned != cand.note:
            cand.note = cleaned
            changes["fields_erased"] = ["note"]
        if cand.status == DuplicateStatus.OPEN:
            cand.status = DuplicateStatus.DISMISSED
            cand.resolved_at = utcnow()
            cand.resolved_by = who
            cand.note = "erasure request"
            changes.update(status=[DuplicateStatus.OPEN, DuplicateStatus.DISMISSED],
                           note="erasure request")
        if changes:
            touched.append(("duplicate_candidate", cand.id, changes))
    uow.session.flush()
    purge_erased_words(uow.session)
    audit.record(uow, actor=actor, action="erase", entity="beneficiary", entity_id=person.id,
                 changes={"erased_on": on, "archived_on": person.archived_on,
                          "fields_erased": list(_ERASED_FIELDS)})
    for entity, record_id, changes in touched:
        audit.record(uow, actor=actor, action="erase", entity=entity, entity_id=record_id,
                     changes={**changes, "erasure_of": person.id})
    return person
