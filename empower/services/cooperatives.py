"""Cooperatives and their members."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from empower import audit
from empower.db import UnitOfWork
from empower.errors import Conflict, InvalidInput, NotEligible, RuleViolation
from empower.models import Beneficiary, Cooperative, Grant, Membership
from empower.predicates import COOPERATIVE_ACTIVE
from empower.rules import check_before_acts, check_founded_on, check_name, check_rib
from empower.schemas import CooperativeCreate, CooperativeUpdate, MembershipCreate
from empower.services._common import (
    check_not_archived,
    check_not_in_future,
    check_province,
    columns,
    get,
)
from empower.services._common import today as _today

__all__ = [
    "admit_member",
    "cooperative_active_on",
    "dissolve_cooperative",
    "found_cooperative",
    "remove_member",
    "update_cooperative",
]


def cooperative_active_on(coop: Cooperative, on: date) -> bool:
    """Whether the cooperative exists on a business date (founded, not yet dissolved).

    The rule is :data:`empower.predicates.COOPERATIVE_ACTIVE`; this name stays for scripts.
    """
    return COOPERATIVE_ACTIVE.holds(coop, on)


def _check_names(name: str | None, name_ar: str | None) -> tuple[str | None, str | None]:
    # Cooperative names may hold digits ("Coopérative Tifawin 2"), so only the Arabic one is
    # held to its script, by the rule a woman's Arabic name follows; a name in either script
    # is required.
    name_ar = check_name(name_ar, script="arabic", field="name_ar", organisation=True)
    if not name and not name_ar:
        raise InvalidInput("name: a name is required, in Latin or Arabic script",
                           code="cooperative.name_required", field="name")
    return name, name_ar


def found_cooperative(uow: UnitOfWork, data: CooperativeCreate, *, actor: str,
                      today: date | None = None) -> Cooperative:
    """Record a cooperative founded on ``data.founded_on``.

    Raises ``InvalidInput`` for a founding before 1900 or after ``today`` (default: today's
    date) plus the margin (:func:`empower.rules.check_founded_on`), ``Conflict`` for a
    reference in use.
    """
    audit.check_actor(actor)
    name, name_ar = _check_names(data.name, data.name_ar)
    check_province(uow, data.province_code)
    check_founded_on(data.founded_on, today=today or _today(), config=uow.rules)
    other = uow.session.scalar(select(Cooperative.id).where(Cooperative.reference == data.reference))
    if other is not None:
        raise Conflict(f"reference: cooperative '{data.reference}' already exists "
                       f"(cooperative #{other})", code="cooperative.reference_taken",
                       params={"reference": data.reference, "existing_id": other},
                       field="reference", value=data.reference,
                       existing_id=other)
    coop = Cooperative(**{**data.model_dump(), "name": name, "name_ar": name_ar,
                          "rib": check_rib(data.rib)})
    uow.session.add(coop)
    uow.session.flush()
    audit.record(uow, actor=actor, action="found", entity="cooperative", entity_id=coop.id,
                 changes=data.model_dump())
    return coop


def update_cooperative(uow: UnitOfWork, cooperative_id: int, data: CooperativeUpdate, *,
                       actor: str) -> Cooperative:
    """Correct a cooperative's details; only the fields set in ``data`` change.

    Raises ``InvalidInput`` for a founding before 1900 or after today plus the margin, or after
    its first member joined or its first grant was requested
    (``cooperative.founded_after_acts``).
    """
    audit.check_actor(actor)
    coop = get(uow, Cooperative, cooperative_id, what="cooperative", lock=True)
    fields = sorted(data.model_fields_set)
    before = columns(coop, fields)
    after = {k: getattr(data, k) for k in fields}
    if "sector" in after and after["sector"] is None:
        raise InvalidInput("sector: a sector is required", code="cooperative.sector_required",
                           field="sector")
    if "founded_on" in after and after["founded_on"] is None:
        raise InvalidInput("founded_on: a founding date is required",
                           code="cooperative.founded_on_required", field="founded_on")
    if "founded_on" in after and after["founded_on"] != coop.founded_on:
        check_founded_on(after["founded_on"], today=_today(), config=uow.rules)
        # Its members joined, and its grants were requested, no earlier than its founding.
        check_before_acts(after["founded_on"], [
            ("membership", uow.session.scalar(select(func.min(Membership.joined_on)).where(
                Membership.cooperative_id == coop.id))),
            ("grant", uow.session.scalar(select(func.min(Grant.submitted_on)).where(
                Grant.cooperative_id == coop.id)))],
            field="founded_on", code="cooperative.founded_after_acts")
    name, name_ar = _check_names(after.get("name", coop.name), after.get("name_ar", coop.name_ar))
    if "province_code" in after:
        check_province(uow, after["province_code"])
    if "rib" in after:
        after["rib"] = check_rib(after["rib"])
    changes = audit.diff(before, after)
    if not changes:
        return coop
    for k, v in after.items():
        setattr(coop, k, v)
    coop.name, coop.name_ar = name, name_ar
    uow.session.flush()
    audit.record(uow, actor=actor, action="update", entity="cooperative", entity_id=coop.id,
                 changes=changes)
    return coop


def dissolve_cooperative(uow: UnitOfWork, cooperative_id: int, *, on: date,
                         actor: str) -> Cooperative:
    """Dissolve a cooperative on ``on``; members still in it are recorded as leaving that day.

    Raises ``InvalidInput`` for a date before its founding or after today plus the margin.
    """
    audit.check_actor(actor)
    coop = get(uow, Cooperative, cooperative_id, what="cooperative", lock=True)
    if coop.dissolved_on is not None:
        raise RuleViolation(f"cooperative #{coop.id} was already dissolved on "
                            f"{coop.dissolved_on.isoformat()}",
                            code="cooperative.already_dissolved",
                            params={"id": coop.id, "dissolved_on": coop.dissolved_on},
                            field="dissolved_on",
                            value=coop.dissolved_on.isoformat())
    check_not_in_future(uow, on, field="dissolved_on")
    if on < coop.founded_on:
        raise InvalidInput(f"dissolved_on: {on.isoformat()} is before its founding",
                           code="cooperative.dissolved_before_founded",
                           params={"dissolved_on": on, "founded_on": coop.founded_on},
                           field="dissolved_on", value=on.isoformat())
    coop.dissolved_on = on
    for m in coop.memberships:
        if m.left_on is None or m.left_on > on:
            m.left_on = max(on, m.joined_on)
    uow.session.flush()
    audit.record(uow, actor=actor, action="dissolve", entity="cooperative", entity_id=coop.id,
                 changes={"dissolved_on": on})
    return coop


def admit_member(uow: UnitOfWork, data: MembershipCreate, *, actor: str) -> Membership:
    """Admit a woman to a cooperative that is active on her joining date.

    Raises ``NotEligible`` (cooperative not active, she is archived), ``InvalidInput`` for a
    date after today plus the margin, ``Conflict`` when she is already a member.
    """
    audit.check_actor(actor)
    coop = get(uow, Cooperative, data.cooperative_id, what="cooperative")
    person = get(uow, Beneficiary, data.beneficiary_id, what="beneficiary")
    check_not_archived(person, data.joined_on)
    # Bounded by the cooperative's founding (it must be active), not by her registration: she
    # may have been a member for years before the program registered her.
    check_not_in_future(uow, data.joined_on, field="joined_on")
    if not cooperative_active_on(coop, data.joined_on):
        raise NotEligible(
            f"joined_on: cooperative {coop.reference} is not active on "
            f"{data.joined_on.isoformat()} (founded {coop.founded_on.isoformat()}"
            + (f", dissolved {coop.dissolved_on.isoformat()})" if coop.dissolved_on else ")"),
            code="cooperative.not_active_dissolved" if coop.dissolved_on
            else "cooperative.not_active_founded",
            params={"reference": coop.reference, "on": data.joined_on,
                    "founded_on": coop.founded_on, "dissolved_on": coop.dissolved_on},
            field="joined_on", value=data.joined_on.isoformat())
    other = uow.session.scalar(select(Membership.id).where(
        Membership.cooperative_id == coop.id, Membership.beneficiary_id == person.id))
    if other is not None:
        raise Conflict(f"beneficiary #{person.id} is already a member of {coop.reference} "
                       f"(membership #{other})", code="membership.exists",
                       params={"id": person.id, "reference": coop.reference, "existing_id": other},
                       field="cin", value=person.id, existing_id=other)
    # Joining (back-dated) a cooperative whose dissolution is already recorded: she leaves on
    # that date, as dissolve_cooperative does for members who were there first.
    membership = Membership(cooperative_id=coop.id, beneficiary_id=person.id, role=data.role,
                            joined_on=data.joined_on, left_on=coop.dissolved_on)
    uow.session.add(membership)
    uow.session.flush()
    audit.record(uow, actor=actor, action="admit", entity="membership", entity_id=membership.id,
                 changes=data.model_dump())
    return membership


def remove_member(uow: UnitOfWork, membership_id: int, *, on: date, actor: str) -> Membership:
    """Record that a member left her cooperative on ``on``."""
    audit.check_actor(actor)
    membership = get(uow, Membership, membership_id, what="membership", lock=True)
    if membership.left_on is not None:
        raise RuleViolation(f"membership #{membership.id} already ended on "
                            f"{membership.left_on.isoformat()}", code="membership.already_ended",
                            params={"id": membership.id, "left_on": membership.left_on},
                            field="left_on",
                            value=membership.left_on.isoformat())
    check_not_in_future(uow, on, field="left_on")
    if on < membership.joined_on:
        raise InvalidInput(f"left_on: {on.isoformat()} is before she joined",
                           code="membership.left_before_joined",
                           params={"left_on": on, "joined_on": membership.joined_on},
                           field="left_on", value=on.isoformat())
    membership.left_on = on
    uow.session.flush()
    audit.record(uow, actor=actor, action="remove", entity="membership", entity_id=membership.id,
                 changes={"left_on": on})
    return membership


