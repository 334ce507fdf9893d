"""Programs (key: code): created, or corrected with :func:`corrections.update_program`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

import empower
from empower.io.importing.kinds.base import CREATED, UNCHANGED, UPDATED, changed, given, model
from empower.models import Program
from empower.rules import mad
from empower.schemas import ProgramCreate
from empower.services import corrections

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["upsert"]


def upsert(run: ImportRun, v: dict[str, Any]) -> str:
    """Create the program, or correct it where the file differs (columns absent stay)."""
    program = run.uow.session.scalar(select(Program).where(Program.code == v["code"]))
    wanted = given(run, v, tuple(ProgramCreate.model_fields))
    if wanted.get("four_eyes", False) is None:
        wanted.pop("four_eyes")  # a blank cell: the default, or the recorded value, stays
    if program is None:
        empower.create_program(run.uow, model(ProgramCreate, wanted), actor=run.actor)
        return CREATED
    current = {"code": program.code, "name": program.name, "funder": program.funder,
               "start_date": program.start_date, "end_date": program.end_date,
               "budget": mad(program.budget_centimes), "grant_cap": mad(program.grant_cap_centimes),
               "region_code": program.region_code, "four_eyes": program.four_eyes}
    data = model(ProgramCreate, {**current, **wanted})
    corrected = changed(program, lambda: corrections.update_program(
        run.uow, program.id, data, actor=run.actor))
    return UPDATED if corrected else UNCHANGED
