"""Importing a file of one kind through the core services, row by row, with row-level errors.

Every row is either accepted (created, updated, or unchanged) or rejected with its line, column,
value and a plain-language reason. Modes: ``atomic`` commits only when no row was rejected,
``valid-only`` commits the accepted rows, ``dry-run`` never commits. Each row runs in a savepoint,
so a row refused half-way (applied, then refused at enrolment) leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select

import empower
from empower.db import Database, UnitOfWork
from empower.errors import EmpowerError, InvalidInput, NotFound, RuleViolation
from empower.io.columns import Column, Kind, clean, header_key, kind_spec
from empower.io.columns import _text as _text_parser
from empower.io.reading import FileRejected, Table, open_table
from empower.models import (
    Beneficiary,
    Cooperative,
    Disbursement,
    Enrollment,
    Grant,
    Membership,
    Program,
    SurveyRecord,
    utcnow,
)
from empower.rules import check_name, mad, normalize_cin, normalize_phone
from empower.schemas import (
    BeneficiaryCreate,
    BeneficiaryUpdate,
    CooperativeCreate,
    CooperativeUpdate,
    DisbursementCreate,
    EnrollmentCreate,
    GrantCreate,
    MembershipCreate,
    ProgramCreate,
    SurveyCreate,
    parse_input,
)
from empower.services import corrections
from empower.services._common import columns as snapshot

__all__ = ["MODES", "ImportReport", "Rejection", "import_file"]

MODES = ("atomic", "valid-only", "dry-run")
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# Kobo's own columns (and the group-less names of its metadata) carry no program data.
_KOBO_META = frozenset({"start", "end", "today", "deviceid", "username", "simserial",
                        "subscriberid", "phonenumber", "audit", "instanceid", "instancename",
                        "version", "uuid", "id", "index", "submission_time", "validation_status",
                        "notes", "status", "submitted_by", "tags", "parent_index"})
_CHUNK = 2000
# Files above these sizes report progress (a few thousand rows).
_PROGRESS_BYTES = 512 * 1024
_PROGRESS_ROWS = 5000
_KEEP_ERRORS = 200
# Vocabularies, provinces, dates and amounts repeat down a column: parse each spelling once.
_MEMO_SIZE = 100_000
_MISS = object()


@dataclass(frozen=True)
class Rejection:
    """One refused cell or row: where it is, what it held, and why."""

    line: int
    column: str
    value: str
    reason: str


@dataclass
class ImportReport:
    """What an import did; ``exit_code`` is the command's exit status (0 or 1)."""

    kind: str
    mode: str
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicate_candidates: int = 0
    committed: bool = False
    rejections: list[Rejection] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0


class _Rejected(Exception):
    def __init__(self, issues: list[tuple[str, Any, str]]) -> None:
        super().__init__(issues)
        self.issues = issues


def _reason(error: EmpowerError) -> str:
    msg = error.message
    if error.field and msg.startswith(f"{error.field}: "):
        return msg[len(error.field) + 2:]
    head, sep, rest = msg.partition(": ")
    if sep and head.replace("_", "").isalnum() and " " not in head:
        return rest
    return msg


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."


# ----------------------------------------------------------------------------- the run


