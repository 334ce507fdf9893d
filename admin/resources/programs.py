"""Programs: national or regional, with a budget and a per-grant cap (admins create them)."""

from __future__ import annotations

from typing import Any

import empower
from empower.schemas import ProgramCreate, parse_input

from .. import models as m
from ..forms import Field, FormSpec, form_data
from ..scope import Principal
from .base import N_, Column, Resource
from .filters import search_fields

__all__ = ["resource"]

_C = Column

FIELDS = [
    Field("code", N_("Code"), required=True), Field("name", N_("Name"), required=True),
    Field("funder", N_("Funder")), Field("start_date", N_("Start"), "date", required=True),
    Field("end_date", N_("End"), "date"), Field("budget", N_("Budget (MAD)"), "amount", required=True),
    Field("grant_cap", N_("Grant cap (MAD)"), "amount"),
    Field("region_code", N_("Region"), "select", "regions"),
]


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    empower.create_program(uow, parse_input(ProgramCreate, form_data(FIELDS, values)),
                           actor=p.actor)
    return "/programs"


resource = Resource(
    "programs", N_("Programs"), m.Program,
    [_C("id", "#"), _C("code", N_("Code")), _C("name", N_("Name")), _C("funder", N_("Funder")),
     _C("start_date", N_("Start"), "date"), _C("end_date", N_("End"), "date"),
     _C("budget_centimes", N_("Budget"), "mad"), _C("committed_centimes", N_("Committed"), "mad"),
     _C("grant_cap_centimes", N_("Grant cap"), "mad"), _C("region_code", N_("Region"))],
    lambda p: p.scope_programs, search_fields("code", "name", "funder"), N_("Code or name"),
    [], has_detail=False, create_roles=("admin",),
    create=FormSpec(FIELDS, create, N_("Create a program")),
)
