"""Surveys (key: CIN + program code + round): recorded, or corrected with
:func:`corrections.update_survey`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

import empower
from empower.io.importing.kinds.base import CREATED, UNCHANGED, UPDATED, changed, given, model
from empower.models import SurveyRecord
from empower.rules import mad
from empower.schemas import SurveyCreate
from empower.services import corrections

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["upsert"]

_ANSWERS = ("monthly_income", "has_savings", "has_account", "borrowed_formal",
            "business_operating", "jobs_created")


def upsert(run: ImportRun, v: dict[str, Any]) -> str:
    """Record the survey, or correct its date and the answers the file has."""
    person = run.beneficiary(v["cin"])
    program_id = run.program_id(v["program_code"])
    data = {"beneficiary_id": person.id, "program_id": program_id, "round": v["round"],
            "surveyed_on": v["surveyed_on"], **given(run, v, _ANSWERS)}
    record = run.uow.session.scalar(select(SurveyRecord).where(
        SurveyRecord.beneficiary_id == person.id, SurveyRecord.program_id == program_id,
        SurveyRecord.round == v["round"]))
    if record is None:
        empower.record_survey(run.uow, model(SurveyCreate, data), actor=run.actor)
        return CREATED
    current = {"monthly_income": mad(record.monthly_income_centimes),
               **{k: getattr(record, k) for k in _ANSWERS if k != "monthly_income"}}
    merged = model(SurveyCreate, {**current, **data})
    corrected = changed(record, lambda: corrections.update_survey(run.uow, record.id, merged,
                                                                  actor=run.actor))
    return UPDATED if corrected else UNCHANGED