class ImportRun:
    """State of one import: the unit of work, the file's columns, counters and rejections."""

    def __init__(self, db: Database, uow: UnitOfWork, kind: Kind, report: ImportReport, *,
                 actor: str, today: date, on_rejection: Callable[[Rejection], None] | None):
        self.db = db
        self.uow = uow
        self.kind = kind
        self.report = report
        self.actor = actor
        self.today = today
        self.on_rejection = on_rejection
        self.headers: dict[str, str] = {}
        self.present: frozenset[str] = frozenset()
        self._programs: dict[str, int] = {}
        self.required = [c.name for c in kind.columns if c.required]
        self.memo: dict[str, dict[Any, Any]] = {
            c.name: {} for c in kind.columns if c.parse is not _text_parser}

    # --- reporting

    def column_label(self, name: str | None) -> str:
        if name is None:
            return ""
        name = {"beneficiary_id": "cin", "program_id": "program_code", "recipient": "cin",
                "cooperative_id": "cooperative_reference", "grant_id": "grant_reference",
                "name": "name" if "name" in self.kind.by_name else "first_name"}.get(name, name)
        return self.headers.get(name, name)

    def reject(self, line: int, issues: list[tuple[str | None, Any, str]],
               raw: dict[str, Any] | None = None) -> None:
        self.report.rejected += 1
        for column, value, reason in issues:
            if raw is not None and column in raw and raw[column] is not None:
                value = raw[column]
            rej = Rejection(line, self.column_label(column), _show(value), reason)
            if len(self.report.rejections) < _KEEP_ERRORS:
                self.report.rejections.append(rej)
            if self.on_rejection is not None:
                self.on_rejection(rej)

    def reject_error(self, line: int, error: EmpowerError, raw: dict[str, Any]) -> None:
        field_name = error.field
        if field_name is None and self.kind.key:
            field_name = self.kind.key[0]
        self.reject(line, [(field_name, error.value, _reason(error))], raw)

    def accept(self, outcome: str) -> None:
        setattr(self.report, outcome, getattr(self.report, outcome) + 1)

    # --- lookups shared by the kinds

    def program_id(self, code: str) -> int:
        pid = self._programs.get(code)
        if pid is None:
            pid = empower.program_by_code(self.uow, code).id
            self._programs[code] = pid
        return pid

    def beneficiary(self, cin: str) -> Beneficiary:
        return empower.beneficiary_by_cin(self.uow, cin)

    def cooperative(self, reference: str) -> Cooperative:
        coop = self.uow.session.scalar(
            select(Cooperative).where(Cooperative.reference == reference))
        if coop is None:
            raise NotFound(f"cooperative '{reference}' does not exist",
                           field="cooperative_reference", value=reference)
        return coop

    def grant(self, reference: str) -> Grant:
        grant = self.uow.session.scalar(select(Grant).where(Grant.reference == reference))
        if grant is None:
            raise NotFound(f"grant '{reference}' does not exist", field="grant_reference",
                           value=reference)
        return grant


# ----------------------------------------------------------------------------- header


def _map_headers(kind: Kind, table: Table, file_name: str) -> tuple[list[tuple[int, Column]],
                                                                    dict[str, str], list[str]]:
    index = kind.header_index()
    positions: list[tuple[int, Column]] = []
    labels: dict[str, str] = {}
    ignored: list[str] = []
    for pos, cell in enumerate(table.headers):
        text = "" if cell is None else str(cell).strip()
        if not text:
            continue
        # KoboToolbox prefixes questions with their group path: "identite/cin".
        leaf = text.rsplit("/", 1)[-1]
        key = header_key(leaf)
        name = index.get(key) or index.get(header_key(text))
        if name is None:
            if leaf.startswith("_") or key in _KOBO_META:
                continue
            ignored.append(text)
            continue
        if name in labels:
            raise FileRejected(f"{file_name}: columns '{labels[name]}' and '{text}' both give "
                               f"{name}; keep one")
        labels[name] = text
        positions.append((pos, kind.by_name[name]))
    if not positions:
        expected = ", ".join(c.name for c in kind.columns)
        raise FileRejected(f"{file_name}: no known column in the header for {kind.name} "
                           f"(expected: {expected})")
    missing = [c.name for c in kind.columns if c.required and c.name not in labels]
    for group in kind.one_of:
        if not any(g in labels for g in group):
            missing.append(" or ".join(group))
    if missing:
        raise FileRejected(f"{file_name}: required column(s) missing for {kind.name}: "
                           f"{', '.join(missing)}")
    return positions, labels, ignored


