"""The bulk paths write what the one-at-a-time paths write.

``register_beneficiaries`` (imports, the demo) and ``register_beneficiary`` (the panel, scripts)
must leave the same rows, the same audit events and the same duplicate candidates, and
:func:`empower.bulk.insert_rows` (straight to the driver: executemany on SQLite, COPY on
PostgreSQL) must store exactly what SQLAlchemy's ``insert(table)`` stores.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text

import empower
from empower.bulk import insert_rows
from empower.errors import EmpowerError
from empower.models import AuditEvent, Beneficiary, DuplicateCandidate, table_of, utcnow
from empower.schemas import BeneficiaryCreate
from tests.factories import ACTOR

TODAY = date(2026, 11, 1)
SPELLINGS = [
    ("Fatima", "Benali", "فاطمة", "بنعلي"),
    ("Fatema", "Benali", "فاطمة", "بنعلي"),
    ("Fatima", "Ben Ali", None, None),
    (None, None, "فاطمه", "بنعلى"),
    ("Khadija", "Alaoui", "خديجة", "العلوي"),
    ("Khadija", "Alaoui", None, None),
    ("Zineb", "Tazi", "زينب", "التازي"),
]


def _rows() -> list[dict[str, Any]]:
    """Registrations with namesakes born the same day, shared phones and refused rows."""
    rows: list[dict[str, Any]] = []
    for i in range(90):
        first, last, first_ar, last_ar = SPELLINGS[i % len(SPELLINGS)]
        birth = date(1980, 1, 1) + timedelta(days=i % 4)
        rows.append(
            {
                "cin": f"{'ab' if i % 2 else 'JB'}{300000 + i}",
                "first_name": first,
                "last_name": last,
                "first_name_ar": first_ar,
                "last_name_ar": last_ar,
                "birth_date": birth,
                "phone": f"06 12 34 56 {i % 5:02d}" if i % 3 else None,
                "province_code": "04.441",
                "milieu": "rural" if i % 2 else "urbain",
                "education_level": "primaire" if i % 4 else None,
                "household_size": 1 + i % 7,
                "disability": bool(i % 5 == 0),
                "consent_date": date(2024, 1, 10),
                "registered_on": date(2024, 2, 1) + timedelta(days=i),
            }
        )
    rows[10]["birth_date"] = date(2015, 1, 1)  # under age
    rows[20]["province_code"] = "99.999"  # unknown province
    rows[30]["consent_date"] = date(2025, 12, 1)  # consent after registration
    rows[40]["cin"] = "EX999999"  # already registered
    rows[50]["phone"] = "12"  # not a phone number
    return rows


def _seed(db: empower.Database) -> None:
    with db.unit_of_work() as uow:
        empower.register_beneficiary(
            uow,
            BeneficiaryCreate.model_validate(
                {
                    "cin": "EX999999",
                    "first_name": "Fatima",
                    "last_name": "Benali",
                    "birth_date": date(1980, 1, 1),
                    "phone": "0612345601",
                    "province_code": "04.441",
                    "consent_date": date(2023, 1, 1),
                    "registered_on": date(2023, 1, 1),
                }
            ),
            actor=ACTOR,
            today=TODAY,
        )
        uow.commit()


def _state(db: empower.Database) -> dict[str, Any]:
    """Everything the registrations wrote, with ids replaced by CINs (the two databases may
    number differently) and timestamps left out."""
    with db.unit_of_work(readonly=True) as uow:
        people = {}
        cin_of = {}
        for person in uow.session.scalars(select(Beneficiary)):
            cin_of[person.id] = person.cin
            people[person.cin] = {
                c.name: getattr(person, c.key)
                for c in Beneficiary.__table__.columns
                if c.name not in ("id", "created_at", "updated_at")
            }
        events = sorted(
            (e.actor, e.action, e.entity, cin_of.get(e.entity_id), repr(e.changes))
            for e in uow.session.scalars(select(AuditEvent))
        )
        candidates = sorted(
            (cin_of[c.beneficiary_id], cin_of[c.other_beneficiary_id], c.rule, c.score, c.status)
            for c in uow.session.scalars(select(DuplicateCandidate))
        )
    return {"people": people, "events": events, "candidates": candidates}


def test_bulk_and_single_registration_write_the_same(db: empower.Database, scratch_url: str) -> None:
    other = empower.connect(scratch_url)
    other.upgrade()
    try:
        _seed(db)
        _seed(other)
        rows = _rows()
        with db.unit_of_work() as uow:
            result = empower.register_beneficiaries(
                uow, [BeneficiaryCreate.model_validate(r) for r in rows], actor=ACTOR, today=TODAY
            )
            uow.commit()
        single_errors = []
        with other.unit_of_work() as uow:
            for index, row in enumerate(rows):
                try:
                    with uow.savepoint():
                        empower.register_beneficiary(
                            uow, BeneficiaryCreate.model_validate(row), actor=ACTOR, today=TODAY
                        )
                except EmpowerError as exc:
                    single_errors.append((index, exc.code, exc.message))
            uow.commit()
        assert [(e.index, e.error.code, e.error.message) for e in result.errors] == single_errors
        assert len(single_errors) == 5
        bulk, one_by_one = _state(db), _state(other)
        assert bulk["candidates"], "the rows were meant to give duplicate candidates"
        assert bulk == one_by_one
    finally:
        other.dispose()


def _stored(uow: empower.UnitOfWork, table: str) -> list[tuple[Any, ...]]:
    """The rows as the driver reads them back (the stored representation, not the ORM's)."""
    return [tuple(r) for r in uow.session.execute(text(f"SELECT * FROM {table} ORDER BY id"))]


@pytest.mark.parametrize("entity", ["beneficiary", "audit"])
def test_insert_rows_stores_what_sqlalchemy_stores(uow: empower.UnitOfWork, entity: str) -> None:
    now = utcnow()
    if entity == "beneficiary":
        table = table_of(Beneficiary)
        base = {
            "first_name": "Fatima",
            "last_name": None,
            "first_name_ar": "فاطمة",
            "last_name_ar": None,
            "match_key": "fatima",
            "search_key": "fatima فاطمه",
            "birth_date": date(1990, 3, 4),
            "phone": None,
            "rib": None,
            "province_code": "04.441",
            "commune": None,
            "milieu": "rural",
            "education_level": None,
            "marital_status": "widowed",
            "household_size": 4,
            "disability": True,
            "vulnerability_score": 12.5,
            "consent_date": date(2024, 1, 10),
            "consent_version": "v1",
            "registered_on": date(2024, 1, 10),
            "archived_on": None,
            "erased_on": None,
            "created_at": now,
            "updated_at": now,
        }
        first = [
            {**base, "id": 1, "cin": "AB1"},
            {**base, "id": 2, "cin": "AB2", "disability": None, "milieu": None},
        ]
        second = [{**row, "id": row["id"] + 10, "cin": row["cin"] + "0"} for row in first]
    else:
        table = table_of(AuditEvent)
        base = {
            "at": now,
            "actor": "import:x.csv",
            "action": "register",
            "entity": "beneficiary",
            "entity_id": 1,
        }
        first = [
            {**base, "id": 1, "changes": {"cin": "[redacted]", "n": 1.5, "ar": "فاطمة"}},
            {**base, "id": 2, "changes": None},
        ]
        second = [{**row, "id": row["id"] + 10} for row in first]
    uow.session.execute(insert(table), first)
    insert_rows(uow, table, second)
    by_id = {r[0]: r[1:] for r in _stored(uow, table.name)}
    for i in (1, 2):
        mine, theirs = list(by_id[i + 10]), list(by_id[i])
        if entity == "beneficiary":
            cin = table.c.keys().index("cin") - 1
            assert mine[cin] == theirs[cin] + "0"
            mine[cin] = theirs[cin]
        assert mine == theirs
    if entity == "beneficiary":
        uow.session.execute(delete(table))


def test_insert_rows_turns_a_unique_violation_into_a_conflict(uow: empower.UnitOfWork) -> None:
    data = BeneficiaryCreate.model_validate(
        {
            "cin": "AB9",
            "first_name": "Fatima",
            "birth_date": date(1990, 3, 4),
            "province_code": "04.441",
            "consent_date": date(2024, 1, 10),
        }
    )
    person = empower.register_beneficiary(uow, data, actor=ACTOR, today=TODAY)
    row = {c.name: getattr(person, c.key) for c in Beneficiary.__table__.columns}
    row["id"] = person.id + 100
    with pytest.raises(empower.Conflict), uow.savepoint():
        insert_rows(uow, table_of(Beneficiary), [row])



def test_insert_rows_fills_the_python_defaults_of_columns_left_out(
        uow: empower.UnitOfWork) -> None:
    """Rows without ``at`` get it as ``insert()`` would give it, not a NULL the database
    refuses: one instant for the statement, between before and after."""
    before = utcnow()
    insert_rows(uow, table_of(AuditEvent), [
        {"actor": "test:bulk", "action": "note", "entity": "program", "entity_id": n,
         "changes": None} for n in (1, 2)])
    after = utcnow()
    stamps = list(uow.session.scalars(select(AuditEvent.at)
                                      .where(AuditEvent.actor == "test:bulk")))
    assert len(stamps) == 2 and stamps[0] == stamps[1]
    assert before <= stamps[0] <= after


def test_execute_rows_counts_the_rows_each_condition_matched(uow: empower.UnitOfWork) -> None:
    """A conditional UPDATE run by ``execute_rows`` matches, changes and counts what
    ``session.execute`` would: a literal of the statement is applied, a set whose condition
    does not hold changes nothing."""
    from sqlalchemy import bindparam, update

    from empower.bulk import execute_rows
    from empower.models import Region

    regions = table_of(Region)
    codes = list(uow.session.scalars(select(Region.code).order_by(Region.code).limit(3)))
    uow.session.execute(update(regions).where(regions.c.code == codes[2])
                        .values(population_2024=7))
    statement = (update(regions)
                 .where(regions.c.code == bindparam("c"), regions.c.population_2024.is_(None)
                        | (regions.c.population_2024 != 7))
                 .values(population_2024=bindparam("p")))
    matched = execute_rows(uow, statement, [{"c": codes[0], "p": 100}, {"c": codes[1], "p": 200},
                                            {"c": codes[2], "p": 300}, {"c": "zz", "p": 1}])
    assert matched == 2
    got = dict(uow.session.execute(select(regions.c.code, regions.c.population_2024)
                                   .where(regions.c.code.in_(codes))).tuples().all())
    assert got == {codes[0]: 100, codes[1]: 200, codes[2]: 7}
