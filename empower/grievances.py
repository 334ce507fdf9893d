"""The grievance mechanism's rules, each defined once: pure functions beside their SQL twins.

- deadlines: a complaint is acknowledged within a number of working days and answered within
  another, from its category and sensitivity; a data-protection request (law 09-08) within the
  legal deadline (:class:`GrievanceConfig`, from the settings). Working days skip Saturdays,
  Sundays and the configured holidays.
- deadline marks: an open case is ``on_track``, ``at_risk`` (due within a few working days) or
  ``late`` (:func:`deadline_mark`, its twin :func:`deadline_mark_sql`).
- the state machine (:data:`empower.states.GRIEVANCE_TRANSITIONS`) and the rules on top of it
  (:func:`check_action`): no closing without a resolution and the date the complainant was
  told; one appeal; an erasure request is resolved only once ``erase_beneficiary`` ran, an
  access request only once her subject file was produced.
- the confidential channel: conduct and sexual exploitation and abuse cases reach only a
  focal point of their regions; admins see that they exist, not what they say
  (:func:`access_level`, its twin :func:`visible_sql` / :func:`content_visible_sql`).

No database, no I/O here: the services, the panel and the report use these.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import and_, case, literal
from sqlalchemy.sql import ColumnElement

from empower.errors import InvalidInput, RuleViolation
from empower.states import check_transition
from empower.vocab import (
    DataRequestKind,
    GrievanceCategory,
    GrievanceStatus,
    Role,
    Sensitivity,
)

__all__ = [
    "CONFIDENTIAL_CATEGORIES",
    "OPEN_STATUSES",
    "AccessLevel",
    "DeadlineMark",
    "GrievanceConfig",
    "Viewer",
    "access_level",
    "add_working_days",
    "at_risk_cutoff",
    "check_action",
    "content_visible_sql",
    "deadline_mark",
    "deadline_mark_sql",
    "due_dates",
    "is_working_day",
    "late_sql",
    "parse_holidays",
    "resolved_within_deadline",
    "sensitivity_for",
    "visible_sql",
]

# Categories that reach only a focal point, whatever the receiver chose.
CONFIDENTIAL_CATEGORIES = frozenset({GrievanceCategory.CONDUCT, GrievanceCategory.SEXUAL_EXPLOITATION_ABUSE})
# A case is open (its deadline runs) until it is answered; an appeal reopens it.
OPEN_STATUSES = (
    GrievanceStatus.RECEIVED,
    GrievanceStatus.ACKNOWLEDGED,
    GrievanceStatus.UNDER_REVIEW,
    GrievanceStatus.APPEALED,
)
ANSWERED = (GrievanceStatus.RESOLVED, GrievanceStatus.UNFOUNDED)
_SATURDAY, _SUNDAY = 5, 6


@dataclass(frozen=True)
class GrievanceConfig:
    """The mechanism's deadlines (``EMPOWER_GRIEVANCE_*`` settings), in working days except
    the data-protection deadline, which the law counts in days."""

    acknowledge_days: int = 2
    resolve_days: int = 15
    confidential_resolve_days: int = 10
    data_protection_days: int = 10
    at_risk_days: int = 3
    holidays: frozenset[date] = field(default_factory=frozenset)


def parse_holidays(text: str | None) -> frozenset[date]:
    """``"2026-01-01,2026-01-11"`` as dates; raises :class:`InvalidInput` naming a bad one."""
    days: set[date] = set()
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            days.add(date.fromisoformat(item))
        except ValueError as exc:
            raise InvalidInput(
                f"grievance_holidays: '{item[:20]}' is not a date (YYYY-MM-DD)",
                code="input.not_a_date",
                params={"value": item[:20]},
                field="grievance_holidays",
                value=item[:20],
            ) from exc
    return frozenset(days)


def is_working_day(day: date, holidays: Collection[date] = ()) -> bool:
    """Monday to Friday, not a configured holiday."""
    return day.weekday() not in (_SATURDAY, _SUNDAY) and day not in holidays


def add_working_days(start: date, days: int, holidays: Collection[date] = ()) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted; 0 gives
    ``start``). A complaint received on a Friday with 2 days is due on Tuesday."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    left = days
    while left:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            left -= 1
    return current


def sensitivity_for(category: GrievanceCategory, chosen: Sensitivity | None) -> Sensitivity:
    """Conduct and sexual exploitation and abuse cases are confidential whatever was chosen;
    any other case is what the receiver chose (standard by default)."""
    if category in CONFIDENTIAL_CATEGORIES:
        return Sensitivity.CONFIDENTIAL
    return chosen or Sensitivity.STANDARD


def due_dates(
    received_on: date,
    category: GrievanceCategory,
    sensitivity: Sensitivity,
    config: GrievanceConfig | None = None,
) -> tuple[date, date]:
    """``(acknowledge by, answer by)`` for a case received on ``received_on``."""
    config = config or GrievanceConfig()
    acknowledge = add_working_days(received_on, config.acknowledge_days, config.holidays)
    if category == GrievanceCategory.DATA_PROTECTION:
        answer = received_on + timedelta(days=config.data_protection_days)
    elif sensitivity == Sensitivity.CONFIDENTIAL:
        answer = add_working_days(received_on, config.confidential_resolve_days, config.holidays)
    else:
        answer = add_working_days(received_on, config.resolve_days, config.holidays)
    return acknowledge, max(answer, acknowledge)


# --- deadline marks ------------------------------------------------------------------------------


class DeadlineMark(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"


def at_risk_cutoff(today: date, config: GrievanceConfig) -> date:
    """The last due date marked at risk on ``today`` (later ones are on track)."""
    return add_working_days(today, config.at_risk_days, config.holidays)


def deadline_mark(due_on: date, today: date, config: GrievanceConfig | None = None) -> DeadlineMark:
    """An open case's mark: late once ``today`` is past its due date, at risk when it falls due
    within ``at_risk_days`` working days, on track otherwise."""
    config = config or GrievanceConfig()
    if today > due_on:
        return DeadlineMark.LATE
    if due_on <= at_risk_cutoff(today, config):
        return DeadlineMark.AT_RISK
    return DeadlineMark.ON_TRACK


def deadline_mark_sql(due_on: Any, today: date, config: GrievanceConfig | None = None) -> ColumnElement[str]:
    """The SQL twin of :func:`deadline_mark` over the column ``due_on``."""
    config = config or GrievanceConfig()
    return case(
        (due_on < today, literal(DeadlineMark.LATE.value)),
        (due_on <= at_risk_cutoff(today, config), literal(DeadlineMark.AT_RISK.value)),
        else_=literal(DeadlineMark.ON_TRACK.value),
    )


def late_sql(target: Any, today: date) -> ColumnElement[bool]:
    """Open and past its due date on ``today`` (the dashboard's card) over a model or table."""
    return and_(_col(target, "status").in_([s.value for s in OPEN_STATUSES]), _col(target, "due_on") < today)


def resolved_within_deadline(resolved_on: date | None, due_on: date) -> bool:
    """Answered (resolved or found unfounded) on or before its due date."""
    return resolved_on is not None and resolved_on <= due_on


# --- the state machine and the rules on top of it ----------------------------------------------


class _Case(Protocol):
    @property
    def reference(self) -> str: ...
    @property
    def status(self) -> GrievanceStatus: ...
    @property
    def category(self) -> GrievanceCategory: ...
    @property
    def request_kind(self) -> DataRequestKind | None: ...
    @property
    def resolution(self) -> str | None: ...
    @property
    def complainant_told_on(self) -> date | None: ...
    @property
    def appealed_on(self) -> date | None: ...
    @property
    def fulfilled_on(self) -> date | None: ...


# A request of these kinds is answered only by doing what it asks, which a service records.
_FULFILLED_BY = {DataRequestKind.ERASURE: "erasure", DataRequestKind.ACCESS: "subject_file"}


def check_action(case_: _Case, action: str) -> GrievanceStatus:
    """The status after ``action``, or the refusal: :class:`InvalidTransition` off the machine,
    :class:`RuleViolation` for closing an unanswered case (``grievance.close_unanswered``),
    a second appeal (``grievance.appeal_once``), or resolving an erasure or access request that
    was not fulfilled (``grievance.not_fulfilled``)."""
    ref = case_.reference
    nxt = check_transition(case_.status, action, what="grievance", ref=ref)
    if action == "close" and (not case_.resolution or case_.complainant_told_on is None):
        missing = [
            name
            for name, value in (
                ("resolution", case_.resolution),
                ("complainant_told_on", case_.complainant_told_on),
            )
            if not value
        ]
        raise RuleViolation(
            f"grievance {ref}: cannot close without {' and '.join(missing)}",
            code="grievance.close_unanswered",
            params={"ref": ref, "missing": missing},
            field=missing[0],
        )
    if action == "appeal" and case_.appealed_on is not None:
        raise RuleViolation(
            f"grievance {ref} was already appealed on "
            f"{case_.appealed_on.isoformat()}; an appeal reopens it once",
            code="grievance.appeal_once",
            params={"ref": ref, "on": case_.appealed_on},
            field="appealed_on",
        )
    if action == "resolve" and case_.category == GrievanceCategory.DATA_PROTECTION:
        needed = _FULFILLED_BY.get(case_.request_kind) if case_.request_kind else None
        if needed is not None and case_.fulfilled_on is None:
            raise RuleViolation(
                f"grievance {ref}: an {case_.request_kind} request is resolved "
                f"by fulfilling it ({needed}), not by a written answer",
                code="grievance.not_fulfilled",
                params={"ref": ref, "kind": str(case_.request_kind), "needed": needed},
                field="status",
            )
    return nxt


# --- the confidential channel --------------------------------------------------------------------


class AccessLevel(StrEnum):
    FULL = "full"  # sees and acts on the case
    EXISTENCE = "existence"  # sees that it exists (reference, dates, status), not its content
    NONE = "none"  # does not see it at all: not listed, not counted, 404 by id


@dataclass(frozen=True)
class Viewer:
    """Who is looking: her account's role, whether she holds the focal-point role, her regions
    (None: the whole country)."""

    role: str
    focal_point: bool = False
    regions: frozenset[str] | None = None

    @classmethod
    def of(cls, role: str, focal_point: bool, regions: Iterable[str] | None) -> Viewer:
        return cls(
            role=str(role),
            focal_point=bool(focal_point),
            regions=None if regions is None else frozenset(regions),
        )


def access_level(viewer: Viewer, sensitivity: Sensitivity | str, in_scope: bool) -> AccessLevel:
    """What ``viewer`` may see of a case: nothing outside her regions (``in_scope`` is
    :func:`empower.scope.covers` for it); a standard case whole; a confidential one whole only
    as a focal point, its existence as an admin, nothing otherwise."""
    if not in_scope:
        return AccessLevel.NONE
    if Sensitivity(sensitivity) != Sensitivity.CONFIDENTIAL or viewer.focal_point:
        return AccessLevel.FULL
    if viewer.role == Role.ADMIN:
        return AccessLevel.EXISTENCE
    return AccessLevel.NONE


def _col(target: Any, name: str) -> Any:
    columns = getattr(target, "c", None)
    return columns[name] if columns is not None else getattr(target, name)


def visible_sql(viewer: Viewer, target: Any) -> ColumnElement[bool]:
    """The SQL twin of ``access_level(...) != NONE`` over the ``grievances`` columns of
    ``target``, region scope included (lists, counts, searches, exports)."""
    from empower.scope import condition

    scope = condition("grievances", viewer.regions, target)
    if viewer.focal_point or viewer.role == Role.ADMIN:
        return scope
    return and_(scope, _col(target, "sensitivity") != Sensitivity.CONFIDENTIAL.value)


def content_visible_sql(viewer: Viewer, target: Any) -> ColumnElement[bool]:
    """The SQL twin of ``access_level(...) == FULL``."""
    from empower.scope import condition

    scope = condition("grievances", viewer.regions, target)
    if viewer.focal_point:
        return scope
    return and_(scope, _col(target, "sensitivity") != Sensitivity.CONFIDENTIAL.value)
