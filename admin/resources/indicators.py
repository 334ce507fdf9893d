"""The logframe's indicators (admins only): results against targets (docs/results.md).

Every write goes through :mod:`empower.services.results` (its rules, its audit events).
"""

from __future__ import annotations

from typing import Any

from empower import vocab
from empower.schemas import IndicatorCreate, parse_input
from empower.services.results import save_indicator

from .. import models as m
from ..forms import Field, FormSpec, form_data
from ..scope import Principal
from .base import N_, Column, Resource
from .filters import search_fields

__all__ = ["resource"]

_C = Column

INDICATOR_FIELDS = [
    Field("code", N_("Code"), required=True), Field("name_fr", N_("Name (French)"), required=True),
    Field("name_ar", N_("Name (Arabic)"), dir="rtl"), Field("name_en", N_("Name (English)")),
    Field("unit", N_("Unit")),
    Field("direction", N_("Direction"), "select", vocab.Direction, required=True),
    Field("kpi", N_("KPI of the monthly report, or manual"), required=True),
    Field("aggregation", N_("Aggregation (manual indicators)"), "select", vocab.Aggregation),
]


def create_indicator(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(IndicatorCreate, form_data(INDICATOR_FIELDS, values))
    indicator, _ = save_indicator(uow, data, actor=p.actor)
    return f"/indicators/{indicator.id}"


resource = Resource(
    "indicators", N_("Indicators"), m.Indicator,
    [_C("id", "#"), _C("code", N_("Code")), _C("name_fr", N_("Name (French)")),
     _C("name_ar", N_("Name (Arabic)")), _C("unit", N_("Unit")),
     _C("direction", N_("Direction"), "label"), _C("kpi", N_("KPI")),
     _C("aggregation", N_("Aggregation"), "label")],
    lambda p: p.scope_all, search_fields("code", "name_fr", "name_ar"), N_("Code or name"),
    admin_only=True, create_roles=("admin",),
    extra=[_C("name_en", N_("Name (English)"))],
    create=FormSpec(INDICATOR_FIELDS, create_indicator, N_("Add an indicator")),
    audit_entity="indicator",
)