def _parse_cells(run: ImportRun, positions: list[tuple[int, Column]], width: int,
                 cells: list[Any]) -> tuple[dict[str, Any], dict[str, Any],
                                            list[tuple[str | None, Any, str]]]:
    values: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    n = len(cells)
    if n > width and any(clean(c) is not None for c in cells[width:]):
        # Every cell after a stray separator is shifted: report the cause, not each symptom.
        return values, raw, [(None, "", f"the row has {n} cells but the header has {width} "
                                        f"(a separator inside an unquoted value?)")]
    issues: list[tuple[str | None, Any, str]] = []
    memo = run.memo
    for pos, col in positions:
        name = col.name
        cell = cells[pos] if pos < n else None
        # Text cells (every CSV cell) are trimmed inline: this runs once per cell of the file.
        if type(cell) is str:
            cell = cell.strip() or None
            if cell is not None and cell[0] == "'":
                cell = clean(cell)
        else:
            cell = clean(cell)
        raw[name] = cell
        if cell is None:
            values[name] = None
            continue
        cache = memo.get(name)
        if cache is not None:
            # Text cells are their own key; other types keep theirs ("1" is not True).
            key = cell if type(cell) is str else (type(cell), cell)
            hit = cache.get(key, _MISS)
            if hit is not _MISS:
                if isinstance(hit, EmpowerError):
                    issues.append((name, cell, _reason(hit)))
                else:
                    values[name] = hit
                continue
        try:
            value = col.parse(cell, name)
        except EmpowerError as exc:
            value = exc
            issues.append((name, cell, _reason(exc)))
        else:
            values[name] = value
        if cache is not None:
            if len(cache) >= _MEMO_SIZE:
                cache.clear()
            cache[key] = value
    for name in run.required:
        if name in values and values[name] is None and not any(i[0] == name for i in issues):
            issues.append((name, None, "a value is required"))
    return values, raw, issues


def _key(run: ImportRun, values: dict[str, Any]) -> tuple[Any, ...] | None:
    parts = []
    for name in run.kind.key:
        value = values.get(name)
        if value is None:
            return None
        if name == "cin":
            value = normalize_cin(value, run.uow.rules)
        parts.append(value)
    return tuple(parts)


# ----------------------------------------------------------------------------- entry point


def import_file(db: Database, kind: str, path: str | Path, *, mode: str = "atomic",
                actor: str | None = None, today: date | None = None,
                on_rejection: Callable[[Rejection], None] | None = None,
                progress: Callable[[int, int | None], None] | None = None) -> ImportReport:
    """Import ``path`` as ``kind``; raises :class:`FileRejected` when the file is unreadable.

    ``on_rejection`` is called for every rejected cell or row as it is found (the report keeps
    only the first ones, so a million bad rows do not fill memory); ``progress(done, total)``
    is called now and then.
    """
    spec = kind_spec(kind)
    if mode not in MODES:
        raise InvalidInput(f"mode: '{mode}' is not one of {', '.join(MODES)}", field="mode",
                           value=mode)
    path = Path(path)
    actor = actor or f"import:{path.name}"
    report = ImportReport(kind=spec.name, mode=mode, file=str(path))
    with open_table(path) as table, db.unit_of_work() as uow:
        run = ImportRun(db, uow, spec, report, actor=actor, today=today or utcnow().date(),
                        on_rejection=on_rejection)
        positions, run.headers, report.ignored_columns = _map_headers(spec, table, path.name)
        run.present = frozenset(run.headers)
        width = len(table.headers)
        handler = _BeneficiaryBatch(run) if spec.name == "beneficiaries" else \
            _RowByRow(run, _HANDLERS[spec.name])
        if progress is not None and not (
                (table.format == "csv" and (table.total or 0) > _PROGRESS_BYTES)
                or (table.format == "xlsx" and (table.total or 0) > _PROGRESS_ROWS)):
            progress = None
        seen: dict[Any, int] = {}
        single = len(spec.key) == 1
        for number, (line, cells) in enumerate(table.rows, start=1):
            if progress is not None and number % 1000 == 0:
                progress(table.position(), table.total)
            if not any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
                continue
            report.rows += 1
            values, raw, issues = _parse_cells(run, positions, width, cells)
            try:
                key = _key(run, values)
            except EmpowerError as exc:
                issues.append((exc.field, exc.value, _reason(exc)))
                key = None
            if key is not None:
                seen_key = key[0] if single else key
                first = seen.get(seen_key)
                if first is not None:
                    issues.append((spec.key[0], None,
                                   f"{' + '.join(spec.key)} repeated: already on line {first} "
                                   f"of this file"))
                else:
                    seen[seen_key] = line
            if issues:
                run.reject(line, issues, raw)
                continue
            handler.add(line, values, raw)
        handler.finish()
        if progress is not None:
            progress(table.total or table.position(), table.total)
        if mode == "valid-only" or (mode == "atomic" and not report.rejected):
            uow.commit()
            report.committed = True
    return report


