"""Duplicate candidates: two records that may be one woman, merged or dismissed."""

from __future__ import annotations

from typing import Any

import empower
from empower import vocab
from empower.errors import NotFound
from empower.models import DuplicateCandidate

from .. import models as m
from ..detail import RelatedTables
from ..forms import Action, Field
from ..scope import Principal, check_person
from .base import N_, Column, Filter, Resource
from .filters import equals, vocab_options

__all__ = ["resource"]

_C = Column


def _candidate(uow: Any, p: Principal, record_id: int) -> DuplicateCandidate:
    cand = uow.session.get(DuplicateCandidate, record_id)
    if cand is None:
        raise NotFound(f"duplicate candidate #{record_id} does not exist")
    check_person(uow, p, cand.beneficiary_id)
    check_person(uow, p, cand.other_beneficiary_id)
    return cand


def merge(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    _candidate(uow, p, record_id)
    empower.resolve_duplicate(uow, record_id, resolution="merge", actor=p.actor,
                              note=values.get("note") or None)
    return f"/duplicates/{record_id}"


def dismiss(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    _candidate(uow, p, record_id)
    empower.resolve_duplicate(uow, record_id, resolution="dismiss", actor=p.actor,
                              note=values.get("note") or None)
    return f"/duplicates/{record_id}"


async def related(row: dict[str, Any], p: Principal,
                  tables: RelatedTables) -> list[dict[str, Any]]:
    people = tables.resources["beneficiaries"]
    return [await tables.table("beneficiaries", people.query(p).filter(
        id__in=[row["beneficiary_id"], row["other_beneficiary_id"]]), "The two records")]


resource = Resource(
    "duplicates", N_("Duplicate candidates"), m.DuplicateCandidate,
    [_C("id", "#"), _C("beneficiary_id", N_("Beneficiary"), "link"),
     _C("other_beneficiary_id", N_("Other beneficiary"), "link"), _C("rule", N_("Rule"), "label"),
     _C("score", N_("Score")), _C("status", N_("Status"), "label"),
     _C("detected_at", N_("Detected at"), "datetime")],
    lambda p: p.scope_duplicates, None, "",
    [Filter("status", N_("Status"), vocab_options(vocab.DuplicateStatus),
            equals("status", vocab.DuplicateStatus), default="open")],
    extra=[_C("resolved_at", N_("Resolved at"), "datetime"),
           _C("resolved_by", N_("Resolved by")), _C("note", N_("Note"))],
    actions=[
        Action("merge", N_("Same person: merge"), [Field("note", N_("Note"))], merge,
               lambda r: r.get("status") == "open", "warning"),
        Action("dismiss", N_("Different people: dismiss"), [Field("note", N_("Note"))], dismiss,
               lambda r: r.get("status") == "open", "secondary"),
    ],
    related=related,
    audit_entity="duplicate_candidate",
)
