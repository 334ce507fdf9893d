"""The audit log (admins only, read only)."""

from __future__ import annotations

from .. import models as m
from .base import N_, Column, Resource
from .filters import search_fields

__all__ = ["resource"]

_C = Column

resource = Resource(
    "audit", N_("Audit log"), m.AuditEvent,
    [_C("id", "#"), _C("at", N_("When"), "datetime"), _C("actor", N_("Actor")),
     _C("action", N_("Action")), _C("entity", N_("Entity")), _C("entity_id", N_("Record")),
     _C("changes", N_("Changes"), "json", False)],
    lambda p: p.scope_all, search_fields("actor", "action", "entity"),
    N_("Actor, action or entity"), [], admin_only=True, has_detail=False)
