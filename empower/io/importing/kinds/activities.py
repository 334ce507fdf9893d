"""Activities (key: code): created through :func:`empower.services.activities.create_activity`.

The core has no correction service for a recorded activity yet, so a row whose activity is
recorded with other values is rejected naming the column (``import.activity_differs``);
the same row again is *unchanged*.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from empower.errors import InvalidInput, NotFound
from empower.io.importing.kinds.base import CREATED, UNCHANGED, model
from empower.models import Activity, Partner
from empower.schemas import ActivityCreate
from empower.services.activities import create_activity

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["activity_by_code", "differs", "upsert"]

_FIELDS = ("kind", "title", "partner_id", "province_code", "starts_on", "ends_on",
           "planned_sessions", "completion_share")


def activity_by_code(run: ImportRun, code: str, *, field: str = "activity_code") -> Activity:
    """The activity with this code; :class:`NotFound` (``import.activity_unknown``) if none."""
    activity = run.uow.session.scalar(select(Activity).where(Activity.code == code))
    if activity is None:
        raise NotFound(f"activity '{code}' does not exist", code="import.activity_unknown",
                       params={"reference": code}, field=field, value=code)
    return activity


def _partner_id(run: ImportRun, name: str | None) -> int | None:
    if name is None:
        return None
    pid = run.uow.session.scalar(select(Partner.id).where(Partner.name == name))
    if pid is None:
        raise NotFound(f"partner '{name}' does not exist", code="import.partner_unknown",
                       params={"name": name}, field="partner", value=name)
    return pid


# One code per kind of record, so each is said in its own words.
_DIFFERS = {"activity": "import.activity_differs", "session": "import.session_differs",
            "visit": "import.visit_differs"}


def differs(what: str, reference: str, column: str, *, field: str | None = None) -> InvalidInput:
    """The refusal of a row that would change a recorded activity, session or visit, at the
    cell ``field`` (default: ``column``)."""
    return InvalidInput(f"{column}: {what} {reference} is recorded with another {column}; an "
                        f"import does not correct a recorded {what}",
                        code=_DIFFERS[what],
                        params={"reference": reference, "column": column},
                        field=field or column)


def upsert(run: ImportRun, v: dict[str, Any]) -> str:
    """Create the activity; a recorded one must match the file (else rejected)."""
    data: dict[str, Any] = {"program_id": run.program_id(v["program_code"]), "code": v["code"],
                            "kind": v["kind"], "title": v["title"],
                            "partner_id": _partner_id(run, v.get("partner")),
                            "province_code": v.get("province_code"),
                            "starts_on": v["starts_on"], "ends_on": v["ends_on"],
                            "planned_sessions": v["planned_sessions"]}
    if v.get("completion_share") is not None:
        data["completion_share"] = v["completion_share"]
    wanted = model(ActivityCreate, data)
    found = run.uow.session.scalar(select(Activity).where(Activity.code == wanted.code))
    if found is None:
        create_activity(run.uow, wanted, actor=run.actor)
        return CREATED
    columns = {"partner_id": "partner", "program_id": "program_code"}
    for name in ("program_id", *_FIELDS):
        column = columns.get(name, name)
        if column not in run.present and name != "program_id":
            continue
        if getattr(found, name) != getattr(wanted, name):
            raise differs("activity", found.code, column)
    return UNCHANGED
