"""The confidential channel in Tortoise (the panel's lists) selects what its SQL twin selects
(:func:`empower.grievances.visible_sql`), for every kind of viewer and set of regions, on the
scenario's rows (SQLite or PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from empower.admin import models as m
from empower.admin.resources.grievances import marked, visible
from empower.admin.scope import Principal
from sqlalchemy import select

from empower.grievances import (
    OPEN_STATUSES,
    DeadlineMark,
    GrievanceConfig,
    deadline_mark,
    visible_sql,
)
from empower.models import Grievance
from tests.admin.test_scope_translation import _tortoise
from tests.grievance_scenario import add_grievances
from tests.scenarios import TODAY, build

KINDS = [
    ("officer", False),
    ("viewer", False),
    ("admin", False),
    ("officer", True),
    ("viewer", True),
    ("admin", True),
]
REGIONS = [("04",), ("01",), ("04", "01")]


@pytest.fixture
def cases(db):  # type: ignore[no-untyped-def]
    return add_grievances(db, build(db))


def _principal(role: str, focal: bool, regions: tuple[str, ...]) -> Principal:
    return Principal(id=1, username="t", role=role, language="fr", regions=regions, focal_point=focal)


def test_the_panel_lists_what_the_rule_lets_her_see(db, db_url, cases) -> None:
    people = [_principal(role, focal, regions) for role, focal in KINDS for regions in REGIONS]
    with db.unit_of_work(readonly=True) as uow:
        sql = {
            i: set(uow.session.scalars(select(Grievance.id).where(visible_sql(p.viewer, Grievance))))
            for i, p in enumerate(people)
        }

    def queries() -> dict[Any, Any]:
        return {i: visible(p)(m.Grievance.all()).values_list("id", flat=True) for i, p in enumerate(people)}

    tortoise = _tortoise(db_url, queries)
    assert tortoise == sql
    officer04 = people.index(_principal("officer", False, ("04",)))
    focal04 = people.index(_principal("officer", True, ("04",)))
    assert sql[officer04] == {cases["std04"]}
    assert sql[focal04] == {cases["std04"], cases["sea04"]}


def test_the_mark_filter_is_the_pure_mark(db, db_url, cases) -> None:
    config = GrievanceConfig()
    with db.unit_of_work(readonly=True) as uow:
        rows = uow.session.execute(select(Grievance.id, Grievance.due_on, Grievance.status)).all()
    for today in (TODAY, TODAY.replace(day=1), TODAY.replace(month=12)):
        expected = {
            mark.value: {
                i
                for i, due, status in rows
                if status in OPEN_STATUSES and deadline_mark(due, today, config) == mark
            }
            for mark in DeadlineMark
        }

        def queries(today=today) -> dict[Any, Any]:  # type: ignore[no-untyped-def]
            return {
                mark.value: marked(m.Grievance.all(), mark.value, today, config).values_list("id", flat=True)
                for mark in DeadlineMark
            }

        assert _tortoise(db_url, queries) == expected
