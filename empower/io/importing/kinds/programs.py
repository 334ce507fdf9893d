"""Programs (key: code): created, or corrected with :func:`corrections.update_program`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

import empower
from empower.io.importing.kinds.base import CREATED, UNCHANGED, UPDATED, changed, given, model
from empower.models import Program
from empower.schemas import ProgramCreate
from empower.services import corrections
from empower.services.programs import program_values

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["upsert"]


def upsert(run: ImportRun, v: dict[str, Any]) -> str:
    """Create the program, or correct it where the file differs (columns absent stay)."""
    program = run.uow.session.scalar(select(Program).where(Program.code == v["code"]))
    wanted = given(run, v, tuple(ProgramCreate.model_fields))
    for flag in ("four_eyes", "panel_payments"):
        if flag in wanted and wanted[flag] is None:
            wanted.pop(flag)  # a blank cell: the default, or the recorded value, stays
    if program is None:
        empower.create_program(run.uow, model(ProgramCreate, wanted), actor=run.actor)
        return CREATED
    data = model(ProgramCreate, {**program_values(program), **wanted})
    corrected = changed(program, lambda: corrections.update_program(
        run.uow, program.id, data, actor=run.actor))
    return UPDATED if corrected else UNCHANGED
