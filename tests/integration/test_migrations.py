"""The Alembic migrations and the models agree; upgrading twice is safe; units of work."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

import empower
from empower.models import Base, Beneficiary, Grant, Program, Province, Region
from empower.schemas import CooperativeCreate
from empower.search import INDEX_TABLES, not_an_index_table
from tests.factories import make_beneficiary, make_program


def test_models_and_migrations_agree(db: empower.Database) -> None:
    db.upgrade()  # already at head: a no-op that must not fail
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "compare_server_default": False,
            "render_as_batch": db.is_sqlite, "include_name": not_an_index_table})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], "models and migrations differ:\n" + "\n".join(map(str, diff))


def test_the_drift_check_sees_a_difference(db: empower.Database) -> None:
    from sqlalchemy import Column, MetaData, String

    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["programs"].append_column(Column("nickname", String(20)))
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "include_name": not_an_index_table})
        diff = compare_metadata(context, drifted)
    assert [d[0] for d in diff] == ["add_column"]


def test_upgrade_twice_keeps_reference_data_single(db: empower.Database) -> None:
    db.upgrade()
    db.upgrade()
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Region)) == 12
        assert uow.session.scalar(select(func.count()).select_from(Province)) == 75
        assert uow.session.scalar(select(func.count(func.distinct(Province.region_code)))) == 12
        version = uow.session.connection().exec_driver_sql(
            "SELECT version_num FROM alembic_version").scalars().all()
    assert len(version) == 1


def test_upgrade_on_a_fresh_database_and_again(tmp_path, request) -> None:
    """From nothing: the same schema and reference data, twice over (SQLite file)."""
    db = empower.connect(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        db.upgrade()
        db.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        fts = INDEX_TABLES if db.is_sqlite else set()
        assert set(Base.metadata.tables) | {"alembic_version"} | fts == tables
        with db.unit_of_work(readonly=True) as uow:
            assert uow.session.scalar(select(func.count()).select_from(Province)) == 75
    finally:
        db.dispose()


def test_database_constraints_hold_without_the_services(db: empower.Database) -> None:
    with db.unit_of_work() as uow:
        woman = make_beneficiary(uow, cin="AB1")
        program_id = make_program(uow).id
        coop_id = empower.found_cooperative(uow, CooperativeCreate(
            reference="C1", name="Amal", sector="argan", province_code="04.441",
            founded_on=date(2023, 1, 1)), actor="test:x").id
        uow.commit()
    bad = [
        Beneficiary(cin="AB1", first_name="X", birth_date=date(1990, 1, 1),
                    province_code="04.441", consent_date=date(2024, 1, 1),
                    registered_on=date(2024, 1, 1)),                      # unique CIN
        Beneficiary(cin="AB2", birth_date=date(1990, 1, 1), province_code="04.441",
                    consent_date=date(2024, 1, 1), registered_on=date(2024, 1, 1)),  # no name
        Beneficiary(cin="AB3", first_name="X", birth_date=date(1990, 1, 1),
                    province_code="99.999", consent_date=date(2024, 1, 1),
                    registered_on=date(2024, 1, 1)),                      # foreign key
        Program(code="P", name="P", start_date=date(2024, 1, 1), budget_centimes=-1),
        # A grant has exactly one recipient: not none, not two.
        Grant(reference="G0", program_id=program_id, status="submitted",
              amount_requested_centimes=1, submitted_on=date(2024, 1, 1)),
        Grant(reference="G2", program_id=program_id, beneficiary_id=woman.id,
              cooperative_id=coop_id, status="submitted", amount_requested_centimes=1,
              submitted_on=date(2024, 1, 1)),
        Grant(reference="G3", program_id=program_id, beneficiary_id=woman.id,
              status="submitted", amount_requested_centimes=-1, submitted_on=date(2024, 1, 1)),
    ]
    for row in bad:
        with db.unit_of_work() as uow:
            uow.session.add(row)
            # The database refuses it; the user reads a domain error naming the rule.
            with pytest.raises(empower.EmpowerError) as refused:
                uow.flush()
            assert isinstance(refused.value.__cause__, db.engine.dialect.dbapi.IntegrityError)
    assert woman.id is not None


def test_unit_of_work_rolls_back_unless_committed(db: empower.Database) -> None:
    with db.unit_of_work() as uow:
        make_program(uow)
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Program)) == 0
        make_program(uow)
        uow.commit()
    with db.unit_of_work(readonly=True) as uow:
        program = uow.session.scalar(select(Program))
        with pytest.raises(RuntimeError):
            uow.commit()
    # What a read-only unit loaded stays readable after it.
    assert program.code == "AWAL"


def test_a_unique_constraint_hit_reads_as_a_conflict(db: empower.Database) -> None:
    """Two writers passing the same check at once: the loser reads which rule stopped her."""
    from empower.models import Enrollment

    with db.unit_of_work() as uow:
        program = make_program(uow)
        woman = make_beneficiary(uow)
        for _ in range(2):  # as if two officers' checks both passed
            uow.session.add(Enrollment(beneficiary_id=woman.id, program_id=program.id,
                                       status="applied", applied_on=date(2024, 2, 1)))
        with pytest.raises(empower.Conflict, match="already has an enrolment in this program"):
            uow.flush()


def test_payment_runs_migrate_down_and_up_keeping_the_records(db: empower.Database) -> None:
    """0006 adds its columns in place (no table rebuild under the foreign keys) and its CHECKs
    carry the names the models and the error messages use, on both backends."""
    from alembic import command

    from empower.db import alembic_config
    from tests.factories import make_enrolled, make_grant

    with db.unit_of_work() as uow:
        program = make_program(uow, min_completion_share=0.5)
        woman = make_enrolled(uow, program)
        make_grant(uow, program, beneficiary_id=woman.id)
        uow.commit()
    cfg = alembic_config(db)
    command.downgrade(cfg, "0005")
    assert "payment_batches" not in inspect(db.engine).get_table_names()
    db.upgrade()
    names = {c["name"] for t in ("grants", "programs")
             for c in inspect(db.engine).get_check_constraints(t)}
    if not db.is_sqlite:  # SQLite reports only table-level CHECKs by name
        assert {"ck_grants_in_flight_within_approved",
                "ck_programs_min_completion_share_range"} <= names
    with db.unit_of_work(readonly=True) as uow:
        grant = uow.session.scalars(select(Grant)).one()
        assert grant.in_flight_centimes == 0
        assert uow.session.scalars(select(Program)).one().panel_payments is False


def test_targeting_migrates_down_and_up_keeping_enrolments_and_their_checks(
        db: empower.Database) -> None:
    """0007 rebuilds enrollments on SQLite for its new status: rows, indexes and CHECKs stay."""
    from alembic import command

    from empower.db import alembic_config
    from empower.errors import EmpowerError
    from tests.factories import make_enrolled

    with db.unit_of_work() as uow:
        program = make_program(uow)
        make_enrolled(uow, program)
        uow.commit()
    command.downgrade(alembic_config(db), "0006")
    assert "intakes" not in inspect(db.engine).get_table_names()
    db.upgrade()
    indexes = {i["name"] for i in inspect(db.engine).get_indexes("enrollments")}
    assert {"ix_enrollments_beneficiary_id", "ix_enrollments_intake_id"} <= indexes
    with db.unit_of_work() as uow:
        from empower.models import Enrollment

        row = uow.session.scalars(select(Enrollment)).one()
        assert row.status.value == "enrolled" and row.intake_id is None
        with pytest.raises(EmpowerError):  # the exit CHECK survived the rebuild
            uow.session.connection().exec_driver_sql(
                "UPDATE enrollments SET status = 'exited'")


def test_grievances_migrate_down_and_up_keeping_the_users_and_their_regions(
        db: empower.Database) -> None:
    """0010 adds users.focal_point in place: no rebuild of users, whose regions would go with
    it under ON DELETE CASCADE."""
    from alembic import command

    from empower.db import alembic_config
    from empower.models import User, UserRegion
    from tests.factories import make_grievance

    with db.unit_of_work() as uow:
        uow.session.add(User(username="amina", password_hash="!", role="officer",
                             regions=[UserRegion(region_code="04")], focal_point=True))
        make_grievance(uow, received_on=date(2024, 3, 1))
        uow.commit()
    command.downgrade(alembic_config(db), "0008")
    tables = inspect(db.engine).get_table_names()
    assert "grievances" not in tables and "grievance_steps" not in tables
    assert "focal_point" not in {c["name"] for c in inspect(db.engine).get_columns("users")}
    db.upgrade()
    with db.unit_of_work(readonly=True) as uow:
        user = uow.session.scalars(select(User)).one()
        assert user.focal_point is False and [r.region_code for r in user.regions] == ["04"]
