"""What a record's page shows besides its own fields: related records and audit history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from . import models as m
from .resources import RESOURCES
from .scope import Principal

__all__ = ["related"]

_prepare: ContextVar[Any] = ContextVar("empower_prepare")

_AUDIT_ENTITY = {"beneficiaries": "beneficiary", "cooperatives": "cooperative",
                 "grants": "grant", "enrollments": "enrollment", "duplicates": "duplicate_candidate",
                 "users": "user"}


async def _table(slug: str, qs: Any, p: Principal, cell_fn: Callable[..., Any],
                 title: str) -> dict[str, Any]:
    spec = RESOURCES[slug]
    rows = await qs.order_by("id").limit(200).values(*spec.column_keys())
    await _prepare.get()(rows)
    return {"title": title, "slug": slug, "labels": [c.label for c in spec.columns],
            "rows": rows, "cells": [[cell_fn(spec, c, r, p) for c in spec.columns] for r in rows],
            "detail": spec.has_detail}


async def related(slug: str, row: dict[str, Any], p: Principal,
                  cell_fn: Callable[..., Any],
                  prepare: Callable[[list[dict[str, Any]]], Awaitable[None]]) -> dict[str, Any]:
    """Related tables (scoped like their own lists) and the record's audit trail.

    ``prepare(rows)`` is awaited on each table's rows before its cells are rendered (it looks up
    the names shown in link cells).
    """
    _prepare.set(prepare)
    rid = row["id"]
    tables: list[dict[str, Any]] = []
    if slug == "beneficiaries":
        tables.append(await _table("enrollments", p.scope_by_beneficiary(
            m.Enrollment.filter(beneficiary_id=rid)), p, cell_fn, "Enrolments"))
        tables.append(await _table("memberships", p.scope_by_beneficiary(
            m.Membership.filter(beneficiary_id=rid)), p, cell_fn, "Memberships"))
        tables.append(await _table("grants", p.scope_grants(
            m.Grant.filter(beneficiary_id=rid)), p, cell_fn, "Grants"))
        grant_ids = await p.scope_grants(m.Grant.filter(beneficiary_id=rid)).values_list(
            "id", flat=True)
        tables.append(await _table("disbursements", m.Disbursement.filter(
            grant_id__in=list(grant_ids)), p, cell_fn, "Tranches"))
        tables.append(await _table("surveys", p.scope_by_beneficiary(
            m.SurveyRecord.filter(beneficiary_id=rid)), p, cell_fn, "Surveys"))
    elif slug == "cooperatives":
        tables.append(await _table("memberships", m.Membership.filter(cooperative_id=rid),
                                   p, cell_fn, "Members"))
        tables.append(await _table("grants", m.Grant.filter(cooperative_id=rid), p, cell_fn,
                                   "Grants"))
    elif slug == "grants":
        tables.append(await _table("disbursements", m.Disbursement.filter(grant_id=rid), p,
                                   cell_fn, "Tranches"))
    elif slug == "duplicates":
        people = RESOURCES["beneficiaries"]
        tables.append(await _table("beneficiaries", people.query(p).filter(
            id__in=[row["beneficiary_id"], row["other_beneficiary_id"]]), p, cell_fn,
            "The two records"))
    elif slug == "users":
        regions = await m.UserRegion.filter(user_id=rid).values_list("region_code", flat=True)
        row["regions"] = ", ".join(sorted(str(r) for r in regions))
    entity = _AUDIT_ENTITY.get(slug)
    audit = []
    if entity:
        audit = await m.AuditEvent.filter(entity=entity, entity_id=rid).order_by("id").limit(
            500).values("at", "actor", "action", "changes")
    return {"tables": tables, "audit": audit}
