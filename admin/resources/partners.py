"""Partners: the associations, agencies and banks programs work with.

Every user reads every partner; an officer records partners of a province in her regions, and
national partners (no province) are recorded by admins.
"""

from __future__ import annotations

from typing import Any

import empower
from empower import vocab
from empower.schemas import PartnerCreate, parse_input

from .. import models as m
from ..forms import Field, FormSpec, form_data
from ..scope import Principal, check_partner_province
from .base import N_, Column, Filter, Resource
from .filters import equals, search_fields, vocab_options

__all__ = ["resource"]

_C = Column

FIELDS = [
    Field("name", N_("Name"), required=True), Field("name_ar", N_("Name (Arabic)"), dir="rtl"),
    Field("kind", N_("Kind"), "select", vocab.PartnerKind, required=True),
    Field("province_code", N_("Province"), "select", "provinces"),
    Field("contact_email", N_("Email")),
]


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(PartnerCreate, form_data(FIELDS, values))
    check_partner_province(uow, p, data.province_code)
    empower.create_partner(uow, data, actor=p.actor)
    return "/partners"


resource = Resource(
    "partners", N_("Partners"), m.Partner,
    [_C("id", "#"), _C("name", N_("Name")), _C("name_ar", N_("Name (Arabic)")),
     _C("kind", N_("Kind"), "label"), _C("province_code", N_("Province"), "province"),
     _C("contact_email", N_("Email"))],
    lambda p: p.scope_all, search_fields("name", "name_ar"), N_("Name"),
    [Filter("kind", N_("Kind"), vocab_options(vocab.PartnerKind),
            equals("kind", vocab.PartnerKind))], has_detail=False,
    create=FormSpec(FIELDS, create, N_("Add a partner")),
)
