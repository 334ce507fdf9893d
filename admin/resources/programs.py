"""Programs: national or regional, with a budget and a per-grant cap (admins create them).

Four eyes on money (who submits a grant does not approve it, who approves it does not pay it)
is on for a new program unless the admin turns it off, and only an admin changes it later. So
are its tranche plan (shares of the approved amount, ``40/40/20``, and the conditions of a
tranche after the first) and whether an admin may still pay a one-off tranche from a grant's
page (``panel_payments``; off: tranches go through payment batches).
"""

from __future__ import annotations

import re
from typing import Any

import empower
from empower import vocab
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

# The tranche plan (empower.rules.check_tranche_shares / check_tranche_conditions) and the
# panel's one-off payments, on both forms.
PLAN_FIELDS = [
    Field("tranche_shares", N_("Tranche shares in % (e.g. 40/40/20)")),
    Field("tranche_conditions", N_("Conditions for the next tranche"), "checkboxes",
          vocab.TrancheCondition),
    Field("panel_payments", N_("One-off payments from the panel (admins)"), "bool"),
]
FIELDS += PLAN_FIELDS

EDIT_FIELDS = [Field("four_eyes", N_("Four eyes on money"), "bool", required=True),
               Field("min_completion_share", N_("Minimum training completion (e.g. 0.8)")),
               *PLAN_FIELDS]

# "40/40/20", "40 40 20", "33,33 / 33,33 / 33,34": shares split on slashes, semicolons or
# spaces (a comma is a decimal comma).
_SHARE_SEPARATORS = re.compile(r"[/;\s]+")


def _plan(data: dict[str, Any]) -> dict[str, Any]:
    """The form's tranche shares as the list the schema reads (the core checks them)."""
    shares = data.get("tranche_shares")
    if isinstance(shares, str):
        data["tranche_shares"] = [part.rstrip("%").replace(",", ".")
                                  for part in _SHARE_SEPARATORS.split(shares) if part] or None
    return data


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    empower.create_program(uow, parse_input(ProgramCreate, _plan(form_data(FIELDS, values))),
                           actor=p.actor)
    return "/programs"


def edit(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    """Turn four eyes on or off, set the minimum training completion, the tranche plan and the
    panel's one-off payments (admins: the routes offer the form to no one else). A blank minimum
    or blank shares keep the ones recorded; the conditions are the boxes ticked."""
    program = uow.session.get(Program, record_id) if p.is_admin else None
    if program is None:
        raise NotFound(f"program #{record_id} does not exist", code="record.not_found",
                       params={"what": "program", "id": record_id}, field="program_id",
                       value=record_id)
    data = parse_input(ProgramCreate, _plan({**program_values(program),
                                             **form_data(EDIT_FIELDS, values)}))
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
    extra=[_C("min_completion_share", N_("Minimum training completion")),
           _C("tranche_shares", N_("Tranche shares (%)"), "shares"),
           _C("tranche_conditions", N_("Conditions for the next tranche"), "labels"),
           _C("panel_payments", N_("One-off payments from the panel (admins)"), "bool")],
    create=FormSpec(FIELDS, create, N_("Create a program")),
    edit=EditForm(EDIT_FIELDS, edit), edit_roles=("admin",),
    audit_entity="program",
)
