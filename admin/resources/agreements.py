"""Agreements: a partner's signed commitment to a program.

An officer signs agreements on the programs of her regions; a national program's agreements
are signed by admins (:func:`~empower.admin.scope.check_agreement_program`).
"""

from __future__ import annotations

from typing import Any

import empower
from empower.schemas import AgreementCreate, parse_input

from .. import models as m
from ..forms import Field, FormSpec, form_data
from ..scope import Principal, check_agreement_program
from .base import N_, Column, Filter, Resource
from .filters import by_int, program_options

__all__ = ["resource"]

_C = Column

FIELDS = [
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("partner_id", N_("Partner #"), "number", required=True),
    Field("signed_on", N_("Signed on"), "date", required=True),
    Field("ends_on", N_("Ends on"), "date"), Field("committed", N_("Committed (MAD)"), "amount"),
]


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(AgreementCreate, form_data(FIELDS, values))
    check_agreement_program(uow, p, data.program_id)
    empower.sign_agreement(uow, data, actor=p.actor)
    return "/agreements"


resource = Resource(
    "agreements", N_("Agreements"), m.Agreement,
    [_C("id", "#"), _C("program_id", N_("Program"), "link"),
     _C("partner_id", N_("Partner")), _C("signed_on", N_("Signed on"), "date"),
     _C("ends_on", N_("Ends on"), "date"), _C("committed_centimes", N_("Committed"), "mad"),
     _C("status", N_("Status"), "label")],
    lambda p: p.within, None, "",
    [Filter("program", N_("Program"), program_options, by_int("program_id"))],
    has_detail=False,
    create=FormSpec(FIELDS, create, N_("Sign an agreement")),
)
