"""Surveys: baseline and follow-up rounds of a woman's income, savings and business."""

from __future__ import annotations

from typing import Any

import empower
from empower import vocab
from empower.schemas import SurveyCreate, parse_input

from .. import models as m
from ..forms import Field, FormSpec, form_data
from ..scope import Principal, check_person, check_program
from .base import N_, Column, Filter, Resource
from .filters import by_int, equals, program_options, vocab_options

__all__ = ["resource"]

_C = Column

FIELDS = [
    Field("beneficiary_id", N_("Beneficiary #"), "number", required=True),
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("round", N_("Round"), "select", vocab.SurveyRound, required=True),
    Field("surveyed_on", N_("Surveyed on"), "date", required=True),
    Field("monthly_income", N_("Monthly income (MAD)"), "amount"),
    Field("has_savings", N_("Savings"), "bool"), Field("has_account", N_("Account"), "bool"),
    Field("borrowed_formal", N_("Formal loan"), "bool"),
    Field("business_operating", N_("Business operating"), "bool"),
    Field("jobs_created", N_("Jobs created"), "number"),
]


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(SurveyCreate, form_data(FIELDS, values))
    check_person(uow, p, data.beneficiary_id)
    check_program(uow, p, data.program_id)
    empower.record_survey(uow, data, actor=p.actor)
    return f"/beneficiaries/{data.beneficiary_id}"


resource = Resource(
    "surveys", N_("Surveys"), m.SurveyRecord,
    [_C("id", "#"), _C("beneficiary_id", N_("Beneficiary"), "link"),
     _C("program_id", N_("Program"), "link"), _C("round", N_("Round"), "label"),
     _C("surveyed_on", N_("Surveyed on"), "date"),
     _C("monthly_income_centimes", N_("Monthly income"), "mad"),
     _C("has_savings", N_("Savings"), "bool"), _C("has_account", N_("Account"), "bool"),
     _C("business_operating", N_("Business operating"), "bool"),
     _C("jobs_created", N_("Jobs created"))],
    lambda p: p.scope_by_beneficiary, None, "",
    [Filter("round", N_("Round"), vocab_options(vocab.SurveyRound),
            equals("round", vocab.SurveyRound)),
     Filter("program", N_("Program"), program_options, by_int("program_id"))],
    has_detail=False,
    create=FormSpec(FIELDS, create, N_("Record a survey")),
)
