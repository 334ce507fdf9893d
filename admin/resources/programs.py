"""Programs: national or regional, with a budget and a per-grant cap (admins create them).

Four eyes on money (who submits a grant does not approve it, who approves it does not pay it)
is on for a new program unless the admin turns it off, and only an admin changes it later.
"""

from __future__ import annotations

from typing import Any

import empower
from empower.errors import NotFound
from empower.models import Program
from empower.schemas import ProgramCreate, parse_input
from empower.services.programs import program_values

from .. import models as m
from ..forms import EditForm, Field, FormSpec, form_data
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
    # Empty: on (the default).
    Field("four_eyes", N_("Four eyes on money"), "bool"),
    # Empty: grants are not gated on training (empower.check_training_completed).
    Field("min_completion_share", N_("Minimum training completion (e.g. 0.8)")),
]

EDIT_FIELDS = [Field("four_eyes", N_("Four eyes on money"), "bool", required=True),
               Field("min_completion_share", N_("Minimum training completion (e.g. 0.8)"))]


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    empower.create_program(uow, parse_input(ProgramCreate, form_data(FIELDS, values)),
                           actor=p.actor)
    return "/programs"


def edit(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    """Turn four eyes on or off, set the minimum training completion (admins: the routes offer
    the form to no one else). A blank minimum keeps the one recorded."""
    program = uow.session.get(Program, record_id) if p.is_admin else None
    if program is None:
        raise NotFound(f"program #{record_id} does not exist", code="record.not_found",
                       params={"what": "program", "id": record_id}, field="program_id",
                       value=record_id)
    data = parse_input(ProgramCreate, {**program_values(program),
                                       **form_data(EDIT_FIELDS, values)})
    empower.update_program(uow, record_id, data, actor=p.actor)
    return f"/programs/{record_id}"


resource = Resource(
    "programs", N_("Programs"), m.Program,
    [_C("id", "#"), _C("code", N_("Code")), _C("name", N_("Name")), _C("funder", N_("Funder")),
     _C("start_date", N_("Start"), "date"), _C("end_date", N_("End"), "date"),
     _C("budget_centimes", N_("Budget"), "mad"), _C("committed_centimes", N_("Committed"), "mad"),
     _C("grant_cap_centimes", N_("Grant cap"), "mad"), _C("region_code", N_("Region")),
     _C("four_eyes", N_("Four eyes on money"), "bool")],
    lambda p: p.within, search_fields("code", "name", "funder"), N_("Code or name"),
    [], create_roles=("admin",),
    extra=[_C("min_completion_share", N_("Minimum training completion"))],
    create=FormSpec(FIELDS, create, N_("Create a program")),
    edit=EditForm(EDIT_FIELDS, edit), edit_roles=("admin",),
    audit_entity="program",
)