class _RowByRow:
    def __init__(self, run: ImportRun, fn: Callable[[ImportRun, dict[str, Any]], str]) -> None:
        self.run = run
        self.fn = fn

    def add(self, line: int, values: dict[str, Any], raw: dict[str, Any]) -> None:
        run = self.run
        try:
            with run.uow.savepoint():
                outcome = self.fn(run, values)
        except EmpowerError as exc:
            run.reject_error(line, exc, raw)
            return
        run.accept(outcome)

    def finish(self) -> None:
        pass


def _given(run: ImportRun, values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The values of those columns the file has."""
    return {n: values[n] for n in names if n in run.present}


def _model(model: type, data: dict[str, Any]) -> Any:
    return parse_input(model, data)


def _changed(obj: Any, action: Callable[[], Any]) -> bool:
    before = snapshot(obj)
    action()
    return snapshot(obj) != before


# ----------------------------------------------------------------------------- beneficiaries

_BEN_FIELDS = tuple(BeneficiaryCreate.model_fields)
# Re-imports compare every name with the stored one; spellings repeat (see the core's bulk path).
_check_name = lru_cache(maxsize=1 << 16)(check_name)
# Blank cells in these columns leave the stored value alone (they cannot be cleared).
_BEN_KEEP_WHEN_BLANK = frozenset({"registered_on", "consent_version"})
_BEN_NAMES = (("first_name", "latin"), ("last_name", "latin"), ("first_name_ar", "arabic"),
              ("last_name_ar", "arabic"))


class _BeneficiaryBatch:
    """Beneficiaries go through the core's bulk registration in chunks of rows (one transaction);
    those already registered (same CIN) are compared and corrected only where values differ."""

    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.buffer: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        self.fields = [f for f in _BEN_FIELDS if f in run.present]

    def add(self, line: int, values: dict[str, Any], raw: dict[str, Any]) -> None:
        self.buffer.append((line, values, raw))
        if len(self.buffer) >= _CHUNK:
            self.flush()

    def finish(self) -> None:
        self.flush()

    def flush(self) -> None:
        run, batch = self.run, self.buffer
        self.buffer = []
        if not batch:
            return
        rules = run.uow.rules
        cins = [normalize_cin(values["cin"], rules) for _, values, _ in batch]
        existing: dict[str | None, Beneficiary] = {
            b.cin: b for b in run.uow.session.scalars(select(Beneficiary).where(
                Beneficiary.cin.in_(cins)))}
        fresh: list[tuple[int, dict[str, Any], BeneficiaryCreate]] = []
        for (line, values, raw), cin in zip(batch, cins, strict=True):
            person = existing.get(cin)
            if person is not None:
                self._update(line, values, raw, person)
                continue
            data = {f: values[f] for f in self.fields if values[f] is not None}
            try:
                fresh.append((line, raw, _model(BeneficiaryCreate, data)))
            except EmpowerError as exc:
                run.reject_error(line, exc, raw)
        if fresh:
            result = empower.register_beneficiaries(run.uow, [m for _, _, m in fresh],
                                                    actor=run.actor, today=run.today)
            for err in result.errors:
                line, raw, _ = fresh[err.index]
                run.reject_error(line, err.error, raw)
            run.report.created += len(result.created)
            run.report.duplicate_candidates += result.duplicate_candidates
        # Loaded records are not needed past their chunk; keep the session small.
        for person in existing.values():
            run.uow.session.expunge(person)

    def _update(self, line: int, values: dict[str, Any], raw: dict[str, Any],
                person: Beneficiary) -> None:
        run = self.run
        diffs: dict[str, Any] = {}
        try:
            for name in self.fields:
                if name == "cin":
                    continue
                value = values[name]
                if value is None and name in _BEN_KEEP_WHEN_BLANK:
                    continue
                if name == "phone":
                    value = normalize_phone(value, run.uow.rules)
                elif name in ("first_name", "last_name", "first_name_ar", "last_name_ar"):
                    script = "arabic" if name.endswith("_ar") else "latin"
                    value = _check_name(value, script=script, field=name)
                current = getattr(person, name)
                if current != value:
                    diffs[name] = value
            if not diffs:
                run.accept(UNCHANGED)
                return
            with run.uow.savepoint():
                empower.update_beneficiary(run.uow, person.id, _model(BeneficiaryUpdate, diffs),
                                           actor=run.actor, today=run.today)
        except EmpowerError as exc:
            run.reject_error(line, exc, raw)
            return
        run.accept(UPDATED)


# ----------------------------------------------------------------------------- other kinds


def _programs(run: ImportRun, v: dict[str, Any]) -> str:
    program = run.uow.session.scalar(select(Program).where(Program.code == v["code"]))
    given = _given(run, v, tuple(ProgramCreate.model_fields))
    if program is None:
        empower.create_program(run.uow, _model(ProgramCreate, given), actor=run.actor)
        return CREATED
    current = {"code": program.code, "name": program.name, "funder": program.funder,
               "start_date": program.start_date, "end_date": program.end_date,
               "budget": mad(program.budget_centimes), "grant_cap": mad(program.grant_cap_centimes),
               "region_code": program.region_code}
    data = _model(ProgramCreate, {**current, **given})
    changed = _changed(program, lambda: corrections.update_program(
        run.uow, program.id, data, actor=run.actor))
    return UPDATED if changed else UNCHANGED


_COOP_UPDATABLE = ("name", "name_ar", "odco_registration", "sector", "province_code", "commune",
                   "founded_on", "women_led")


def _cooperatives(run: ImportRun, v: dict[str, Any]) -> str:
    coop = run.uow.session.scalar(
        select(Cooperative).where(Cooperative.reference == v["reference"]))
    if coop is None:
        data = {k: val for k, val in _given(run, v, tuple(CooperativeCreate.model_fields)).items()
                if val is not None}
        coop = empower.found_cooperative(run.uow, _model(CooperativeCreate, data),
                                         actor=run.actor, today=run.today)
        if v.get("dissolved_on"):
            empower.dissolve_cooperative(run.uow, coop.id, on=v["dissolved_on"], actor=run.actor)
        return CREATED

    def act() -> None:
        wanted = _given(run, v, _COOP_UPDATABLE)
        if wanted.get("women_led") is None:
            wanted.pop("women_led", None)
        diffs = {k: val for k, val in wanted.items() if getattr(coop, k) != val}
        if diffs:
            empower.update_cooperative(run.uow, coop.id, _model(CooperativeUpdate, diffs),
                                       actor=run.actor)
        dissolved = v.get("dissolved_on")
        if dissolved is not None and dissolved != coop.dissolved_on:
            if coop.dissolved_on is not None:
                raise RuleViolation(
                    f"dissolved_on: cooperative {coop.reference} was dissolved on "
                    f"{coop.dissolved_on.isoformat()}; that date is not changed by import",
                    field="dissolved_on", value=dissolved.isoformat())
            empower.dissolve_cooperative(run.uow, coop.id, on=dissolved, actor=run.actor)

    return UPDATED if _changed(coop, act) else UNCHANGED


def _memberships(run: ImportRun, v: dict[str, Any]) -> str:
    coop = run.cooperative(v["cooperative_reference"])
    person = run.beneficiary(v["cin"])
    m = run.uow.session.scalar(select(Membership).where(
        Membership.cooperative_id == coop.id, Membership.beneficiary_id == person.id))
    if m is None:
        data = {"cooperative_id": coop.id, "beneficiary_id": person.id, "joined_on": v["joined_on"]}
        if v.get("role") is not None:
            data["role"] = v["role"]
        m = empower.admit_member(run.uow, _model(MembershipCreate, data), actor=run.actor)
        left = v.get("left_on")
        if left is not None and m.left_on is None:
            empower.remove_member(run.uow, m.id, on=left, actor=run.actor)
        elif left is not None and left != m.left_on:
            # Admitted to a cooperative since dissolved: she left on the dissolution date
            # unless the file says earlier.
            corrections.correct_membership(run.uow, m.id, actor=run.actor, left_on=left)
        return CREATED
    membership = m

    def act() -> None:
        left = v.get("left_on")
        corrections.correct_membership(
            run.uow, membership.id, actor=run.actor, role=v.get("role"), joined_on=v["joined_on"],
            left_on=left if membership.left_on is not None else None)
        if left is not None and membership.left_on is None:
            empower.remove_member(run.uow, membership.id, on=left, actor=run.actor)

    return UPDATED if _changed(membership, act) else UNCHANGED


def _enrollments(run: ImportRun, v: dict[str, Any]) -> str:
    person = run.beneficiary(v["cin"])
    program_id = run.program_id(v["program_code"])
    enr = run.uow.session.scalar(select(Enrollment).where(
        Enrollment.beneficiary_id == person.id, Enrollment.program_id == program_id))
    if enr is None:
        enr = empower.apply(run.uow, _model(EnrollmentCreate, {
            "beneficiary_id": person.id, "program_id": program_id, "applied_on": v["applied_on"],
            "enrolled_on": v.get("enrolled_on")}), actor=run.actor)
        _enrollment_steps(run, enr, v)
        return CREATED
    enrollment = enr

    def act() -> None:
        # Dates of steps already taken are corrected; steps not yet taken are taken.
        corrections.correct_enrollment(
            run.uow, enrollment.id, actor=run.actor, applied_on=v["applied_on"],
            **{k: v.get(k) for k in ("enrolled_on", "rejected_on", "exited_on", "exit_reason")
               if getattr(enrollment, k) is not None})
        if v.get("enrolled_on") is not None and enrollment.enrolled_on is None:
            empower.enroll(run.uow, enrollment.id, on=v["enrolled_on"], actor=run.actor)
        _enrollment_steps(run, enrollment, v)

    return UPDATED if _changed(enrollment, act) else UNCHANGED


def _enrollment_steps(run: ImportRun, enr: Enrollment, v: dict[str, Any]) -> None:
    if v.get("rejected_on") is not None and enr.rejected_on is None:
        empower.reject_enrollment(run.uow, enr.id, on=v["rejected_on"], actor=run.actor)
    if v.get("exited_on") is not None and enr.exited_on is None:
        if v.get("exit_reason") is None:
            raise InvalidInput("exit_reason: a reason is required with exited_on",
                               field="exit_reason", value=None)
        empower.exit_enrollment(run.uow, enr.id, on=v["exited_on"], reason=v["exit_reason"],
                                actor=run.actor)


def _grants(run: ImportRun, v: dict[str, Any]) -> str:
    program_id = run.program_id(v["program_code"])
    cin, coop_ref = v.get("cin"), v.get("cooperative_reference")
    if (cin is None) == (coop_ref is None):
        raise InvalidInput("a grant goes to exactly one recipient: give cin or "
                           "cooperative_reference, not both and not neither",
                           field="cin" if "cin" in run.present else "cooperative_reference")
    beneficiary_id = run.beneficiary(cin).id if cin is not None else None
    cooperative_id = run.cooperative(coop_ref).id if coop_ref is not None else None
    grant = run.uow.session.scalar(select(Grant).where(Grant.reference == v["reference"]))
    if v.get("amount_approved") is not None and v.get("approved_on") is None \
            and (grant is None or grant.approved_on is None):
        raise InvalidInput("approved_on: an approval date is required with amount_approved",
                           field="approved_on")
    if grant is None:
        grant = empower.submit_grant(run.uow, _model(GrantCreate, {
            "reference": v["reference"], "program_id": program_id,
            "beneficiary_id": beneficiary_id, "cooperative_id": cooperative_id,
            "purpose": v.get("purpose"), "amount_requested": v["amount_requested"],
            "submitted_on": v["submitted_on"]}), actor=run.actor)
        _grant_steps(run, grant, v)
        return CREATED
    existing = grant
    fixed = (("program_code", existing.program_id, program_id),
             ("cin" if cin is not None else "cooperative_reference",
              (existing.beneficiary_id, existing.cooperative_id), (beneficiary_id, cooperative_id)),
             ("amount_requested", existing.amount_requested_centimes,
              int(v["amount_requested"] * 100)))
    for column, stored, given in fixed:
        if stored != given:
            raise RuleViolation(f"{column}: grant {existing.reference} is already recorded with "
                                f"another {column.replace('_', ' ')}; that is not changed by "
                                f"import", field=column, value=v.get(column))
    approved = v.get("amount_approved")
    if approved is not None and existing.amount_approved_centimes is not None \
            and int(approved * 100) != existing.amount_approved_centimes:
        raise RuleViolation(f"amount_approved: grant {existing.reference} was approved for "
                            f"{mad(existing.amount_approved_centimes)} MAD; that is not changed "
                            f"by import", field="amount_approved", value=str(approved))

    def act() -> None:
        corrections.correct_grant(
            run.uow, existing.id, actor=run.actor,
            purpose=v.get("purpose") if "purpose" in run.present else None,
            submitted_on=v["submitted_on"],
            **{k: v.get(k) for k in ("approved_on", "rejected_on", "cancelled_on")
               if getattr(existing, k) is not None})
        _grant_steps(run, existing, v)

    return UPDATED if _changed(existing, act) else UNCHANGED


def _grant_steps(run: ImportRun, grant: Grant, v: dict[str, Any]) -> None:
    if v.get("approved_on") is not None and grant.approved_on is None:
        empower.approve_grant(run.uow, grant.id, on=v["approved_on"], actor=run.actor,
                              amount=v.get("amount_approved"))
    if v.get("rejected_on") is not None and grant.rejected_on is None:
        empower.reject_grant(run.uow, grant.id, on=v["rejected_on"], actor=run.actor)
    if v.get("cancelled_on") is not None and grant.cancelled_on is None:
        empower.cancel_grant(run.uow, grant.id, on=v["cancelled_on"], actor=run.actor)


def _disbursements(run: ImportRun, v: dict[str, Any]) -> str:
    grant = run.grant(v["grant_reference"])
    tranche = run.uow.session.scalar(select(Disbursement).where(
        Disbursement.reference == v["reference"]))
    if tranche is None:
        empower.disburse(run.uow, _model(DisbursementCreate, {
            "grant_id": grant.id, "amount": v["amount"], "paid_on": v["paid_on"],
            "channel": v["channel"], "reference": v["reference"]}), actor=run.actor)
        return CREATED
    stored = (tranche.grant_id, tranche.amount_centimes, tranche.paid_on, tranche.channel)
    given = (grant.id, int(Decimal(v["amount"]) * 100), v["paid_on"], v["channel"])
    if stored != given:
        raise RuleViolation(f"reference: tranche {tranche.reference} is already recorded with "
                            f"other values; payments are not changed by import",
                            field="reference", value=tranche.reference)
    return UNCHANGED


_SURVEY_ANSWERS = ("monthly_income", "has_savings", "has_account", "borrowed_formal",
                   "business_operating", "jobs_created")


def _surveys(run: ImportRun, v: dict[str, Any]) -> str:
    person = run.beneficiary(v["cin"])
    program_id = run.program_id(v["program_code"])
    data = {"beneficiary_id": person.id, "program_id": program_id, "round": v["round"],
            "surveyed_on": v["surveyed_on"], **_given(run, v, _SURVEY_ANSWERS)}
    record = run.uow.session.scalar(select(SurveyRecord).where(
        SurveyRecord.beneficiary_id == person.id, SurveyRecord.program_id == program_id,
        SurveyRecord.round == v["round"]))
    if record is None:
        empower.record_survey(run.uow, _model(SurveyCreate, data), actor=run.actor)
        return CREATED
    current = {"monthly_income": mad(record.monthly_income_centimes),
               **{k: getattr(record, k) for k in _SURVEY_ANSWERS if k != "monthly_income"}}
    merged = _model(SurveyCreate, {**current, **data})
    changed = _changed(record, lambda: corrections.update_survey(run.uow, record.id, merged,
                                                                 actor=run.actor))
    return UPDATED if changed else UNCHANGED


_HANDLERS: dict[str, Callable[[ImportRun, dict[str, Any]], str]] = {
    "programs": _programs, "cooperatives": _cooperatives, "memberships": _memberships,
    "enrollments": _enrollments, "grants": _grants, "disbursements": _disbursements,
    "surveys": _surveys,
}
