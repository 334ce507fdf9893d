"""Cooperatives: founded, corrected, admitting and losing members, dissolved."""

from __future__ import annotations

from typing import Any

import empower
from empower import vocab
from empower.errors import NotFound
from empower.models import Membership
from empower.schemas import CooperativeCreate, CooperativeUpdate, MembershipCreate, parse_input

from .. import models as m
from ..detail import RelatedTables
from ..forms import DATE_ON, Action, EditForm, Field, FormSpec, date_value, form_data, int_value
from ..scope import Principal, check_coop, check_person, check_province
from .base import N_, Column, Filter, Resource
from .filters import (
    by_province,
    by_region,
    equals,
    province_options,
    region_options,
    search_fields,
    unmasked_search,
    vocab_options,
)

# Reference and names: none of the masked columns (its RIB).
SEARCH = search_fields("reference", "name", "name_ar")

__all__ = ["resource"]

_C = Column

FIELDS = [
    Field("reference", N_("Reference"), required=True), Field("name", N_("Name")),
    Field("name_ar", N_("Name (Arabic)"), dir="rtl"),
    Field("odco_registration", N_("ODCo registration")),
    # Its bank account for transfers; the core checks its key (empower.rules.check_rib).
    Field("rib", N_("RIB (24 digits)")),
    Field("sector", N_("Sector"), "select", vocab.Sector, required=True),
    Field("province_code", N_("Province"), "select", "provinces", required=True),
    Field("commune", N_("Commune")), Field("founded_on", N_("Founded on"), "date", required=True),
    Field("women_led", N_("Women-led"), "bool"),
]
# Its reference is its identity in imports and reports: not editable.
EDIT_FIELDS = [f for f in FIELDS if f.name != "reference"]

MEMBER_FIELDS = [
    Field("beneficiary_id", N_("Beneficiary #"), "number", required=True),
    Field("role", N_("Role"), "select", vocab.CooperativeRole),
    Field("joined_on", N_("Joined on"), "date", required=True),
]


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(CooperativeCreate, form_data(FIELDS, values))
    check_province(uow, p, data.province_code)
    coop = empower.found_cooperative(uow, data, actor=p.actor)
    return f"/cooperatives/{coop.id}"


def edit(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_coop(uow, p, record_id)
    data = form_data(EDIT_FIELDS, values)
    update = parse_input(CooperativeUpdate, data)
    check_province(uow, p, update.province_code)
    empower.update_cooperative(uow, record_id, update, actor=p.actor)
    return f"/cooperatives/{record_id}"


def admit(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_coop(uow, p, record_id)
    data = form_data(MEMBER_FIELDS, values)
    data["cooperative_id"] = record_id
    parsed = parse_input(MembershipCreate, data)
    check_person(uow, p, parsed.beneficiary_id)
    empower.admit_member(uow, parsed, actor=p.actor)
    return f"/cooperatives/{record_id}"


def remove(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_coop(uow, p, record_id)
    membership_id = int_value(values, "membership_id")
    member = uow.session.get(Membership, membership_id) if membership_id else None
    if member is None or member.cooperative_id != record_id:
        raise NotFound(f"membership #{membership_id} is not in this cooperative",
                       code="membership.not_in_cooperative",
                       params={"id": membership_id or ""}, field="membership_id", value=membership_id)
    check_person(uow, p, member.beneficiary_id)
    empower.remove_member(uow, member.id, on=date_value(values, "on"), actor=p.actor)
    return f"/cooperatives/{record_id}"


def dissolve(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_coop(uow, p, record_id)
    empower.dissolve_cooperative(uow, record_id, on=date_value(values, "on"), actor=p.actor)
    return f"/cooperatives/{record_id}"


async def related(row: dict[str, Any], p: Principal,
                  tables: RelatedTables) -> list[dict[str, Any]]:
    rid = row["id"]
    # Each table scoped like its own list: the members her regions cover, not every member.
    return [
        await tables.table("memberships", p.within(m.Membership.filter(cooperative_id=rid)),
                           "Members"),
        await tables.table("grants", p.within(m.Grant.filter(cooperative_id=rid)), "Grants"),
    ]


resource = Resource(
    "cooperatives", N_("Cooperatives"), m.Cooperative,
    [_C("id", "#"), _C("reference", N_("Reference")), _C("name", N_("Name")),
     _C("name_ar", N_("Name (Arabic)")), _C("sector", N_("Sector"), "label"),
     _C("province_code", N_("Province"), "province"), _C("founded_on", N_("Founded on"), "date"),
     _C("dissolved_on", N_("Dissolved on"), "date"), _C("women_led", N_("Women-led"), "bool")],
    lambda p: p.within, SEARCH,
    N_("Reference or name"),
    [Filter("region", N_("Region"), region_options, by_region("province_code")),
     Filter("province", N_("Province"), province_options, by_province("province_code")),
     Filter("sector", N_("Sector"), vocab_options(vocab.Sector), equals("sector", vocab.Sector))],
    extra=[_C("odco_registration", N_("ODCo registration")), _C("commune", N_("Commune")),
           _C("rib", N_("RIB"), "rib", False)],
    create=FormSpec(FIELDS, create, N_("Record a cooperative")),
    edit=EditForm(EDIT_FIELDS, edit),
    actions=[
        Action("admit", N_("Admit a member"), MEMBER_FIELDS, admit,
               lambda r: r.get("dissolved_on") is None),
        Action("remove", N_("A member leaves"),
               [Field("membership_id", N_("Membership #"), "number", required=True), *DATE_ON],
               remove, lambda r: r.get("dissolved_on") is None, "secondary"),
        Action("dissolve", N_("Dissolve"), DATE_ON, dissolve,
               lambda r: r.get("dissolved_on") is None, "warning"),
    ],
    related=related,
    audit_entity="cooperative",
    masked_search=unmasked_search(SEARCH),
)
