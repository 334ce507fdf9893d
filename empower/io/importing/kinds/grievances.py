"""Grievances (key: reference): a hotline's or a desk's spreadsheet of complaints, received
through :func:`empower.services.grievances.receive_grievance` (due dates from the settings).

A complaint already received is not corrected by an import (its steps are the panel's): a row
that differs is rejected (``import.grievance_differs``) naming the column; a differing
description is named without echoing it (it is personal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from empower.errors import InvalidInput
from empower.io.importing.kinds.base import CREATED, UNCHANGED, model
from empower.models import Grievance
from empower.schemas import GrievanceCreate
from empower.services.grievances import receive_grievance

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["upsert"]

_COMPARED = (
    ("received_on", "received_on"),
    ("channel", "channel"),
    ("category", "category"),
    ("request_kind", "request_kind"),
    ("beneficiary_id", "cin"),
    ("province_code", "province_code"),
    ("program_id", "program_code"),
    ("grant_id", "grant_reference"),
    ("description", "description"),
)


def upsert(run: ImportRun, v: dict[str, Any]) -> str:
    """Receive the complaint; one already received must match the file (else rejected)."""
    cin, program, grant = v.get("cin"), v.get("program_code"), v.get("grant_reference")
    wanted: GrievanceCreate = model(
        GrievanceCreate,
        {
            "reference": v["reference"],
            "received_on": v["received_on"],
            "channel": v["channel"],
            "category": v["category"],
            "request_kind": v.get("request_kind"),
            "sensitivity": v.get("sensitivity"),
            "beneficiary_id": None if cin is None else run.beneficiary(cin).id,
            "province_code": v.get("province_code"),
            "program_id": None if program is None else run.program_id(program),
            "grant_id": None if grant is None else run.grant(grant).id,
            "description": v.get("description"),
        },
    )
    found = run.uow.session.scalar(select(Grievance).where(Grievance.reference == wanted.reference))
    if found is None:
        receive_grievance(run.uow, wanted, actor=run.actor, today=run.today)
        return CREATED
    for name, column in _COMPARED:
        if column not in run.present and name not in ("received_on", "channel", "category"):
            continue
        mine = getattr(wanted, name)
        if name == "province_code" and wanted.beneficiary_id is not None:
            continue  # hers, whatever the file says
        if getattr(found, name) != mine:
            raise InvalidInput(
                f"{column}: grievance {found.reference} is recorded with another {column}; an "
                "import does not correct a received complaint",
                code="import.grievance_differs",
                params={"reference": found.reference, "column": column},
                field="reference" if name == "description" else column,
            )
    return UNCHANGED
