"""Intakes (key: code): calls for applications, created as drafts through
:func:`empower.services.targeting.create_intake`, or brought to the file's values through
:func:`~empower.services.targeting.update_intake` while they are draft or open (which bumps the
rules version when rules or weights change, and refuses once the intake is closed:
``intake.locked``). Columns absent from the file keep the recorded values; the same row again
is *unchanged*. Opening, closing and selecting are steps of ``empower targeting``, not columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from empower.io.importing.kinds.base import CREATED, UNCHANGED, UPDATED, changed, given, model
from empower.models import Intake
from empower.schemas import IntakeCreate
from empower.services.targeting import create_intake, update_intake

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["upsert"]

_FIELDS = ("code", "name", "opens_on", "closes_on", "places", "province_codes",
           "region_codes", "rules", "weights", "promote_until")


def _recorded(intake: Intake) -> dict[str, Any]:
    return {"program_id": intake.program_id, **{name: getattr(intake, name) for name in _FIELDS}}


def _same(name: str, recorded: Any, value: Any) -> bool:
    if name in ("province_codes", "region_codes"):
        return sorted(recorded or []) == sorted(value or [])
    if name in ("rules", "weights"):
        return list(recorded or []) == list(value or [])
    return bool(recorded == value)


def upsert(run: ImportRun, v: dict[str, Any]) -> str:
    """Create the intake, or correct it where the file differs (while it is draft or open)."""
    program_id = run.program_id(v["program_code"])
    wanted = {"program_id": program_id, **given(run, v, _FIELDS)}
    for name in ("rules", "weights"):
        if name in wanted and wanted[name] is None:
            wanted[name] = []  # a blank cell: no conditions, no weights
    found = run.uow.session.scalar(select(Intake).where(Intake.code == v["code"]))
    if found is None:
        create_intake(run.uow, model(IntakeCreate, wanted), actor=run.actor)
        return CREATED
    intake = found
    recorded = _recorded(intake)
    if all(_same(name, recorded[name], value) for name, value in wanted.items()):
        return UNCHANGED  # also once it is closed: the same file again changes nothing
    data = model(IntakeCreate, {**_recorded(intake), **wanted})
    corrected = changed(intake, lambda: update_intake(run.uow, intake.id, data, actor=run.actor))
    return UPDATED if corrected else UNCHANGED
