"""Cooperatives (key: reference): founded (and dissolved), details corrected.

A blank ``women_led`` leaves the stored value alone. A dissolution already recorded is not
moved: :func:`corrections.confirm_dissolution` refuses another date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

import empower
from empower.io.importing.kinds.base import CREATED, UNCHANGED, UPDATED, changed, given, model
from empower.models import Cooperative
from empower.rules import check_rib
from empower.schemas import CooperativeCreate, CooperativeUpdate
from empower.services import corrections

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["upsert"]

_UPDATABLE = ("name", "name_ar", "odco_registration", "rib", "sector", "province_code",
              "commune", "founded_on", "women_led")


def upsert(run: ImportRun, v: dict[str, Any]) -> str:
    """Found the cooperative (dissolving it if the file says so), or correct its details."""
    found = run.uow.session.scalar(
        select(Cooperative).where(Cooperative.reference == v["reference"]))
    dissolved = v.get("dissolved_on")
    if found is None:
        data = {k: val for k, val in given(run, v, tuple(CooperativeCreate.model_fields)).items()
                if val is not None}
        coop = empower.found_cooperative(run.uow, model(CooperativeCreate, data),
                                         actor=run.actor, today=run.today)
        if dissolved:
            empower.dissolve_cooperative(run.uow, coop.id, on=dissolved, actor=run.actor)
        return CREATED
    existing = found

    def act() -> None:
        wanted = given(run, v, _UPDATABLE)
        if wanted.get("women_led") is None:
            wanted.pop("women_led", None)
        if "rib" in wanted:
            # Compared as stored (24 digits): "0077 8000 ..." is the same account.
            wanted["rib"] = check_rib(wanted["rib"])
        diffs = {k: val for k, val in wanted.items() if getattr(existing, k) != val}
        if diffs:
            empower.update_cooperative(run.uow, existing.id, model(CooperativeUpdate, diffs),
                                       actor=run.actor)
        if dissolved is None:
            return
        if existing.dissolved_on is None:
            empower.dissolve_cooperative(run.uow, existing.id, on=dissolved, actor=run.actor)
        else:
            corrections.confirm_dissolution(run.uow, existing.id, dissolved_on=dissolved)

    return UPDATED if changed(existing, act) else UNCHANGED
