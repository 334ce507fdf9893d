"""Who is asking, and which records she may see: roles and region scope.

``admin`` sees and does everything; ``officer`` reads and writes inside her regions; ``viewer``
reads inside her regions with CIN and phone partly masked. Which rows her regions cover is
defined once, in :mod:`empower.scope`; every list, filter, export, detail, related table and
action narrows its query with :meth:`Principal.within`, that definition translated to Tortoise,
so a record outside her regions is simply not found (404), never "forbidden" (which would
confirm it exists).

The write side checks the same scope on the SQLAlchemy session of the unit of work
(:func:`check_person`, :func:`check_coop`, ...): a record typed by id into a form (beneficiary,
cooperative, program, grant) is checked before the core service runs, so an officer cannot act
outside her regions by typing an id. Two writes are narrower than the reads: an officer reads
every partner but records only partners of a province in her regions
(:func:`check_partner_province`), and reads national programs but signs agreements only on
programs of her regions (:func:`check_agreement_program`); the rest is for admins.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.queryset import QuerySet

from empower.errors import Conflict, EmpowerError, InvalidInput, NotFound, RuleViolation
from empower.grievances import Viewer
from empower.models import (
    Activity,
    ActivitySession,
    Beneficiary,
    Cooperative,
    Grant,
    PaymentBatch,
    Program,
    Province,
)
from empower.predicates import Periods, Span
from empower.scope import RULES, AnyOf, Everywhere, InRegions, Rule, Through, covers

from . import models as m

__all__ = [
    "CONFLICT_TABLES",
    "Principal",
    "as_seen_by",
    "check_activity",
    "check_agreement_program",
    "check_batch",
    "check_batch_region",
    "check_coop",
    "check_grant",
    "check_partner_province",
    "check_person",
    "check_program",
    "check_province",
    "check_session",
    "lookup",
    "filter_periods",
    "periods_filter",
    "span_filter",
    "tortoise_condition",
]


@dataclass
class Principal:
    """The logged-in user as the panel needs her on every request."""

    id: int
    username: str
    role: str
    language: str
    regions: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    csrf: str = ""
    token: str = field(default="", repr=False)
    # Holds the focal-point role on top of ``role`` (users.focal_point): sees the confidential
    # grievances of her regions.
    focal_point: bool = False

    @property
    def actor(self) -> str:
        """The audit actor of her writes."""
        return f"user:{self.username}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "officer")

    @property
    def masked(self) -> bool:
        return self.role == "viewer"

    @property
    def region_scope(self) -> tuple[str, ...] | None:
        """Region codes she works in, or None for the whole country."""
        return None if self.is_admin else self.regions

    @property
    def viewer(self) -> Viewer:
        """Who she is to the grievance rules (:mod:`empower.grievances`)."""
        scope = self.region_scope
        return Viewer.of(self.role, self.focal_point, None if scope is None else scope)

    # -- query narrowing ----------------------------------------------------------------------
    def within(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        """``qs`` narrowed to the rows her regions cover (its table's rule in ``empower.scope``).

        Raises :class:`KeyError` for a table with no scope rule (users, audit: admins only).
        """
        regions = self.region_scope
        if regions is None:
            return qs
        return qs.filter(tortoise_condition(qs.model._meta.db_table, regions))

    def scope_all(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        """No narrowing: for the admin-only lists (accounts, audit log)."""
        return qs


# -- the Tortoise translation of empower.scope ----------------------------------------------------
_BY_TABLE: dict[str, Any] = {model._meta.db_table: model for model in m.MODELS.values()}


def tortoise_condition(table: str, regions: Collection[str]) -> Q:
    """The Tortoise filter for "these regions cover the row", from ``empower.scope.RULES``.

    The same rules as :func:`empower.scope.condition`, spelled for the panel's Tortoise reads;
    ``tests/admin/test_scope_translation.py`` runs both on the same rows. Raises
    :class:`KeyError` for a table with no rule.
    """
    return _q(RULES[table], sorted(set(regions)))


def lookup(name: str, value: Any) -> Q:
    """``Q(name=value)`` for a lookup built at run time (``province_code__in``...)."""
    kwargs: dict[str, Any] = {name: value}
    return Q(**kwargs)


def _q(rule: Rule, regions: list[str]) -> Q:
    if isinstance(rule, Everywhere):
        return Q()
    if isinstance(rule, InRegions):
        if rule.via == "province":
            inside = lookup(f"{rule.column}__in", Subquery(
                m.Province.filter(region_code__in=regions).values("code")))
        else:
            inside = lookup(f"{rule.column}__in", regions)
        if rule.national:
            return Q(lookup(f"{rule.column}__isnull", True), inside, join_type="OR")
        return inside
    if isinstance(rule, Through):
        target = _BY_TABLE[rule.table]
        return lookup(f"{rule.column}__in", Subquery(
            target.filter(_q(RULES[rule.table], regions)).values("id")))
    if isinstance(rule, AnyOf):
        return Q(*(_q(r, regions) for r in rule.rules), join_type="OR")
    return Q(*(_q(r, regions) for r in rule.rules), join_type="AND")


def span_filter(span: Span, on: date, *, holds: bool = True) -> Q:
    """Tortoise twin of :meth:`empower.predicates.Span.sql` (``holds=False``: its negation).

    The negation is spelled out rather than ``~Q``: SQL's ``NOT`` of a comparison with an empty
    date is unknown, and would drop the rows whose date is empty.
    """
    began = lookup(f"{span.start}__lte", on) if span.start else None
    ended = (lookup(f"{span.end}__{'lt' if span.end_inclusive else 'lte'}", on)
             if span.end else None)
    if holds:
        parts = [p for p in (began, None if ended is None else Q(
            lookup(f"{span.end}__isnull", True),
            lookup(f"{span.end}__{'gte' if span.end_inclusive else 'gt'}", on),
            join_type="OR")) if p is not None]
        return Q(*parts, join_type="AND") if parts else Q()
    not_begun = (Q(lookup(f"{span.start}__isnull", True), lookup(f"{span.start}__gt", on),
                   join_type="OR") if span.start else None)
    parts = [p for p in (not_begun, ended) if p is not None]
    return Q(*parts, join_type="OR")


def periods_filter(periods: Periods, on: date, *, holds: bool = True) -> Q:
    """Tortoise twin of :meth:`empower.predicates.Periods.sql` (``holds=False``: its negation)."""
    rows = m.MODELS[m.model_name(periods.period.table)].filter(span_filter(periods.period, on))
    owners = Subquery(rows.values(periods.owner))
    return Q(id__in=owners) if holds else Q(id__not_in=owners)


def filter_periods(qs: QuerySet[Any], periods: Periods, on: date, *,
                   holds: bool = True) -> QuerySet[Any]:
    """``qs`` narrowed to the owners whose periods cover ``on`` (``holds=False``: do not).

    The same rule as :func:`periods_filter`, in the form whose work is bounded by the page:
    the few owners in the state are a list (``id IN``, read from the period table); the many
    not in it are checked row by row with the core's own ``NOT EXISTS``
    (:meth:`empower.predicates.Periods.sql_text`, compiled for the panel's database), one index
    probe per row read, instead of a ``NOT IN`` list of every period built on each request
    (7 ms of the default list at a million women on SQLite, 24 ms of its count).
    """
    if holds:
        return qs.filter(periods_filter(periods, on))
    condition = periods.sql_text(on, qs.model._meta.db_table, _dialect(qs), holds=False)
    return qs.annotate(_not_in_periods=RawSQL(f"({condition})")).filter(_not_in_periods=True)


def _dialect(qs: QuerySet[Any]) -> str:
    return str(qs._db.capabilities.dialect)


# -- write side: records referenced by a form, checked inside the unit of work ----------------
def _check(uow: Any, p: Principal, model: Any, record_id: Any, what: str) -> None:
    if record_id is not None and not covers(uow.session, model, record_id, p.region_scope):
        raise NotFound(f"{what} #{record_id} does not exist", code="record.not_found",
                       params={"what": what, "id": record_id}, field=f"{what}_id",
                       value=record_id)


def check_person(uow: Any, p: Principal, beneficiary_id: int | None) -> None:
    """Raises :class:`NotFound` when the beneficiary is not hers (or does not exist)."""
    _check(uow, p, Beneficiary, beneficiary_id, "beneficiary")


def check_coop(uow: Any, p: Principal, cooperative_id: int | None) -> None:
    """Raises :class:`NotFound` when the cooperative is not hers (or does not exist)."""
    _check(uow, p, Cooperative, cooperative_id, "cooperative")


def check_province(uow: Any, p: Principal, code: str | None) -> None:
    """Raises :class:`InvalidInput` when the province is outside her regions."""
    if code and not covers(uow.session, Province, code, p.region_scope):
        raise InvalidInput(f"province_code: '{code}' is outside your regions",
                           code="province.outside_regions", params={"value": code},
                           field="province_code", value=code)


def check_program(uow: Any, p: Principal, program_id: int | None) -> None:
    """Raises :class:`NotFound` unless the program is national or of her regions."""
    _check(uow, p, Program, program_id, "program")


def check_activity(uow: Any, p: Principal, activity_id: int | None) -> None:
    """Raises :class:`NotFound` when the activity is not hers (or does not exist)."""
    _check(uow, p, Activity, activity_id, "activity")


def check_session(uow: Any, p: Principal, session_id: int | None) -> None:
    """Raises :class:`NotFound` when the session is not hers (or does not exist)."""
    _check(uow, p, ActivitySession, session_id, "session")


def check_batch(uow: Any, p: Principal, batch_id: int | None) -> None:
    """Raises :class:`NotFound` when the payment batch is not hers (or does not exist): a batch
    is its region's, and one built without a region is the whole country's (admins)."""
    _check(uow, p, PaymentBatch, batch_id, "payment_batch")


def check_batch_region(uow: Any, p: Principal, region_code: str | None) -> None:
    """An officer builds a batch for one of her regions (a batch without a region would take
    the program's grants of every region: an admin's).

    Raises :class:`InvalidInput` ``payment.region_required`` without a region and
    ``region.outside_regions`` for one outside hers.
    """
    if p.region_scope is None:
        return
    if not region_code:
        raise InvalidInput("region_code: give the batch's region, one of yours",
                           code="payment.region_required", field="region_code")
    if region_code not in p.region_scope:
        raise InvalidInput(f"region_code: '{region_code}' is outside your regions",
                           code="region.outside_regions", params={"value": region_code},
                           field="region_code", value=region_code)


def check_partner_province(uow: Any, p: Principal, code: str | None) -> None:
    """An officer records a partner of a province in her regions (admins: any, or none).

    Raises :class:`InvalidInput` ``partner.province_required`` when she gives no province (a
    partner without one is national) and ``province.outside_regions`` for one outside them.
    """
    if p.region_scope is None:
        return
    if not code:
        raise InvalidInput("province_code: give the partner's province, in your regions",
                           code="partner.province_required", field="province_code")
    check_province(uow, p, code)


def check_agreement_program(uow: Any, p: Principal, program_id: int) -> None:
    """An officer signs (or changes) agreements only on programs of her regions.

    Raises :class:`NotFound` for a program she does not see, and :class:`RuleViolation`
    ``agreement.national_program`` for a national one (she sees it; its agreements are the
    admins').
    """
    check_program(uow, p, program_id)
    if p.region_scope is None:
        return
    program = uow.session.get(Program, program_id)
    if program is not None and program.region_code is None:
        raise RuleViolation(f"program_id: program {program.code} is national; its agreements "
                            f"are signed by an administrator", code="agreement.national_program",
                            params={"program": program.code}, field="program_id",
                            value=program_id)


def check_grant(uow: Any, p: Principal, grant_id: int) -> Grant:
    """The grant, when its beneficiary or cooperative is hers; raises :class:`NotFound`."""
    _check(uow, p, Grant, grant_id, "grant")
    grant = uow.session.get(Grant, grant_id)
    if grant is None:  # deleted between the two reads
        raise NotFound(f"grant #{grant_id} does not exist", code="record.not_found",
                       params={"what": "grant", "id": grant_id}, field="grant_id", value=grant_id)
    return grant


# -- refusals: what a conflict may say about the record it names -------------------------------
# The table of the existing record each "already exists" conflict names by id (``existing_id``).
CONFLICT_TABLES = {
    "cin.taken": "beneficiaries",
    "cooperative.reference_taken": "cooperatives",
    "grant.reference_taken": "grants",
    "tranche.reference_taken": "disbursements",
    "program.code_taken": "programs",
    "partner.name_taken": "partners",
    "enrolment.exists": "enrollments",
    "membership.exists": "memberships",
    "survey.round_exists": "surveys",
    "activity.code_taken": "activities",
    "session.reference_taken": "activity_sessions",
    "visit.reference_taken": "coaching_visits",
    "payment.batch_reference_taken": "payment_batches",
}


async def as_seen_by(p: Principal, exc: EmpowerError) -> EmpowerError:
    """The refusal as she may read it.

    A conflict names the record that already holds the value (its number, its name, its
    reference). When her regions do not cover that record, saying so would tell her that a woman
    with this CIN, or a cooperative or grant with this reference, exists in another region and
    under which number: she reads only that the value is already in use (``panel.value_in_use``,
    on the same field). A conflict whose code is not in :data:`CONFLICT_TABLES` is treated the
    same way (fail closed). Every other refusal is returned unchanged.
    """
    if not isinstance(exc, Conflict) or exc.existing_id is None or p.region_scope is None:
        return exc
    table = CONFLICT_TABLES.get(exc.code)
    if table is not None and await p.within(
            _BY_TABLE[table].filter(id=exc.existing_id)).exists():
        return exc
    return Conflict(f"{exc.field or 'value'}: this value is already in use",
                    code="panel.value_in_use", field=exc.field)
