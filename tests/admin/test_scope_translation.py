"""The panel's Tortoise filters are a translation of the core's SQL definitions, not a copy.

On the same rows (the scenario of :mod:`tests.scenarios`, on SQLite or PostgreSQL), for every
table and set of regions, the Tortoise filter and the SQL condition select the same ids; so do
the Tortoise twins of the dated predicates and of the age bands.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from empower.admin import compat
from empower.admin import models as m
from empower.admin.app import tortoise_url
from empower.admin.resources.beneficiaries import age_band_filter, filter_age_band
from empower.admin.scope import (
    Principal,
    filter_periods,
    periods_filter,
    span_filter,
    tortoise_condition,
)
from sqlalchemy import select

from empower import predicates as pr
from empower import scope
from empower.models import Base, Beneficiary
from tests.grievance_scenario import add_grievances
from tests.payment_scenario import add_batches
from tests.scenarios import TODAY, build

REGION_SETS = [("04",), ("01",), ("04", "01"), ()]
SPANS = [pr.PROGRAM_RUNNING, pr.COOPERATIVE_ACTIVE, pr.ENROLLMENT_ACTIVE, pr.MEMBERSHIP_ACTIVE,
         pr.GRANT_STANDING]
# "Archived" reads the archive periods (an EXISTS); the panel filters women with it.
PERIODS = [pr.ARCHIVED]
DAYS = [TODAY + timedelta(days=k) for k in (-400, -17, -16, -1, 0, 1, 10)]
TORTOISE = {model._meta.db_table: model for model in m.MODELS.values()}


def _key(table: str) -> Any:
    return next(iter(Base.metadata.tables[table].primary_key))


def _tortoise(db_url: str, build_queries: Any) -> dict[Any, set[Any]]:
    """Run the Tortoise queries ``build_queries()`` returns ({name: queryset}) on the database."""
    async def run() -> dict[Any, set[Any]]:
        async with compat.tortoise_lifespan(tortoise_url(db_url),
                                            {"models": ["empower.admin.models"]}):
            queries = build_queries()
            return {name: set(await qs) for name, qs in queries.items()}

    return asyncio.run(run())


@pytest.fixture
def scenario(db):
    built = build(db)
    add_batches(db, built)
    add_grievances(db, built)
    return built


def test_region_scope_in_tortoise_selects_what_the_sql_selects(db, db_url, scenario):
    with db.unit_of_work(readonly=True) as uow:
        sql = {(table, regions): set(uow.session.scalars(
            select(_key(table)).where(scope.condition(table, regions))))
            for table in scope.RULES for regions in [*REGION_SETS, None]}

    def officer(regions: tuple[str, ...]) -> Principal:
        return Principal(id=1, username="t", role="officer" if regions else "viewer",
                         language="fr", regions=regions)

    def queries() -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for table in scope.RULES:
            model = TORTOISE[table]
            pk = model._meta.pk_attr
            for regions in REGION_SETS:
                out[(table, regions)] = model.filter(
                    tortoise_condition(table, regions)).values_list(pk, flat=True)
                out[("within", table, regions)] = officer(regions).within(
                    model.all()).values_list(pk, flat=True)
            admin = Principal(id=2, username="a", role="admin", language="fr")
            out[(table, None)] = admin.within(model.all()).values_list(pk, flat=True)
        return out

    tortoise = _tortoise(db_url, queries)
    for table in scope.RULES:
        for regions in [*REGION_SETS, None]:
            assert tortoise[(table, regions)] == sql[(table, regions)], (table, regions)
            if regions is not None:
                assert tortoise[("within", table, regions)] == sql[(table, regions)]
        # Not vacuous: one region covers some rows of every table and not all of them, except
        # partners (everywhere) and national programs.
        assert sql[(table, None)], table
    assert sql[("beneficiaries", ("04",))] < sql[("beneficiaries", None)]
    assert sql[("duplicate_candidates", ("04",))] < sql[("duplicate_candidates", ("04", "01"))]
    # A batch built without a region is the whole country's: no set of regions covers it.
    assert len(sql[("payment_batches", ("04", "01"))]) == 2
    assert len(sql[("payment_batches", None)]) == 3
    assert sql[("payment_instructions", ("04",))] < sql[("payment_instructions", None)]


def test_dated_predicates_and_age_bands_in_tortoise_match_their_sql_twins(db, db_url, scenario):
    bands = [band.label for band in pr.AGE_BANDS]
    with db.unit_of_work(readonly=True) as uow:
        sql: dict[Any, set[Any]] = {}
        for span in SPANS:
            table = Base.metadata.tables[span.table]
            for on in DAYS:
                sql[(span.name, on, True)] = set(uow.session.scalars(
                    select(table.c.id).where(span.sql(on))))
                sql[(span.name, on, False)] = set(uow.session.scalars(
                    select(table.c.id).where(~span.sql(on))))
        for periods in PERIODS:
            for on in DAYS:
                sql[(periods.name, on, True)] = set(uow.session.scalars(
                    select(Beneficiary.id).where(periods.sql(on, Beneficiary))))
                sql[(periods.name, on, False)] = set(uow.session.scalars(
                    select(Beneficiary.id).where(~periods.sql(on, Beneficiary))))
        for label in bands:
            sql[("band", label)] = set(uow.session.scalars(select(Beneficiary.id).where(
                pr.in_age_band_sql(label, TODAY, Beneficiary.birth_date))))

    def queries() -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for span in SPANS:
            model = TORTOISE[span.table]
            for on in DAYS:
                for holds in (True, False):
                    out[(span.name, on, holds)] = model.filter(
                        span_filter(span, on, holds=holds)).values_list("id", flat=True)
        for periods in PERIODS:
            for on in DAYS:
                for holds in (True, False):
                    out[(periods.name, on, holds)] = m.Beneficiary.filter(
                        periods_filter(periods, on, holds=holds)).values_list("id", flat=True)
        for label in bands:
            cond = age_band_filter(label, TODAY)
            assert cond is not None
            out[("band", label)] = m.Beneficiary.filter(cond).values_list("id", flat=True)
        return out

    def panel_forms() -> dict[Any, Any]:
        """The forms the list's filters run (bounded work at a million women): same rows."""
        out: dict[Any, Any] = {}
        for periods in PERIODS:
            for on in DAYS:
                for holds in (True, False):
                    out[(periods.name, on, holds)] = filter_periods(
                        m.Beneficiary.all(), periods, on, holds=holds).values_list(
                            "id", flat=True)
        for label in bands:
            out[("band", label)] = filter_age_band(m.Beneficiary.all(), label, TODAY
                                                   ).values_list("id", flat=True)
        return out

    panel = _tortoise(db_url, panel_forms)
    assert panel == {k: v for k, v in sql.items() if k in panel}
    tortoise = _tortoise(db_url, queries)
    assert tortoise == sql
    # Both sides of each predicate have rows on the day itself.
    for span in [*SPANS, *PERIODS]:
        assert sql[(span.name, TODAY, True)] and sql[(span.name, TODAY, False)], span.name
    assert all(sql[("band", label)] for label in bands[1:])
    assert age_band_filter("65+", TODAY) is None and age_band_filter("55-64", TODAY) is None


def test_the_enrolment_filter_counts_the_women_its_pages_list(db, db_url, scenario):
    """The enrolment-status filter has a page form and a count form (bounded work each way):
    for every value, the same women."""
    from empower.admin.resources.beneficiaries import resource

    from empower.vocab import EnrollmentStatus

    enrolment = next(f for f in resource.filters if f.name == "enrolment")
    assert enrolment.count_apply is not None
    values = [*(v.value for v in EnrollmentStatus), "none", "bogus"]

    def queries() -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for value in values:
            for form, apply in (("page", enrolment.apply), ("count", enrolment.count_apply)):
                out[(form, value)] = apply(m.Beneficiary.all(), value, None).values_list(
                    "id", flat=True)
        return out

    found = _tortoise(db_url, queries)
    for value in values:
        assert found[("page", value)] == found[("count", value)], value
    assert found[("page", "enrolled")] and found[("page", "none")]
