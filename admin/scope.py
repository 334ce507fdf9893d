"""Who is asking, and which records she may see: roles and region scope.

``admin`` sees and does everything; ``officer`` reads and writes inside her regions; ``viewer``
reads inside her regions with CIN and phone partly masked. Every list, filter, export, detail and
action narrows its query with :meth:`Principal.scope_*`, so a record outside her regions is simply
not found (404), never "forbidden" (which would confirm it exists).

The write side checks the same scope on the SQLAlchemy session of the unit of work
(:func:`check_person`, :func:`check_coop`, ...): a record typed by id into a form (beneficiary,
cooperative, program, grant) is checked before the core service runs, so an officer cannot act
outside her regions by typing an id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from empower.errors import InvalidInput, NotFound
from empower.models import Beneficiary, Cooperative, Grant, Program, Province

from . import models as m

__all__ = [
    "Principal",
    "check_coop",
    "check_grant",
    "check_person",
    "check_program",
    "check_province",
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

    # -- query narrowing ----------------------------------------------------------------------
    def people(self) -> QuerySet:
        qs = m.Beneficiary.all()
        return qs if self.is_admin else qs.filter(province_code__in=list(self.provinces))

    def scope_beneficiaries(self, qs: QuerySet) -> QuerySet:
        return qs if self.is_admin else qs.filter(province_code__in=list(self.provinces))

    def scope_cooperatives(self, qs: QuerySet) -> QuerySet:
        return qs if self.is_admin else qs.filter(province_code__in=list(self.provinces))

    def _people_ids(self) -> Subquery:
        return Subquery(m.Beneficiary.filter(province_code__in=list(self.provinces))
                        .values("id"))

    def _coop_ids(self) -> Subquery:
        return Subquery(m.Cooperative.filter(province_code__in=list(self.provinces))
                        .values("id"))

    def scope_by_beneficiary(self, qs: QuerySet) -> QuerySet:
        """Records hanging off a beneficiary (enrolments, memberships, surveys)."""
        return qs if self.is_admin else qs.filter(beneficiary_id__in=self._people_ids())

    def scope_grants(self, qs: QuerySet) -> QuerySet:
        if self.is_admin:
            return qs
        return qs.filter(Q(beneficiary_id__in=self._people_ids())
                         | Q(cooperative_id__in=self._coop_ids()))

    def scope_disbursements(self, qs: QuerySet) -> QuerySet:
        if self.is_admin:
            return qs
        grants = self.scope_grants(m.Grant.all()).values("id")
        return qs.filter(grant_id__in=Subquery(grants))

    def scope_programs(self, qs: QuerySet) -> QuerySet:
        """National programs (no region) and those of her regions."""
        if self.is_admin:
            return qs
        return qs.filter(Q(region_code__isnull=True) | Q(region_code__in=list(self.regions)))

    def scope_agreements(self, qs: QuerySet) -> QuerySet:
        if self.is_admin:
            return qs
        return qs.filter(program_id__in=Subquery(self.scope_programs(m.Program.all())
                                                 .values("id")))

    def scope_duplicates(self, qs: QuerySet) -> QuerySet:
        """Both women must be inside her regions to compare them."""
        if self.is_admin:
            return qs
        return qs.filter(beneficiary_id__in=self._people_ids(),
                         other_beneficiary_id__in=self._people_ids())

    def scope_all(self, qs: QuerySet) -> QuerySet:
        return qs


# -- write side: records referenced by a form, checked inside the unit of work ----------------
def _provinces_of(uow: Any, p: Principal) -> set[str]:
    return set(uow.session.scalars(select(Province.code).where(
        Province.region_code.in_(list(p.regions)))))


def check_person(uow: Any, p: Principal, beneficiary_id: int | None) -> None:
    """Raises :class:`NotFound` when the beneficiary is not hers (or does not exist)."""
    if beneficiary_id is None or p.is_admin:
        return
    person = uow.session.get(Beneficiary, beneficiary_id)
    if person is None or person.province_code not in _provinces_of(uow, p):
        raise NotFound(f"beneficiary #{beneficiary_id} does not exist", field="beneficiary_id",
                       value=beneficiary_id)


def check_coop(uow: Any, p: Principal, cooperative_id: int | None) -> None:
    """Raises :class:`NotFound` when the cooperative is not hers (or does not exist)."""
    if cooperative_id is None or p.is_admin:
        return
    coop = uow.session.get(Cooperative, cooperative_id)
    if coop is None or coop.province_code not in _provinces_of(uow, p):
        raise NotFound(f"cooperative #{cooperative_id} does not exist", field="cooperative_id",
                       value=cooperative_id)


def check_province(uow: Any, p: Principal, code: str | None) -> None:
    """Raises :class:`InvalidInput` when the province is outside her regions."""
    if code and not p.is_admin and code not in _provinces_of(uow, p):
        raise InvalidInput(f"province_code: '{code}' is outside your regions",
                           field="province_code", value=code)


def check_program(uow: Any, p: Principal, program_id: int | None) -> None:
    """Raises :class:`NotFound` unless the program is national or of her regions."""
    if program_id is None or p.is_admin:
        return
    prog = uow.session.get(Program, program_id)
    if prog is None or (prog.region_code is not None and prog.region_code not in p.regions):
        raise NotFound(f"program #{program_id} does not exist", field="program_id",
                       value=program_id)


def check_grant(uow: Any, p: Principal, grant_id: int) -> Grant:
    """The grant, when its beneficiary or cooperative is hers; raises :class:`NotFound`."""
    grant = uow.session.get(Grant, grant_id)
    if grant is None:
        raise NotFound(f"grant #{grant_id} does not exist", field="grant_id", value=grant_id)
    check_person(uow, p, grant.beneficiary_id)
    check_coop(uow, p, grant.cooperative_id)
    return grant
