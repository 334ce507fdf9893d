"""Helpers shared by the services: loading records with clear errors, snapshots for diffs."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import CursorResult, Result, inspect, select

from empower.db import UnitOfWork
from empower.errors import Conflict, InvalidInput, NotEligible, NotFound
from empower.models import (
    ArchivePeriod,
    Base,
    Beneficiary,
    Cooperative,
    Program,
    Province,
    Region,
    utcnow,
)
from empower.predicates import ARCHIVED, COOPERATIVE_ACTIVE, PROGRAM_RUNNING
from empower.rules import check_not_future
from empower.text import clean_text

T = TypeVar("T", bound=Base)


def matched_rows(result: Result[Any]) -> int:
    """Rows matched by a conditional UPDATE (how the money rules learn whether they held)."""
    return cast(CursorResult[Any], result).rowcount


def check_unique(uow: UnitOfWork, column: Any, value: str, *, code: str, what: str,
                 field: str, param: str = "value", other_than: int | None = None) -> None:
    """Refuse a code or reference another record of ``column``'s table already has (besides
    record ``other_than``, the one being changed): :class:`Conflict` ``code``, its parameters
    ``{param: value, "existing_id": ...}``."""
    query = select(column.table.c.id).where(column == value)
    if other_than is not None:
        query = query.where(column.table.c.id != other_than)
    other = uow.session.scalar(query.limit(1))
    if other is not None:
        raise Conflict(f"{field}: {what} '{value}' already exists (#{other})", code=code,
                       params={param: value, "existing_id": other}, field=field, value=value,
                       existing_id=other)


def get(uow: UnitOfWork, model: type[T], record_id: int, *, what: str, lock: bool = False) -> T:
    """Load a record by id or raise :class:`NotFound` naming it."""
    obj = uow.session.get(model, record_id, with_for_update=lock or None)
    if obj is None:
        raise not_found(what, record_id)
    return obj


def not_found(what: str, record_id: int) -> NotFound:
    """The refusal for a record that does not exist (what :func:`get` raises)."""
    return NotFound(f"{what} #{record_id} does not exist", code="record.not_found",
                    params={"what": what, "id": record_id}, field=f"{what}_id", value=record_id)


def columns(obj: Base, names: list[str] | None = None) -> dict[str, Any]:
    """The column values of a record, for audit diffs."""
    mapper = inspect(type(obj))
    keys = names or [c.key for c in mapper.column_attrs]
    return {k: getattr(obj, k) for k in keys}


def today() -> date:
    """Today (UTC): acts dated after it plus the configured margin are refused."""
    return utcnow().date()


def check_not_in_future(uow: UnitOfWork, on: date, *, field: str,
                        today_: date | None = None) -> None:
    """Refuse an act dated after today plus the margin of ``uow.rules`` (``date.in_future``).

    The rule is :func:`empower.rules.check_not_future`; ``today_`` defaults to :func:`today`.
    """
    check_not_future(on, field=field, today=today_ or today(), config=uow.rules)


def check_province(uow: UnitOfWork, code: str | None, *, field: str = "province_code") -> None:
    """Refuse a province code that is not one of the 75 HCP codes."""
    if code is None:
        return
    if uow.session.get(Province, code) is None:
        raise InvalidInput(f"{field}: '{code}' is not an HCP province code (e.g. 04.441)",
                           code="province.unknown", params={"value": str(code)}, field=field,
                           value=code)


def check_region(uow: UnitOfWork, code: str | None, *, field: str = "region_code") -> None:
    """Refuse a region code that is not one of the 12 HCP codes."""
    if code is None:
        return
    if uow.session.get(Region, code) is None:
        raise InvalidInput(f"{field}: '{code}' is not an HCP region code (01 to 12)",
                           code="region.unknown", params={"value": str(code)}, field=field,
                           value=code)


class Archivable(Protocol):
    """What :func:`check_not_archived` reads of a woman: a :class:`Beneficiary`, or the
    columns a bulk service read of her (``archive_periods`` as ORM objects or mappings)."""

    @property
    def id(self) -> int: ...
    @property
    def erased_on(self) -> date | None: ...
    @property
    def archive_periods(self) -> Any: ...


def check_not_archived(person: Archivable, on: date) -> None:
    """Refuse an act dated on or after her archive (or erasure) date (``NotEligible``)."""

    if person.erased_on is not None:
        raise NotEligible(f"beneficiary #{person.id} was erased on {person.erased_on.isoformat()}",
                          code="beneficiary.erased",
                          params={"id": person.id, "erased_on": person.erased_on},
                          field="beneficiary_id", value=person.id)
    period = ARCHIVED.covering(person, on)
    if period is not None:
        raise NotEligible(
            f"beneficiary #{person.id} is archived since {period.archived_on.isoformat()}",
            code="beneficiary.archived", params={"id": person.id, "archived_on": period.archived_on},
            field="beneficiary_id", value=person.id)


def check_cooperative_active(uow: UnitOfWork, cooperative_id: int, on: date) -> Cooperative:
    """The cooperative, or :class:`NotEligible` (``cooperative.not_active``) when it is not
    founded, or already dissolved, on ``on``; :class:`NotFound` when there is none."""
    coop = get(uow, Cooperative, cooperative_id, what="cooperative")
    if not COOPERATIVE_ACTIVE.holds(coop, on):
        raise NotEligible(f"cooperative {coop.reference} is not active on {on.isoformat()}",
                          code="cooperative.not_active",
                          params={"reference": coop.reference, "on": on},
                          field="cooperative_id", value=coop.id)
    return coop


def open_archive_period(uow: UnitOfWork, person: Beneficiary, on: date) -> ArchivePeriod:
    """Archive her from ``on``: open an archive period, or move the open one's start back.

    The start never goes before her last restore (periods do not overlap). Callers check the
    date against her registration and say which rule refused it; this keeps
    ``Beneficiary.archived_on`` (archived now, since) equal to the open period's start.
    """
    periods = list(person.archive_periods)
    current = next((p for p in periods if p.restored_on is None), None)
    last_restore = max((p.restored_on for p in periods if p.restored_on is not None), default=None)
    start = on if last_restore is None else max(on, last_restore)
    if current is None:
        current = ArchivePeriod(beneficiary_id=person.id, archived_on=start)
        person.archive_periods.append(current)
        uow.session.add(current)
    elif start < current.archived_on:
        current.archived_on = start
    person.archived_on = current.archived_on
    return current


def check_program_running(program: Program, on: date, *, field: str) -> None:
    """Refuse an act dated outside the program's dates (start and end included)."""
    if not PROGRAM_RUNNING.holds(program, on):
        end = program.end_date.isoformat() if program.end_date else "open-ended"
        raise NotEligible(
            f"{field}: program {program.code} runs {program.start_date.isoformat()} to {end}; "
            f"{on.isoformat()} is outside it",
            code="program.outside_dates" if program.end_date else "program.before_start",
            params={"program": program.code, "start_date": program.start_date,
                    "end_date": program.end_date, "on": on}, field=field, value=on.isoformat())


def program_by_code(uow: UnitOfWork, code: str) -> Program:
    """A program by its code, or :class:`NotFound` (:class:`InvalidInput` for a code that is
    not text, which the database would refuse)."""
    code = clean_text(str(code), field="program_code")
    prog = uow.session.scalar(select(Program).where(Program.code == code))
    if prog is None:
        raise NotFound(f"program '{code}' does not exist", code="program.unknown",
                       params={"code": code}, field="program_code", value=code)
    return prog


def beneficiary_by_cin(uow: UnitOfWork, cin: str) -> Beneficiary:
    """A beneficiary by CIN (normalised as at registration), or :class:`NotFound`."""
    from empower.predicates import normalize_cin

    norm = normalize_cin(cin, uow.rules)
    person = uow.session.scalar(select(Beneficiary).where(Beneficiary.cin == norm))
    if person is None:
        raise NotFound(f"no beneficiary has CIN {norm}", code="beneficiary.unknown_cin",
                       params={"cin": norm}, field="cin", value=cin)
    return person
