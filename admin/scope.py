"""Who is asking, and which records she may see: roles and region scope.

``admin`` sees and does everything; ``officer`` reads and writes inside her regions; ``viewer``
reads inside her regions with CIN and phone partly masked. Every list, filter, export, detail and
action narrows its query with :meth:`Principal.scope_*`, so a record outside her regions is simply
not found (404), never "forbidden" (which would confirm it exists).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from . import models as m

__all__ = ["Principal"]


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
