"""What a record's page shows besides its own fields: related records and audit history.

Which tables a record's page shows is said by its resource (``Resource.related``); this module
renders them like their own lists (same columns, same cells) and adds the record's audit trail.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tortoise.queryset import QuerySet

from . import models as m
from .scope import Principal

if TYPE_CHECKING:
    from .resources.base import Resource

__all__ = ["RelatedTables", "related"]


@dataclass
class RelatedTables:
    """Builds the related tables of one record's page for one user."""

    resources: dict[str, Resource]
    principal: Principal
    cell: Callable[..., Any]
    # Awaited on each table's rows before its cells are rendered (the names in link cells).
    prepare: Callable[[list[dict[str, Any]]], Awaitable[None]]

    async def table(self, slug: str, qs: QuerySet[Any], title: str, *,
                    without: tuple[str, ...] = ()) -> dict[str, Any]:
        """The first 200 rows of ``qs`` (already scoped) shown as resource ``slug`` lists them,
        less the columns ``without`` (the record whose page it is, say)."""
        spec = self.resources[slug]
        p = self.principal
        columns = [c for c in spec.columns if c.key not in without]
        rows = await qs.order_by("id").limit(200).values(*(c.key for c in columns))
        await self.prepare(rows)
        return {"title": title, "slug": slug, "labels": [c.label for c in columns],
                "rows": rows,
                "cells": [[self.cell(spec, c, r, p) for c in columns] for r in rows],
                "detail": spec.has_detail}


async def related(resources: dict[str, Resource], spec: Resource, row: dict[str, Any],
                  p: Principal, cell_fn: Callable[..., Any],
                  prepare: Callable[[list[dict[str, Any]]], Awaitable[None]]) -> dict[str, Any]:
    """Related tables (scoped like their own lists) and the record's audit trail."""
    tables: list[dict[str, Any]] = []
    if spec.related is not None:
        tables = await spec.related(row, p, RelatedTables(resources, p, cell_fn, prepare))
    audit: list[dict[str, Any]] = []
    # A row shown in part (``Resource.shown``: a confidential case for an admin) keeps its
    # history too: the events name the woman and the records concerned.
    if spec.audit_entity and not row.get("hidden"):
        audit = await m.AuditEvent.filter(entity=spec.audit_entity, entity_id=row["id"]).order_by(
            "id").limit(500).values("at", "actor", "action", "changes")
    return {"tables": tables, "audit": audit}
