"""The search box through its index on SQLite and PostgreSQL: the SQL twin finds exactly whom
the pure rule finds, the index follows every write, and the plan uses it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

import empower
from empower.models import Beneficiary
from empower.schemas import BeneficiaryUpdate
from empower.search import name_matches, name_search_sql, prefix_range_sql
from tests.factories import ACTOR, make_beneficiary

NAMES = [("Fatima", "Benali", "فاطمة", "بنعلي"), ("Fatiha", "Amzil", "فتيحة", "أمزيل"),
         ("Aïcha", "Ait Ali", "عائشة", "آيت علي"), ("Imane", "El Idrissi", "إيمان", "الإدريسي"),
         ("Leila", "Ouchen", "ليلى", "أوشن"), (None, None, "زينب", "الفاسي")]


def _found(uow: empower.UnitOfWork, typed: str) -> set[int]:
    condition = name_search_sql(typed, uow.session.get_bind().dialect.name)
    if condition is None:
        return set()
    return set(uow.session.scalars(select(Beneficiary.id).where(condition)))


def _register_all(uow: empower.UnitOfWork) -> list[Beneficiary]:
    return [make_beneficiary(uow, first_name=f, last_name=ln, first_name_ar=fa, last_name_ar=la)
            for f, ln, fa, la in NAMES]


@pytest.mark.parametrize("typed", ["fatima", "FATI", "fat ben", "aicha", "ait", "فاطمه",
                                   "ايمان الادريسي", "ليلي", "زينب", "el", "ouarzazate", "x"])
def test_the_index_finds_whom_the_rule_finds(uow: empower.UnitOfWork, typed: str) -> None:
    people = _register_all(uow)
    uow.flush()
    expected = {p.id for p in people if name_matches(p.search_key, typed)}
    assert _found(uow, typed) == expected


def test_the_index_follows_corrections_and_erasure(uow: empower.UnitOfWork) -> None:
    person = make_beneficiary(uow, first_name="Khadija", last_name="Tazi")
    uow.flush()
    assert _found(uow, "khadija") == {person.id}
    empower.update_beneficiary(uow, person.id, BeneficiaryUpdate(first_name="Khadouj"),
                               actor=ACTOR)
    uow.flush()
    assert _found(uow, "khadija") == set() and _found(uow, "khadouj") == {person.id}
    empower.erase_beneficiary(uow, person.id, actor=ACTOR)
    uow.flush()
    assert _found(uow, "khadouj") == set() and _found(uow, "tazi") == set()


_word = st.text(alphabet="abcdefzéèàâï" + "فاطمةىإأآيل", min_size=1, max_size=6)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(_word, _word), min_size=1, max_size=6), _word)
def test_generated_names_agree(uow: empower.UnitOfWork, names: list[tuple[str, str]],
                               typed: str) -> None:
    with uow.savepoint():
        people = [make_beneficiary(uow, first_name=None, last_name=None,
                                   first_name_ar="فاطمة", last_name_ar="بنعلي")
                  for _ in names]
        for person, (first, last) in zip(people, names, strict=True):
            uow.session.execute(Beneficiary.__table__.update()
                                .where(Beneficiary.id == person.id)
                                .values(search_key=" ".join([first, last]).lower() or None))
        uow.session.expire_all()
        keys = {pid: key for pid, key in uow.session.execute(
            select(Beneficiary.id, Beneficiary.search_key))}
        expected = {pid for pid, key in keys.items() if name_matches(key, typed)}
        assert _found(uow, typed) == expected


def test_a_rare_name_is_an_index_lookup(uow: empower.UnitOfWork) -> None:
    _register_all(uow)
    uow.flush()
    dialect = uow.session.get_bind().dialect.name
    stmt = select(Beneficiary.id).where(name_search_sql("fatima", dialect))
    conn = uow.session.connection()
    compiled = stmt.compile(conn)
    if dialect == "sqlite":
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {compiled}", tuple(compiled.params.values())))
        assert "VIRTUAL TABLE INDEX" in plan and "SCAN beneficiaries " not in plan + " "
    else:
        # (A handful of rows: the planner would rather read them all; tell it not to.)
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {compiled}",
                                                           compiled.params))
        assert "ix_beneficiaries_search_key_fts" in plan


def test_a_cin_prefix_is_a_range_the_unique_index_serves(uow: empower.UnitOfWork) -> None:
    people = [make_beneficiary(uow, cin=cin) for cin in ("AB123456", "AB129999", "AC100000")]
    uow.flush()
    found = set(uow.session.scalars(select(Beneficiary.cin).where(
        prefix_range_sql(Beneficiary.cin, "AB12"))))
    assert found == {"AB123456", "AB129999"} and len(people) == 3


@pytest.mark.parametrize("typed", ["fatima", "fat ben", "فاطمه", "ايمان الادريسي", "x"])
def test_the_panels_subquery_finds_whom_the_sql_twin_finds(uow: empower.UnitOfWork,
                                                           typed: str) -> None:
    from empower.search import name_ids_subquery

    _register_all(uow)
    uow.flush()
    ids = name_ids_subquery(typed, uow.session.get_bind().dialect.name)
    assert ids is not None
    found = set(uow.session.scalars(text(f"SELECT id FROM beneficiaries WHERE id IN {ids}")))
    assert found == _found(uow, typed)
