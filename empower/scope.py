"""Region scope, defined once: which rows of each table a set of regions covers.

An officer works in some regions; she sees and acts on the rows those regions cover, and
``regions=None`` stands for the whole country. :data:`RULES` says it per table, as data, so that
the SQL conditions built here and the panel's Tortoise filters (``empower.admin.scope``) are
two translations of one definition, tested against each other:

- a province: it lies in one of the regions;
- a beneficiary: her province is in one of the regions; a cooperative: its province;
- an enrolment, a membership, a survey: the woman's (a cooperative's page therefore lists only
  the members her regions cover);
- a grant: its recipient's, the woman or the cooperative; a tranche (disbursement): its grant's;
- a duplicate pair: both women's. A pair with one woman outside the regions is nobody's to
  review there: an officer could neither open the other record nor merge it;
- a program: national (no region) or of one of the regions; an agreement: its program's;
- a partner: everywhere. Partners are organisations, not personal data, and an officer must be
  able to sign a program of her region with a partner based anywhere;
- an activity: its province; one without a province, its program's (national or of the
  regions); a session: its activity's;
- an attendance (a line of a roster): the woman's, like her enrolments; a coaching visit: its
  recipient's, the woman or the cooperative, like a grant;
- a payment batch: its region (``region_code``: it was built from that region's grants only).
  A batch built without a region takes the program's grants of every region: it is the whole
  country's, and no set of regions covers it (admins only). A payment instruction (a line of a
  batch): its grant's, like a tranche.
- a grievance: its province (the woman's when she is known); a step of its log: its grievance's.
  Confidential cases are narrowed further by the focal-point rule (empower.grievances).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from empower.models import Base, Province

__all__ = [
    "RULES",
    "AllOf",
    "AnyOf",
    "Everywhere",
    "InRegions",
    "Rule",
    "Through",
    "condition",
    "covers",
]


@dataclass(frozen=True)
class InRegions:
    """The row's ``column`` names a place in the regions.

    ``via`` says what the column holds: a province code (``"province"``, in scope when the
    province lies in one of the regions) or a region code (``"region"``). With ``national``, an
    empty column means the row belongs to the whole country and every region covers it.
    """

    column: str
    via: str = "province"
    national: bool = False


@dataclass(frozen=True)
class Through:
    """The row's ``column`` references a row of ``table`` that the regions cover."""

    column: str
    table: str


@dataclass(frozen=True)
class AnyOf:
    """Covered when one of the rules covers the row (a null reference covers nothing)."""

    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class AllOf:
    """Covered when every rule covers the row."""

    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Everywhere:
    """Every set of regions covers every row."""


Rule = InRegions | Through | AnyOf | AllOf | Everywhere

_HER = Through("beneficiary_id", "beneficiaries")

RULES: dict[str, Rule] = {
    "provinces": InRegions("region_code", via="region"),
    "beneficiaries": InRegions("province_code"),
    "cooperatives": InRegions("province_code"),
    "enrollments": _HER,
    "memberships": _HER,
    "survey_records": _HER,
    "grants": AnyOf((_HER, Through("cooperative_id", "cooperatives"))),
    "disbursements": Through("grant_id", "grants"),
    "duplicate_candidates": AllOf((_HER, Through("other_beneficiary_id", "beneficiaries"))),
    "programs": InRegions("region_code", via="region", national=True),
    "agreements": Through("program_id", "programs"),
    "partners": Everywhere(),
    # An activity in a province is that province's; one without a province is its program's:
    # "in the regions, or (no province and the program is covered)".
    "activities": AnyOf((InRegions("province_code"),
                         AllOf((InRegions("province_code", national=True),
                                Through("program_id", "programs"))))),
    "activity_sessions": Through("activity_id", "activities"),
    "attendances": _HER,
    "coaching_visits": AnyOf((_HER, Through("cooperative_id", "cooperatives"))),
    # Not national: a batch without a region holds grants of every region.
    "payment_batches": InRegions("region_code", via="region"),
    "payment_instructions": Through("grant_id", "grants"),
    # A grievance: its province (hers when she is known, else the one it was filed for); the
    # confidential channel narrows this further (empower.grievances.visible_sql).
    "grievances": InRegions("province_code"),
    "grievance_steps": Through("grievance_id", "grievances"),
}


def _table_name(table: str | type[Base]) -> str:
    return table if isinstance(table, str) else table.__tablename__


def _column(target: Any, name: str) -> Any:
    columns = getattr(target, "c", None)
    return columns[name] if columns is not None else getattr(target, name)


def _sql(rule: Rule, regions: list[str], target: Any) -> ColumnElement[bool]:
    if isinstance(rule, Everywhere):
        return true()
    if isinstance(rule, InRegions):
        col = _column(target, rule.column)
        inside = (col.in_(select(Province.code).where(Province.region_code.in_(regions)))
                  if rule.via == "province" else col.in_(regions))
        return or_(col.is_(None), inside) if rule.national else inside
    if isinstance(rule, Through):
        other = Base.metadata.tables[rule.table]
        return _column(target, rule.column).in_(
            select(other.c.id).where(_sql(RULES[rule.table], regions, other)))
    if isinstance(rule, AnyOf):
        return or_(*(_sql(r, regions, target) for r in rule.rules))
    return and_(*(_sql(r, regions, target) for r in rule.rules))


def condition(table: str | type[Base], regions: Collection[str] | None,
              target: Any = None) -> ColumnElement[bool]:
    """The SQL condition "the regions cover this row" for ``table`` (a name or a model).

    ``target`` is what the condition reads the columns from: the model (default), its table or
    an alias of it. ``regions=None`` (the whole country) gives ``true()``, which adds no clause.
    Raises :class:`KeyError` for a table with no scope rule.
    """
    name = _table_name(table)
    rule = RULES[name]
    if regions is None:
        return true()
    if target is None:
        target = table if not isinstance(table, str) else Base.metadata.tables[name]
    return _sql(rule, sorted(set(regions)), target)


def covers(session: Session, table: str | type[Base], record_id: Any,
           regions: Collection[str] | None) -> bool:
    """Whether the record of ``table`` whose key is ``record_id`` exists and the regions cover it.

    Raises :class:`KeyError` for a table with no scope rule.
    """
    name = _table_name(table)
    rows = Base.metadata.tables[name]
    key = next(iter(rows.primary_key))
    found = session.scalar(select(key).where(key == record_id, condition(name, regions, rows)))
    return found is not None
