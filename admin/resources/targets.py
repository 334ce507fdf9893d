"""The logframe's targets (admins only): one per indicator, program, partner, region and period.

Every write goes through :func:`empower.services.results.set_target` (its rules, its audit).
"""

from __future__ import annotations

from typing import Any

from empower.schemas import TargetCreate, parse_input
from empower.services.results import set_target

from .. import models as m
from ..forms import Field, FormSpec, form_data, int_value
from ..scope import Principal
from .base import N_, Column, Filter, Resource
from .filters import by_int, program_options

__all__ = ["resource"]

_C = Column

TARGET_FIELDS = [
    Field("indicator_id", N_("Indicator #"), "number", required=True),
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("partner_id", N_("Partner #"), "number"),
    Field("region_code", N_("Region"), "select", "regions"),
    Field("period", N_("Period (YYYY, YYYY-Qn or YYYY-MM)"), required=True),
    Field("value", N_("Target"), required=True), Field("baseline", N_("Baseline")),
]


def create_target(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = form_data(TARGET_FIELDS, values)
    for name in ("indicator_id", "partner_id"):
        data[name] = int_value(values, name)
    for name in ("value", "baseline"):
        if isinstance(data.get(name), str):
            data[name] = data[name].replace(",", ".").replace(" ", "") or None
    target, _ = set_target(uow, parse_input(TargetCreate, data), actor=p.actor)
    return f"/targets/{target.id}"


resource = Resource(
    "targets", N_("Targets"), m.Target,
    [_C("id", "#"), _C("indicator_id", N_("Indicator"), "link"),
     _C("program_id", N_("Program"), "link"), _C("partner_id", N_("Partner"), "link"),
     _C("region_code", N_("Region")), _C("period", N_("Period")), _C("value", N_("Target"), "number"),
     _C("baseline", N_("Baseline"), "number")],
    lambda p: p.scope_all, None, "",
    [Filter("program", N_("Program"), program_options, by_int("program_id"))],
    admin_only=True, create_roles=("admin",),
    create=FormSpec(TARGET_FIELDS, create_target, N_("Set a target")),
    audit_entity="target",
)
