"""Activities: the trainings, coaching, mentoring, fairs and exchange visits a program runs.

An activity's page lists its sessions and each woman's completion (present sessions over the
planned number, completed at the activity's completion share: the core's rule, read by
:func:`empower.panel_trainings.activity_completion`).
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool

import empower
from empower import vocab
from empower.errors import InvalidInput
from empower.models import utcnow
from empower.panel_trainings import activity_completion
from empower.schemas import ActivityCreate, parse_input

from .. import models as m
from ..detail import RelatedTables
from ..forms import Field, FormSpec, form_data
from ..scope import Principal, check_program, check_province
from .base import N_, Column, Filter, Resource
from .filters import by_int, equals, program_options, search_fields, vocab_options

__all__ = ["resource"]

_C = Column

FIELDS = [
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("code", N_("Code"), required=True),
    Field("kind", N_("Kind"), "select", vocab.ActivityKind, required=True),
    Field("title", N_("Title"), required=True),
    Field("partner_id", N_("Facilitating partner #"), "number"),
    Field("province_code", N_("Province"), "select", "provinces"),
    Field("starts_on", N_("Start"), "date", required=True),
    Field("ends_on", N_("End"), "date", required=True),
    Field("planned_sessions", N_("Planned sessions"), "number", required=True),
    Field("completion_share", N_("Completion share (e.g. 0.8)")),
]


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(ActivityCreate, form_data(FIELDS, values))
    check_program(uow, p, data.program_id)
    # An officer's activity is of a province in her regions (one without a province would be
    # the program's everywhere): the same narrowing as her partners.
    if p.region_scope is not None and not data.province_code:
        raise InvalidInput("province_code: give the activity's province, in your regions",
                           code="activity.province_required", field="province_code")
    check_province(uow, p, data.province_code)
    activity = empower.create_activity(uow, data, actor=p.actor)
    return f"/activities/{activity.id}"


async def related(row: dict[str, Any], p: Principal,
                  tables: RelatedTables) -> list[dict[str, Any]]:
    return [await tables.table("activity_sessions", p.within(
        m.ActivitySession.filter(activity_id=row["id"])), N_("Sessions"))]


async def page(row: dict[str, Any], p: Principal, panel: Any) -> dict[str, Any]:
    """Each woman's completion of the activity as of today (her regions' women only)."""
    today = utcnow().date()

    def read() -> list[dict[str, Any]]:
        with panel.db.unit_of_work(readonly=True) as uow:
            return activity_completion(uow, row["id"], p.region_scope, today)

    return {"completion": await run_in_threadpool(read), "as_of": today}


resource = Resource(
    "activities", N_("Activities"), m.Activity,
    [_C("id", "#"), _C("code", N_("Code")), _C("title", N_("Title")),
     _C("kind", N_("Kind"), "label"), _C("program_id", N_("Program"), "link"),
     _C("province_code", N_("Province"), "province"), _C("starts_on", N_("Start"), "date"),
     _C("ends_on", N_("End"), "date"), _C("planned_sessions", N_("Planned sessions")),
     _C("completion_share", N_("Completion share"))],
    lambda p: p.within, search_fields("code", "title"), N_("Code or title"),
    [Filter("kind", N_("Kind"), vocab_options(vocab.ActivityKind),
            equals("kind", vocab.ActivityKind)),
     Filter("program", N_("Program"), program_options, by_int("program_id"))],
    extra=[_C("partner_id", N_("Facilitating partner"), "link")],
    create=FormSpec(FIELDS, create, N_("Create an activity")),
    related=related,
    page=page, page_template="_activity.html",
    audit_entity="activity",
)
